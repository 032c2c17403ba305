"""Checks on what a person types, shared by the forms and the services."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

NAME_MAX = 100
ORGANISATION_MAX = 200
EMAIL_MAX = 254
# Letters of any script, combining marks, spaces, apostrophes, hyphens and dots:
# "Zoé N'Diaye-Lefèvre", "Jean-Marie d’Arc", "J. R. R."
_NAME_RE = re.compile(r"^[^\W\d_](?:[^\W\d_]|[\s'’.\-])*$", re.UNICODE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_name(value: str, *, label: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError(_("Enter your %(label)s.") % {"label": label}, code="required")
    if len(value) > NAME_MAX:
        raise ValidationError(
            _("The %(label)s is too long (%(max)d characters at most).")
            % {"label": label, "max": NAME_MAX},
            code="too_long",
        )
    if not _NAME_RE.match(value):
        raise ValidationError(
            _(
                "The %(label)s may contain only letters, spaces, apostrophes, hyphens "
                "and dots, exactly as on your photo ID."
            )
            % {"label": label},
            code="invalid_chars",
        )
    return value


def clean_organisation(value: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > ORGANISATION_MAX:
        raise ValidationError(
            _("The organisation is too long (%(max)d characters at most).")
            % {"max": ORGANISATION_MAX},
            code="too_long",
        )
    if _CONTROL_RE.search(value):
        raise ValidationError(_("The organisation contains invalid characters."), code="invalid")
    return value


def clean_email(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Enter your email address."), code="required")
    if len(value) > EMAIL_MAX:
        raise ValidationError(
            _("The email address is too long (%(max)d characters at most).") % {"max": EMAIL_MAX},
            code="too_long",
        )
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError(
            _("Enter a valid email address, such as name@example.org."), code="invalid"
        ) from exc
    return value


def clean_phone(value: str) -> str:
    """Empty, or a phone number that parses (French by default), stored as E.164."""
    value = (value or "").strip()
    if not value:
        return ""
    error = ValidationError(
        _("Enter a valid phone number, such as 06 12 34 56 78 or +33 6 12 34 56 78."),
        code="invalid",
    )
    if len(value) > 30 or not re.fullmatch(r"[0-9+().\s\-]+", value):
        raise error
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException as exc:
        raise error from exc
    if not phonenumbers.is_valid_number(number):
        raise error
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
