"""Open data: the files, their Data Package validated by frictionless, the streaming."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse

from registry import opendata, services
from registry.models import Membership, Organisation, Pole

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_registry_demo", stdout=StringIO())


def body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)  # never built whole in memory
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_data_package_validates_with_frictionless(client, demo, tmp_path):
    import frictionless

    descriptor = client.get("/donnees/datapackage.json").json()
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    for resource in descriptor["resources"]:
        name = resource["name"]
        assert resource["path"] == f"http://testserver/donnees/{name}.csv"
        (tmp_path / f"{name}.csv").write_text(
            body(client.get(f"/donnees/{name}.csv")), encoding="utf-8"
        )
        resource["path"] = f"{name}.csv"  # the same files, read from disk
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert report.tasks[0].stats["rows"] == Pole.objects.count()


def test_a_broken_foreign_key_is_caught_by_the_validation(client, demo, tmp_path):
    """The check above can fail: a membership pointing to no pole is reported."""
    import frictionless

    descriptor = client.get("/donnees/datapackage.json").json()
    for resource in descriptor["resources"]:
        text = body(client.get(f"/donnees/{resource['name']}.csv"))
        if resource["name"] == "adhesions":
            lines = text.splitlines()
            lines[1] = "999999" + lines[1][lines[1].index(",") :]
            text = "\n".join(lines) + "\n"
        (tmp_path / f"{resource['name']}.csv").write_text(text, encoding="utf-8")
        resource["path"] = f"{resource['name']}.csv"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {row[0] for row in report.flatten(["type"])}


def test_csv_json_and_geojson_say_the_same(client, demo):
    rows = list(
        csv.DictReader(io.StringIO(body(client.get("/donnees/poles.csv")).lstrip("\ufeff")))
    )
    records = json.loads(body(client.get("/donnees/poles.json")))
    assert len(rows) == len(records) == Pole.objects.count()
    archer = next(r for r in records if r["name"] == "Pôle Sud Archer")
    assert archer["status"] == "laureate" and archer["laureate_years"] == "2013"
    assert archer["commune_code"] == "26281" and archer["demo"] is False
    collection = json.loads(body(client.get("/donnees/poles.geojson")))
    assert collection["type"] == "FeatureCollection"
    feature = next(f for f in collection["features"] if f["id"] == archer["id"])
    lon, lat = feature["geometry"]["coordinates"]
    assert (lon, lat) == (round(archer["longitude"], 6), round(archer["latitude"], 6))
    assert 4 < lon < 6 and 44 < lat < 46  # longitude first (RFC 7946)
    assert all(not isinstance(v, dict | list) for v in feature["properties"].values())
    memberships = json.loads(body(client.get("/donnees/adhesions.json")))
    assert len(memberships) == Membership.objects.count()
    structures = client.get("/donnees/structures.csv")
    assert structures["Access-Control-Allow-Origin"] == "*"


def test_formula_cells_are_neutralised_in_csv(client, db):
    for name in ('=HYPERLINK("http://evil")', "+33 1 23", "-2", "@SUM(A1)"):
        services.organisation_save(
            data={"name": name, "category": "other", "ess_status": "not_ess"}
        )
    text = body(client.get("/donnees/structures.csv"))
    names = [row["name"] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]
    assert sorted(names) == sorted(['\'=HYPERLINK("http://evil")', "'+33 1 23", "'-2", "'@SUM(A1)"])
    # JSON is not a spreadsheet: the names stay as they are
    assert {r["name"] for r in json.loads(body(client.get("/donnees/structures.json")))} >= {"-2"}


def test_exports_read_the_database_in_chunks(client, db, django_assert_max_num_queries, settings):
    """Constant memory: rows come from a server-side iterator, chunk by chunk, and the
    number of queries does not grow with the rows (prefetches are per chunk)."""
    for index in range(30):
        services.organisation_save(
            data={"name": f"Structure {index}", "category": "other", "ess_status": "not_ess"}
        )
    original = opendata.CHUNK
    opendata.CHUNK = 10
    try:
        response = client.get("/donnees/structures.csv")
        with django_assert_max_num_queries(8):
            lines = body(response).splitlines()
    finally:
        opendata.CHUNK = original
    assert len(lines) == 31 and Organisation.objects.count() == 30


def test_unknown_datasets_are_404(client, db):
    for url in ("/donnees/inconnu.csv", "/donnees/poles.xml"):
        assert client.get(url).status_code == 404
    page = client.get("/donnees/").content.decode()
    assert "Licence Ouverte" in page and "datapackage.json" in page
