"""Reads of the events app: querysets with their joins done."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from core.dates import moment
from core.models import OutboundEmail
from core.text import fold
from events import hooks
from events.models import Event, EventDocument, Partner, Registration, Session, Speaker
from events.references import normalise as normalise_reference


def event_list_public() -> QuerySet[Event]:
    return Event.objects.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])


def event_get_public(*, slug: str) -> Event:
    """A published (or cancelled) event, alone (see event_programme for the rest)."""
    event = event_list_public().filter(slug=slug).first()
    if event is None:
        raise Http404
    return event


def event_programme(*, event: Event) -> list[Session]:
    """The event's sessions in time order, each with its speakers (two queries)."""
    return list(
        Session.objects.filter(event=event)
        .prefetch_related(Prefetch("speakers", queryset=Speaker.objects.order_by("name")))
        .order_by("starts_at", "id")
    )


def event_speakers(*, event: Event) -> list[Speaker]:
    return list(Speaker.objects.filter(event=event).order_by("name"))


def event_partners(*, event: Event) -> list[Partner]:
    return list(Partner.objects.filter(event=event).order_by("order", "name"))


def registration_waiting_position(*, registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITING:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=Registration.Status.WAITING
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, id__lt=registration.pk)
    )
    return ahead.count() + 1


