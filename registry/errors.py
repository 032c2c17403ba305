"""The registry's error codes, declared once (``registry.<name>``), each with its message
and HTTP status. A service raises ``DomainError(errors.X)``, or with a more precise
message, its ``%(name)s`` parameters and the ``field`` it is about; codes are never built
at run time (a fixed code plus ``field`` instead)."""

from django.utils.translation import gettext_lazy as _

from core.errors import ErrorCatalogue

codes = ErrorCatalogue("registry")

# --- what people type (services, the import's rows) -----------------------------------------
TEXT_CONTROL = codes.declare(
    "text_control",
    _(
        "This text holds an invisible or control character (%(char)s), often brought "
        "by a copy and paste: type the text again."
    ),
)
REQUIRED = codes.declare("required", _("This field is required."))
TOO_LONG = codes.declare("too_long", _("Too long: %(max)d characters at most (%(n)d given)."))
INVALID_CHOICE = codes.declare(
    "invalid_choice", _("“%(value)s” is not one of the expected values.")
)
INVALID_URL = codes.declare(
    "invalid_url", _("Give a web address starting with https:// (or http://).")
)
INVALID_SIREN = codes.declare(
    "invalid_siren", _("This SIREN is not valid: its check digit is wrong (a typo?).")
)
INVALID_SIRET = codes.declare(
    "invalid_siret", _("This SIRET is not valid: its check digits are wrong (a typo?).")
)
SIRET_SIREN_MISMATCH = codes.declare(
    "siret_siren_mismatch", _("The SIRET does not begin with the SIREN.")
)
DUPLICATE_SIRET = codes.declare(
    "duplicate_siret", _("An organisation with this SIRET is already registered."), status=409
)
COMMUNE_REQUIRED = codes.declare("commune_required", _("Give the commune (its INSEE code)."))
UNKNOWN_COMMUNE = codes.declare(
    "unknown_commune",
    _("“%(code)s” is not an INSEE commune code of the %(year)d geography (COG)."),
)
UNKNOWN_AREA = codes.declare(
    "unknown_area",
    _(
        "“%(code)s” is neither an INSEE commune code, nor an EPCI (SIREN), nor a "
        "department of the %(year)d geography."
    ),
)
UNKNOWN_DEPARTMENT = codes.declare("unknown_department", _("“%(code)s” is not a department code."))
UNKNOWN_REGION = codes.declare("unknown_region", _("“%(code)s” is not a region code."))
INVALID_YEAR = codes.declare("invalid_year", _("Give the year the pole was founded (4 digits)."))
INVALID_JOBS = codes.declare("invalid_jobs", _("Give a number of jobs."))
SOURCE_REQUIRED = codes.declare("source_required", _("Give the public source of this laureate."))
INVALID_EMAIL = codes.declare("invalid_email", _("Enter a valid email address."))
MESSAGE_TOO_SHORT = codes.declare(
    "message_too_short", _("Say what should be corrected (10 characters at least).")
)

# --- claims and suggestions (moderation) ----------------------------------------------------
CLAIM_DECIDED = codes.declare(
    "claim_decided", _("This request has already been decided."), status=409
)
CLAIM_PRIVILEGED_ACCOUNT = codes.declare(
    "claim_privileged_account",
    _(
        "This address belongs to a staff or inactive account: add it to the "
        "pole's managers by hand in the admin, if that is right."
    ),
    status=409,
)
SUGGESTION_DECIDED = codes.declare(
    "suggestion_decided", _("This suggestion has already been decided."), status=409
)
UNKNOWN_CLAIM = codes.declare("unknown_claim", _("This request no longer exists."), status=404)
UNKNOWN_SUGGESTION = codes.declare(
    "unknown_suggestion", _("This suggestion no longer exists."), status=404
)
UNKNOWN_ACTION = codes.declare("unknown_action", _("Unknown action."))

# --- the CSV import -------------------------------------------------------------------------
FILE_REQUIRED = codes.declare("file_required", _("Choose a CSV file."))
FILE_TOO_LARGE = codes.declare(
    "file_too_large", _("The file is too large (%(max)d MB at most)."), status=413
)
UNKNOWN_KIND = codes.declare(
    "unknown_kind", _("Choose what the file holds: organisations or poles.")
)
BAD_ENCODING = codes.declare(
    "bad_encoding", _("This UTF-16 file is damaged: save it again as CSV UTF-8.")
)
MIXED_ENCODING = codes.declare(
    "mixed_encoding",
    _(
        "Line %(line)d is not in the same encoding as the rest of the file (UTF-8 "
        "elsewhere): a row pasted from another file? Save the whole file again "
        "as CSV UTF-8."
    ),
)
NOT_CSV = codes.declare(
    "not_csv", _("This is not a CSV text file (a spreadsheet saved as .xlsx?).")
)
NUL_BYTE = codes.declare(
    "nul_byte", _("Line %(line)d holds a NUL character (a damaged file?): remove it.")
)
UNREADABLE_LINE = codes.declare(
    "unreadable_line",
    _(
        "Line %(line)d cannot be read: a cell longer than %(max)d KB, or a quote "
        "that is never closed."
    ),
)
MISSING_COLUMNS = codes.declare(
    "missing_columns",
    _("Missing columns: %(columns)s (the first line must name the columns)."),
)
TOO_MANY_ROWS = codes.declare("too_many_rows", _("Too many rows (%(max)d at most)."))
INVALID_ID = codes.declare("invalid_id", _("An id is a whole number (digits 0 to 9)."))
INVALID_SINCE = codes.declare("invalid_since", _("Give a year (4 digits)."))
UNKNOWN_POLE = codes.declare("unknown_pole", _("No pole “%(pole)s” in the directory."))
IMPORT_HAS_ERRORS = codes.declare("import_has_errors", _("Fix the errors of the file first."))
IMPORT_EXPIRED = codes.declare(
    "import_expired", _("This check is too old or was altered: send the file again."), status=410
)

# --- the map's JSON -------------------------------------------------------------------------
INVALID_ZOOM = codes.declare("invalid_zoom", _("The zoom is a whole number."))
INVALID_BBOX = codes.declare("invalid_bbox", _("The area is west,south,east,north in degrees."))
