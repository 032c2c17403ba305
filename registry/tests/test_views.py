import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from registry.models import Pole

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_registry_demo", stdout=StringIO())


def test_directory_searches_without_accents_and_counts_facets(client, demo):
    page = client.get("/poles/?q=ROMANS").content.decode()
    assert "Pôle Sud Archer" in page
    page = client.get("/poles/", {"q": "ile saint denis"}).content.decode()
    assert "Cité PHARES" in page
    page = client.get("/poles/", {"region": "84", "status": "laureate"}).content.decode()
    expected = Pole.objects.filter(region_code="84", status="laureate").count()
    assert f"{expected} pôles" in page or (expected == 1 and "1 pôle" in page)
    # the status facet counts what each status would give with the region kept
    for status, label in (("checked", "Conforme"), ("claims", "Se revendique")):
        n = Pole.objects.filter(region_code="84", status=status).count()
        if n:
            assert re.search(rf"{label}[^<]*<span class=\"count\">\({n}\)", page)


def test_directory_links_are_shareable_and_paginated(client, demo):
    first = client.get("/poles/").content.decode()
    assert 'rel="next"' in first and "/poles/?page=2" in first
    second = client.get("/poles/?page=2").content.decode()
    assert 'rel="prev"' in second
    names_1 = re.findall(r'<h3><a href="/poles/([^/]+)/">', first)
    names_2 = re.findall(r'<h3><a href="/poles/([^/]+)/">', second)
    assert len(names_1) == 20 and not set(names_1) & set(names_2)


@pytest.mark.parametrize("query", ["region=zz", "status=nope&page=x", "activity=%3Cscript%3E"])
def test_unknown_filters_are_left_out_and_said(client, demo, query):
    response = client.get(f"/poles/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>" not in page.replace('<script type="application/ld+json">', "")
    if "page=x" not in query or "status" in query:
        assert "n’existent plus" in page


def test_pole_page_shows_members_by_category_the_report_and_json_ld(client, demo):
    pole = Pole.objects.filter(is_demo=True, status="checked").first()
    response = client.get(reverse("registry:pole", args=[pole.slug]))
    page = response.content.decode()
    assert "Entreprise de l’ESS" in page and "R1 — Au moins une entreprise de l’ESS" in page
    assert "inventé pour la démonstration" in page
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "Organization" and data["name"] == pole.name
    assert len(data["member"]) == pole.memberships.count()


def test_a_pole_without_ess_enterprise_says_so_in_plain_french(client, demo):
    pole = next(
        p for p in Pole.objects.filter(is_demo=True) if p.check_report["rules"]["R1"] == "fails"
    )
    page = client.get(reverse("registry:pole", args=[pole.slug])).content.decode()
    assert "Aucun membre n’est une entreprise de l’ESS" in page
    assert pole.status == "claims"


def test_laureate_page_cites_its_source(client, demo):
    pole = Pole.objects.get(name="Pôle Sud Archer")
    page = client.get(reverse("registry:pole", args=[pole.slug])).content.decode()
    assert "1er appel à projets PTCE (2013)" in page and "ecoreseau.fr" in page


def test_organisation_and_network_pages(client, demo):
    pole = Pole.objects.filter(is_demo=True).first()
    organisation = pole.memberships.first().organisation
    page = client.get(reverse("registry:organisation", args=[organisation.slug])).content.decode()
    assert pole.name in page and '"memberOf"' in page
    page = client.get(reverse("registry:network", args=["rtes"])).content.decode()
    assert "Réseau des collectivités Territoriales" in page
    assert client.get(reverse("registry:networks")).status_code == 200


def test_unknown_pages_are_404(client, db):
    for url in ("/poles/nulle-part/", "/structures/nulle-part/", "/reseaux/nulle-part/"):
        assert client.get(url).status_code == 404
