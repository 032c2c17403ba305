"""Named predicates: who may do what with an event."""

from events.models import Event


def can_manage_event(user, event: Event) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and event.managers.filter(pk=user.pk).exists()


def can_see_manage_area(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff
