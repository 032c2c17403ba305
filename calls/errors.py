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

# --- scoring and discussion --------------------------------------------------------------

# --- deciding and publishing -------------------------------------------------------------
