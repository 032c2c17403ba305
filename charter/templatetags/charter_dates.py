"""Dates on the charter's pages as an editor writes them (« 1er juin 2021 », « le 1er
décembre 2026 à 14 h 26 »): template filters over core.dates."""

from django import template
from django.utils import timezone

from core import dates

register = template.Library()


@register.filter
def long_date(value) -> str:
    """« 1er juin 2021 » (a date, or a datetime in local time)."""
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return dates.long_date(value)


@register.filter
def moment(value) -> str:
    """« 1er décembre 2026 à 14 h 26 »."""
    return dates.moment(value) if value else ""
