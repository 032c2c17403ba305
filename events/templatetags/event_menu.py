"""The menu of an event's tools, shown on every organiser page of the event.

The events app's own tools, then those other apps register (events.hooks.manage_links:
the door, the charter ceremony…), each page marking its own with ``aria-current``."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from events import hooks
from events.models import Event

register = template.Library()


def _own_tools() -> list[hooks.ManageLink]:
    def manage(name, anchor=""):
        return lambda event: reverse(f"events_manage:{name}", args=[event.slug]) + anchor

    return [
        hooks.ManageLink(_("Overview"), manage("event"), key="overview", order=10),
        hooks.ManageLink(
            _("Registrations"),
            manage("event", "#registrations-title"),
            key="registrations",
            order=11,
        ),
        hooks.ManageLink(_("Edit the event"), manage("edit"), key="edit", order=12),
        hooks.ManageLink(_("Emails sent"), manage("outbox"), key="outbox", order=20),
        hooks.ManageLink(_("Reminder"), manage("reminders"), key="reminders", order=21),
        hooks.ManageLink(
            _("Badges, lists and exports"), manage("documents"), key="documents", order=30
        ),
    ]


def event_tools(event: Event, current: str = "") -> list[dict]:
    """The menu's entries in order, each with its sub-entries: label, url, current."""
    links = sorted([*_own_tools(), *hooks.manage_links], key=lambda link: link.order)
    if event.status != Event.Status.DRAFT:
        links.append(
            hooks.ManageLink(
                _("Public page"),
                lambda e: reverse("events:detail", args=[e.slug]),
                key="public",
                order=1000,
            )
        )

    def entry(link):
        return {
            "key": link.key,
            "label": link.label,
            "url": link.url(event),
            "current": bool(current) and link.key == current,
            "children": [],
        }

    top = [entry(link) for link in links if not link.parent]
    by_key = {item["key"]: item for item in top if item["key"]}
    for link in links:
        if link.parent and link.parent in by_key:
            child = entry(link)
            by_key[link.parent]["children"].append(child)
            if child["current"]:
                by_key[link.parent]["open"] = True
    return top


@register.inclusion_tag("events/manage/_event_menu.html")
def event_menu(event: Event, current: str = ""):
    return {"event": event, "tools": event_tools(event, current)}
