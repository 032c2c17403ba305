"""Ticket references: a short code a person can read out and type (« K7MX-Q4TR »).

Eight characters of Crockford's base32 without 0, 1 (and so without O, I, L, U, which it
already leaves out): nothing that reads as another character. About 6.5 × 10¹¹ codes,
unique within an event (``Registration.reference``). Whoever types one may write it in
small letters, with spaces or dashes: ``normalise`` takes it back to its stored form.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_REFERENCE_RE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")
# what a person may type between the characters: spaces and dashes of any kind
_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str | None:
    """The stored form of a typed reference (« k7mx q4tr » → « K7MXQ4TR »), or None when
    the text is not one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    candidate = _SEPARATORS_RE.sub("", text).upper()
    return candidate if _REFERENCE_RE.fullmatch(candidate) else None


def grouped(reference: str) -> str:
    """For reading: « K7MX-Q4TR »."""
    half = len(reference) // 2
    return f"{reference[:half]}-{reference[half:]}" if reference else ""
