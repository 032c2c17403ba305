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


def client_bytes(client, url) -> bytes:
    return b"".join(client.get(url).streaming_content)


def test_the_data_package_validates_with_frictionless(client, demo, tmp_path):
    import frictionless

    descriptor = client.get("/donnees/datapackage.json").json()
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    for resource in descriptor["resources"]:
        name = resource["name"]
        # relative to the descriptor (served beside the files), not the serving host's URL
        assert resource["path"] == f"{name}.csv"
        assert resource["encoding"] == "utf-8"  # an IANA name ("utf-8-sig" is not)
        (tmp_path / f"{name}.csv").write_bytes(client_bytes(client, f"/donnees/{name}.csv"))
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
    rows = list(csv.DictReader(io.StringIO(body(client.get("/donnees/poles.csv")))))
    records = json.loads(body(client.get("/donnees/poles.json")))
    assert len(rows) == len(records) == Pole.objects.count()
    strings = [c.name for c in opendata.POLE_COLUMNS if c.type == "string"]
    for row, record in zip(rows, records, strict=True):
        assert {k: row[k] for k in strings} == {k: record[k] or "" for k in strings}
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


def test_the_csv_is_plain_utf8_and_keeps_values_as_they_are(client, db):
    """Open data: no byte order mark, no apostrophe before a leading = + - @ (the CSV says
    the same as the JSON; the page tells spreadsheet users to import as text)."""
    values = ('=HYPERLINK("http://evil")', "+33 1 23", "-2", "@SUM(A1)", "L’Atelier")
    for name in values:
        services.organisation_save(
            data={"name": name, "category": "other", "ess_status": "not_ess"}
        )
    raw = client_bytes(client, "/donnees/structures.csv")
    assert raw.startswith(b"id,slug,name,")  # no BOM
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    records = json.loads(body(client.get("/donnees/structures.json")))
    assert sorted(r["name"] for r in rows) == sorted(values)
    assert [r["name"] for r in rows] == [r["name"] for r in records]


def test_the_data_package_is_described_in_french_with_its_metadata(client, demo):
    descriptor = client.get("/donnees/datapackage.json").json()
    assert descriptor["homepage"] == "http://testserver/donnees/"
    assert descriptor["version"] == opendata.VERSION
    assert descriptor["created"].endswith("Z") and descriptor["created"][:4].isdigit()
    assert "PTCE" in descriptor["keywords"] and descriptor["contributors"]
    assert descriptor["description"].startswith("Les pôles territoriaux")
    titles = {r["name"]: r["title"] for r in descriptor["resources"]}
    assert titles["poles"] == "Pôles (PTCE)"
    assert titles["structures"].startswith("Structures")
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    assert fields["name"]["description"] == "Nom"
    page = client.get("/donnees/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pôles (PTCE)" in page and "Poles (PTCE)" not in page
    assert "Memberships" not in page


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
