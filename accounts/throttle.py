"""Sign-in throttling: wrong passwords make the next try wait, longer each time.

Three counters, in the shared cache, for a day from their first failure:

- one account from one address (``PAIR_LIMIT``): the person who mistypes, or someone
  guessing one account's password;
- one address, whatever the account (``IP_LIMIT``, much higher: the venue's Wi-Fi puts
  every door volunteer behind one address, and one of them mistyping must not lock out
  the others);
- one account, from every address (``ACCOUNT_LIMIT``): guessing spread over many
  addresses. This lock does not apply from an address where the account signed in
  before (for ``KNOWN_FOR``): whoever spreads their guesses cannot lock the person out
  of the office or the browser she always uses.

Once a counter reaches its limit, every new failure locks what it counts for
``FIRST_DELAY`` seconds, doubled at each further failure, at most ``MAX_DELAY``. While
locked, no password is even checked (the right one is refused too). A successful sign-in
clears the failures of that account from that address; the other counters only expire.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from core import throttle

WINDOW = 24 * 3600
PAIR_LIMIT = 5
ACCOUNT_LIMIT = 50
IP_LIMIT = 40
FIRST_DELAY = 60
MAX_DELAY = 3600
KNOWN_FOR = 60 * 24 * 3600


def _username(value) -> str:
    """One counter per account, however its name was typed (any case, or its e-mail
    address): alternating spellings buys no more attempts."""
    from accounts.selectors import account_username

    value = str(value or "").strip()
    return str(account_username(value) or "").casefold()


def _counters(request, username: str) -> list[tuple[str, int]]:
    """[(cache key, limit)] of this attempt."""
    ip = throttle.client_ip(request)
    counters = [(throttle.key("signin:ip", ip), IP_LIMIT)]
    if username:
        counters += [
            (throttle.key("signin:pair", username, ip), PAIR_LIMIT),
            (throttle.key("signin:account", username), ACCOUNT_LIMIT),
        ]
    return counters


def _known_key(request, username: str) -> str:
    return throttle.key("signin:known", username, throttle.client_ip(request))


def locked_for(request, username) -> int:
    """Seconds to wait before this account may try again from this address (0: now)."""
    username = _username(username)
    counters = [counter for counter, _limit in _counters(request, username)]
    if username and cache.get(_known_key(request, username)):
        # an account that signed in from this address before is held neither by the
        # failures on it from elsewhere nor by those of others at this address (one
        # person on the venue's Wi-Fi must not lock the door team out): only by its own
        # failures here
        keep = throttle.key("signin:pair", username, throttle.client_ip(request))
        counters = [c for c in counters if c == keep]
    now = time.time()
    until = max((cache.get_many([f"{c}:until" for c in counters]) or {}).values(), default=0)
    return max(0, int(until - now + 0.999))


def failure(request, username) -> None:
    """Count a wrong password (or an unknown account); lock what went over its limit."""
    now = time.time()
    for counter, limit in _counters(request, _username(username)):
        failures = throttle.count(counter, window=WINDOW)
        if failures >= limit:
            delay = min(FIRST_DELAY * 2 ** min(failures - limit, 12), MAX_DELAY)
            cache.set(f"{counter}:until", now + delay, delay)


def success(request, username) -> None:
    """The right password: this account's failures from this address are forgotten, and
    the address is known to the account."""
    username = _username(username)
    if username:
        counter = throttle.key("signin:pair", username, throttle.client_ip(request))
        cache.delete_many([counter, f"{counter}:until"])
        cache.set(_known_key(request, username), 1, KNOWN_FOR)
