"""A juror on a 360 px phone: opens the invitation from the email, signs in, accepts,
signs the declaration of interests, scores a file (the live total follows) and submits;
axe-core on every page of the way."""

import pytest
from django.contrib.auth import get_user_model

from calls.services import jury
from calls.tests import jury_helpers as h
from conftest import (
    BLOCKING_IMPACTS,
    axe_scan,
    describe,
    no_horizontal_scroll,
    screenshot,
    wait_for_mail,
)

pytestmark = pytest.mark.browser


def _check(page, name):
    blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{name}\n{describe(blocking)}"
    assert no_horizontal_scroll(page), name


def test_a_juror_accepts_declares_scores_and_submits_on_a_phone(live_server, call, new_page):
    stage = call().stages.get()
    users = get_user_model().objects
    manager = users.create_user("gestion", password="Gestion-pass-2014")
    stage.call.managers.add(manager)
    users.create_user("amina", email="amina@example.org", password="Amina-pass-2014")
    h.submitted(stage.call, h.pole("Pôle Drôme Coopère"), title="Projet Rivière")
    jury.juror_invite(stage=stage, name="Amina Diallo", email="amina@example.org", actor=manager)
    sent = wait_for_mail(where=lambda m: "amina@example.org" in m.to)
    link = h.link_in(sent[0].body).replace("http://testserver", live_server.url)
    link = live_server.url + link[link.index("/jury/") :]

    page = new_page("phone")
    page.goto(link)
    _check(page, "invitation")
    page.locator("main").get_by_role("link", name="Se connecter").click()
    page.fill("input[name=username]", "amina")
    page.fill("input[name=password]", "Amina-pass-2014")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.get_by_role("button", name="Accepter l’invitation").click()
    page.get_by_role("heading", name="Déclaration d’intérêts").wait_for()
    _check(page, "declaration")
    page.fill("#declaration", "Aucun lien avec les pôles de la Drôme.")
    page.check("#signed")
    page.get_by_role("button", name="Signer la déclaration").click()
    page.locator(".messages").filter(has_text="déclaration d’intérêts est signée").wait_for()

    jury.assignment_run(stage=stage, actor=manager)
    page.reload()
    _check(page, "home")
    page.get_by_role("link", name="Projet Rivière").click()
    c1, c2 = stage.criteria.all()
    page.fill(f"#score_{c1.pk}", "4,5")
    page.fill(f"#score_{c2.pk}", "3")
    page.locator("#grid-total").filter(has_text="4,00").wait_for()  # (2·4,5 + 3) / 3
    page.fill(f"#comment_{c1.pk}", "Une coopération réelle entre les membres.")
    _check(page, "grid")
    screenshot(page, "calls-jury-grid-phone")
    page.get_by_label("Je confirme que mon évaluation est définitive").check()
    page.get_by_role("button", name="Remettre mon évaluation").click()
    page.locator(".messages").filter(has_text="Votre évaluation est remise").wait_for()
    assert "4,00" in page.content()
    _check(page, "grid submitted")
    screenshot(page, "calls-jury-grid-submitted-phone")


def test_the_managers_jury_page_is_accessible(live_server, call, new_page):
    from calls.models import Conflict

    stage = call().stages.get()
    users = get_user_model().objects
    manager = users.create_user("gestion", password="Gestion-pass-2014")
    stage.call.managers.add(manager)
    files = [h.submitted(stage.call, title=f"Projet {n}") for n in ("Nord", "Sud", "Est")]
    seats = [
        h.seat(stage, users.create_user(f"jure{i}", email=f"jure{i}@example.org")) for i in range(3)
    ]
    h.seat(stage, None, name="Invité sans réponse")
    Conflict.objects.create(
        juror=seats[0],
        application=files[0],
        level="review",
        reason="same_network",
        subject="1",
        source="registry",
    )
    jury.assignment_run(stage=stage, actor=manager)
    for viewport in ("phone", "desktop"):
        page = new_page(viewport)
        page.goto(live_server.url + "/compte/connexion/")
        page.fill("input[name=username]", "gestion")
        page.fill("input[name=password]", "Gestion-pass-2014")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        page.goto(live_server.url + f"/gestion/appels/etapes/{stage.pk}/jury/")
        page.get_by_role("heading", name="Conflits d’intérêts").wait_for()
        _check(page, f"manager {viewport}")
        screenshot(page, f"calls-jury-manage-{viewport}")
