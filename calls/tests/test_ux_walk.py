"""Defects found walking the calls' demo as its users would (UX pass of issue 12)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from calls.management.commands import load_calls_demo as demo
from calls.models import Call, Decision
from calls.ranking import territorial_balance
from calls.selectors_decide import published_laureates

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), translation.override("fr"), transaction.atomic():
        call_command("load_registry_demo", stdout=StringIO())
        call_command("load_calls_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def as_user(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_the_balance_table_sorts_regions_in_french_order():
    rows = territorial_balance({1: "Provence-Alpes-Côte d’Azur", 2: "Île-de-France", 3: None}, {2})
    assert [r.region for r in rows] == ["Île-de-France", "Provence-Alpes-Côte d’Azur", None]


def test_the_laureates_are_in_french_alphabetical_order(loaded):
    old = Call.objects.get(slug=demo.SLUG_2013)
    names = [d.application.pole.name for d in published_laureates(old)]
    assert names.index("Pôle des Alpilles") < names.index("Pôle Sud Archer")
    assert (
        len(names)
        == Decision.objects.filter(application__call=old, outcome=Decision.Outcome.LAUREATE).count()
    )


def test_a_call_under_review_expects_its_results_and_names_its_stages(loaded, client):
    html = client.get(f"/appels/{demo.SLUG_DEMO}/").content.decode()
    assert "Résultats attendus le" in html and "Résultats annoncés le" not in html
    assert "Cellule nationale (fictif) — étape nationale" in html
    assert "(régional)" not in html


def test_the_managers_list_keeps_the_2013_dates_approximate(loaded, client):
    html = as_user(client, demo.MANAGER).get("/gestion/appels/").content.decode()
    assert "clos au plus tard le 10" in html and "(dates approximatives)" in html
    assert "à 0\u00a0h" not in html and "à 0 h" not in html


def test_the_call_page_links_each_stage_jury_and_ranking_once(loaded, client):
    html = as_user(client, demo.MANAGER).get(f"/gestion/appels/{demo.SLUG_DEMO}/").content
    html = html.decode()
    assert ">le jury</a>" in html and ">le classement</a>" in html
    assert "Cellule nationale (fictif) :" not in html


def test_the_upload_field_says_file_not_application(loaded, client):
    as_user(client, demo.POLE_MANAGER)
    html = client.get(f"/appels/{demo.SLUG_OPEN}/candidature/").content.decode()
    assert "Commencer la candidature" in html
    open_call = Call.objects.get(slug=demo.SLUG_OPEN)
    pole = get_user_model().objects.get(username=demo.POLE_MANAGER).managed_poles.first()
    response = client.post(f"/appels/{demo.SLUG_OPEN}/candidature/", {"pole": pole.pk})
    assert response.status_code == 302
    draft = open_call.applications.get(pole=pole)
    html = client.get(f"/appels/{demo.SLUG_OPEN}/candidature/{draft.pk}/").content.decode()
    assert '<label for="file">Fichier</label>' in html


def test_the_demo_texts_use_french_spaces(loaded):
    open_call = Call.objects.get(slug=demo.SLUG_OPEN)
    for text in (open_call.summary, open_call.faq, open_call.specifications):
        for sign in (" :", " ?", " ;", " !"):
            assert sign not in text, (sign, text)
    assert "100\u202f000 euros" in open_call.specifications


def test_a_one_page_ranking_does_not_send_to_page_one(loaded, client):
    call = Call.objects.get(slug=demo.SLUG_DEMO)
    stage = call.stages.order_by("-position").first()
    as_user(client, demo.MANAGER)
    html = client.get(f"/gestion/appels/{call.slug}/etapes/{stage.pk}/classement/").content
    html = html.decode()
    assert "Sous cette ligne" in html and "Page 1 sur 1" in html
    assert "commencent à la page" not in html


def test_the_jury_discussion_gives_times_the_french_way(loaded, client):
    import re

    as_user(client, demo.JUROR)
    first = re.search(r"/jury/dossiers/(\d+)/", client.get("/jury/").content.decode()).group(1)
    client.post(f"/jury/dossiers/{first}/message/", {"body": "À voir en séance."})
    html = client.get(f"/jury/dossiers/{first}/").content.decode()
    assert "À voir en séance." in html
    assert re.search(r"\d{4} à \d{1,2}(&nbsp;|\u00a0| )h", html), "the message's time"
    assert not re.search(r"\d{4}, \d{2}:\d{2}", html)


def test_my_space_offers_an_open_call_only_to_a_pole_that_has_not_applied(loaded, client):
    as_user(client, demo.POLE_MANAGER)
    link = f"/appels/{demo.SLUG_OPEN}/candidature/"
    assert link in client.get("/compte/").content.decode()
    pole = get_user_model().objects.get(username=demo.POLE_MANAGER).managed_poles.get()
    client.post(link, {"pole": pole.pk})  # a draft: the call is now under « My applications »
    html = client.get("/compte/").content.decode()
    assert f'href="{link}"' not in html and "Brouillon — non déposé" in html
    application = Call.objects.get(slug=demo.SLUG_OPEN).applications.get(pole=pole)
    application.status = application.Status.WITHDRAWN
    application.save(update_fields=["status"])
    assert f'href="{link}"' in client.get("/compte/").content.decode()  # may start again
