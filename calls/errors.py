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
