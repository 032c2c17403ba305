"""The site's stylesheet styles every kind of text field the pages show: a field type
missing from its rule is drawn by the browser's default, a narrow box without the border,
size and 48 px target of the others (the pole's « Site web », the event's dates and
capacity were)."""

import re
from pathlib import Path

from django.conf import settings

from events.forms import EventForm, RegistrationForm

ROOT = Path(settings.BASE_DIR)
# the input types a person types into (checkboxes, files, buttons are drawn otherwise)
TYPED = {"text", "email", "tel", "password", "search", "url", "number", "date", "time"}
TYPED |= {"datetime-local", "month", "week"}


def styled_types() -> set[str]:
    css = (ROOT / "core/static/core/css/site.css").read_text()
    rule = next(line for line in css.splitlines() if line.startswith("input[type=text]"))
    return set(re.findall(r"input\[type=([a-z-]+)\]", rule))


def template_types() -> set[str]:
    found = set()
    for path in ROOT.glob("*/templates/**/*.html"):
        found |= set(re.findall(r'\btype="([a-z-]+)"', path.read_text()))
    return found & TYPED


def form_types() -> set[str]:
    found = set()
    for form in (EventForm, RegistrationForm):
        found |= {getattr(field.widget, "input_type", "") for field in form.base_fields.values()}
    return found & TYPED


def test_every_text_field_type_is_styled(db):
    used = template_types() | form_types()
    assert {"url", "number", "datetime-local"} <= used  # what the pages use today
    assert used - styled_types() == set()
