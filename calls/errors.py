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
DATE_OUT_OF_RANGE = codes.declare(
    "date_out_of_range", _("Give a date between the years %(min)s and %(max)s.")
)
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
WEIGHT_TOO_LARGE = codes.declare(
    "weight_too_large", _("A criterion's weight must be below %(max)s.")
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
NOT_POLE_MANAGER = codes.declare(
    "not_pole_manager", _("Only the managers of the pole may apply for it."), status=403
)
CALL_NOT_OPEN = codes.declare(
    "call_not_open", _("This call is not open for applications."), status=409
)
CALL_CLOSED = codes.declare(
    "call_closed",
    _("The call closed on %(closes)s: the application can no longer be changed or submitted."),
    status=409,
)
NOT_ELIGIBLE = codes.declare(
    "not_eligible", _("The pole cannot apply to this call: %(reasons)s"), status=409
)
ALREADY_APPLYING = codes.declare(
    "already_applying",
    _("The pole already has an application to this call: open it from the call’s page."),
    status=409,
)
NOT_A_DRAFT = codes.declare(
    "not_a_draft",
    _("This application is no longer a draft: it was submitted or withdrawn."),
    status=409,
)
ALREADY_SUBMITTED = codes.declare(
    "already_submitted",
    _("This application was already submitted, by %(who)s on %(when)s."),
    status=409,
)
STALE_VERSION = codes.declare(
    "stale_version",
    _(
        "Someone saved this draft in the meantime (version %(current)s, you had version "
        "%(yours)s): nothing of yours was saved. Compare with what changed below, then save "
        "again."
    ),
    status=409,
)
ANSWER_REQUIRED = codes.declare("answer_required", _("To answer before submitting: %(label)s."))
TOO_MANY_WORDS = codes.declare(
    "too_many_words", _("%(label)s: %(max)d words at most (%(n)d given).")
)
TOO_MANY_CHARS = codes.declare(
    "too_many_chars", _("%(label)s: %(max)d characters at most (%(n)d given).")
)
BAD_AMOUNT = codes.declare(
    "bad_amount",
    _(
        "%(label)s: an amount in euros, zero or more, with at most two decimals "
        "(e.g. 12500 or 12500,50)."
    ),
)
BAD_CHOICE = codes.declare("bad_choice", _("%(label)s: choose one of the proposed answers."))
BAD_TEXT = codes.declare("bad_text", _("%(label)s: %(reason)s"))
NOT_WITHDRAWABLE = codes.declare(
    "not_withdrawable",
    _("The application can be withdrawn only before the call closes."),
    status=409,
)
NOT_REOPENABLE = codes.declare(
    "not_reopenable", _("Only a submitted application can be reopened."), status=409
)
DECIDED_NOT_REOPENABLE = codes.declare(
    "decided_not_reopenable",
    _("A decision is recorded for this application: it can no longer be reopened."),
    status=409,
)
ALREADY_REOPENED = codes.declare(
    "already_reopened",
    _("This application was already reopened once: it cannot be reopened again."),
    status=409,
)
REOPEN_UNTIL_PAST = codes.declare(
    "reopen_until_past",
    _("The date until which the application is reopened must be in the future."),
)
NOT_CALL_MANAGER = codes.declare(
    "not_call_manager", _("Only the call’s managers may do this."), status=403
)

# --- attachments -------------------------------------------------------------------------
FILE_TYPE_REFUSED = codes.declare(
    "file_type_refused",
    _(
        "« %(name)s » is not a PDF, ODT, ODS, DOCX, XLSX, PNG or JPEG file (its content was "
        "checked, not its name)."
    ),
)
FILE_TOO_LARGE = codes.declare(
    "file_too_large", _("« %(name)s » weighs %(size)s: %(max)s at most per file.")
)
APPLICATION_TOO_LARGE = codes.declare(
    "application_too_large",
    _("With « %(name)s » the application would weigh %(size)s: %(max)s at most in all."),
)
FILE_EMPTY = codes.declare("file_empty", _("Choose a file to attach."))

# --- the jury: invitations, declarations, conflicts, assignment ---------------------------
INVITATION_INVALID = codes.declare(
    "invitation_invalid",
    _("This invitation link is not valid: ask the call manager for a new one."),
)
INVITATION_EXPIRED = codes.declare(
    "invitation_expired",
    _("This invitation link has expired: ask the call manager for a new one."),
)
INVITATION_USED = codes.declare(
    "invitation_used",
    _("This invitation link was already used: sign in to reach your jury space."),
    status=409,
)
INVITATION_ACCOUNT_EXISTS = codes.declare(
    "invitation_account_exists",
    _("An account already uses this email address: sign in with it, then open the link again."),
    status=409,
)
SEAT_TAKEN = codes.declare(
    "seat_taken",
    _("Your account already holds a seat in this jury."),
    status=409,
)
JUROR_EXISTS = codes.declare(
    "juror_exists",
    _("This person is already invited to this jury."),
    status=409,
)
JUROR_EMAIL_INVALID = codes.declare("juror_email_invalid", _("Give a valid email address."))
ORGANISATION_UNKNOWN = codes.declare(
    "organisation_unknown", _("No organisation of the directory at this address (slug).")
)
DECLARATION_REQUIRED = codes.declare(
    "declaration_required",
    _("Tick the box to sign the declaration of interests."),
)
ALREADY_DECLARED = codes.declare(
    "already_declared",
    _("You already signed your declaration of interests."),
    status=409,
)
NOT_DECLARED = codes.declare(
    "not_declared",
    _("Sign your declaration of interests first."),
    status=403,
)
CONFLICT_DECIDED = codes.declare(
    "conflict_decided", _("This conflict was already decided."), status=409
)
CONFLICT_REASON_REQUIRED = codes.declare(
    "conflict_reason_required", _("Say why you confirm or dismiss this conflict.")
)
CONFLICT_NOTE_REQUIRED = codes.declare(
    "conflict_note_required", _("Say in a few words what links you to this file.")
)
ASSIGNMENT_BREAKS_RULE = codes.declare(
    "assignment_breaks_rule", _("This change breaks a rule: %(rules)s"), status=409
)
ASSIGNMENT_EXISTS = codes.declare(
    "assignment_exists", _("This juror is already assigned to this file."), status=409
)
ASSIGNMENT_REVIEWED = codes.declare(
    "assignment_reviewed",
    _("This juror has already scored this file: the assignment cannot be removed."),
    status=409,
)
STAGE_CLOSED = codes.declare("stage_closed", _("This stage is closed."), status=409)
NOT_A_FILE_OF_STAGE = codes.declare(
    "not_a_file_of_stage", _("This file is not submitted to this stage."), status=409
)

# the manager adds a conflict by hand (wiring)
CONFLICT_ADD_REASON_REQUIRED = codes.declare(
    "conflict_add_reason_required", _("Say what links this juror to this file.")
)
CONFLICT_EXISTS = codes.declare(
    "conflict_exists",
    _("A conflict of this juror with this file is already recorded by hand."),
    status=409,
)

# --- scoring and discussion --------------------------------------------------------------
NOT_ASSIGNED = codes.declare("not_assigned", _("This file is not assigned to you."), status=403)
REVIEW_SUBMITTED = codes.declare(
    "review_submitted",
    _("Your review is submitted: it can no longer be changed."),
    status=409,
)
SCORE_INVALID = codes.declare(
    "score_invalid",
    _("The score of “%(criterion)s” must be a number with at most two decimals."),
)
SCORE_MISSING = codes.declare("score_missing", _("Every criterion needs a score."))
UNKNOWN_CRITERION = codes.declare(
    "unknown_criterion", _("This criterion is not in the grid of this stage.")
)
MESSAGE_REQUIRED = codes.declare("message_required", _("Write your message."))
SUBMIT_UNCONFIRMED = codes.declare(
    "submit_unconfirmed",
    _("Tick the box to confirm: a submitted review can no longer be changed."),
)

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

# --- audit fixes (secfix): uploads cut short, attachments per file ------------------------
UPLOAD_TOO_LARGE = codes.declare(
    "upload_too_large",
    _("The file is larger than %(max)s: it was not received. Send a lighter file."),
    status=413,
)
TOO_MANY_ATTACHMENTS = codes.declare(
    "too_many_attachments",
    _("A file holds %(max)d attachments at most: remove one before adding another."),
    status=409,
)
