"""Reads of the door."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMinute
from django.utils import timezone
from django.utils.translation import gettext as _

from checkin.models import Admission, Device, DoorRole, Scan
from checkin.services import door_window, event_days
from events.models import Event, Registration

# The arrivals chart never has more bars than this: the slots widen instead.
MAX_SLOTS = 144
SLOT_MINUTES = (5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)
# The door page shows the latest of each list, never all of them.
LIST_LIMIT = 50


def door_closed_notices(*, event: Event) -> tuple[str, str]:
    """The scanning page's standing notice while the door is closed, before the event and
    after it: the day and the only way in (a supervisor's override). Nothing was tried
    yet, so unlike a refused scan it says nothing of an entry not recorded."""
    days = event_days(starts_at=event.starts_at, ends_at=event.ends_at)
    before = _(
        "Not today — the event takes place %(days)s. Tickets are admitted when the door "
        "opens; until then only a supervisor may let someone in, by override with a reason."
    ) % {"days": days}
    after = _(
        "The event took place %(days)s: the door is closed. Only a supervisor may still let "
        "someone in, by override with a reason."
    ) % {"days": days}
    return before, after


def door_list(*, event: Event) -> list[dict]:
    """What a device keeps offline: a hash of each ticket (never the ticket itself), its
    reference (for the typed entry: as a hash it would protect nothing, 40 bits are found
    by trying them all, and the name search already lets the phone admit anyone of the
    list), the name as registered, the organisation, category and status, and any
    admission."""
    admitted = dict(
        Admission.objects.filter(event=event).values_list("registration_id", "scanned_at")
    )
    rows = []
    for registration in Registration.objects.filter(event=event, erased_at__isnull=True).only(
        "pk",
        "first_name",
        "last_name",
        "organisation",
        "category",
        "status",
        "ticket_hash",
        "reference",
    ):
        admitted_at = admitted.get(registration.pk)
        rows.append(
            {
                "h": registration.ticket_hash,
                "ref": registration.reference,
                "first_name": registration.first_name,
                "last_name": registration.last_name,
                "organisation": registration.organisation,
                "category": registration.category,
                "status": registration.status,
                "admitted_at": admitted_at.isoformat() if admitted_at else None,
            }
        )
    return rows


def device_conflicts(*, device, limit: int | None = None) -> list[Scan]:
    """This device's latest scans (at most ``limit``) that another device's earlier
    admission overruled: sent with every heartbeat, so never all of them."""
    return list(
        Scan.objects.filter(device=device, conflict=True)
        .select_related("registration")
        .order_by("-received_at", "-id")[: limit or LIST_LIMIT]
    )


def door_counts(*, event: Event) -> dict:
    """Admitted, still expected and by category (confirmed registrations only)."""
    rows = (
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
        .values("category")
        .annotate(
            expected=Count("id"),
            admitted=Count("id", filter=Q(admission__isnull=False)),
        )
    )
    labels = dict(Registration.Category.choices)
    by_category = [
        {"label": labels[row["category"]], "expected": row["expected"], "admitted": row["admitted"]}
        for row in rows
    ]
    expected = sum(row["expected"] for row in by_category)
    admitted = sum(row["admitted"] for row in by_category)
    return {
        "expected": expected,
        "admitted": admitted,
        "still_expected": expected - admitted,
        "by_category": sorted(by_category, key=lambda row: -row["expected"]),
    }


def last_scans(*, event: Event, limit: int = 20) -> QuerySet[Scan]:
    return (
        Scan.objects.filter(event=event)
        .select_related("device", "user", "registration")
        .order_by("-received_at", "-id")[:limit]
    )


def conflicts(*, event: Event, limit: int | None = None) -> list[Scan]:
    """The latest conflicts (at most ``limit``); count them with ``conflict_count``."""
    return list(
        Scan.objects.filter(event=event, conflict=True)
        .select_related("device", "registration", "registration__admission__device")
        .order_by("-scanned_at", "-id")[: limit or LIST_LIMIT]
    )


def conflict_count(*, event: Event) -> int:
    return Scan.objects.filter(event=event, conflict=True).count()


def devices(*, event: Event) -> QuerySet[Device]:
    return Device.objects.filter(event=event).select_related("created_by").order_by("name")


def door_roles(*, event: Event) -> QuerySet:
    return DoorRole.objects.filter(event=event).select_related("user").order_by("user__username")


def arrivals_per_slot(*, event: Event, minutes: int = 5) -> list[dict]:
    """Admissions per slot (local time), first to last, empty slots included; a slot is
    ``minutes`` long, or longer when needed to keep at most MAX_SLOTS of them. Only the
    door's hours count (``services.door_window``): whatever the data, the chart stays
    small and grouped by the database (one row per minute at most)."""
    start, end = door_window(starts_at=event.starts_at, ends_at=event.ends_at)
    per_minute = (
        Admission.objects.filter(event=event, scanned_at__range=(start, end))
        .annotate(minute=TruncMinute("scanned_at", tzinfo=timezone.get_current_timezone()))
        .values("minute")
        .annotate(n=Count("id"))
        .order_by("minute")
    )
    counts = [(timezone.localtime(row["minute"]), row["n"]) for row in per_minute]
    if not counts:
        return []
    first, last = counts[0][0], counts[-1][0]
    span = (last - first).total_seconds() / 60
    minutes = next(
        (size for size in SLOT_MINUTES if size >= minutes and span / size < MAX_SLOTS),
        SLOT_MINUTES[-1],
    )

    def slot_of(moment):
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        since = (moment - midnight).total_seconds() // 60
        return midnight + timedelta(minutes=since - since % minutes)

    by_slot: dict = {}
    for moment, n in counts:
        by_slot[slot_of(moment)] = by_slot.get(slot_of(moment), 0) + n
    slots = []
    current, total = slot_of(first), 0
    while current <= slot_of(last) and len(slots) < MAX_SLOTS:
        total += by_slot.get(current, 0)
        slots.append(
            {"start": current, "count": by_slot.get(current, 0), "total": total, "minutes": minutes}
        )
        current += timedelta(minutes=minutes)
    return slots


def overrides(*, event: Event, limit: int | None = None) -> list[Admission]:
    """The latest admissions a supervisor decided against the door's verdict, with their
    reason (at most ``limit``); count them with ``override_count``."""
    return list(
        _overrides(event)
        .select_related("registration", "device", "checked_by")
        .order_by("-scanned_at", "-id")[: limit or LIST_LIMIT]
    )


def override_count(*, event: Event) -> int:
    return _overrides(event).count()


def _overrides(event: Event) -> QuerySet[Admission]:
    return Admission.objects.filter(event=event).exclude(override_reason="")


def admitted_registration_ids(*, event: Event) -> QuerySet:
    """The ids of the registrations let in at the event (a subquery: who needs no
    reminder)."""
    return Admission.objects.filter(event=event).values("registration_id")


def walk_in_count(*, event: Event) -> int:
    """People registered at the desk (``Registration.source``; the audit log only
    records it)."""
    return Registration.objects.filter(event=event, source=Registration.Source.WALK_IN).count()


def door_roles_of(*, user) -> list[DoorRole]:
    """The events this person works the door at (agent or supervisor), with the event."""
    if not user.is_authenticated:
        return []
    return list(
        DoorRole.objects.filter(user=user).select_related("event").order_by("-event__starts_at")
    )


def admission_of(*, registration: Registration) -> Admission | None:
    """The person's admission (for their attendance certificate), or None."""
    return Admission.objects.filter(registration=registration).first()


def was_admitted(*, registration: Registration) -> bool:
    return Admission.objects.filter(registration=registration).exists()


def badge_registration(*, event: Event, pk: int) -> Registration | None:
    """A confirmed registration of ``event`` whose badge may be printed, or None."""
    return Registration.objects.filter(
        pk=pk, event=event, status=Registration.Status.CONFIRMED, erased_at__isnull=True
    ).first()


def manifest_event(*, slug: str) -> Event | None:
    """The little the web app manifest needs of an event (its title, its status)."""
    return Event.objects.only("slug", "title", "status").filter(slug=slug).first()
