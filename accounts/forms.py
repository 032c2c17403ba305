"""Sign-in forms (ours and the admin's) that refuse to check a password while its
account or address is locked (see ``accounts.throttle``)."""

from datetime import timedelta

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

from accounts import throttle
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


class ThrottledMixin:
    """Refused at once while locked; a failure that brings the lock says so."""

    def clean(self):
        username = self.cleaned_data.get("username")
        wait = throttle.locked_for(self.request, username)
        if wait:
            raise lockout_error(wait)
        try:
            return super().clean()
        except ValidationError:
            wait = throttle.locked_for(self.request, username)
            if wait:
                raise lockout_error(wait) from None
            raise

    @property
    def throttled(self) -> bool:
        return any(error.code == "throttled" for error in self.non_field_errors().as_data())


class SignInForm(ThrottledMixin, AuthenticationForm):
    pass


class AdminSignInForm(ThrottledMixin, AdminAuthenticationForm):
    pass
