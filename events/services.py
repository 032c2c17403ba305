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
from django.utils.translation import ngettext

from core.audit import audit
from core.errors import DomainError
from core.input import clean_text
from core.mail import email_queue, outbound_forget
from core.text import fold, normalise_email
from events import document_services, errors, selectors, validation
from events.models import Event, Registration, validate_origins
from events.references import new_reference
from events.tokens import new_secret_pair, ticket_hash_of

SCOPE = "events.event"


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    created: bool


def _scope(event_id: int) -> str:
    return f"{SCOPE}:{event_id}"


def _queue(kind: str, registration: Registration, *, dedupe_key: str | None = None):
    return email_queue(
        kind=kind,
        scope=_scope(registration.event_id),
        object_id=registration.pk,
        to=registration.email,
        language=registration.language,
        dedupe_key=dedupe_key,
    )


def _search_text(*, first_name: str, last_name: str, organisation: str, email: str) -> str:
    return fold(f"{last_name} {first_name} {organisation} {email}")


def _check_changeable(event: Event, *, now: datetime) -> None:
    """A registration can be cancelled or corrected until the event ends."""
    if now >= event.ends_at:
        raise DomainError(errors.EVENT_OVER)


def _takes_promotions(event: Event, *, now: datetime) -> bool:
    """Free places go to people waiting only while the event is published and to come."""
    return event.status == Event.Status.PUBLISHED and now < event.starts_at


def registration_window_check(*, event: Event, now: datetime) -> None:
    """Raise the DomainError that says why this event takes no registration now."""
    if event.status == Event.Status.CANCELLED:
        raise DomainError(errors.EVENT_CANCELLED)
    if event.status != Event.Status.PUBLISHED or not event.registration_required:
        raise DomainError(errors.REGISTRATION_UNAVAILABLE)
    if event.registration_opens_at and now < event.registration_opens_at:
        raise DomainError(errors.REGISTRATION_NOT_OPEN)
    if (event.registration_closes_at and now >= event.registration_closes_at) or (
        now >= event.starts_at
    ):
        raise DomainError(errors.REGISTRATION_CLOSED)


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
            raise DomainError(errors.INVALID_FIELD, exc.messages[0], field=name) from exc
    return cleaned


def _validate_registration(
    *, consent: bool, consent_message, category: str, person: dict[str, str]
) -> dict[str, str]:
    if not consent:
        raise DomainError(errors.CONSENT_REQUIRED, consent_message, field="consent")
    if category not in Registration.Category.values:
        raise DomainError(errors.INVALID_FIELD, _("Choose a category."), field="category")
    return _validate_person(**person)


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
    data = _validate_registration(
        consent=consent,
        consent_message=_("Please accept the privacy notice to register."),
        category=category,
        person={
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "organisation": organisation,
            "phone": phone,
        },
    )
    email_key = normalise_email(data["email"])
    # Looked up before the lock, so that the locked section of a new email (nearly every
    # registration) runs no search; a known email is re-checked under the lock. The
    # unique constraint catches two first registrations of one email racing.
    known = _active_registration(event_id=event.pk, email_key=email_key)
    try:
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            now = timezone.now()  # after the lock: the time the decision is made
            registration_window_check(event=locked, now=now)
            _check_not_full_without_waiting_list(locked)
            if known is not None:
                outcome = _link_resent_locked(registration_id=known.pk, now=now)
                if outcome is not None:
                    return outcome
                # cancelled or erased meanwhile: a new registration after all
            if locked.confirmed_count < locked.capacity:
                status = Registration.Status.CONFIRMED
            else:
                status = Registration.Status.WAITING
            registration = _insert_locked(
                event=locked,
                data=data,
                email_key=email_key,
                category=category,
                language=language,
                status=status,
                now=now,
                actor=actor,
                is_demo=is_demo,
            )
            return RegistrationOutcome(registration, created=True)
    except IntegrityError as exc:
        # The same email registered a moment earlier by a concurrent request.
        existing = _active_registration(event_id=event.pk, email_key=email_key)
        if existing is not None:
            with transaction.atomic():
                Event.objects.select_for_update().get(pk=event.pk)
                outcome = _link_resent_locked(registration_id=existing.pk, now=timezone.now())
            if outcome is not None:
                return outcome
        raise DomainError(errors.REGISTRATION_CONFLICT) from exc


