"""Places where apps above `events` plug into its pages without `events` importing them.

`checkin` registers a link to its door page on the organiser's event page, for instance,
in its AppConfig.ready.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class ManageLink:
    label: str | Promise
    url: Callable[[object], str]  # event -> URL


manage_links: list[ManageLink] = []


def register_manage_link(link: ManageLink) -> None:
    if link not in manage_links:
        manage_links.append(link)


@dataclass(frozen=True)
class PersonalLink:
    """A link offered on a person's personal page when ``url(registration, token)`` gives one."""

    label: str | Promise
    url: Callable[[object, str], str | None]  # (registration, personal-link token) -> URL


personal_links: list[PersonalLink] = []


def register_personal_link(link: PersonalLink) -> None:
    if link not in personal_links:
        personal_links.append(link)
