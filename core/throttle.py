"""Counting what a client does, in the shared cache: sign-in failures, emails asked for.

With ``REDIS_URL`` every worker process counts in one place; without it each process
counts on its own (the demo and the tests run one process).
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


def client_ip(request) -> str:
    """The address of the person, not of our own reverse proxy.

    Behind the TLS proxy (``BEHIND_TLS_PROXY``) the last address of ``X-Forwarded-For``
    is the one that proxy saw (earlier ones are written by the client and prove nothing);
    otherwise ``REMOTE_ADDR``. IPv6 addresses count per /64 (one household or one phone
    has a whole /64). Something that is not an address counts as « unknown ».
    """
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "PTCE_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        address = forwarded or address
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def key(prefix: str, *parts: str) -> str:
    """A short cache key for any values (emails, usernames: hashed, never stored)."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"ptce:{prefix}:{digest[:40]}"


def count(cache_key: str, *, window: int) -> int:
    """Add one to a counter that lives ``window`` seconds from its first hit; its new
    value."""
    cache.add(cache_key, 0, window)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window)
        return 1


# Limits on what a client asks the platform to do (emails sent to an address typed in a
# form): a sliding window (the current period plus the part of the previous one still
# inside the window) so that no burst slips through at a boundary. Refused attempts are
# not counted: a refused visitor gets back in as the window slides.


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds


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


def mailbox(email) -> str:
    """The mailbox an address reaches, for counting the emails sent to it: trimmed,
    case-folded, without a ``+tag`` (``zoe+1@…`` and ``zoe+x@…`` reach ``zoe@…``)."""
    local, _at, domain = str(email or "").strip().casefold().rpartition("@")
    if not _at:
        return domain
    return f"{local.split('+', 1)[0]}@{domain}"
