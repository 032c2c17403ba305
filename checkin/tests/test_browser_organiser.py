"""The organiser space of an event in a real browser (Debian's Chromium), on a 360-px
phone: the menu of the event's tools on every page, no horizontal scroll, no serious
accessibility issue, and the door's enrolment link copied with « Copier le lien »."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from checkin import services
from conftest import axe_scan, describe, no_horizontal_scroll, screenshot
from events.models import Event

pytestmark = pytest.mark.browser

SLUG = "2e-journee-nationale-des-ptce"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def organiser_phone(live_server, browser):
    """The demo event with a device not enrolled yet, and a 360-px phone signed in as the
    demo's organiser (clipboard allowed, as after a person's click)."""
    call_command("load_demo", "--no-attendees", "--demo-account", stdout=StringIO())
    event = Event.objects.get(slug=SLUG)
    organiser = get_user_model().objects.get(username="organisatrice")
    services.device_create(event=event, name="Poste d’accueil numéro 1", actor=organiser)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-FR", timezone_id="Europe/Paris"
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", "organisatrice")
    page.fill("input[name=password]", "demo-ptce-2014")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    yield page, event
    context.close()


def test_every_tool_of_the_event_on_a_phone(live_server, organiser_phone):
    page, event = organiser_phone
    pages = {
        "overview": reverse("events_manage:event", args=[event.slug]),
        "edit": reverse("events_manage:edit", args=[event.slug]),
        "outbox": reverse("events_manage:outbox", args=[event.slug]),
        "reminders": reverse("events_manage:reminders", args=[event.slug]),
        "documents": reverse("events_manage:documents", args=[event.slug]),
        "door": reverse("checkin_manage:door", args=[event.slug]),
        "ceremony": reverse("charter_manage:ceremony", args=[event.slug]),
    }
    problems = []
    for key, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        current = page.locator('.event-menu a[aria-current="page"]')
        assert current.count() == 1, path
        assert current.get_attribute("href").split("#")[0] == path, path
        if not no_horizontal_scroll(page):
            width = page.evaluate("document.documentElement.scrollWidth")
            problems.append(f"{path}: {width} px wide")
        violations = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING]
        if violations:
            problems.append(f"{path}:\n{describe(violations)}")
        if key in ("overview", "door"):
            screenshot(page, f"organiser-{key}-phone")
    assert not problems, "\n".join(problems)
    # the door tool's name
    page.goto(live_server.url + pages["door"])
    assert page.locator("h1").inner_text() == "Contrôle à l’entrée"


def test_the_enrolment_link_is_copied_and_wraps(live_server, organiser_phone):
    page, event = organiser_phone
    page.goto(live_server.url + reverse("checkin_manage:door", args=[event.slug]))
    assert no_horizontal_scroll(page)
    link = page.locator("input.link-field").first
    button = page.get_by_role("button", name="Copier le lien")
    button.click()
    page.locator(".copy-status").filter(has_text="Lien copié.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()
    assert "/accueil/enregistrer/" in link.input_value()
