"""Slots where apps above `events` plug into its pages without `events` importing them.

`checkin` registers a link to its door page on the organiser's event page, for instance,
in its AppConfig.ready.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from core.slots import Slot


@dataclass(frozen=True)
class ManageLink:
    """A tool of an event in the organiser's menu (events/templatetags/event_menu.py).

    ``key`` is what a page passes as its current tool; a link with a ``parent`` is shown
    under that tool. Lower ``order`` first."""

    label: str | Promise
    url: Callable[[object], str]  # event -> URL
    key: str = ""
    order: int = 100
    parent: str = ""


manage_links: Slot[ManageLink] = Slot("events.manage_links")


@dataclass(frozen=True)
class ReminderExclusion:
    """People a reminder is no longer for, from an app above ``events``: ``registrations``
    gives, for an event, a queryset of registration ids (e.g. already admitted at the door)."""

    key: str
    registrations: Callable[[object], object]  # event -> QuerySet of registration ids


reminder_exclusions: Slot[ReminderExclusion] = Slot("events.reminder_exclusions")


@dataclass(frozen=True)
class PersonalLink:
    """A link offered on a person's personal page when ``url(registration, token)`` gives one."""

    key: str
    label: str | Promise
    url: Callable[[object, str], str | None]  # (registration, personal-link token) -> URL


personal_links: Slot[PersonalLink] = Slot("events.personal_links")


@dataclass(frozen=True)
class DocumentKind:
    """A document about a whole event, built in the background (events.document_services).

    ``build(event, out, progress)`` writes the document into the binary file ``out``,
    calls ``progress(done, total)`` now and then, and returns the number of rows (people)
    it holds. ``section`` says which organiser page offers it ("registrations", "door").
    """

    key: str
    label: str | Promise
    extension: str  # "pdf", "csv", "xlsx"
    content_type: str
    filename: Callable[[object], str]  # event -> download name, without the extension
    build: Callable[[object, object, Callable[[int, int], None]], int]
    section: str = "registrations"
    order: int = 0


document_kinds: Slot[DocumentKind] = Slot("events.document_kinds")


def document_kinds_for(section: str | None = None) -> list[DocumentKind]:
    kinds = [k for k in document_kinds if section is None or k.section == section]
    return sorted(kinds, key=lambda k: (k.order, k.key))
