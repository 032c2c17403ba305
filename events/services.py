"""Writes of the events app. Each function owns its transaction.

Scarce things (places) follow one pattern: lock the event row, re-check, write; the
``event_confirmed_within_capacity`` constraint stands behind it.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from core.errors import DomainError
from core.mail import email_queue
from core.text import fold, normalise_email
from events import validation
from events.models import Event, Registration
from events.tokens import new_secret_pair

SCOPE = "events.event"


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    created: bool


def _scope(event: Event) -> str:
    return f"{SCOPE}:{event.pk}"


def _queue(kind: str, registration: Registration) -> None:
    email_queue(
        kind=kind,
        scope=_scope(registration.event),
        object_id=registration.pk,
        to=registration.email,
        language=registration.language,
    )


def registration_window_check(*, event: Event, now: datetime) -> None:
    """Raise the DomainError that says why this event takes no registration now."""
    if event.status == Event.Status.CANCELLED:
        raise DomainError("event_cancelled", _("This event has been cancelled."))
    if event.status != Event.Status.PUBLISHED or not event.registration_required:
        raise DomainError("registration_unavailable", _("This event takes no registration."))
    if event.registration_opens_at and now < event.registration_opens_at:
        raise DomainError("registration_not_open", _("Registration is not open yet."))
    if (event.registration_closes_at and now >= event.registration_closes_at) or (
        now >= event.starts_at
    ):
        raise DomainError("registration_closed", _("Registration is closed."))


def _validate_person(**fields: str) -> dict[str, str]:
    """Re-check what a person typed (services may be called without a form)."""
    checks = {
        "first_name": lambda v: validation.clean_name(v, label=_("first name")),
        "last_name": lambda v: validation.clean_name(v, label=_("last name")),
        "email": validation.clean_email,
        "organisation": validation.clean_organisation,
        "phone": validation.clean_phone,
    }
    cleaned = {}
    for name, value in fields.items():
        try:
            cleaned[name] = checks[name](value)
        except ValidationError as exc:
            raise DomainError("invalid_" + name, exc.messages[0], field=name) from exc
    return cleaned


def registration_create(
    *,
    event: Event,
    first_name: str,
    last_name: str,
    email: str,
    organisation: str = "",
    category: str,
    phone: str = "",
    consent: bool,
    language: str = "fr",
    actor=None,
    is_demo: bool = False,
) -> RegistrationOutcome:
    """Register a person: confirmed while places last, then on the waiting list.

    An email already registered for this event creates nothing: the personal link is
    sent again to that address, and the caller shows the same neutral message.
    """
    if not consent:
        raise DomainError(
            "consent_required", _("Please accept the privacy notice to register."), field="consent"
        )
    if category not in Registration.Category.values:
        raise DomainError("invalid_category", _("Choose a category."), field="category")
    data = _validate_person(
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation,
        phone=phone,
    )
    email_key = normalise_email(data["email"])
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            registration_window_check(event=locked, now=now)
            existing = (
                Registration.objects.select_related("event")
                .filter(event=locked, email_key=email_key)
                .exclude(status=Registration.Status.CANCELLED)
                .first()
            )
            if existing is not None:
                _queue("events.registration.link_resent", existing)
                return RegistrationOutcome(existing, created=False)
            if locked.confirmed_count < locked.capacity:
                status = Registration.Status.CONFIRMED
            elif locked.waiting_list_enabled:
                status = Registration.Status.WAITING
            else:
                raise DomainError("event_full", _("This event is full."))
            registration = Registration.objects.create(
                event=locked,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                email_key=email_key,
                search_text=fold(
                    f"{data['last_name']} {data['first_name']} {data['organisation']} "
                    f"{data['email']}"
                ),
                organisation=data["organisation"],
                category=category,
                phone=data["phone"],
                language=language if language in ("fr", "en") else "fr",
                status=status,
                consent_at=now,
                created_at=now,
                confirmed_at=now if status == Registration.Status.CONFIRMED else None,
                is_demo=is_demo,
            )
            if status == Registration.Status.CONFIRMED:
                Event.objects.filter(pk=locked.pk).update(confirmed_count=F("confirmed_count") + 1)
                _queue("events.registration.confirmed", registration)
            else:
                _queue("events.registration.waiting", registration)
            audit(
                "events.registration.created",
                scope=_scope(locked),
                object_id=registration.pk,
                actor=actor,
                status=status,
            )
            return RegistrationOutcome(registration, created=True)
    except IntegrityError as exc:
        # Only reachable if the lock was bypassed: the constraints are the last word.
        raise DomainError(
            "registration_conflict", _("Your registration could not be saved. Please try again.")
        ) from exc


def _promote_waiting(event: Event, *, now: datetime, actor=None) -> list[Registration]:
    """Fill free places from the waiting list, first come first served. Event row locked."""
    free = event.capacity - event.confirmed_count
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.select_for_update()
        .select_related("event")
        .filter(event=event, status=Registration.Status.WAITING)
        .order_by("created_at", "id")[:free]
    )
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        _queue("events.registration.promoted", registration)
        audit(
            "events.registration.promoted",
            scope=_scope(event),
            object_id=registration.pk,
            actor=actor,
        )
    if promoted:
        Event.objects.filter(pk=event.pk).update(
            confirmed_count=F("confirmed_count") + len(promoted)
        )
        event.confirmed_count += len(promoted)
    return promoted


def registration_cancel(
    *, registration: Registration, actor=None, notify: bool = True
) -> list[Registration]:
    """Cancel a registration (or leave the waiting list) and promote who is next.

    Returns the registrations promoted in the same transaction.
    """
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            raise DomainError("already_cancelled", _("This registration is already cancelled."))
        was_confirmed = current.status == Registration.Status.CONFIRMED
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        promoted: list[Registration] = []
        if was_confirmed:
            Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") - 1)
            event.confirmed_count -= 1
            promoted = _promote_waiting(event, now=now, actor=actor)
        current.event = event
        if notify:
            _queue("events.registration.cancelled", current)
        audit(
            "events.registration.cancelled",
            scope=_scope(event),
            object_id=current.pk,
            actor=actor,
            was_confirmed=was_confirmed,
        )
    registration.status = current.status
    registration.cancelled_at = current.cancelled_at
    return promoted


def registration_correct(
    *, registration: Registration, first_name: str, last_name: str, organisation: str, actor=None
) -> Registration:
    """Correct the name (as on the photo ID) or the organisation of a registration."""
    data = _validate_person(first_name=first_name, last_name=last_name, organisation=organisation)
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            raise DomainError(
                "already_cancelled", _("A cancelled registration can no longer be changed.")
            )
        before = {
            "first_name": current.first_name,
            "last_name": current.last_name,
            "organisation": current.organisation,
        }
        current.first_name = data["first_name"]
        current.last_name = data["last_name"]
        current.organisation = data["organisation"]
        current.search_text = fold(
            f"{current.last_name} {current.first_name} {current.organisation} {current.email}"
        )
        current.save(update_fields=["first_name", "last_name", "organisation", "search_text"])
        audit(
            "events.registration.corrected",
            scope=f"{SCOPE}:{current.event_id}",
            object_id=current.pk,
            actor=actor,
            changed=[k for k, v in before.items() if getattr(current, k) != v],
        )
    return current


def _anonymise(registration: Registration, *, now: datetime) -> None:
    secret_ticket, secret_link = new_secret_pair()
    Registration.objects.filter(pk=registration.pk).update(
        first_name="—",
        last_name="—",
        email=f"erased-{registration.pk}@invalid.invalid",
        email_key=f"erased:{registration.pk}",
        search_text="",
        organisation="",
        phone="",
        ticket_secret=secret_ticket,
        link_secret=secret_link,
        erased_at=now,
    )


def registration_erase(*, registration: Registration, actor=None) -> None:
    """Erase a person's data at their request: cancel first (freeing the place), then
    anonymise. Counts by category stay."""
    now = timezone.now()
    with transaction.atomic():
        if registration.status != Registration.Status.CANCELLED:
            registration_cancel(registration=registration, actor=actor, notify=False)
        _anonymise(registration, now=now)
        audit(
            "events.registration.erased",
            scope=f"{SCOPE}:{registration.event_id}",
            object_id=registration.pk,
            actor=actor,
        )


def events_erase_expired_personal_data(*, now: datetime | None = None) -> int:
    """Anonymise the registrations of every event past its retention period.

    Returns the number of registrations anonymised. Counts by category and status stay.
    """
    now = now or timezone.now()
    total = 0
    for event in Event.objects.filter(personal_data_erased_at__isnull=True, ends_at__lt=now):
        if event.retention_until > now:
            continue
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            if locked.personal_data_erased_at is not None:
                continue
            registrations = Registration.objects.filter(event=locked, erased_at__isnull=True)
            for registration in registrations.only("pk"):
                _anonymise(registration, now=now)
                total += 1
            Event.objects.filter(pk=locked.pk).update(personal_data_erased_at=now)
            audit("events.event.personal_data_erased", scope=_scope(locked), object_id=locked.pk)
    return total


def event_send_reminders(*, event: Event, actor=None) -> int:
    """Queue a reminder for every confirmed registration; never twice to the same one."""
    count = 0
    with transaction.atomic():
        confirmed = Registration.objects.select_related("event").filter(
            event=event, status=Registration.Status.CONFIRMED, erased_at__isnull=True
        )
        for registration in confirmed:
            queued = email_queue(
                kind="events.registration.reminder",
                scope=_scope(event),
                object_id=registration.pk,
                to=registration.email,
                language=registration.language,
                dedupe_key=f"events.reminder:{registration.pk}",
            )
            count += queued is not None
        audit(
            "events.event.reminders_sent",
            scope=_scope(event),
            object_id=event.pk,
            actor=actor,
            count=count,
        )
    return count


def event_set_capacity(*, event: Event, capacity: int, actor=None) -> list[Registration]:
    """Change the capacity; more places promote people waiting, fewer than confirmed is refused."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if capacity < locked.confirmed_count:
            raise DomainError(
                "capacity_below_confirmed",
                _("The capacity cannot be lower than the %(count)d confirmed registrations.")
                % {"count": locked.confirmed_count},
                field="capacity",
            )
        Event.objects.filter(pk=locked.pk).update(capacity=capacity)
        locked.capacity = capacity
        promoted = _promote_waiting(locked, now=timezone.now(), actor=actor)
        audit(
            "events.event.capacity_changed",
            scope=_scope(locked),
            object_id=locked.pk,
            actor=actor,
            capacity=capacity,
        )
    event.capacity = capacity
    return promoted
