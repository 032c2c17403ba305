"""Reads of the door."""

from django.db.models import QuerySet

from checkin.models import Admission, Scan
from checkin.services import ticket_hash
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
