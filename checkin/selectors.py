"""Reads of the door."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from checkin.models import Admission, Device, Scan
from checkin.services import ticket_hash
from core.models import AuditEntry
from events.models import Event, Registration
from events.tokens import ticket_token


def door_list(*, event: Event) -> list[dict]:
    """What a device keeps offline: a hash of each ticket (never the ticket itself), the
    name as registered, the organisation, category and status, and any admission."""
    admitted = dict(
        Admission.objects.filter(event=event).values_list("registration_id", "scanned_at")
    )
    rows = []
    for registration in Registration.objects.filter(event=event, erased_at__isnull=True).only(
        "pk", "first_name", "last_name", "organisation", "category", "status", "ticket_secret"
    ):
        admitted_at = admitted.get(registration.pk)
        rows.append(
            {
                "h": ticket_hash(ticket_token(registration)),
                "first_name": registration.first_name,
                "last_name": registration.last_name,
                "organisation": registration.organisation,
                "category": registration.category,
                "status": registration.status,
                "admitted_at": admitted_at.isoformat() if admitted_at else None,
            }
        )
    return rows


def device_conflicts(*, device) -> QuerySet[Scan]:
    """This device's scans that another device's earlier admission overruled."""
    return Scan.objects.filter(device=device, conflict=True).select_related("registration")


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


def conflicts(*, event: Event) -> QuerySet[Scan]:
    return (
        Scan.objects.filter(event=event, conflict=True)
        .select_related("device", "registration", "registration__admission__device")
        .order_by("-scanned_at")
    )


def devices(*, event: Event) -> QuerySet[Device]:
    return Device.objects.filter(event=event).select_related("created_by").order_by("name")


def arrivals_per_slot(*, event: Event, minutes: int = 5) -> list[dict]:
    """Admissions per slot of `minutes` (local time), first to last, empty slots included."""
    times = sorted(
        timezone.localtime(at)
        for at in Admission.objects.filter(event=event).values_list("scanned_at", flat=True)
    )
    if not times:
        return []

    def slot_of(moment):
        return moment.replace(
            minute=moment.minute - moment.minute % minutes, second=0, microsecond=0
        )

    slots = []
    current, last = slot_of(times[0]), slot_of(times[-1])
    counts: dict = {}
    for moment in times:
        counts[slot_of(moment)] = counts.get(slot_of(moment), 0) + 1
    total = 0
    while current <= last and len(slots) < 500:
        total += counts.get(current, 0)
        slots.append({"start": current, "count": counts.get(current, 0), "total": total})
        current += timedelta(minutes=minutes)
    return slots


def overrides(*, event: Event) -> QuerySet[Admission]:
    """Admissions a supervisor decided against the door's verdict, with their reason."""
    return (
        Admission.objects.filter(event=event)
        .exclude(override_reason="")
        .select_related("registration", "device", "checked_by")
        .order_by("-scanned_at")
    )


def walk_in_count(*, event: Event) -> int:
    """People registered at the desk (the registration's audit entry says so)."""
    return AuditEntry.objects.filter(
        action="events.registration.created",
        scope=f"events.event:{event.pk}",
        data__source="walk_in",
    ).count()
