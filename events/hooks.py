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
