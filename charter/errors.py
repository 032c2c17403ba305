"""The charter's error codes (``charter.<name>``), each with its message and HTTP status.

The sign form answers 400 to every refusal (429 when too many links were sent); the
ceremony page shows its errors in the form.
"""

from django.utils.translation import gettext_lazy as _

from core.errors import ErrorCatalogue

codes = ErrorCatalogue("charter")

# a text typed by a person (name, mandate, reason: the error's field says which)
TEXT_REQUIRED = codes.declare("text_required", _("Give the %(label)s."))
TEXT_CONTROL = codes.declare(  # raised with the validator's message, which names the character
    "text_control",
    _(
        "This text holds an invisible or control character (%(char)s), often brought "
        "by a copy and paste: type the text again."
    ),
)
TEXT_TOO_LONG = codes.declare(  # raised with the validator's message, which gives the lengths
    "text_too_long", _("Too long: %(max)d characters at most (%(n)d given).")
)
TEXT_MARKUP = codes.declare("text_markup", _("Plain text only: no “<” or “>” (no HTML)."))
INVALID_EMAIL = codes.declare("invalid_email", _("Enter a valid email address."))

# signing
NO_VERSION = codes.declare("no_version", _("No version of the charter is published."), status=404)
VERSION_NOT_CURRENT = codes.declare(
    "version_not_current", _("Only the current version of the charter can be signed.")
)
INVALID_SIGNER = codes.declare("invalid_signer", _("Only a pole or a network signs the charter."))
SIGNER_MISSING = codes.declare("signer_missing", _("Choose the pole or network first."))
NO_MANDATE = codes.declare(
    "no_mandate", _("You may sign only for a pole or network whose entry you manage.")
)
ALREADY_SIGNED = codes.declare(
    "already_signed", _("This organisation has already signed this version.")
)
RATE_LIMITED = codes.declare(
    "rate_limited",
    _("Too many confirmation links were sent just now: try again in an hour."),
    status=429,
)
NOT_EVENT_DAY = codes.declare(
    "not_event_day",
    _("A signature in the room is recorded on the day of the event (%(date)s), not today."),
)

# the confirmation link
LINK_EXPIRED = codes.declare(
    "link_expired", _("This link has expired (48 hours): ask to sign again.")
)
LINK_INVALID = codes.declare("link_invalid", _("This link is not valid."))
LINK_USED = codes.declare("link_used", _("This link was already used: the signature is recorded."))

# withdrawing
NOT_SIGNED = codes.declare("not_signed", _("Only a signature in force can be withdrawn."))

# publishing a version (manage.py publish_charter_version)
VERSION_INCOMPLETE = codes.declare("version_incomplete", _("A version needs a title and a text."))
VERSION_FUTURE = codes.declare(
    "version_future",
    _("Publish a version on its date, not before (its signatories are invited then)."),
)
VERSION_ORDER = codes.declare(
    "version_order", _("A new version comes after version %(number)d, at a later date.")
)
