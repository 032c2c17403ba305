import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from core.french import apostrophes
from registry.management.commands.load_registry_demo import LAUREATES
from registry.models import Laureate, Network, Organisation, Pole

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _demo(django_db_setup, django_db_blocker):
    """The registry's demo, loaded once for the module's tests (each runs in a savepoint:
    what it writes is undone before the next), rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_registry_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_the_registry_demo_is_true_to_its_sources_and_idempotent():
    assert Pole.objects.exists()  # loaded once (_demo), then again:
    counts = (Pole.objects.count(), Organisation.objects.count(), Laureate.objects.count())
    call_command("load_registry_demo", stdout=StringIO())
    assert (Pole.objects.count(), Organisation.objects.count(), Laureate.objects.count()) == counts
    assert Network.objects.filter(is_source_partner=True).count() == 6
    with LAUREATES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    real = Pole.objects.filter(is_demo=False)
    assert real.count() == len(rows) == Laureate.objects.count()
    for row in rows:  # every real pole carries its source and its year, nothing invented
        pole = real.get(name=apostrophes(row["name"].strip()))  # as the loader writes it
        assert pole.source_url == row["source_url"] and pole.status == "laureate"
        assert pole.laureates.get().year == int(row["year"])
    phase_two = next(r for r in rows if r["phase"] == "phase 2")
    assert real.get(name=apostrophes(phase_two["name"].strip())).laureates.get().call == (
        "AMI « PTCE émergents » (2021), phase 2"
    )
    archer = real.get(name="Pôle Sud Archer")
    assert archer.commune_code == "26281" and archer.located_by == "commune"
    invented = Pole.objects.filter(is_demo=True)
    assert invented.count() == 40 and len(set(invented.values_list("region_code", flat=True))) >= 10
    assert {"checked", "incomplete", "contrary"} <= set(invented.values_list("status", flat=True))
    assert not Organisation.objects.filter(is_demo=False).exists()


def test_the_registry_demo_gives_an_editor_only_when_asked(client):
    """The demo's claims and suggestions need an editor to decide them (the charter's path
    for a president without an account goes through one): a documented demo account,
    made only with DEBUG or --demo-account, who finds moderation and import in « Mon
    espace »."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    call_command("load_registry_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="editrice").exists()
    out = StringIO()
    call_command("load_registry_demo", "--demo-account", stdout=out)
    call_command("load_registry_demo", "--demo-account", stdout=StringIO())  # idempotent
    assert "editrice / demo-ptce-2014" in out.getvalue()
    assert client.login(username="editrice", password="demo-ptce-2014")
    space = client.get(reverse("portal:account")).content.decode()
    assert f'href="{reverse("registry_manage:moderation")}"' in space
    assert f'href="{reverse("registry_manage:import")}"' in space
    assert client.get(reverse("registry_manage:moderation")).status_code == 200
    assert client.get(reverse("registry_manage:import")).status_code == 200


def test_check_poles_puts_every_status_right():
    Pole.objects.update(status="checked", check_report={})
    out = StringIO()
    call_command("check_poles", stdout=out)
    assert "97 poles checked" in out.getvalue()
    assert Pole.objects.filter(status="laureate").count() == Laureate.objects.count()
    assert not Pole.objects.filter(check_report={}).exists()


def test_the_demo_networks_write_economie_with_its_accent(db):
    """A capital keeps its accent in French: « l’Économie », as the event's partners
    write the same networks."""
    names = list(Network.objects.values_list("name", flat=True))
    assert any("Économie" in name for name in names)
    assert not any("Economie" in name for name in names)


def test_a_department_of_the_territory_shows_its_code_once(client, db):
    """« La Réunion (974) (département 974) » said the code twice: the department's name
    already carries it."""
    import re

    html = client.get("/poles/association-jades/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    start = html.index("<dt>Territoire</dt>")
    territory = re.sub(r"<[^>]+>", "", html[start : html.index("</dd>", start)])
    assert "La Réunion (974)" in territory
    assert territory.count("974") == 1, territory
