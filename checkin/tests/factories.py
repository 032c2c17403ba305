from datetime import timedelta

from django.utils import timezone

from events.models import Event
from events.tests.factories import EventFactory


def door_open_event(**fields) -> Event:
    """An event whose door is open now: it starts in an hour (registration still open, the
    door already scanning: see services.DOOR_OPENS_BEFORE)."""
    starts_at = timezone.now() + timedelta(hours=1)
    return EventFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=7), **fields)
