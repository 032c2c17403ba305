"""One input layer: every text typed by a person and every id read from a request.

Values from clients are hints. A text that reaches the database goes through
``clean_text`` (NFC, no control or invisible format character, length counted after
normalisation); an id or a number read from a URL, a query string, a form or a file goes
through ``parse_id`` / ``parse_int`` — views never call ``int()`` on user input.
Search boxes and filters use ``clean_query``, which never refuses (a search for a NUL byte
is a search for nothing) but always returns something safe to put in a query.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The largest value of a PostgreSQL bigint / SQLite integer.
ID_MAX = 2**63 - 1
# Zero-width joiners are format characters that some scripts need between two letters
# (Persian, Devanagari half forms); every other format character (bidi overrides and
# embeddings, zero-width space, soft hyphen, BOM…) is refused.
_JOINERS = {"\u200c", "\u200d"}
_KEPT_CONTROLS = {"\n", "\r", "\t"}


def _is_letter_or_mark(char: str) -> bool:
    return unicodedata.category(char)[0] in ("L", "M")


def _is_latin(char: str) -> bool:
    """Latin letters (and the Greek and Cyrillic that look like them) never need a joiner:
    between them it only hides a name (« Dur\u200dand » reads « Durand »)."""
    code = ord(char)
    return code < 0x0530 or 0x1D00 <= code < 0x1F00 or 0x2C60 <= code < 0x2C80


def invisible_characters(value: str) -> list[str]:
    """The characters of ``value`` that have no place in a typed text.

    C0 and C1 controls (except tab and line breaks, which a single-line text turns into
    spaces), format
    characters (Unicode category Cf) except a joiner between two letters, surrogates,
    private-use and unassigned code points.
    """
    if value.isascii() and value.isprintable():  # the common case, checked in C
        return []
    found = []
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if category == "Cc":
            if char in _KEPT_CONTROLS:
                continue
        elif category == "Cf":
            if (
                char in _JOINERS
                and 0 < index < len(value) - 1
                and _is_letter_or_mark(value[index - 1])
                and _is_letter_or_mark(value[index + 1])
                and not (_is_latin(value[index - 1]) or _is_latin(value[index + 1]))
            ):
                continue
        elif category not in ("Cs", "Co", "Cn"):
            continue
        found.append(char)
    return found


def describe_character(char: str) -> str:
    """« U+202E », the code of a character, for an error message (its Unicode name is
    English, and the character itself cannot be seen)."""
    return f"U+{ord(char):04X}"


def clean_text(
    value,
    *,
    max_length: int,
    multiline: bool = False,
    required: bool = False,
) -> str:
    """The text as it will be stored, or ``ValidationError`` with a code.

    Codes: ``required``, ``control`` (an invisible or control character, named in the
    message), ``too_long`` (counted after normalisation to NFC).
    """
    value = unicodedata.normalize("NFC", str(value or ""))
    bad = invisible_characters(value)
    if bad:
        raise ValidationError(
            _(
                "This text holds an invisible or control character (%(char)s), often brought "
                "by a copy and paste: type the text again."
            )
            % {"char": describe_character(bad[0])},
            code="control",
        )
    if multiline:
        value = "\n".join(line.rstrip() for line in value.replace("\r\n", "\n").split("\n"))
        value = value.replace("\r", "\n").strip()
    else:
        value = " ".join(value.split())
    if required and not value:
        raise ValidationError(_("This field is required."), code="required")
    if len(value) > max_length:
        raise ValidationError(
            _("Too long: %(max)d characters at most (%(n)d given).")
            % {"max": max_length, "n": len(value)},
            code="too_long",
        )
    return value


def clean_query(value, *, max_length: int = 200) -> str:
    """A search box or a filter value: never refused, always safe to query with.

    Invisible and control characters are dropped, the text is normalised to NFC, its
    spaces collapsed, and it is cut to ``max_length``.
    """
    value = unicodedata.normalize("NFC", str(value or "")[: max_length * 4])
    bad = set(invisible_characters(value))
    if bad:
        value = "".join(c if c not in bad else " " for c in value)
    return " ".join(value.split())[:max_length]


def parse_int(value, *, default=None, minimum: int | None = None, maximum: int | None = None):
    """An integer written in ASCII digits (an optional leading minus), within bounds.

    Anything else — Unicode digits such as « ² » or « ٣ », spaces, a sign alone, a
    number out of ``[minimum, maximum]`` — gives ``default``. Never raises.
    """
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        digits = text[1:] if text.startswith("-") else text
        if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
            return default
        number = int(text)
    if minimum is not None and number < minimum:
        return default
    if maximum is not None and number > maximum:
        return default
    return number


def parse_id(value) -> int | None:
    """A primary key from a request (a positive ASCII integer that fits a bigint), or
    ``None``."""
    return parse_int(value, minimum=1, maximum=ID_MAX)


def parse_ids(values, *, limit: int = 1000) -> list[int]:
    """The valid ids of a list of values (a multi-valued filter), at most ``limit``,
    without repeats and in their first order."""
    seen: dict[int, None] = {}
    for value in list(values)[: limit * 2]:
        number = parse_id(value)
        if number is not None:
            seen.setdefault(number, None)
        if len(seen) >= limit:
            break
    return list(seen)
