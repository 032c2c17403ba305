"""The public and applicant pages on the calls' demo (UX review of issue 12)."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from calls import opendata
from calls.management.commands import load_calls_demo as demo
from calls.models import Call

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The registry's and the calls' demos, loaded once for the module's tests (each runs
    in a savepoint of it), rolled back after them."""
    with django_db_blocker.unblock(), translation.override("fr"), transaction.atomic():
        call_command("load_registry_demo", stdout=StringIO())
        call_command("load_calls_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def csv_limit_kept():
    limit = csv.field_size_limit()
    yield
    csv.field_size_limit(limit)


def test_the_awards_csv_leaves_out_the_2013_call_without_amounts_or_dates(
    loaded, client, csv_limit_kept
):
    from frictionless import Resource, Schema

    response = client.get("/donnees/subventions.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    old = Call.objects.get(slug=demo.SLUG_2013)
    # the 2013 call is published, with laureates but no amounts nor payment dates
    assert old.results_published_at and old.payments_from is None
    assert old.applications.filter(decision__outcome="laureate").exists()
    assert all(not r["referenceDecision"].startswith(old.slug) for r in rows)
    report = Resource(
        data=text.encode(),
        format="csv",
        encoding="utf-8",
        schema=Schema.from_descriptor(opendata.schema()),
    ).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert "2013" in opendata.datapackage_resource()["description"]


def test_the_2013_laureates_say_the_amounts_are_not_known(loaded, client):
    old = Call.objects.get(slug=demo.SLUG_2013)
    html = client.get(f"/appels/{old.slug}/laureats/").content.decode()
    known = old.applications.filter(decision__outcome="laureate").count()
    assert f"{known} lauréats." in html
    assert "attribués en tout" not in html and "&nbsp;€" not in html
    assert "montant non renseigné" in html
    assert f"{known} des 23 lauréats annoncés sont connus de l’annuaire" in html
    assert '<th scope="col">Projet</th>' not in html  # no project title is known


def test_the_2013_call_page_gives_its_dates_as_approximate(loaded, client):
    old = Call.objects.get(slug=demo.SLUG_2013)
    assert old.dates_approximate
    Call.objects.filter(pk=old.pk).update(dates_approximate=False)
    call_command("load_calls_demo", stdout=StringIO())  # a demo loaded before: set again
    html = client.get(f"/appels/{old.slug}/").content.decode()
    assert "vers juillet 2013 (date approximative)" in html
    # closed long ago: it says who could apply, it invites no one
    assert "Qui pouvait candidater" in html and "peut candidater" not in html
    assert "heure de Paris" not in html and "Clos depuis" not in html
    assert f"/appels/{old.slug}/laureats/" in html
