"""The door's error codes (``checkin.<name>``), each with its message and HTTP status.

Raised as ``DomainError(errors.X)`` by the services and the views; the door API answers
them in the one envelope of ``core.errors.error_response``. A raise may pass a more
precise message (or its ``%(name)s`` parameters) and a ``field``; the code never changes
with them. The statuses are those the door API answers; the organiser's pages show the
message only.
"""

from django.utils.translation import gettext_lazy as _

from core.errors import ErrorCatalogue

codes = ErrorCatalogue("checkin")

# --- devices and their enrolment -----------------------------------------------------------
DEVICE_UNKNOWN = codes.declare("device_unknown", _("This device is not enrolled."), status=401)
DEVICE_REVOKED = codes.declare("device_revoked", _("This device has been revoked."), status=403)
INVALID_DEVICE_NAME = codes.declare(
    "invalid_device_name", _("Give the device a name of 1 to 80 characters.")
)
DEVICE_NAME_TAKEN = codes.declare(
    "device_name_taken", _("A device of this event already has this name.")
)
ENROLMENT_INVALID = codes.declare(
    "enrolment_invalid", _("This enrolment link is not valid."), status=404
)
ENROLMENT_USED = codes.declare(
    "enrolment_used", _("This enrolment link was already used. Ask the organiser for a new one.")
)

# --- the door staff ------------------------------------------------------------------------
NOT_DOOR_STAFF = codes.declare(
    "not_door_staff", _("Sign in with an account of this event's door staff."), status=403
)
NOT_SUPERVISOR = codes.declare("not_supervisor", _("Only a supervisor may do this."), status=403)
NOT_ORGANISER = codes.declare(
    "not_organiser", _("Only the organisers of this event may do this."), status=403
)
INVALID_LOGIN = codes.declare(
    "invalid_login", _("Give the username or the e-mail address of an existing account.")
)
UNKNOWN_ACCOUNT = codes.declare(
    "unknown_account",
    _("No account has this username or e-mail address. The person must have an account."),
)
AMBIGUOUS_ACCOUNT = codes.declare(
    "ambiguous_account",
    _("Several accounts use this e-mail address: give the username instead."),
)
INVALID_ROLE = codes.declare("invalid_role", _("Choose a role."))
ALREADY_HAS_ROLE = codes.declare(
    "already_has_role", _("%(name)s already has this role at this event.")
)
ROLE_GONE = codes.declare("role_gone", _("This person no longer has a role at the door."))

# --- the API's requests --------------------------------------------------------------------
RATE_LIMITED = codes.declare(
    "rate_limited", _("Too many requests from this device: wait a minute."), status=429
)
BATCH_TOO_LARGE = codes.declare(
    "batch_too_large", _("This batch is too large: send it in several parts."), status=413
)
REQUEST_TOO_LARGE = codes.declare("request_too_large", _("This request is too large."), status=413)
MALFORMED_JSON = codes.declare("malformed_json", _("The request is not valid JSON."))
MALFORMED_BATCH = codes.declare("malformed_batch", _("A batch is an object with a list “scans”."))
MALFORMED_REQUEST = codes.declare("malformed_request", _("The request must be a JSON object."))
UNSUPPORTED_VERSION = codes.declare(
    "unsupported_version", _("This version of the API is not supported.")
)

# --- scans ---------------------------------------------------------------------------------
INVALID_SCAN = codes.declare("invalid_scan", _("This scan is not valid."))
NOT_TODAY = codes.declare(
    "not_today", _("Not today — the event takes place %(days)s. This entry was not recorded.")
)

# --- supervisors: overrides and walk-ins ---------------------------------------------------
ID_NOT_CHECKED = codes.declare("id_not_checked", _("Check the photo ID before admitting."))
OVERRIDE_REASON_REQUIRED = codes.declare(
    "override_reason_required",
    _("Write why you admit this person (%(min)d characters at least)."),
)
OVERRIDE_REASON_TOO_LONG = codes.declare(
    "override_reason_too_long", _("Keep the reason under %(max)d characters.")
)
OVERRIDE_IMPOSSIBLE = codes.declare(
    "override_impossible",
    _("No registration of this event has this ticket: register the person as a walk-in."),
)
OVERRIDE_NOT_NEEDED = codes.declare(
    "override_not_needed", _("This ticket is valid: admit the person normally.")
)
ALREADY_ADMITTED = codes.declare("already_admitted", _("This person has already been admitted."))


# A text field of a supervisor's request that is not a text (or too long), or a reason
# with control characters (the validator's message then): one code, with the field.
INVALID_TEXT = codes.declare("invalid_text", _("“%(field)s” must be a text."))

# --- the attendance certificate ------------------------------------------------------------
NOT_ADMITTED = codes.declare(
    "not_admitted",
    _("There is no attendance to certify: no entry was recorded."),
    status=404,
)
