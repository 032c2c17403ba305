"""Counting what a client does, in the shared cache: sign-in failures, emails asked for.

With ``REDIS_URL`` every worker process counts in one place; without it each process
counts on its own (the demo and the tests run one process).
"""

from __future__ import annotations

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The address of the person, not of our own reverse proxy.

    Behind the TLS proxy (``BEHIND_TLS_PROXY``) the last address of ``X-Forwarded-For``
    is the one that proxy saw (earlier ones are written by the client and prove nothing);
    otherwise ``REMOTE_ADDR``. Something that is not an address counts as « unknown ».
    """
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "PTCE_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.rsplit(",", 1)[-1]
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return "unknown"


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


def over_limit(cache_key: str, *, limit: int, window: int) -> bool:
    """Count one more hit; True once there are more than ``limit`` in the window."""
    return count(cache_key, window=window) > limit