def _insert_locked(
    *,
    event: Event,
    data: dict[str, str],
    email_key: str,
    category: str,
    language: str,
    status: str,
    now: datetime,
    actor=None,
    is_demo: bool = False,
    source: str = Registration.Source.ONLINE,
) -> Registration:
    """Write a registration, its count and its email; the caller holds the event's lock
    and has checked that a confirmed place is free."""
    registration = _create_with_reference(
        event=event,
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        email_key=email_key,
        search_text=_search_text(
            first_name=data["first_name"],
            last_name=data["last_name"],
            organisation=data["organisation"],
            email=data["email"],
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
        source=source,
    )
    if status == Registration.Status.CONFIRMED:
        Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") + 1)
        _queue("events.registration.confirmed", registration)
    else:
        _queue("events.registration.waiting", registration)
    audit(
        "events.registration.created",
        scope=_scope(event.pk),
        object_id=registration.pk,
        actor=actor,
        status=status,
        source=source,
    )
    return registration


def _create_with_reference(**fields) -> Registration:
    """Insert a registration with a fresh ticket reference, unique in its event: a clash
    (one chance in 10⁸ at 6,000 registrations) is caught by the constraint and drawn
    again. No look-up beforehand: a new registration costs the same queries as the link
    sent again to a known address (the form tells nobody who is registered)."""
    for attempt in range(5):
        reference = new_reference()
        try:
            with transaction.atomic():
                return Registration.objects.create(reference=reference, **fields)
        except IntegrityError:
            taken = Registration.objects.filter(
                event_id=fields["event"].pk, reference=reference
            ).exists()
            if not taken or attempt == 4:
                raise  # another constraint (the same email at once): the caller's case
    raise AssertionError("unreachable")


def _free_reference(event_id: int) -> str:
    """A ticket reference no registration of the event has (for a row that exists)."""
    for _attempt in range(5):
        reference = new_reference()
        if not Registration.objects.filter(event_id=event_id, reference=reference).exists():
            return reference
    return new_reference()


def registration_walk_in(
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
    actor,
) -> Registration:
    """Register a person at the door: the same checks and the same capacity invariant as
    online, while the event runs (online registration may have closed), never on the
    waiting list. Allowed only where the organiser opened walk-ins."""
    data = _validate_registration(
        consent=consent,
        consent_message=_("The person must accept the privacy notice to register."),
        category=category,
        person={
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "organisation": organisation,
            "phone": phone,
        },
    )
    email_key = normalise_email(data["email"])
    try:
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            now = timezone.now()
            walk_in_check(event=locked, now=now)
            if _active_registration(event_id=locked.pk, email_key=email_key) is not None:
                raise DomainError(errors.ALREADY_REGISTERED, field="email")
            return _insert_locked(
                event=locked,
                data=data,
                email_key=email_key,
                category=category,
                language=language,
                status=Registration.Status.CONFIRMED,
                now=now,
                actor=actor,
                source=Registration.Source.WALK_IN,
            )
    except IntegrityError as exc:
        # the same email registered online a moment earlier
        raise DomainError(errors.ALREADY_REGISTERED, field="email") from exc


def walk_in_check(*, event: Event, now: datetime) -> None:
    """Raise the DomainError that says why the desk may not register anyone now."""
    if not event.walk_ins_allowed:
        raise DomainError(errors.WALK_INS_CLOSED)
    if event.status != Event.Status.PUBLISHED:
        raise DomainError(errors.WALK_INS_CLOSED, _("This event takes no registration."))
    if now >= event.ends_at:
        raise DomainError(errors.WALK_INS_CLOSED, _("This event is over."))
    if event.confirmed_count >= event.capacity:
        raise DomainError(errors.EVENT_FULL, _("No place left: walk-ins are closed."))


def _active_registration(*, event_id: int, email_key: str) -> Registration | None:
    return (
        Registration.objects.filter(event_id=event_id, email_key=email_key)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )


def _check_not_full_without_waiting_list(event: Event) -> None:
    """Full and no waiting list: the same answer whether the email is known or not, so
    that the form never tells who is registered."""
    if event.confirmed_count >= event.capacity and not event.waiting_list_enabled:
        raise DomainError(errors.EVENT_FULL)


def _link_resent_locked(*, registration_id: int, now: datetime) -> RegistrationOutcome | None:
    """Answer a second registration of a known email with its personal link, sent again.

    Runs under the event's lock, like a new registration (same wait, same answer). None
    when the registration was cancelled or erased in the meantime.
    """
    registration = (
        Registration.objects.select_for_update()
        .filter(pk=registration_id, erased_at__isnull=True)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if registration is None:
        return None
    # At most one such email an hour, so the form cannot flood an inbox.
    _queue(
        "events.registration.link_resent",
        registration,
        dedupe_key=f"events.link_resent:{registration.pk}:{now:%Y%m%d%H}",
    )
    return RegistrationOutcome(registration, created=False)


def _promote_waiting(event: Event, *, now: datetime, actor=None) -> list[Registration]:
    """Fill free places from the waiting list, first come first served. Event row locked."""
    free = event.capacity - event.confirmed_count
    if free <= 0 or not _takes_promotions(event, now=now):
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
            scope=_scope(event.pk),
            object_id=registration.pk,
            actor=actor,
        )
    if promoted:
        Event.objects.filter(pk=event.pk).update(
            confirmed_count=F("confirmed_count") + len(promoted)
        )
        event.confirmed_count += len(promoted)
    return promoted


def _cancel_locked(
    event: Event, current: Registration, *, now: datetime, actor=None
) -> list[Registration]:
    """Cancel a registration whose event and row are locked; promote who is next."""
    was_confirmed = current.status == Registration.Status.CONFIRMED
    current.status = Registration.Status.CANCELLED
    current.cancelled_at = now
    current.save(update_fields=["status", "cancelled_at"])
    promoted: list[Registration] = []
    if was_confirmed:
        Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") - 1)
        event.confirmed_count -= 1
        promoted = _promote_waiting(event, now=now, actor=actor)
    audit(
        "events.registration.cancelled",
        scope=_scope(event.pk),
        object_id=current.pk,
        actor=actor,
        was_confirmed=was_confirmed,
    )
    return promoted


def _lock(registration: Registration) -> tuple[Event, Registration]:
    """Lock the event row, then the registration row (always in that order)."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    current.event = event
    return event, current


def registration_cancel(*, registration: Registration, actor=None) -> list[Registration]:
    """Cancel a registration (or leave the waiting list) and promote who is next.

    Returns the registrations promoted in the same transaction.
    """
    with transaction.atomic():
        event, current = _lock(registration)
        now = timezone.now()
        if current.status == Registration.Status.CANCELLED:
            raise DomainError(errors.ALREADY_CANCELLED)
        _check_changeable(event, now=now)
        promoted = _cancel_locked(event, current, now=now, actor=actor)
        # the email says the place went to someone only when it did
        kind = "cancelled_given_on" if promoted else "cancelled"
        _queue(f"events.registration.{kind}", current)
    registration.status = current.status
    registration.cancelled_at = current.cancelled_at
    return promoted


def registration_correct(
    *, registration: Registration, first_name: str, last_name: str, organisation: str, actor=None
) -> Registration:
    """Correct the name (as on the photo ID) or the organisation of a registration."""
    data = _validate_person(first_name=first_name, last_name=last_name, organisation=organisation)
    with transaction.atomic():
        current = (
            Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        )
        if current.status == Registration.Status.CANCELLED:
            raise DomainError(
                errors.ALREADY_CANCELLED, _("A cancelled registration can no longer be changed.")
            )
        _check_changeable(current.event, now=timezone.now())
        before = {
            "first_name": current.first_name,
            "last_name": current.last_name,
            "organisation": current.organisation,
        }
        current.first_name = data["first_name"]
        current.last_name = data["last_name"]
        current.organisation = data["organisation"]
        current.search_text = _search_text(
            first_name=current.first_name,
            last_name=current.last_name,
            organisation=current.organisation,
            email=current.email,
        )
        current.save(update_fields=["first_name", "last_name", "organisation", "search_text"])
        audit(
            "events.registration.corrected",
            scope=_scope(current.event_id),
            object_id=current.pk,
            actor=actor,
            changed=[k for k, v in before.items() if getattr(current, k) != v],
        )
    return current


def _anonymise(registration: Registration, *, now: datetime) -> None:
    """Replace the person's data by placeholders; the category and status stay."""
    secret_ticket, secret_link = new_secret_pair()
    outbound_forget(scope=_scope(registration.event_id), object_id=registration.pk)
    Registration.objects.filter(pk=registration.pk).update(
        first_name="—",
        last_name="—",
        email=f"erased-{registration.pk}@invalid.invalid",
        email_key=f"erased:{registration.pk}",
        search_text="",
        organisation="",
        phone="",
        ticket_secret=secret_ticket,
        ticket_hash=ticket_hash_of(secret_ticket),
        reference=_free_reference(registration.event_id),
        link_secret=secret_link,
        erased_at=now,
    )


def registration_erase(*, registration: Registration, actor=None) -> None:
    """Erase a person's data at their request. Before the event ends, the registration is
    cancelled first (freeing the place); the category and status stay for the counts."""
    with transaction.atomic():
        event, current = _lock(registration)
        now = timezone.now()
        if current.erased_at is not None:
            raise DomainError(errors.ALREADY_ERASED)
        if current.status != Registration.Status.CANCELLED and now < event.ends_at:
            _cancel_locked(event, current, now=now, actor=actor)
        _anonymise(current, now=now)
        # Documents built for the whole event (badges, security list, exports) still
        # hold this person's name: gone with it.
        document_services.event_documents_forget(event_id=event.pk)
        audit(
            "events.registration.erased",
            scope=_scope(event.pk),
            object_id=current.pk,
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
            audit("events.event.personal_data_erased", scope=_scope(locked.pk), object_id=locked.pk)
    return total


def reminder_window_check(*, event: Event) -> None:
    """Raise the DomainError that says why the reminder cannot be sent now."""
    if event.status != Event.Status.PUBLISHED or timezone.now() >= event.starts_at:
        raise DomainError(errors.REMINDER_UNAVAILABLE)


def event_send_reminders(*, event: Event, actor=None) -> int:
    """Queue a reminder for every confirmed registration not yet admitted at the door
    (selectors.reminder_recipients); never twice to the same one."""
    reminder_window_check(event=event)
    count = 0
    with transaction.atomic():
        for registration in selectors.reminder_recipients(event=event):
            queued = _queue(
                "events.registration.reminder",
                registration,
                dedupe_key=f"events.reminder:{registration.pk}",
            )
            count += queued is not None
        audit(
            "events.event.reminders_sent",
            scope=_scope(event.pk),
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
                errors.CAPACITY_BELOW_CONFIRMED, field="capacity", count=locked.confirmed_count
            )
        Event.objects.filter(pk=locked.pk).update(capacity=capacity, updated_at=timezone.now())
        locked.capacity = capacity
        promoted = _promote_waiting(locked, now=timezone.now(), actor=actor)
        audit(
            "events.event.capacity_changed",
            scope=_scope(locked.pk),
            object_id=locked.pk,
            actor=actor,
            capacity=capacity,
        )
    event.capacity = capacity
    return promoted


# What an organiser may change on their event's page (events.forms.EventForm): the
# address (slug) and the organisers stay in the admin.
EVENT_TEXT_FIELDS = {
    # field: (max length, multiline, required)
    "title": (200, False, True),
    "summary": (5000, True, False),
    "venue_name": (200, False, False),
    "venue_room": (200, False, False),
    "street": (200, False, False),
    "postal_code": (10, False, False),
    "city": (100, False, False),
    "access": (2000, True, False),
    "entry_notice": (200, False, False),
    "organiser_name": (200, False, False),
    "organiser_url": (200, False, False),
    "press_contact_name": (200, False, False),
    "press_contact_phone": (40, False, False),
    "press_contact_email": (254, False, False),
    "embed_origins": (2000, True, False),
}
EVENT_OTHER_FIELDS = (
    "status",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_required",
    "registration_opens_at",
    "registration_closes_at",
    "waiting_list_enabled",
    "id_required",
    "walk_ins_allowed",
    "retention_days",
)
EVENT_EDITABLE_FIELDS = (*EVENT_TEXT_FIELDS, *EVENT_OTHER_FIELDS)
# The years an event's dates may fall in (the demo's past event is in 2012).
EVENT_FIRST_YEAR, EVENT_LAST_YEAR = 2000, 2100
EVENT_DATE_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
EVENT_MAX_CAPACITY = 1_000_000
EVENT_MAX_RETENTION_DAYS = 3650


def _event_changes_check(data: dict) -> dict:
    """Clean and check the new values of an event; DomainError (with its field) otherwise."""
    cleaned = dict(data)
    for name, (max_length, multiline, required) in EVENT_TEXT_FIELDS.items():
        if name not in data:
            continue
        try:
            cleaned[name] = clean_text(
                data[name], max_length=max_length, multiline=multiline, required=required
            )
        except ValidationError as exc:
            raise DomainError(errors.INVALID_FIELD, exc.messages[0], field=name) from exc
    if "embed_origins" in cleaned:
        try:
            validate_origins(cleaned["embed_origins"])
        except ValidationError as exc:
            raise DomainError(errors.INVALID_FIELD, exc.messages[0], field="embed_origins") from exc
    if cleaned.get("status") not in Event.Status.values:
        raise DomainError(errors.INVALID_FIELD, _("Choose a status."), field="status")
    starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
    if not isinstance(starts, datetime):
        raise DomainError(
            errors.INVALID_FIELD, _("Enter when the event starts."), field="starts_at"
        )
    if not isinstance(ends, datetime):
        raise DomainError(errors.INVALID_FIELD, _("Enter when the event ends."), field="ends_at")
    for name in EVENT_DATE_FIELDS:
        value = cleaned.get(name)
        if isinstance(value, datetime) and not (
            EVENT_FIRST_YEAR <= timezone.localtime(value).year <= EVENT_LAST_YEAR
        ):
            # year 1 in Paris is year 0 in UTC: the database cannot store it (a 500)
            raise DomainError(
                errors.INVALID_FIELD,
                _("Enter a date between %(first)d and %(last)d.")
                % {"first": EVENT_FIRST_YEAR, "last": EVENT_LAST_YEAR},
                field=name,
            )
    if ends <= starts:
        raise DomainError(errors.ENDS_BEFORE_START, field="ends_at")
    opens, closes = cleaned.get("registration_opens_at"), cleaned.get("registration_closes_at")
    if opens and closes and closes <= opens:
        raise DomainError(errors.REGISTRATION_CLOSES_BEFORE_OPENING, field="registration_closes_at")
    if opens and opens >= ends:
        raise DomainError(errors.REGISTRATION_OPENS_AFTER_END, field="registration_opens_at")
    if closes and closes > ends:
        raise DomainError(errors.REGISTRATION_CLOSES_AFTER_END, field="registration_closes_at")
    for name in ("capacity", "retention_days"):
        value = cleaned.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DomainError(errors.INVALID_FIELD, _("Enter a whole number."), field=name)
    if cleaned["capacity"] > EVENT_MAX_CAPACITY:
        raise DomainError(
            errors.INVALID_FIELD, _("Enter a capacity of 1,000,000 at most."), field="capacity"
        )
    if cleaned["retention_days"] > EVENT_MAX_RETENTION_DAYS:
        raise DomainError(
            errors.INVALID_FIELD,
            _("Personal data may be kept 3,650 days at most after the event."),
            field="retention_days",
        )
    return cleaned


def event_update(*, event: Event, data: dict, actor=None) -> list[Registration]:
    """Save an organiser's changes to their event: every editable field at once, or
    nothing. The capacity may not fall below the confirmed registrations; more places
    go to people waiting. Returns the registrations promoted from the waiting list."""
    missing = [name for name in EVENT_EDITABLE_FIELDS if name not in data]
    if missing:
        raise DomainError(errors.INCOMPLETE)
    cleaned = _event_changes_check({name: data[name] for name in EVENT_EDITABLE_FIELDS})
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if cleaned["capacity"] < locked.confirmed_count:
            raise DomainError(
                errors.CAPACITY_BELOW_CONFIRMED,
                ngettext(
                    "The capacity cannot be lower than the %(count)d confirmed registration.",
                    "The capacity cannot be lower than the %(count)d confirmed registrations.",
                    locked.confirmed_count,
                )
                % {"count": locked.confirmed_count},
                field="capacity",
            )
        changed = [name for name in EVENT_EDITABLE_FIELDS if getattr(locked, name) != cleaned[name]]
        for name in changed:
            setattr(locked, name, cleaned[name])
        promoted: list[Registration] = []
        if changed:
            locked.save(update_fields=changed)
            promoted = _promote_waiting(locked, now=timezone.now(), actor=actor)
            audit(
                "events.event.updated",
                scope=_scope(locked.pk),
                object_id=locked.pk,
                actor=actor,
                changed=changed,
            )
    for name in EVENT_EDITABLE_FIELDS:
        setattr(event, name, getattr(locked, name))
    event.confirmed_count = locked.confirmed_count
    return promoted
