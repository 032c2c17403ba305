"""Named predicates for the door."""

from checkin.models import DoorRole
from events.models import Event
from events.permissions import can_manage_event


def can_scan(user, event: Event) -> bool:
    """Door agents, supervisors and the event's organisers may admit people."""
    if not user.is_authenticated or not user.is_active:
        return False
    return can_manage_event(user, event) or DoorRole.objects.filter(event=event, user=user).exists()


def can_supervise(user, event: Event) -> bool:
    """Supervisors and organisers may also search, override a verdict and register walk-ins."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        can_manage_event(user, event)
        or DoorRole.objects.filter(event=event, user=user, role=DoorRole.Role.SUPERVISOR).exists()
    )
