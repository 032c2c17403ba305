"""The errors of the events app, declared once: code ``events.<name>``, message, HTTP status.

Raise them as ``DomainError(errors.EVENT_FULL)``; a more precise message (a validator's,
a count) replaces the declared one: ``DomainError(errors.INVALID_FIELD, exc.messages[0],
field="email")``. The statuses are those of the door's API, which answers every refusal
of a walk-in with 400, and of the personal link's page (404).
"""

from django.utils.translation import gettext_lazy as _

from core.errors import ErrorCatalogue

codes = ErrorCatalogue("events")

# --- what a person typed (``field`` names the field) -----------------------------------
INVALID_FIELD = codes.declare("invalid_field", _("This field is not valid."))
CONSENT_REQUIRED = codes.declare(
    "consent_required", _("Please accept the privacy notice to register.")
)
INCOMPLETE = codes.declare("incomplete", _("Some fields of the event are missing."))
ENDS_BEFORE_START = codes.declare("ends_before_start", _("The event must end after it starts."))
REGISTRATION_CLOSES_BEFORE_OPENING = codes.declare(
    "registration_closes_before_opening", _("Registration must close after it opens.")
)
REGISTRATION_OPENS_AFTER_END = codes.declare(
    "registration_opens_after_end", _("Registration must open before the event ends.")
)
REGISTRATION_CLOSES_AFTER_END = codes.declare(
    "registration_closes_after_end", _("Registration must close before the event ends.")
)
CAPACITY_BELOW_CONFIRMED = codes.declare(
    "capacity_below_confirmed",
    _("The capacity cannot be lower than the %(count)d confirmed registrations."),
)

# --- registering: the event's window and places ----------------------------------------
EVENT_CANCELLED = codes.declare("event_cancelled", _("This event has been cancelled."))
REGISTRATION_UNAVAILABLE = codes.declare(
    "registration_unavailable", _("This event takes no registration.")
)
REGISTRATION_NOT_OPEN = codes.declare("registration_not_open", _("Registration is not open yet."))
REGISTRATION_CLOSED = codes.declare("registration_closed", _("Registration is closed."))
EVENT_FULL = codes.declare("event_full", _("This event is full."))
REGISTRATION_CONFLICT = codes.declare(
    "registration_conflict", _("Your registration could not be saved. Please try again.")
)
WALK_INS_CLOSED = codes.declare(
    "walk_ins_closed", _("The organiser has not opened walk-in registration.")
)
ALREADY_REGISTERED = codes.declare(
    "already_registered", _("This person is already registered: find them by name.")
)

# --- a registration's life ---------------------------------------------------------------
EVENT_OVER = codes.declare(
    "event_over", _("This event is over: the registration can no longer be changed.")
)
ALREADY_CANCELLED = codes.declare("already_cancelled", _("This registration is already cancelled."))
ALREADY_ERASED = codes.declare("already_erased", _("This registration was already erased."))
REMINDER_UNAVAILABLE = codes.declare(
    "reminder_unavailable",
    _("Reminders can only be sent for a published event that has not started."),
)

# --- tickets and personal links ----------------------------------------------------------
TICKET_INVALID = codes.declare(
    "ticket_invalid", _("This ticket is not valid: its code was altered or forged.")
)
LINK_EXPIRED = codes.declare(
    "link_expired",
    _("This link has expired. Register again with the same email to get a new one."),
    status=404,
)
LINK_INVALID = codes.declare(
    "link_invalid", _("This link is not valid. Check that it was copied whole."), status=404
)

# --- documents built for the organisers --------------------------------------------------
UNKNOWN_DOCUMENT = codes.declare("unknown_document", _("This document does not exist."), status=404)
DOCUMENT_NOT_READY = codes.declare(
    "document_not_ready", _("This document is not ready yet."), status=409
)
DOCUMENT_EXPIRED = codes.declare(
    "document_expired",
    _("This document is no longer available: prepare it again."),
    status=410,
)
