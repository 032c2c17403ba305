"""Named predicates for the door, and access helpers (fetch a protected object and check
the right to it in one call: 404 when there is no such object, 403 when the user may not
have it)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from checkin.models import Device, DoorRole
from events.models import Event
from events.permissions import access_event_for_manager, can_manage_event


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


def access_event_for_door(request, slug: str) -> Event:
    """The event named by ``slug`` if the user works its door (``can_scan``)."""
    event = get_object_or_404(Event, slug=slug)
    if not can_scan(request.user, event):
        raise PermissionDenied
    return event


def access_event_for_supervisor(request, slug: str) -> Event:
    """The event named by ``slug`` if the user supervises its door (``can_supervise``)."""
    event = get_object_or_404(Event, slug=slug)
    if not can_supervise(request.user, event):
        raise PermissionDenied
    return event


def access_device_for_enrolment(request, device_id) -> Device:
    """The device an enrolment link names, with its event, if the user works its door."""
    device = get_object_or_404(Device.objects.select_related("event"), pk=device_id)
    if not can_scan(request.user, device.event):
        raise PermissionDenied
    return device


def access_device_for_manager(request, slug: str, pk: int) -> Device:
    """A device of the event named by ``slug``, if the user may manage the event (the
    event is checked first: 403 before anything is said about the device)."""
    event = access_event_for_manager(request, slug)
    device = get_object_or_404(Device, pk=pk, event=event)
    device.event = event
    return device


def access_door_role_for_manager(request, slug: str, pk: int) -> DoorRole:
    """A door role of the event named by ``slug`` (with its person), if the user may manage
    the event."""
    event = access_event_for_manager(request, slug)
    door_role = get_object_or_404(DoorRole.objects.select_related("user"), pk=pk, event=event)
    door_role.event = event
    return door_role
