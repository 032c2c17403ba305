"""Sign-in forms (ours and the admin's) that refuse to check a password while its
account or address is locked (see ``accounts.throttle``)."""

from datetime import timedelta

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts import throttle


def _clock(moment) -> str:
    """« 14 h 26 », « 14 h » in French; « 14:26 » in English."""
    moment = timezone.localtime(moment)
    if translation.get_language() == "fr":
        minutes = f"\u00a0{moment.minute:02d}" if moment.minute else ""
        return f"{moment.hour}\u00a0h{minutes}"
    return f"{moment.hour}:{moment.minute:02d}"


def lockout_error(seconds: int) -> ValidationError:
    minutes = max(1, -(-seconds // 60))
    at = timezone.now() + timedelta(seconds=seconds)
    return ValidationError(
        ngettext(
            "Too many failed sign-ins: try again in %(minutes)d minute (at %(time)s).",
            "Too many failed sign-ins: try again in %(minutes)d minutes (at %(time)s).",
            minutes,
        )
        % {"minutes": minutes, "time": _clock(at)},
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
