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
    page.locator(".leaflet-marker-pane .pole-cluster").first.wait_for()
    # metropolitan France in view (the overseas poles are off this frame)
    metropolitan = Pole.objects.filter(latitude__gt=41, longitude__gt=-6).count()
    page.locator("#map-status").filter(has_text=f"{metropolitan} pôles dans cette zone").wait_for()
    blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe(blocking)
    screenshot(page, "registry-map-desktop")
    page.locator(".leaflet-marker-pane .pole-cluster").first.click()  # zooms in on the group
    page.wait_for_function(
        "document.querySelectorAll("
        "'.leaflet-marker-pane .pole-cluster, .leaflet-marker-pane .pole-dot').length > 0"
    )


def test_a_map_popup_shows_the_pole_status_as_the_directory_does(live_server, demo, new_page):
    page = new_page("desktop")
    page.goto(live_server.url + "/poles/carte/?q=archer")
    page.locator(".leaflet-marker-pane .pole-dot").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_role("link", name="Pôle Sud Archer").wait_for()
    assert popup.locator(".badge.status-laureate").inner_text() == "Lauréat de l’État"
    incomplete = Pole.objects.filter(status="incomplete", latitude__isnull=False).first()
    page.goto(live_server.url + f"/poles/carte/?q={incomplete.name}")
    page.locator(".leaflet-marker-pane .pole-dot.status-incomplete").first.click()
    badge = page.locator(".leaflet-popup-content .badge")
    assert badge.inner_text() == "Fiche à compléter" and "status-incomplete" in (
        badge.get_attribute("class")
    )


def test_an_open_popup_survives_the_reload_of_the_poles_in_view(live_server, demo, new_page):
    """Moving the map reloads the poles in view; a pole still in view keeps its marker, so
    the popup open on it stays open (it used to close as the markers were redrawn)."""
    page = new_page("desktop")
    page.goto(live_server.url + "/poles/carte/?q=archer")
    page.locator(".leaflet-marker-pane .pole-dot").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_role("link", name="Pôle Sud Archer").wait_for()
    box = page.locator("#pole-map").bounding_box()
    with page.expect_response(lambda r: "/poles/carte/points.json" in r.url):
        page.mouse.move(box["x"] + 60, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + 100, box["y"] + box["height"] / 2 + 20, steps=8)
        page.mouse.up()
    page.wait_for_timeout(300)  # the response is drawn on the next task
    assert popup.get_by_role("link", name="Pôle Sud Archer").is_visible()


TILES = "https://tiles.example.test/{z}/{x}/{y}.png"
# a 1×1 PNG, for tile requests answered by the test
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a5b1f3b50000000049454e44ae426082"
)


@pytest.fixture
def tiles(settings):
    settings.MAP_TILES_URL = TILES
    settings.MAP_TILES_ATTRIBUTION = "© test tiles"


def test_map_tiles_carry_the_site_origin_as_referer(live_server, demo, tiles, new_page):
    """The tile servers' policy asks for a Referer: the tiles send the site's origin even
    though the page's own policy is same-origin."""
    page = new_page("desktop")
    referers = []

    def answer(route):
        referers.append(route.request.headers.get("referer", ""))
        route.fulfill(status=200, content_type="image/png", body=PIXEL)

    page.route("**/tiles.example.test/**", answer)
    page.goto(live_server.url + "/poles/carte/")
    page.locator(".leaflet-tile-loaded").first.wait_for()
    assert referers and all(r == live_server.url + "/" for r in referers), referers[:3]
    assert page.locator("#map-tiles-status").is_hidden()


def test_map_without_tiles_shows_outlines_and_says_so(live_server, demo, tiles, new_page):
    page = new_page("phone")
    page.route("**/tiles.example.test/**", lambda route: route.abort())
    page.goto(live_server.url + "/poles/carte/")
    notice = page.locator("#map-tiles-status")
    notice.wait_for()
    assert notice.get_attribute("role") == "status"  # announced politely
    assert notice.inner_text().startswith("Le fond de carte n’a pas pu être chargé")
    # the offline base layer: region and department outlines drawn by this site
    page.locator("path.outline-region").first.wait_for(state="attached")
    assert page.locator("path.outline-region").count() >= 13
    assert page.locator("path.outline-department").count() >= 90
    drawn = page.locator(".leaflet-outlines-pane svg").bounding_box()
    assert drawn and drawn["width"] > 200 and drawn["height"] > 200  # painted, not 0 × 0
    assert no_horizontal_scroll(page)
    screenshot(page, "registry-map-offline-phone")


