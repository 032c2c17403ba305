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

# --- applying ----------------------------------------------------------------------------

# --- attachments -------------------------------------------------------------------------

# --- the jury: invitations, declarations, conflicts, assignment ---------------------------

# --- scoring and discussion --------------------------------------------------------------

# --- deciding and publishing -------------------------------------------------------------
REASON_REQUIRED = codes.declare("reason_required", _("Give the reason of the decision."))
OUTCOME_UNKNOWN = codes.declare("outcome_unknown", _("Choose laureate, waiting list or refused."))
AMOUNT_REQUIRED = codes.declare(
    "amount_required", _("A laureate needs an amount greater than zero.")
)
AMOUNT_NOT_LAUREATE = codes.declare(
    "amount_not_laureate", _("Only a laureate is granted an amount: leave it empty.")
)
BUDGET_MISSING = codes.declare(
    "budget_missing", _("The call has no budget: set it before granting amounts."), status=409
)
BUDGET_EXCEEDED = codes.declare(
    "budget_exceeded",
    _(
        "Refused: %(amount)s € more would bring the laureates to %(total)s €, above the "
        "call’s budget of %(budget)s € (already granted: %(granted)s €, left: %(left)s €)."
    ),
    status=409,
)
NOT_FINAL_STAGE = codes.declare(
    "not_final_stage",
    _("Only a submitted file in the call’s final stage can be decided."),
    status=409,
)
RESULTS_PUBLISHED = codes.declare(
    "results_published",
    _("The results are published: the decisions can no longer change."),
    status=409,
)
STAGE_CLOSED = codes.declare("stage_closed", _("This stage is closed."), status=409)
NO_NEXT_STAGE = codes.declare(
    "no_next_stage", _("This stage passes no file on: it is the last one."), status=409
)
PASS_ON_NONE = codes.declare("pass_on_none", _("Choose the files that pass on."))
PASS_ON_TOO_MANY = codes.declare(
    "pass_on_too_many",
    _("At most %(max)d files pass on from this stage (%(n)d chosen)."),
)
PASS_ON_NOT_RANKED = codes.declare(
    "pass_on_not_ranked", _("Only files scored in this stage’s ranking can pass on.")
)
NOTHING_DECIDED = codes.declare("nothing_decided", _("No decision is recorded yet."), status=409)
GRANTOR_SIRET = codes.declare("grantor_siret", _("The SIRET of the granting body has 14 digits."))
PAYMENT_PERIOD = codes.declare(
    "payment_period", _("Give the payment period: its first day, then its last day.")
)
CONFIRM_REQUIRED = codes.declare("confirm_required", _("Tick the box to confirm."))