def event_counts(*, event: Event) -> dict:
    """Counts by status and by category (kept after personal data is erased)."""
    by_status = dict(
        Registration.objects.filter(event=event)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    by_category_rows = (
        Registration.objects.filter(event=event)
        .values("category", "status")
        .annotate(n=Count("id"))
        .order_by("category")
    )
    categories = {
        value: {"label": label, "confirmed": 0, "waiting": 0, "cancelled": 0}
        for value, label in Registration.Category.choices
    }
    for row in by_category_rows:
        categories[row["category"]][row["status"]] = row["n"]
    return {
        "confirmed": by_status.get(Registration.Status.CONFIRMED, 0),
        "waiting": by_status.get(Registration.Status.WAITING, 0),
        "cancelled": by_status.get(Registration.Status.CANCELLED, 0),
        "by_category": list(categories.values()),
    }


def registration_search(
    *, event: Event, query: str = "", status: str = ""
) -> QuerySet[Registration]:
    """Accent- and case-insensitive search ("lefevre" finds "Lefèvre"); a ticket reference
    as a person types it ("k7mx q4tr") finds its registration too."""
    registrations = Registration.objects.filter(event=event, erased_at__isnull=True)
    if status in Registration.Status.values:
        registrations = registrations.filter(status=status)
    words = Q()
    for word in fold(query).split():
        words &= Q(search_text__contains=word)
    reference = normalise_reference(query)
    registrations = registrations.filter(words | Q(reference=reference) if reference else words)
    return registrations.order_by("last_name", "first_name", "id")


def security_list(*, event: Event, with_tickets: bool = False) -> list[Registration]:
    """Confirmed attendees, sorted by last name then first name as a French reader expects
    (one query; ``with_tickets`` for badges, whose QR codes need each ticket's secret)."""
    fields = ["first_name", "last_name", "organisation", "category"]
    if with_tickets:
        fields.append("ticket_secret")
    rows = list(
        Registration.objects.filter(
            event=event, status=Registration.Status.CONFIRMED, erased_at__isnull=True
        ).only(*fields)
    )
    rows.sort(key=lambda r: (fold(r.last_name), fold(r.first_name), r.pk))
    return rows


def outbox_for_event(*, event: Event) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(scope=f"events.event:{event.pk}")


def registration_emails(*, registration: Registration) -> QuerySet[OutboundEmail]:
    return outbox_for_event(event=registration.event).filter(object_id=registration.pk)


def registrations_per_day(*, event: Event) -> list[dict]:
    """Registrations received per day (Paris time), oldest first, for the organiser's chart."""
    rows = (
        Registration.objects.filter(event=event)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    days = [{"day": row["day"], "count": row["n"]} for row in rows]
    total = 0
    for day in days:
        total += day["count"]
        day["total"] = total
    return days


def event_document(*, event: Event, kind: str) -> EventDocument | None:
    return EventDocument.objects.select_related("event").filter(event=event, kind=kind).first()


def event_documents(*, event: Event, section: str | None = None) -> list[dict]:
    """Each document the organiser may prepare, with its latest build and what the page
    should say of it (one query): "none", "pending", "running", "ready", "failed" or
    "expired" (too old, or built before a registration of the event was erased)."""
    from events.document_services import LOST_AFTER

    now = timezone.now()
    erased_after = Registration.objects.filter(
        event_id=OuterRef("event_id"), erased_at__gte=OuterRef("started_at")
    )
    # registrations that arrived, were confirmed or cancelled after the build began: the
    # file is still the list of that moment, and the page says so
    changed_after = Registration.objects.filter(event_id=OuterRef("event_id")).filter(
        Q(created_at__gte=OuterRef("started_at"))
        | Q(confirmed_at__gte=OuterRef("started_at"))
        | Q(cancelled_at__gte=OuterRef("started_at"))
    )
    documents = {
        document.kind: document
        for document in EventDocument.objects.filter(event=event).annotate(
            erased_after=Exists(erased_after), changed_after=Exists(changed_after)
        )
    }
    rows = []
    for kind in hooks.document_kinds_for(section):
        document = documents.get(kind.key)
        if document is None:
            state = "none"
        elif document.status == EventDocument.Status.READY:
            stale = document.erased_after or event.personal_data_erased_at is not None
            state = "expired" if stale or document.expires_at <= now else "ready"
        elif document.status in (EventDocument.Status.PENDING, EventDocument.Status.RUNNING):
            lost = now - (document.started_at or document.requested_at) >= LOST_AFTER
            state = "failed" if lost else document.status
        else:
            state = "failed"
        rows.append(
            {
                "kind": kind,
                "document": document,
                "state": state,
                "outdated": state == "ready" and document.changed_after,
                "prepared": moment(document.started_at) if state == "ready" else "",
            }
        )
    return rows


# --- panels of the pages that join the apps (portal: home, account space) ---------------


def event_next_public(*, now=None) -> Event | None:
    """The published event that comes next (or is under way); None when there is none."""
    now = now or timezone.now()
    return (
        Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__gt=now)
        .order_by("starts_at", "pk")
        .first()
    )


def event_registration_state(*, event: Event, now=None) -> str:
    """What registering to this event means now: ``open``, ``waiting_list`` (full, the
    waiting list takes names), ``full``, or ``closed`` (not open yet, over, none needed)."""
    from core.errors import DomainError
    from events import services

    try:
        services.registration_window_check(event=event, now=now or timezone.now())
    except DomainError:
        return "closed"
    return event_places_state(event=event)


def event_places_state(*, event: Event) -> str:
    """Once registration is open: ``open`` (places left), ``waiting_list`` (full, the
    waiting list takes names) or ``full``."""
    if event.places_left > 0:
        return "open"
    return "waiting_list" if event.waiting_list_enabled else "full"


def event_list_for_manage_area(*, user) -> QuerySet[Event]:
    """The events on the organiser's dashboard, the latest first: every event for a
    superuser, else those the person manages."""
    events = Event.objects.all() if user.is_superuser else Event.objects.filter(managers=user)
    return events.order_by("-starts_at")


def event_get_fresh(*, event: Event) -> Event:
    """The event's row read again: a copy a form may write into while validating."""
    return Event.objects.get(pk=event.pk)


def events_managed_by(*, user) -> list[Event]:
    """The events this person organises (is a manager of), the latest first."""
    if not user.is_authenticated:
        return []
    return list(Event.objects.filter(managers=user).order_by("-starts_at", "pk"))


REMINDER_KIND = "events.registration.reminder"


def reminder_recipients(*, event: Event) -> QuerySet[Registration]:
    """Who the reminder is for: confirmed registrations (so never a cancelled one), not
    erased, minus those other apps exclude (checkin: people already admitted at the door)."""
    recipients = Registration.objects.select_related("event").filter(
        event=event, status=Registration.Status.CONFIRMED, erased_at__isnull=True
    )
    for exclusion in hooks.reminder_exclusions:
        recipients = recipients.exclude(pk__in=exclusion.registrations(event))
    return recipients.order_by("created_at", "id")


def reminder_pending_count(*, event: Event) -> int:
    """How many recipients have not been sent the reminder yet (it goes once per person)."""
    already = OutboundEmail.objects.filter(
        kind=REMINDER_KIND, scope=f"events.event:{event.pk}"
    ).values("object_id")
    return reminder_recipients(event=event).exclude(pk__in=already).count()


def reminder_overview(*, event: Event) -> dict:
    """What the reminder page shows: the first recipient (whose reminder is previewed),
    how many people it is for, and how many of them have not been sent it yet."""
    recipients = reminder_recipients(event=event)
    return {
        "first": recipients.first(),
        "recipients": recipients.count(),
        "to_send": reminder_pending_count(event=event),
    }
