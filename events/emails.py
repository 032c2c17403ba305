"""Email renderers of the events app (registered with core.mail in EventsConfig.ready).

Each renders in the active language (the recipient's, set by core.mail) and returns
None when the registration no longer exists or was erased.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core.mail import register_renderer
from core.models import OutboundEmail
from events.documents import event_ics, event_when, event_where, ticket_pdf
from events.models import Registration
from events.selectors import registration_waiting_position, reminder_recipients
from events.tokens import personal_link_token

SUBJECTS = {
    "confirmed": lambda e: _("Your registration is confirmed – %(event)s") % {"event": e},
    "waiting": lambda e: _("You are on the waiting list – %(event)s") % {"event": e},
    "promoted": lambda e: _("A place is yours – %(event)s") % {"event": e},
    "cancelled": lambda e: _("Your registration is cancelled – %(event)s") % {"event": e},
    # cancelled, and the place went at once to the first person waiting
    "cancelled_given_on": lambda e: _("Your registration is cancelled – %(event)s") % {"event": e},
    "reminder": lambda e: _("Reminder: %(event)s") % {"event": e},
    "link_resent": lambda e: _("Your personal link – %(event)s") % {"event": e},
}
WITH_TICKET = {"confirmed", "promoted", "reminder"}
# The status a registration must still have when the email goes out; otherwise the
# email no longer applies (e.g. a "waiting" email after a promotion) and is skipped.
EXPECTED_STATUS = {
    "confirmed": {Registration.Status.CONFIRMED},
    "waiting": {Registration.Status.WAITING},
    "promoted": {Registration.Status.CONFIRMED},
    "cancelled": {Registration.Status.CANCELLED},
    "cancelled_given_on": {Registration.Status.CANCELLED},
    "reminder": {Registration.Status.CONFIRMED},
    "link_resent": {Registration.Status.CONFIRMED, Registration.Status.WAITING},
}


def personal_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("events:personal", args=[personal_link_token(registration)])


def _context(registration: Registration, name: str, *, personal_url: str) -> dict:
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "kind": name,
        "when": event_when(event),
        "where": event_where(event),
        "personal_url": personal_url,
        "event_url": settings.SITE_URL + reverse("events:detail", args=[event.slug]),
        "position": registration_waiting_position(registration=registration),
        "with_ticket": name in WITH_TICKET and registration.status == Registration.Status.CONFIRMED,
    }


def reminder_preview(*, event, registration: Registration | None) -> dict:
    """The reminder as one recipient receives it (subject, text, attachments), for the
    organiser to read before sending: addressed to the first recipient, or to a sample
    person when there is none. The personal link (a secret) is shown as a placeholder."""
    if registration is None:
        registration = Registration(
            event=event,
            first_name=_("Camille"),
            last_name=_("Martin"),
            status=Registration.Status.CONFIRMED,
        )
    # the person's own link, unknown here: shown as « …/inscription/…/ »
    placeholder = settings.SITE_URL + reverse("events:personal", args=["x"]).replace("/x/", "/…/")
    context = _context(registration, "reminder", personal_url=placeholder)
    return {
        "to": registration.full_name,
        "subject": SUBJECTS["reminder"](event.title),
        "body": render_to_string("events/emails/registration.txt", context),
        "attachments": [_("ticket.pdf"), "event.ics"] if context["with_ticket"] else [],
    }


def _render(outbound: OutboundEmail, name: str) -> EmailMultiAlternatives | None:
    registration = (
        Registration.objects.select_related("event").filter(pk=outbound.object_id).first()
    )
    if registration is None or registration.erased_at is not None:
        return None
    if registration.status not in EXPECTED_STATUS[name]:
        return None
    event = registration.event
    if name == "reminder" and (
        event.status != event.Status.PUBLISHED
        or event.is_past
        # admitted at the door (or otherwise no longer a recipient) since it was queued
        or not reminder_recipients(event=event).filter(pk=registration.pk).exists()
    ):
        return None
    context = _context(registration, name, personal_url=personal_url(registration))
    message = EmailMultiAlternatives(
        subject=SUBJECTS[name](event.title),
        body=render_to_string("events/emails/registration.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
    )
    message.attach_alternative(
        render_to_string("events/emails/registration.html", context), "text/html"
    )
    if context["with_ticket"]:
        message.attach(_("ticket.pdf"), ticket_pdf(registration), "application/pdf")
        message.attach("event.ics", event_ics(event), "text/calendar")
    return message


def register() -> None:
    for name in SUBJECTS:
        register_renderer(
            f"events.registration.{name}", lambda outbound, name=name: _render(outbound, name)
        )
