"""The ranking and decisions pages in a real browser, as the call's manager: axe-core
finds no serious or critical problem, nothing scrolls sideways; a decision is recorded
through the form."""

import pytest

from calls.models import Decision
from calls.tests import decide_helpers as given
from conftest import BLOCKING_IMPACTS, axe_scan, describe, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def scored(live_server, call, user):
    created = call()
    manager = user("gestion")
    created.managers.add(manager)
    stage = created.stages.get()
    jurors = [given.juror(stage), given.juror(stage)]
    files = []
    for i, (name, region) in enumerate(
        (("Pôle Archer", "84"), ("Pôle Bocage", "53"), ("Pôle Causse", "76"))
    ):
        application = given.submitted(
            created,
            pole_=given.pole(name, region_code=region, category="ess_enterprise"),
            title="Coopérer",
            amount=100000,
        )
        files.append(application)
        for j in jurors:
            given.review(stage, application, j, [5 - i, 3])
    given.submitted(created, pole_=given.pole("Pôle Delta"))  # not scored
    return created, stage, files


def _login(page, base):
    page.goto(base + "/compte/connexion/")
    page.fill("input[name=username]", "gestion")
    page.fill("input[name=password]", "Mot-de-passe-2014")
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_ranking_and_decisions_pages(live_server, scored, new_page):
    call, stage, files = scored
    paths = (
        f"/gestion/appels/{call.slug}/etapes/{stage.pk}/classement/",
        f"/gestion/appels/{call.slug}/decisions/",
    )
    for viewport in ("phone", "desktop"):
        page = new_page(viewport)
        _login(page, live_server.url)
        for path in paths:
            assert page.goto(live_server.url + path).status == 200, path
            blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
            assert not blocking, f"{path}\n{describe(blocking)}"
            assert no_horizontal_scroll(page), path
            name = "ranking" if "classement" in path else "decisions"
            screenshot(page, f"calls-{name}-{viewport}")
    page = new_page("desktop")
    _login(page, live_server.url)
    page.goto(live_server.url + paths[1])
    prefix = f"#id_d{files[0].pk}"
    page.select_option(f"{prefix}-outcome", "laureate")
    page.fill(f"{prefix}-amount", "2 000 000")
    page.fill(f"{prefix}-reason", "Coopération exemplaire")
    page.locator(f"#file-{files[0].pk} button[type=submit]").click()
    page.locator(".alert.error").filter(has_text="budget").wait_for()
    blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe(blocking)
    page.fill(f"{prefix}-amount", "120 000")
    page.locator(f"#file-{files[0].pk} button[type=submit]").click()
    page.locator(".messages").filter(has_text="Pôle Archer").wait_for()
    assert Decision.objects.get().amount == 120000
    screenshot(page, "calls-decision-recorded")


def test_public_laureates_page(live_server, scored, new_page):
    from datetime import date

    from calls.services import decisions as services

    call, stage, files = scored
    manager = call.managers.get()
    services.decision_record(
        application=files[0], outcome="laureate", amount="120000", reason="Oui", actor=manager
    )
    services.results_publish(
        call=call,
        actor=manager,
        grantor_name="Ministère de l’Économie",
        grantor_siret="11002001300010",
        payments_from=date(2026, 3, 1),
        payments_until=date(2028, 2, 28),
    )
    for viewport in ("phone", "desktop"):
        page = new_page(viewport)
        assert page.goto(live_server.url + f"/appels/{call.slug}/laureats/").status == 200
        assert "Pôle Archer" in page.content()
        blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, describe(blocking)
        assert no_horizontal_scroll(page)
        screenshot(page, f"calls-laureates-{viewport}")


def test_a_long_ranking_in_pages_on_a_phone(live_server, call, user, new_page):
    """60 files in a regional stage that passes 3 on: the pages, their lines, the search
    for a file and the ticks carried from page to page, without a serious axe problem."""
    created = call()
    created.managers.add(user("gestion"))
    regional, _national = given.two_stages(created)
    regional.passes_on, regional.cutoff = 3, 1
    regional.save()
    juror = given.juror(regional)
    files = []
    for i in range(60):
        application = given.submitted(created, stage=regional, pole_=given.pole(f"Pôle {i:03d}"))
        files.append(application)
        given.review(regional, application, juror, [max(0, 5 - i / 10)] * 2)
    base = f"{live_server.url}/gestion/appels/{created.slug}/etapes/{regional.pk}/classement/"
    for viewport in ("phone", "desktop"):
        page = new_page(viewport)
        _login(page, live_server.url)
        page.goto(base)
        assert page.locator("input[type=checkbox]:checked").count() == 3
        blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, describe(blocking)
        assert no_horizontal_scroll(page)
        page.locator(f"#pass-{files[4].pk}").check()
        page.locator("nav.pager button[value='2']").click()
        page.locator(f"#file-{files[55].pk}").wait_for()
        assert no_horizontal_scroll(page)
        screenshot(page, f"calls-ranking-page-2-{viewport}")
        hidden = page.locator("#pass-on input[type=hidden][name=applications]")
        assert hidden.count() == 4
        page.fill("#find-file", "Pôle 007")
        with page.expect_navigation():
            page.locator("form.find-file button").click()
        assert page.url.endswith(f"?page=1#file-{files[7].pk}")
