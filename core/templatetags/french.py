"""Template filters for French as an editor writes it (``{% load french %}``).

Each follows the active language, like the helpers of ``core.dates`` and ``core.french``
it wraps::

    {{ event.starts_at|long_date }}            « 1er décembre 2026 » / "1 December 2026"
    {{ event.starts_at|long_date:"weekday" }}  « mardi 1er décembre 2026 »
    {{ report.version|long_date }}             « 1er décembre 2026 » from "2026-12-01"
    {{ session.starts_at|clock }}              « 9 h 30 », « 14 h » / "9:30"
    {{ scan.scanned_at|clock:"seconds" }}      « 14 h 23 min 05 s » / "14:23:05"
    {{ document.started_at|moment }}           « 1er décembre 2026 à 14 h 26 »
    {{ r.created_at|short_moment }}            « 1er déc. à 14 h 23 » (tables)
    {{ r.full_name|de }}                       « d’Amina », « de Paul » / "of Amina"
    {{ "inscription"|le }}                     « l’inscription »
    {{ organisation.name|apostrophes }}        « Le Labo de l’ESS »
    {{ count|number }}                         « 1 234 » / "1,234"

An empty value gives an empty string (a missing date is said by the page, not the filter).
"""

from datetime import date

from django import template

from core import dates, french

register = template.Library()


def _empty(value) -> bool:
    return value is None or value == ""


@register.filter
def long_date(value, arg=""):
    """A date, a datetime, or an ISO date string ("2026-12-01", as JSON stores it)."""
    if _empty(value):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return dates.long_date(value, weekday=arg == "weekday")


@register.filter
def short_date(value):
    return "" if _empty(value) else dates.short_date(value)


@register.filter
def clock(value, arg=""):
    return "" if _empty(value) else dates.clock(value, seconds=arg == "seconds")


@register.filter
def moment(value):
    return "" if _empty(value) else dates.moment(value)


@register.filter
def short_moment(value):
    return "" if _empty(value) else dates.short_moment(value)


@register.filter
def de(value):
    return "" if _empty(value) else french.de_name(str(value))


@register.filter
def le(value):
    return "" if _empty(value) else french.le_name(str(value))


@register.filter
def la(value):
    return "" if _empty(value) else french.la_name(str(value))


@register.filter
def apostrophes(value):
    return "" if _empty(value) else french.apostrophes(str(value))


@register.filter
def number(value, decimals=None):
    if _empty(value):
        return ""
    return french.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def file_size(value):
    if _empty(value) and value != 0:
        return ""
    return french.file_size(value)
