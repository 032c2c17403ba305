"""The registration categories as the door shows them and the badges print them: the
label of the events' category choices and one colour each, the band of a badge and of
the door's verdict (a non-text colour, each at least 3:1 on white; the label says it in
words). The door's script reads them from the page (``door_categories``): no copy in
JavaScript or CSS."""

from events.models import Registration

CATEGORY_COLOURS = {
    Registration.Category.PTCE_MEMBER: "#0b6e4f",
    Registration.Category.NETWORK: "#1f5fa8",
    Registration.Category.LOCAL_AUTHORITY: "#6b3fa0",
    Registration.Category.STATE: "#1b2a41",
    Registration.Category.PRESS: "#b0306a",
    Registration.Category.SPEAKER: "#0e7490",
    Registration.Category.STAFF: "#c2410c",
    Registration.Category.OTHER: "#6b7280",
}
# what an unknown category (a ticket without one, a choice since removed) looks like
FALLBACK = Registration.Category.OTHER


def category_colour(category: str) -> str:
    return CATEGORY_COLOURS.get(category, CATEGORY_COLOURS[FALLBACK])


def door_categories() -> dict:
    """The door's categories, for ``json_script``: labels in the current language, the
    colours, and the category whose colour an unknown one takes."""
    return {
        "labels": {str(value): str(label) for value, label in Registration.Category.choices},
        "colours": {str(value): colour for value, colour in CATEGORY_COLOURS.items()},
        "fallback": str(FALLBACK),
    }