def test_map_legend_zoom_labels_and_popup_in_french(live_server, demo, new_page):
    page = new_page("desktop")
    page.goto(live_server.url + "/poles/carte/?q=archer")
    zoom_in = page.locator(".leaflet-control-zoom-in")
    assert zoom_in.get_attribute("title") == "Zoom avant"
    assert zoom_in.get_attribute("aria-label") == "Zoom avant"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
    legend = page.get_by_role("region", name="Légende")
    for label in (
        "Lauréat de l’État",
        "Conforme à la définition légale",
        "Fiche à compléter",
        "Non conforme à la définition légale",
    ):
        assert legend.get_by_text(label, exact=True).count() == 1, label
    assert legend.locator(".legend-mark.status-laureate").count() == 1
    page.locator(".leaflet-marker-pane .pole-dot").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_role("link", name="Voir la fiche").wait_for()
    pole = Pole.objects.get(name="Pôle Sud Archer")
    assert popup.get_by_role("link", name="Voir la fiche").get_attribute("href") == (
        f"/poles/{pole.slug}/"
    )
    assert popup.locator(".badge").inner_text() == "Lauréat de l’État"


def test_map_filters_are_shown_and_applied(live_server, demo, new_page):
    page = new_page("phone")
    page.goto(live_server.url + "/poles/carte/")
    page.select_option("#filter-status", "laureate")
    page.get_by_role("button", name="Afficher sur la carte").click()
    page.wait_for_url("**status=laureate**")
    assert page.url.endswith("/poles/carte/?status=laureate")  # only the chosen filter
    laureates = Pole.objects.filter(
        status="laureate", latitude__gt=41, longitude__gt=-6, latitude__isnull=False
    ).count()
    expected = f"{laureates} pôles dans cette zone" if laureates > 1 else "1 pôle dans cette zone"
    page.locator("#map-status").filter(has_text=expected).wait_for()
    assert "Statut\xa0: Lauréat de l’État" in page.locator(".chip").inner_text()
    assert no_horizontal_scroll(page)


def test_map_buttons_fly_to_the_overseas_poles(live_server, demo, new_page):
    page = new_page("desktop")
    page.goto(live_server.url + "/poles/carte/")
    page.locator(".leaflet-marker-pane .pole-cluster").first.wait_for()
    views = page.get_by_role("navigation", name="Lieux de la carte")
    assert [b.inner_text() for b in views.get_by_role("button").all()] == [
        "France métropolitaine",
        "Guadeloupe",
        "Martinique",
        "Guyane",
        "La Réunion",
        "Mayotte",
    ]
    reunion = Pole.objects.filter(region_code="04", latitude__isnull=False).count()
    assert reunion  # the demo has poles there, out of the first view
    views.get_by_role("button", name="La Réunion").click()
    expected = f"{reunion} pôles dans cette zone" if reunion > 1 else "1 pôle dans cette zone"
    page.locator("#map-status").filter(has_text=expected).wait_for()
    blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe(blocking)


def test_a_rule_s_level_and_source_read_as_one_line_of_text_on_a_phone(live_server, demo, new_page):
    """The « Niveau : … · source » summary of each rule is a disclosure with its triangle,
    its text wrapping as a sentence: as a flex box, the source became a narrow column
    beside the level and the « · » an orphan line at 360 px, and no triangle showed."""
    page = new_page("phone")
    page.goto(live_server.url + "/poles/association-jades/")
    summary = page.locator(".rule details summary").first
    assert summary.evaluate("s => getComputedStyle(s).display") == "list-item"
    source = summary.locator("span[lang=fr]")
    box, source_box = summary.bounding_box(), source.bounding_box()
    # the source starts on the level's line or below it, never as a column to its right
    # spanning the summary's full height
    assert source_box["height"] < box["height"] or source_box["x"] <= box["x"] + 20
