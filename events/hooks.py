"""Places where apps above `events` plug into its pages without `events` importing them.

`checkin` registers a link to its door page on the organiser's event page, for instance,
in its AppConfig.ready.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


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


manage_links: list[ManageLink] = []


def register_manage_link(link: ManageLink) -> None:
    if link not in manage_links and not (
        link.key and any(known.key == link.key for known in manage_links)
    ):
        manage_links.append(link)


@dataclass(frozen=True)
class ReminderExclusion:
    """People a reminder is no longer for, from an app above ``events``: ``registrations``
    gives, for an event, a queryset of registration ids (e.g. already admitted at the door)."""

    key: str
    registrations: Callable[[object], object]  # event -> QuerySet of registration ids


reminder_exclusions: dict[str, ReminderExclusion] = {}


def register_reminder_exclusion(exclusion: ReminderExclusion) -> None:
    reminder_exclusions[exclusion.key] = exclusion


@dataclass(frozen=True)
class PersonalLink:
    """A link offered on a person's personal page when ``url(registration, token)`` gives one."""

    label: str | Promise
    url: Callable[[object, str], str | None]  # (registration, personal-link token) -> URL


personal_links: list[PersonalLink] = []


def register_personal_link(link: PersonalLink) -> None:
    if link not in personal_links:
        personal_links.append(link)


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


document_kinds: dict[str, DocumentKind] = {}


def register_document_kind(kind: DocumentKind) -> None:
    document_kinds[kind.key] = kind


def document_kinds_for(section: str | None = None) -> list[DocumentKind]:
    kinds = [k for k in document_kinds.values() if section is None or k.section == section]
    return sorted(kinds, key=lambda k: (k.order, k.key))
