"""The home page and the footer pages in a real browser at 360 px: the header wraps (no
horizontal scroll), axe-core finds nothing serious."""

from io import StringIO

import pytest
from django.core.management import call_command

from conftest import BLOCKING_IMPACTS, VIEWPORTS, axe_scan, describe, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=StringIO())
    call_command("load_registry_demo", stdout=StringIO())


def test_home_header_does_not_overflow_a_phone(live_server, demo, new_page, django_user_model):
    page = new_page("phone")
    assert VIEWPORTS["phone"]["width"] == 360
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    header = page.locator("header.site-header")
    assert header.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.locator("header nav a").count() >= 7
    screenshot(page, "portal-home-phone")
    # signed in as staff the header has two more links (Mon espace, Gestion): still fits
    django_user_model.objects.create_superuser("equipe", "equipe@example.org", "Equipe-pass-2014")
    page.goto(live_server.url + "/compte/connexion/?next=/")
    page.fill("input[name=username]", "equipe")
    page.fill("input[name=password]", "Equipe-pass-2014")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator("header nav a", has_text="Mon espace").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_home_and_footer_pages_accessibility(live_server, demo, new_page, viewport):
    page = new_page(viewport)
    for path in (
        "/",
        "/contact/",
        "/accessibilite/",
        "/donnees-personnelles/",
        "/plan-du-site/",
        "/compte/connexion/",
        "/compte/mot-de-passe/oublie/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{path}\n{describe(blocking)}"
