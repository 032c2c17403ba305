"""The public call page in a real browser, on a 360-px phone, for a manager of a pole:
axe-core finds nothing serious, nothing sticks out sideways, the eligibility is there."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from calls.models import Call, Stage
from conftest import BLOCKING_IMPACTS, axe_scan, describe, no_horizontal_scroll, screenshot
from registry import services as registry_services

pytestmark = pytest.mark.browser


@pytest.fixture
def published(live_server):
    now = timezone.now()
    call = Call.objects.create(
        title="Appel à projets PTCE 2027 — pôles émergents et confirmés",
        slug="appel-2027",
        summary="Soutenir la coopération économique sur les territoires.",
        funders="État (ministère de l’Économie), Banque des Territoires",
        budget=Decimal("3000000"),
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=3),
        published_at=now - timedelta(days=2),
        specifications="# Objet\n\nL’appel soutient les pôles.\n\n* coopération\n* emploi",
        faq="**Qui peut candidater ?** Les pôles de l’annuaire.",
        rules=["R1", "R2", "R5", "R8"],
        charter_signed=True,
        departments=["26", "07"],
        no_laureate_years=3,
    )
    Stage.objects.create(call=call, name="Jury national", kind="national")
    pole = registry_services.pole_save(
        data={"name": "Pôle Sud Archer", "commune_code": "26281", "territory": ["26"]}
    )
    manager = get_user_model().objects.create_user("gerante", password="Gerante-pass-2014")
    pole.managers.add(manager)
    return call


def test_the_call_page_on_a_phone(live_server, published, new_page):
    phone = new_page("phone")
    phone.goto(live_server.url + "/compte/connexion/")
    phone.fill("input[name=username]", "gerante")
    phone.fill("input[name=password]", "Gerante-pass-2014")
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    phone.goto(live_server.url + f"/appels/{published.slug}/")
    phone.get_by_role("heading", name="Votre pôle\xa0: Pôle Sud Archer").wait_for()
    assert "Clôture dans" in phone.locator("#countdown").inner_text()
    assert "heure de Paris" in phone.locator("main").inner_text()
    blocking = [v for v in axe_scan(phone)["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe(blocking)
    assert no_horizontal_scroll(phone)
    screenshot(phone, "calls-call-phone")
