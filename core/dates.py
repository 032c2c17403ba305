"""Dates and times as a French editor writes them (and an English one, in English).

One helper per rule of the house style: « 1er décembre 2026 », « 9 h 30 »."""

from datetime import datetime

from django.utils import formats, timezone, translation


def clock(value: datetime) -> str:
    """A time as its reader writes it: "9 h 30" in French, "9:30" in English."""
    if translation.get_language() == "fr":
        return f"{value.hour}\u00a0h\u00a0{value.minute:02d}"
    return f"{value.hour}:{value.minute:02d}"


def long_date(value, *, weekday: bool = False) -> str:
    """A date as its reader writes it: "1er décembre 2026" (never "1 décembre") in French,
    "1 December 2026" in English; "mardi 1er décembre 2026" with the weekday."""
    text = formats.date_format(value, "l j F Y" if weekday else "j F Y")
    if translation.get_language() == "fr" and value.day == 1:
        words = text.split(" ")
        words[1 if weekday else 0] = "1er"
        text = " ".join(words)
    return text


def moment(value: datetime) -> str:
    """« le 1er décembre 2026 à 14 h 26 » without the « le »: a date and its time, local."""
    local = timezone.localtime(value)
    if translation.get_language() == "fr":
        return f"{long_date(local)} à {clock(local)}"
    return f"{long_date(local)} at {clock(local)}"
