from datetime import timedelta

from django.utils import timezone


def under_way():
    """The start of an event that is taking place now (a signature in the room is
    recorded on the event's day only)."""
    return timezone.now() - timedelta(hours=1)
