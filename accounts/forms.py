"""Sign-in forms (ours and the admin's) that refuse to check a password while its
account or address is locked (see ``accounts.throttle``)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import selectors, services, throttle
from core.dates import clock


def lockout_error(seconds: int) -> ValidationError:
    minutes = max(1, -(-seconds // 60))
    at = timezone.now() + timedelta(seconds=seconds)
    return ValidationError(
        ngettext(
            "Too many failed sign-ins: try again in %(minutes)d minute (at %(time)s).",
            "Too many failed sign-ins: try again in %(minutes)d minutes (at %(time)s).",
            minutes,
        )
        % {"minutes": minutes, "time": clock(at)},
        code="throttled",
    )


def throttled_check(form, username, check, *, count_failure=False):
    """``check()`` (a password check) refused at once while the account or the address
    is locked; a failure that brings the lock says so. ``count_failure``: count a failure
    here (the sign-in counts it through Django's signal)."""
    wait = throttle.locked_for(form.request, username)
    if wait:
        form.locked_seconds = wait
        raise lockout_error(wait)
    try:
        return check()
    except ValidationError:
        if count_failure:
            throttle.failure(form.request, username)
        wait = throttle.locked_for(form.request, username)
        if wait:
            form.locked_seconds = wait
            raise lockout_error(wait) from None
        raise


class ThrottledMixin:
    """Refused at once while locked; a failure that brings the lock says so."""

    locked_seconds = 0  # while locked: how long, for the answer's Retry-After

    def clean(self):
        return throttled_check(self, self.cleaned_data.get("username"), super().clean)

    @property
    def throttled(self) -> bool:
        return any(error.code == "throttled" for error in self.non_field_errors().as_data())


class SignInForm(ThrottledMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # accounts made by an approved claim are named after their e-mail address
        self.fields["username"].label = _("Username or e-mail address")


class AdminSignInForm(ThrottledMixin, AdminAuthenticationForm):
    pass


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's password change, whose « old password » counts as a sign-in attempt:
    without it, a session left open was a way to guess the password with no limit
    (and then keep the account)."""

    locked_seconds = 0

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        return throttled_check(
            self, self.user.get_username(), super().clean_old_password, count_failure=True
        )

    @property
    def throttled(self) -> bool:
        return any(
            error.code == "throttled" for error in self.errors.as_data().get("old_password", [])
        )


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, whose email goes through the outbox (``accounts.emails``).

    Every active account with this address gets the link, including one made by an
    approved claim whose first link expired (it has no usable password yet)."""

    def get_users(self, email):
        return iter(selectors.active_users_with_email(email))

    def save(self, **kwargs) -> int:
        """Queue one email per account; how many (never shown to the visitor)."""
        return services.password_reset_queue(
            users=self.get_users(self.cleaned_data["email"]),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
