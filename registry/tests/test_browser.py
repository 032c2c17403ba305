"""The directory in a real browser: search and facets by keyboard and by touch, axe-core
on the directory and a pole page at a phone and a desktop width."""

from io import StringIO

import pytest
from django.core.management import call_command

from conftest import (
    BLOCKING_IMPACTS,
    VIEWPORTS,
    axe_scan,
    describe,
    no_horizontal_scroll,
    screenshot,
)
from registry.models import Pole

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server):
    call_command("load_registry_demo", stdout=StringIO())


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_directory_and_pole_pages_accessibility(live_server, demo, new_page, viewport):
    page = new_page(viewport)
    pole = Pole.objects.filter(is_demo=True, status="checked").first()
    for name, path in (
        ("directory", "/poles/"),
        ("directory-filtered", "/poles/?region=84&q=pole"),
        ("pole", f"/poles/{pole.slug}/"),
        ("laureate", f"/poles/{Pole.objects.get(name='Pôle Sud Archer').slug}/"),
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{path}\n{describe(blocking)}"
        assert no_horizontal_scroll(page), path
        screenshot(page, f"registry-{name}-{viewport}")


def test_search_then_facet_then_remove_it(live_server, demo, new_page):
    page = new_page("phone")
    page.goto(live_server.url + "/poles/")
    page.fill("#q", "romans")
    page.press("#q", "Enter")
    page.get_by_role("heading", name="1 pôle").wait_for()
    assert page.get_by_role("link", name="Pôle Sud Archer").is_visible()
    page.locator("summary", has_text="Département").click()
    page.get_by_role("link", name="Drôme (26) (1)").click()
    page.wait_for_url("**department=26**")
    assert "q=romans" in page.url  # the search is kept: the link can be shared as it is
    page.locator(".chip").first.click()
    page.wait_for_url(lambda url: "department" not in url)
    assert page.input_value("#q") == "romans"


def test_the_map_shows_clusters_then_poles(live_server, demo, new_page):
    page = new_page("desktop")
    page.goto(live_server.url + "/poles/carte/")
    page.locator(".pole-cluster").first.wait_for()
    # metropolitan France in view (the overseas poles are off this frame)
    metropolitan = Pole.objects.filter(latitude__gt=41, longitude__gt=-6).count()
    page.locator("#map-status").filter(has_text=f"{metropolitan} pôles dans cette zone").wait_for()
    blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe(blocking)
    screenshot(page, "registry-map-desktop")
    page.locator(".pole-cluster").first.click()  # zooms in on the group
    page.wait_for_function("document.querySelectorAll('.pole-cluster, .pole-dot').length > 0")


def test_a_map_popup_shows_the_pole_status_as_the_directory_does(live_server, demo, new_page):
    page = new_page("desktop")
    page.goto(live_server.url + "/poles/carte/?q=archer")
    page.locator(".pole-dot").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_role("link", name="Pôle Sud Archer").wait_for()
    assert popup.locator(".badge.status-laureate").inner_text() == "Lauréat de l’État"
    incomplete = Pole.objects.filter(status="incomplete", latitude__isnull=False).first()
    page.goto(live_server.url + f"/poles/carte/?q={incomplete.name}")
    page.locator(".pole-dot.status-incomplete").first.click()
    badge = page.locator(".leaflet-popup-content .badge")
    assert badge.inner_text() == "Fiche à compléter" and "status-incomplete" in (
        badge.get_attribute("class")
    )
