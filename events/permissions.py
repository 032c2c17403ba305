"""Named predicates (who may do what with an event) and access helpers (fetch a protected
object and check the right to it in one call, refusing in one place)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from events.models import Event


def can_manage_event(user, event: Event) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and event.managers.filter(pk=user.pk).exists()


def can_see_manage_area(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def access_event_for_manager(request, slug: str) -> Event:
    """The event named by ``slug`` if the user may manage it: 404 when there is no such
    event, 403 when there is one and the user may not manage it."""
    event = get_object_or_404(Event, slug=slug)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    return event
