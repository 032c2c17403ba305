"""The ceremony in a real browser: an organiser records a signature on a phone while the
room's projection page, open in another tab, shows it without being reloaded; axe-core
on the public list of signatories."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from charter.models import CharterVersion
from conftest import BLOCKING_IMPACTS, axe_scan, describe, no_horizontal_scroll, screenshot
from events.tests.factories import EventFactory
from registry import services as registry_services

pytestmark = pytest.mark.browser


@pytest.fixture
def ceremony(live_server):
    CharterVersion.objects.create(
        number=1,
        title="Charte",
        published_on=date(2021, 6, 1),
        body="# Charte",
        is_placeholder=True,
    )
    pole = registry_services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": "26281"})
    event = EventFactory(slug="journee-nationale")
    organiser = get_user_model().objects.create_user(
        "orga", password="Orga-pass-2014", is_staff=True
    )
    event.managers.add(organiser)
    return event, pole


def test_a_signature_in_the_room_appears_on_the_projection(live_server, ceremony, new_page):
    event, pole = ceremony
    screen = new_page("desktop")
    screen.goto(live_server.url + f"/charte/projection/{event.slug}/")
    screen.locator("#signature-count").filter(has_text="0").wait_for()

    phone = new_page("phone")
    phone.goto(live_server.url + "/compte/connexion/")
    phone.fill("input[name=username]", "orga")
    phone.fill("input[name=password]", "Orga-pass-2014")
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    phone.goto(live_server.url + f"/gestion/charte/ceremonie/{event.slug}/")
    phone.fill("#q", "sud archer")
    phone.press("#q", "Enter")
    phone.get_by_role("link", name="Pôle Sud Archer").click()
    phone.fill("#name", "Christophe Chevalier")
    phone.fill("#mandate", "président")
    phone.get_by_role("button", name="Signé — enregistrer").click()
    phone.locator(".messages").filter(has_text="Pôle Sud Archer").wait_for()
    assert no_horizontal_scroll(phone)
    screenshot(phone, "charter-ceremony-phone")

    # the projection page was not reloaded: it polls, and the new name arrives
    screen.locator("#signature-list li.new").filter(has_text="Pôle Sud Archer").wait_for(
        timeout=10_000
    )
    assert screen.locator("#signature-count").inner_text() == "1"
    screenshot(screen, "charter-projection-desktop")


def test_public_list_of_signatories_accessibility(live_server, ceremony, new_page):
    from charter import services

    event, pole = ceremony
    services.ceremony_record(
        version=CharterVersion.objects.get(),
        event=event,
        signer=pole,
        name="Chevalier",
        mandate="président",
        actor=None,
    )
    for viewport in ("phone", "desktop"):
        page = new_page(viewport)
        for path in ("/charte/signataires/", "/charte/"):
            assert page.goto(live_server.url + path).status == 200
            blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
            assert not blocking, f"{path}\n{describe(blocking)}"
            assert no_horizontal_scroll(page), path
