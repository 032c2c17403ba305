"""The calls' error codes (``calls.<name>``), each with its message and HTTP status.

Sections by area, so that each area's codes stay together: the call and its set-up, applying,
attachments, the jury, scoring, deciding and publishing.
"""

from django.utils.translation import gettext_lazy as _

from core.errors import ErrorCatalogue

codes = ErrorCatalogue("calls")

# --- typed text (the error's field says which) -------------------------------------------
TEXT_REQUIRED = codes.declare("text_required", _("Give the %(label)s."))
TEXT_TOO_LONG = codes.declare(
    "text_too_long", _("Too long: %(max)d characters at most (%(n)d given).")
)

# --- the call and its set-up -------------------------------------------------------------
FIELD_INVALID = codes.declare("field_invalid", _("This value is not valid."))
SLUG_INVALID = codes.declare(
    "slug_invalid",
    _("The address may hold only lower-case letters without accents, digits and hyphens."),
)
SLUG_TAKEN = codes.declare("slug_taken", _("Another call already has this address."), status=409)
DATE_REQUIRED = codes.declare("date_required", _("Give the date and time."))
CLOSES_BEFORE_OPENS = codes.declare("closes_before_opens", _("The call must close after it opens."))
BUDGET_NEGATIVE = codes.declare("budget_negative", _("The budget cannot be negative."))
NUMBER_INVALID = codes.declare("number_invalid", _("Give a whole number from %(min)s to %(max)s."))
RULE_UNKNOWN = codes.declare("rule_unknown", _("Unknown rule of the directory: %(rule)s."))
PLACE_CODE_INVALID = codes.declare(
    "place_code_invalid", _("Unknown region or department code: %(code)s.")
)
ALREADY_PUBLISHED = codes.declare(
    "already_published", _("This call is already published."), status=409
)
PUBLISH_INCOMPLETE = codes.declare(
    "publish_incomplete", _("The call cannot be published yet: %(missing)s"), status=409
)
FORM_LOCKED = codes.declare(
    "form_locked",
    _("Applications have been submitted: the application form can no longer change."),
    status=409,
)
QUESTION_LIMIT_INVALID = codes.declare(
    "question_limit_invalid", _("A word or character limit is for text questions only.")
)
CHOICES_REQUIRED = codes.declare(
    "choices_required", _("A choice question needs at least two different choices.")
)
NOT_IN_CALL = codes.declare("not_in_call", _("This item does not belong to this call."), status=404)
STAGES_ORDER = codes.declare(
    "stages_order",
    _("A call has one national stage, the last one; regional stages, if any, come before it."),
)
REGIONS_REQUIRED = codes.declare(
    "regions_required", _("A regional stage needs the codes of the regions it reviews.")
)
GRID_LOCKED = codes.declare(
    "grid_locked",
    _(
        "Scoring has started in this stage: its grid (criteria, weights, scale, cut-off) "
        "can no longer change."
    ),
    status=409,
)
SCORE_OUT_OF_SCALE = codes.declare(
    "score_out_of_scale", _("Give a score from 0 to %(max)s (the stage's scale).")
)
WEIGHT_NOT_POSITIVE = codes.declare(
    "weight_not_positive", _("A criterion's weight must be above zero.")
)
DOCUMENT_TYPE = codes.declare(
    "document_type",
    _("This file is not one of the accepted types (%(types)s), whatever its name says."),
)
DOCUMENT_TOO_LARGE = codes.declare(
    "document_too_large", _("This file is too large: %(max)s at most.")
)
DOCUMENT_REQUIRED = codes.declare("document_required", _("Choose a file."))

# --- applying ----------------------------------------------------------------------------

# --- attachments -------------------------------------------------------------------------

# --- the jury: invitations, declarations, conflicts, assignment ---------------------------

# --- scoring and discussion --------------------------------------------------------------

# --- deciding and publishing -------------------------------------------------------------
