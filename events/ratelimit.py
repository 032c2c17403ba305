"""Limits on the forms that make the platform send an email to any address.

Counted in Django's cache: per process by default (demo, tests), shared by every process
and server with ``REDIS_URL``. A sliding window (the current period plus the part of the
previous one still inside the window) so that no burst slips through at a boundary.
Refused attempts are not counted: a refused visitor gets back in as the window slides.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

# Changed by the tests, so that each test starts with fresh counters (never cache.clear(),
# which would empty a shared Redis).
KEY_PREFIX = "ptce.ratelimit"


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds


def registration_limits() -> tuple[Limit, Limit]:
    """Per connection: generous (a whole office or the venue's Wi-Fi share one address);
    per email address: strict (nobody registers six times an hour)."""
    return (
        Limit("registration.ip", settings.PTCE_REGISTRATION_LIMIT_PER_IP, 10 * 60),
        Limit("registration.address", settings.PTCE_REGISTRATION_LIMIT_PER_ADDRESS, 60 * 60),
    )


def client_ip(request) -> str:
    """The visitor's address: behind the TLS proxy, the last one it appended to
    ``X-Forwarded-For`` (earlier ones are whatever the client sent); otherwise the peer.

    IPv6 addresses count per /64 (one household or one phone has a whole /64).
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.PTCE_CLIENT_IP_FROM_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        address = forwarded or address
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _key(limit: Limit, who: str, period: int) -> str:
    digest = hashlib.sha256(f"{limit.scope}:{who}".encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{limit.scope}:{digest}:{period}"


def attempt(limit: Limit, who: str, *, now: float | None = None) -> int | None:
    """Count one attempt of ``who``; when it would go over the limit, count nothing and
    return the seconds to wait (for ``Retry-After``), else None."""
    now = time.time() if now is None else now
    period, elapsed = divmod(now, limit.window)
    period = int(period)
    current_key = _key(limit, who, period)
    counts = cache.get_many([current_key, _key(limit, who, period - 1)])
    current = counts.get(current_key, 0)
    previous = counts.get(_key(limit, who, period - 1), 0)
    estimate = current + previous * (1 - elapsed / limit.window)
    if estimate + 1 > limit.limit:
        return int(limit.window - elapsed) + 1
    if not cache.add(current_key, 1, timeout=2 * limit.window):
        try:
            cache.incr(current_key)
        except ValueError:  # expired in between
            cache.set(current_key, 1, timeout=2 * limit.window)
    return None
