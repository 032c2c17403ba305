"""Checks on what a person types, shared by the forms and the services.

Every text goes through ``core.input.clean_text`` first (NFC, no control or invisible
format character such as a bidi override or a zero-width space, length counted after
normalisation), then through the rule of its field.
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from core.input import clean_text
from core.text import normalise_email

NAME_MAX = 100
ORGANISATION_MAX = 200
EMAIL_MAX = 254
# Between the words of a name: "Zoé N'Diaye-Lefèvre", "Jean-Marie d’Arc", "J. R. R.",
# and the Hebrew geresh (« ג׳ורג׳ »).
_NAME_SEPARATORS = frozenset(" '’.-\u05f3")
# Joiners that some scripts need inside a word (clean_text keeps them only between two
# letters or marks).
_JOINERS = frozenset("\u200c\u200d")


def _is_name(value: str) -> bool:
    """Letters of any script, each letter followed by its combining marks (accents of a
    decomposed Latin or Vietnamese text, Devanagari and Tamil vowel signs and viramas,
    Thai tone marks, Arabic shadda…), words separated by spaces, apostrophes, hyphens and
    dots. No digit of any script, no symbol, no punctuation other than those separators.
    """
    previous = ""
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if category[0] == "L":
            kind = "letter"
        elif (category[0] == "M" or char in _JOINERS) and previous in ("letter", "mark"):
            kind = "mark"
        elif char in _NAME_SEPARATORS and index > 0:
            kind = "separator"
        else:
            return False
        previous = kind
    return previous != ""


def _clean(value, *, max_length: int, too_long_message) -> str:
    """clean_text, with the field's own message when the text is too long."""
    try:
        return clean_text(value, max_length=max_length)
    except ValidationError as exc:
        if exc.code == "too_long":
            raise ValidationError(too_long_message, code="too_long") from exc
        raise


def clean_name(value: str, *, label: str) -> str:
    value = _clean(
        value,
        max_length=NAME_MAX,
        too_long_message=_("The %(label)s is too long (%(max)d characters at most).")
        % {"label": label, "max": NAME_MAX},
    )
    if not value:
        raise ValidationError(_("Enter your %(label)s.") % {"label": label}, code="required")
    if not _is_name(value):
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
    return _clean(
        value,
        max_length=ORGANISATION_MAX,
        too_long_message=_("The organisation is too long (%(max)d characters at most).")
        % {"max": ORGANISATION_MAX},
    )


def clean_email(value: str) -> str:
    too_long = ValidationError(
        _("The email address is too long (%(max)d characters at most).") % {"max": EMAIL_MAX},
        code="too_long",
    )
    value = unicodedata.normalize("NFC", (value or "").strip())
    if not value:
        raise ValidationError(_("Enter your email address."), code="required")
    if len(value) > EMAIL_MAX:
        raise too_long
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError(
            _("Enter a valid email address, such as name@example.org."), code="invalid"
        ) from exc
    # The address is stored with its normalised form (the key that makes two spellings
    # one person), which may be longer: « ß » casefolds to « ss ».
    if len(normalise_email(value)) > EMAIL_MAX:
        raise too_long
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
