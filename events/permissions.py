"""Named predicates (who may do what with an event) and access helpers (fetch a protected
object and check the right to it in one call, refusing in one place)."""

import functools

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from core.errors import DomainError
from events import hooks, selectors
from events.models import Event, EventDocument, Registration
from events.tokens import registration_from_link_token


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


def access_registration_for_manager(request, slug: str, pk: int) -> Registration:
    """A registration (not erased) of an event the user may manage, its ``event`` set: 404
    when there is no such event, 403 when the user may not manage it, 404 when the event
    has no such registration."""
    event = access_event_for_manager(request, slug)
    registration = get_object_or_404(Registration, pk=pk, event=event, erased_at__isnull=True)
    registration.event = event
    return registration


def access_document_for_manager(request, slug: str, kind: str) -> EventDocument:
    """The latest build of the document ``kind`` of an event the user may manage, its
    ``event`` set: 404 when there is no such event, 403 when the user may not manage it,
    404 when no such kind of document exists or none was prepared."""
    event = access_event_for_manager(request, slug)
    document = (
        selectors.event_document(event=event, kind=kind) if hooks.document_kinds.get(kind) else None
    )
    if document is None:
        raise Http404
    document.event = event
    return document


def require_manage_area(request) -> None:
    """Refuse (403) whoever may not see the organisers' area."""
    if not can_see_manage_area(request.user):
        raise PermissionDenied


def personal_link_view(view):
    """For the views reached by a registrant's personal link (``<token>`` in the URL):
    the registration the token opens is passed to the view after the token,
    ``view(request, token, registration, ...)``; a link that does not open one (altered,
    expired, erased registration) gets the page that says why, with status 404."""

    @functools.wraps(view)
    def wrapped(request, token: str, *args, **kwargs):
        try:
            registration = registration_from_link_token(token)
        except DomainError as error:
            return render(request, "events/public/link_error.html", {"error": error}, status=404)
        return view(request, token, registration, *args, **kwargs)

    return wrapped
