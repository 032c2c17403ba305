"""The calls' forms say who reads what is sent and link to the calls' part of the privacy
notice (issue 10 §4: the claim and suggestion forms link to theirs, the calls' forms too),
and that part says what the law asks: what, why and on which basis, who sees it, how long."""

import pytest
from django.urls import reverse

from calls.models import Juror
from calls.services import applications as services
from calls.tests import jury_helpers as h
from calls.tests.apply_helpers import make_pole
from calls.tokens import invitation_token

pytestmark = pytest.mark.django_db

LINK = 'href="/donnees-personnelles/#appels"'


def test_the_privacy_notice_has_a_part_on_the_calls(client):
    html = client.get(reverse("core:privacy")).content.decode()
    part = html[html.index('id="appels"') :]
    part = part[: part.index("</ul>")]
    for words in (
        "déclaration d’intérêts",
        "base légale",
        "article 6.1.f",
        "décret n° 2017-779",
        "Qui les voit",
        "jamais un membre en conflit",
        "Combien de temps",
        "registre",
    ):
        assert words in part, words


def test_the_applying_pages_link_to_the_calls_privacy_notice(client, call, user):
    manager = user("gestionnaire")
    pole = make_pole("Pôle Sud Archer", managers=[manager])
    open_call = call()
    client.force_login(manager)
    start = client.get(reverse("calls:apply_start", args=[open_call.slug]))
    assert start.status_code == 200 and LINK in start.content.decode()
    draft = services.application_start(call=open_call, pole=pole, actor=manager)
    page = client.get(reverse("calls:apply_draft", args=[open_call.slug, draft.pk]))
    assert page.status_code == 200 and LINK in page.content.decode()


def test_the_jury_s_invitation_and_declaration_link_to_the_calls_privacy_notice(client, call, user):
    stage = call().stages.get()
    invited = Juror.objects.create(stage=stage, name="Farid", email="farid@example.org")
    page = client.get(reverse("calls_jury:accept", args=[invitation_token(invited)]))
    assert page.status_code == 200 and LINK in page.content.decode()
    dora = user("dora")
    seat = h.seat(stage, dora, declared=False)
    client.force_login(dora)
    page = client.get(reverse("calls_jury:declare", args=[seat.pk]))
    assert page.status_code == 200 and LINK in page.content.decode()
