"""Slots: the one way an app lower down offers a place for apps above it to plug into.

An app owns a slot in its ``hooks.py``; an app above fills it from its
``AppConfig.ready`` (the lower app never imports the upper one)::

    # events/hooks.py
    manage_links: Slot[ManageLink] = Slot("events.manage_links")

    # checkin/apps.py, in ready()
    hooks.manage_links.register(ManageLink(key="door", ...))

Each item has a key (``item.key`` when it has one, else the item itself): registering the
same key again replaces the item in place, so ``ready()`` running twice (tests,
autoreload) adds nothing. Items come out in the order they were first registered;
``sorted(slot, key=...)`` where a page wants another order.
"""

from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Slot(Generic[T]):
    def __init__(self, name: str):
        self.name = name
        self._items: dict[Hashable, T] = {}

    @staticmethod
    def _key(item) -> Hashable:
        key = getattr(item, "key", None)
        return key if key else item

    def register(self, item: T) -> T:
        self._items[self._key(item)] = item
        return item

    def get(self, key: Hashable) -> T | None:
        return self._items.get(key)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item) -> bool:
        return self._key(item) in self._items

    def __repr__(self) -> str:
        return f"<Slot {self.name}: {len(self._items)}>"
