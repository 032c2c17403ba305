"""Dates and times as a French editor writes them (and an English one, in English).

One helper per rule of the house style, each following the active language
(``translation.get_language()``):

- ``clock``: « 9 h 30 », « 14 h » — "9:30", "14:00" (with seconds: « 14 h 23 min 05 s »);
- ``long_date``: « 1er décembre 2026 », « mardi 1er décembre 2026 » — "1 December 2026",
  "Tuesday 1 December 2026";
- ``short_date``: « 1er déc. » — "1 Dec" (tables, where the year goes without saying);
- ``moment``: « 1er décembre 2026 à 14 h 26 » — "1 December 2026 at 14:26";
- ``short_moment``: « 1er déc. à 14 h 26 » — "1 Dec at 14:26";
- ``time_range``: « de 9 h 30 à 16 h 30 » — "9:30 to 16:30".

Never « 1 décembre », « 09:30 », « 17 h 00 » or an ISO date in French text.
"""

from datetime import date, datetime

from django.utils import formats, timezone, translation


def is_french() -> bool:
    """Whether the active language is French (the default when none is active)."""
    from django.conf import settings

    language = translation.get_language() or settings.LANGUAGE_CODE
    return language.lower().startswith("fr")


def _local(value):
    """An aware datetime in the local time zone; a naive one or a date as given."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def clock(value: datetime, *, seconds: bool = False) -> str:
    """A time as its reader writes it: « 9 h 30 », « 14 h » in French (no « 09:30 », no
    « 14 h 00 »), "9:30", "14:00" in English. Aware datetimes are shown in local time.
    With ``seconds`` (a scan log): « 14 h 23 min 05 s », "14:23:05"."""
    value = _local(value)
    if seconds:
        if is_french():
            nb = "\u00a0"
            return f"{value.hour}{nb}h{nb}{value.minute:02d}{nb}min{nb}{value.second:02d}{nb}s"
        return f"{value.hour}:{value.minute:02d}:{value.second:02d}"
    if is_french():
        minutes = f"\u00a0{value.minute:02d}" if value.minute else ""
        return f"{value.hour}\u00a0h{minutes}"
    return f"{value.hour}:{value.minute:02d}"


def _first_of_month(text: str, value, position: int) -> str:
    if is_french() and value.day == 1:
        words = text.split(" ")
        words[position] = "1er"
        text = " ".join(words)
    return text


def long_date(value, *, weekday: bool = False) -> str:
    """A date as its reader writes it: « 1er décembre 2026 » (never « 1 décembre ») in
    French, "1 December 2026" in English; « mardi 1er décembre 2026 », "Tuesday 1 December
    2026" with the weekday."""
    value = _local(value)
    if isinstance(value, datetime):
        value = value.date()
    text = formats.date_format(value, "l j F Y" if weekday else "j F Y")
    return _first_of_month(text, value, 1 if weekday else 0)


def short_date(value: date) -> str:
    """Day and abbreviated month, for tables: « 1er déc. », « 27 nov. » — "1 Dec"."""
    value = _local(value)
    text = formats.date_format(value, "j N" if is_french() else "j M")
    return _first_of_month(text, value, 0)


def moment(value: datetime) -> str:
    """« 1er décembre 2026 à 14 h 26 » (without the « le », which the sentence carries),
    "1 December 2026 at 14:26": a date and its time, local."""
    local = _local(value)
    if is_french():
        return f"{long_date(local)} à {clock(local)}"
    return f"{long_date(local)} at {clock(local)}"


def short_moment(value: datetime) -> str:
    """« 1er déc. à 14 h 26 », "1 Dec at 14:26": a moment in a table (not « 1 Déc 14:26 »)."""
    local = _local(value)
    if is_french():
        return f"{short_date(local)} à {clock(local)}"
    return f"{short_date(local)} at {clock(local)}"


def time_range(start: datetime, end: datetime) -> str:
    """« de 9 h 30 à 16 h 30 », "9:30 to 16:30"."""
    if is_french():
        return f"de {clock(start)} à {clock(end)}"
    return f"{clock(start)} to {clock(end)}"
