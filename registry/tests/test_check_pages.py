"""The check as people read it: a State laureate's page, a pole whose data is missing,
a pole whose data proves a rule wrong, the badges, the directory's status facet and the
open data (tri-state ``meets_the_law``)."""

import csv
import importlib
import io
import json
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from registry import selectors, services
from registry.models import Pole

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_registry_demo", stdout=StringIO())


def page_of(client, pole) -> str:
    response = client.get(reverse("registry:pole", args=[pole.slug]))
    assert response.status_code == 200
    return response.content.decode()


def check_section(page: str) -> str:
    return page[page.index('id="check-title"') : page.index('class="cta"')]


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_a_state_laureate_page_shows_no_failure_for_missing_data(client, demo):
    jades = Pole.objects.get(name="Association JADES")
    assert jades.slug == "association-jades" and not jades.memberships.exists()
    page = page_of(client, jades)
    section = check_section(page)
    # the status line agrees with the badge: the State checked it
    assert '<span class="badge status-laureate">Lauréat de l’État</span>' in page
    # (the calls themselves are listed once, above, with their sources)
    assert (
        "L’État a vérifié ces critères en sélectionnant ce pôle (voir les appels ci-dessus)."
        in section
    )
    assert "AMI PTCE 2023" not in section
    assert "se revendique" not in page and "Se revendique" not in page
    # missing data is neutral and says what to add; nothing is red; R8 is not there
    assert "rule--fails" not in section and "✗" not in section and "contraire" not in section
    assert "R8" not in section and "soutien antérieur" not in section
    assert section.count("rule--missing") == 6 and "○ à compléter" in section
    assert "À ajouter\u00a0: les entreprises de l’ESS membres du pôle." in section
    assert "Forme juridique et SIREN non renseignés." in section
    assert "✓ respectée</span> R6" in section  # its territory (974) is known


def test_a_pole_whose_data_proves_a_rule_wrong_shows_it_red(client, demo, pole, org):
    contrary = next(
        p for p in Pole.objects.filter(is_demo=True) if p.check_report["rules"]["R1"] == "fails"
    )
    assert contrary.status == "contrary" and contrary.check_report["meets_the_law"] is False
    page = page_of(client, contrary)
    section = check_section(page)
    assert '<span class="badge status-contrary">Non conforme à la définition légale</span>' in page
    assert "D’après les données de l’annuaire, ce pôle ne répond pas" in section
    r1 = re.search(r'<li class="rule rule--fails">\s*<h4>(.*?)</h4>', section, re.S).group(1)
    assert "✗ contraire à la règle" in r1 and "R1" in r1
    # a legal form of public law is contrary to R5 (a condition of the calls), in red too
    public = pole(name="Pôle public", legal_form="Établissement public")
    section = check_section(page_of(client, public))
    assert re.search(r'rule--fails">\s*<h4><span class="rule-outcome">✗[^<]*</span> R5', section)
    assert "«\u00a0Établissement public\u00a0» est une forme juridique de droit public." in section


def test_r5_says_siren_not_given_for_a_declared_association(client, pole):
    target = pole(siren="", legal_form="Association loi 1901")
    section = check_section(page_of(client, target))
    assert "Personne morale de droit privé (Association loi 1901)\u00a0; SIREN non renseigné." in (
        section
    )
    assert "n’est pas une personne morale" not in section
    holds = r'rule--holds">\s*<h4><span class="rule-outcome">✓ respectée</span> R5'
    assert re.search(holds, section)


def test_an_incomplete_pole_reads_to_be_completed_not_a_failure(client, pole):
    target = pole(name="Pôle sans membres")
    assert target.status == Pole.Status.INCOMPLETE
    page = page_of(client, target)
    section = check_section(page)
    assert '<span class="badge status-incomplete">Fiche à compléter</span>' in page
    assert "Les données de l’annuaire ne montrent pas encore" in section
    assert "rule--fails" not in section and "Aucun membre du pôle n’est encore renseigné" in section


def test_a_checked_pole_says_so_and_the_facet_filters_the_three_outcomes(client, demo):
    checked = Pole.objects.filter(status="checked").first()
    page = page_of(client, checked)
    assert '<span class="badge status-checked">Conforme à la définition légale</span>' in page
    assert "Ce pôle répond à la définition de l’article 9 de la loi" in page
    for status, label in (
        ("laureate", "Lauréat de l’État"),
        ("checked", "Conforme"),
        ("incomplete", "À compléter"),
        ("contrary", "Non conforme"),
    ):
        expected = Pole.objects.filter(status=status).count()
        assert expected, status  # the demo shows every status
        listing = client.get("/poles/", {"status": status}).content.decode()
        assert re.search(rf"✓ {label}[^<]*<span class=\"count\">\({expected}\)", listing)
    # an old link (status=claims) is left out and said
    assert "n’existent plus" in client.get("/poles/?status=claims").content.decode()


def test_open_data_is_tri_state_in_csv_json_geojson_and_the_schema(client, demo):
    jades = Pole.objects.get(name="Association JADES")
    checked = Pole.objects.filter(status="checked").first()
    contrary = Pole.objects.filter(status="contrary").first()
    expected = {jades.pk: None, checked.pk: True, contrary.pk: False}
    records = {r["id"]: r for r in json.loads(body(client.get("/donnees/poles.json")))}
    assert {pk: records[pk]["meets_the_law"] for pk in expected} == expected
    text = body(client.get("/donnees/poles.csv")).lstrip("\ufeff")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(text))}
    cells = {None: "", True: "true", False: "false"}
    assert {pk: rows[pk]["meets_the_law"] for pk in expected} == {
        pk: cells[v] for pk, v in expected.items()
    }
    features = json.loads(body(client.get("/donnees/poles.geojson")))["features"]
    properties = {f["id"]: f["properties"] for f in features}
    assert {pk: properties[pk]["meets_the_law"] for pk in expected} == expected
    schema = client.get("/donnees/datapackage.json").json()["resources"][0]["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    assert (
        fields["meets_the_law"]["type"] == "boolean"
        and "null" in (fields["meets_the_law"]["description"])
    )
    assert "" in schema["missingValues"]  # an empty cell is the unknown value
    assert fields["status"]["constraints"]["enum"] == [
        "laureate",
        "checked",
        "incomplete",
        "contrary",
    ]


def test_the_data_migration_sets_the_three_outcomes(demo, pole):
    migration = importlib.import_module("registry.migrations.0009_pole_status_three_outcomes")
    target = pole(name="Pôle public", legal_form="Établissement public")
    Pole.objects.exclude(status="laureate").update(status="claims", check_report={})
    Pole.objects.filter(status="laureate").update(check_report={"meets_the_law": False})
    migration.recompute(apps, None)
    assert not Pole.objects.filter(status="claims").exists()
    for each in Pole.objects.all():
        report = selectors.pole_check_report(each)
        assert each.status == services.status_for(report, selectors.subject_of(each))
        assert each.check_report == report.summary()
    target.refresh_from_db()
    assert target.status == "incomplete"  # R5 is a condition of the calls, not of the law
    assert Pole.objects.get(name="Association JADES").check_report["meets_the_law"] is None
