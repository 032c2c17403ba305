"""Limits on the registration forms, which make the platform send an email to any
address (counted by ``core.throttle``: per process by default, shared with ``REDIS_URL``)."""

from django.conf import settings

from core.throttle import Limit


def registration_limits() -> tuple[Limit, Limit]:
    """Per connection: generous (a whole office or the venue's Wi-Fi share one address);
    per email address: strict (nobody registers six times an hour)."""
    return (
        Limit("registration.ip", settings.PTCE_REGISTRATION_LIMIT_PER_IP, 10 * 60),
        Limit("registration.address", settings.PTCE_REGISTRATION_LIMIT_PER_ADDRESS, 60 * 60),
    )
