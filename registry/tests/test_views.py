import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from registry import services
from registry.models import Network, Organisation, Pole

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
    for status, label in (
        ("checked", "Conforme"),
        ("incomplete", "À compléter"),
        ("contrary", "Non conforme"),
    ):
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
    assert re.search(r"Aucune des \d structures renseignées n’est une entreprise de l’ESS", page)
    assert pole.status == "contrary"


def test_laureate_page_cites_its_source(client, demo):
    pole = Pole.objects.get(name="Pôle Sud Archer")
    page = client.get(reverse("registry:pole", args=[pole.slug])).content.decode()
    assert "1er appel à projets PTCE (2013)" in page and "ecoreseau.fr" in page


def test_organisation_and_network_pages(client, demo):
    pole = Pole.objects.filter(is_demo=True).first()
    organisation = Organisation.objects.order_by("pk").first()
    page = client.get(reverse("registry:organisation", args=[organisation.slug])).content.decode()
    assert pole.name in page and '"memberOf"' in page
    page = client.get(reverse("registry:network", args=["rtes"])).content.decode()
    assert "Réseau des collectivités Territoriales" in page
    assert client.get(reverse("registry:networks")).status_code == 200


def test_unknown_pages_are_404(client, db):
    for url in ("/poles/nulle-part/", "/structures/nulle-part/", "/reseaux/nulle-part/"):
        assert client.get(url).status_code == 404


def test_map_points_are_clustered_per_zoom_and_filtered(client, demo):
    located = Pole.objects.filter(latitude__isnull=False)
    far = client.get("/poles/carte/points.json?zoom=3").json()
    assert far["total"] == located.count() and far["clusters"]
    assert sum(c["count"] for c in far["clusters"]) + len(far["poles"]) == far["total"]
    near = client.get("/poles/carte/points.json?zoom=14&bbox=4.9,44.9,5.2,45.2").json()
    assert not near["clusters"]
    archer = next(p for p in near["poles"] if p["name"] == "Pôle Sud Archer")
    assert archer["url"] == "/poles/pole-sud-archer/" and archer["approximate"] is False
    filtered = client.get("/poles/carte/points.json?zoom=3&status=laureate").json()
    assert filtered["total"] == located.filter(status="laureate").count()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("zoom=beaucoup", "registry.invalid_zoom"),
        ("bbox=1,2,3", "registry.invalid_bbox"),
        ("bbox=0,50,1,40", "registry.invalid_bbox"),
        ("zoom=%C2%B2", "registry.invalid_zoom"),  # « ² » is a digit for isdigit(), not for int()
        ("zoom=99999999999999999999999", "registry.invalid_zoom"),
        ("bbox=%D9%A4,44,5,45", "registry.invalid_bbox"),  # Arabic-Indic digits: float() takes them
        ("bbox=nan,44,5,45", "registry.invalid_bbox"),
        ("bbox=4.9%00,44,5,45", "registry.invalid_bbox"),
    ],
)
def test_map_points_refuse_bad_input_in_french(client, db, query, code):
    response = client.get(f"/poles/carte/points.json?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


def test_map_page_allows_its_tile_server_only(client, db, settings):
    settings.MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    response = client.get("/poles/carte/?region=84")
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.org" in policy
    assert "points.json?region=84" in response.content.decode()
    assert "tiles.example.org" not in client.get("/poles/")["Content-Security-Policy"]


def test_member_category_filter_and_counts_follow_the_memberships(client, demo):
    from registry.models import Membership

    research = Membership.objects.filter(organisation__category="research")
    before = research.values("pole").distinct().count()
    page = client.get("/poles/?category=research").content.decode()
    assert f"{before} pôles" in page
    # a member changes category: the pole leaves the filter (the check keeps it up to date)
    membership = Membership.objects.filter(organisation__category="research").first()
    services.organisation_save(
        data={
            "name": membership.organisation.name,
            "category": "training",
            "ess_status": "not_ess",
        },
        organisation=membership.organisation,
    )
    after = (
        Membership.objects.filter(organisation__category="research")
        .values("pole")
        .distinct()
        .count()
    )
    page = client.get("/poles/?category=research").content.decode()
    assert after == before - 1 and f"{after} pôles" in page


HOSTILE_QUERIES = [
    "q=Romans%00",
    "q=%E2%80%AERomans",  # a bidi override
    "activity=%00",
    "network=rtes%00",
    "region=84%00&department=%00",
    "status=%00checked&category=%01",
    "page=%C2%B2",
    "page=99999999999999999999999999",
    "page=-1",
]


def test_hostile_query_strings_are_cleaned_not_errors(client, db):
    """Every query parameter goes through clean_query / parse_int: a NUL byte (a 500 on
    PostgreSQL before), a control or bidi character is dropped, a bad page is page 1."""
    services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": "26281"})
    for url in ("/poles/", "/poles/carte/points.json", "/poles/carte/"):
        for query in HOSTILE_QUERIES:
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200, (url, query)
            if url != "/poles/carte/" and query.startswith("q="):
                assert "Pôle Sud Archer" in response.content.decode(), (url, query)


def _meta(page: str, prop: str) -> str:
    found = re.search(rf'<meta property="{prop}" content="([^"]*)"', page)
    return found.group(1) if found else ""


def test_pole_network_and_organisation_pages_have_open_graph_tags(client, demo, settings):
    from django.contrib.staticfiles import finders

    pole = Pole.objects.get(name="Pôle Sud Archer")
    network = pole.networks.first() or Network.objects.first()
    organisation = Organisation.objects.order_by("pk").first()
    for url, title in (
        (f"/poles/{pole.slug}/", pole.name),
        (f"/reseaux/{network.slug}/", network.name),
        (f"/structures/{organisation.slug}/", organisation.name),
    ):
        page = client.get(url).content.decode()
        assert _meta(page, "og:title") == title.replace("'", "&#x27;"), url
        assert _meta(page, "og:type") == "website"
        assert _meta(page, "og:url") == f"http://testserver{url}"
        image = _meta(page, "og:image")
        assert image.startswith("http://testserver/") and image.endswith("og-default.png")
        assert _meta(page, "og:description"), url
    assert finders.find("core/img/og-default.png")  # the image is shipped
    from PIL import Image

    with Image.open(finders.find("core/img/og-default.png")) as picture:
        assert picture.size == (1200, 630)


def _empty_values(value, path="$"):
    if isinstance(value, dict):
        if set(value) <= {"@type", "@context"}:
            yield path
        for key, item in value.items():
            yield from _empty_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        if not value:
            yield path
        for index, item in enumerate(value):
            yield from _empty_values(item, f"{path}[{index}]")
    elif value in ("", None):
        yield path


def test_json_ld_leaves_out_empty_values_at_any_depth(client, demo):
    townless = Pole.objects.filter(commune_name="")
    assert townless.exists()  # the demo has poles without a town
    for pole in [*townless[:3], Pole.objects.get(name="Pôle Sud Archer")]:
        page = client.get(f"/poles/{pole.slug}/").content.decode()
        data = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
        assert list(_empty_values(data)) == [], pole.name
        if pole.region_code:
            assert data["address"]["addressRegion"]
        assert "addressLocality" not in data["address"] or pole.commune_name
    organisation = Organisation.objects.filter(commune_name="").first() or (
        services.organisation_save(
            data={"name": "Sans commune", "category": "other", "ess_status": "not_ess"}
        )
    )
    page = client.get(f"/structures/{organisation.slug}/").content.decode()
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
    assert list(_empty_values(data)) == []


def test_pole_page_dates_its_rules_in_french(client, demo):
    from registry.rules import RULES_VERSION

    pole = Pole.objects.get(name="Pôle Sud Archer")
    page = client.get(f"/poles/{pole.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    text = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert RULES_VERSION not in text
    year, month, day = (int(part) for part in RULES_VERSION.split("-"))
    assert re.search(rf"Règles du {'1er' if day == 1 else day} \w+ {year}", text)


def test_claim_page_does_not_glue_the_pole_name_after_de(client, demo):
    pole = Pole.objects.get(name="Association JADES")
    page = client.get(f"/poles/{pole.slug}/revendiquer/").content.decode()
    assert "fiche de Association" not in page
    assert "la fiche «\u00a0Association JADES\u00a0»" in page


def test_a_pole_page_says_the_year_and_the_place_once(client, db):
    """« AMI PTCE 2023 », not « 2023 — AMI PTCE 2023 »; « La Réunion (974) », not
    « La Réunion (974), La Réunion »."""
    pole = services.pole_save(data={"name": "Pôle Saint-Pierre", "commune_code": "97416"})
    services.laureate_add(pole=pole, year=2023, source_url="https://example.org/", call="AMI 2023")
    services.laureate_add(pole=pole, year=2015, source_url="https://example.org/", call="AAP")
    text = " ".join(
        re.sub(r"<[^>]+>", " ", client.get(f"/poles/{pole.slug}/").content.decode()).split()
    )
    assert "AMI 2023" in text and "2023 — AMI 2023" not in text
    assert "2015 — AAP" in text
    assert "La Réunion (974), La Réunion" not in text
    assert "La Réunion (974)" in text


def _pole_text(client, pole) -> str:
    html = client.get(f"/poles/{pole.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", main).split())
    return re.sub(r" ([,.])", r"\1", text)  # a tag before a comma is not a space


@pytest.mark.parametrize(
    ("commune", "territory", "expected"),
    [
        ("63113", "63", "Puy-de-Dôme (63), département"),
        ("97416", "974", "La Réunion (974), département"),
        ("63113", "63113", "Clermont-Ferrand (63), commune 63113"),
    ],
)
def test_a_pole_page_opens_one_parenthesis_per_place(client, db, commune, territory, expected):
    """« Puy-de-Dôme (63), département », not « Puy-de-Dôme (63) (département) »."""
    pole = services.pole_save(
        data={"name": "Pôle Essai", "commune_code": commune, "territory": [territory]}
    )
    text = _pole_text(client, pole)
    assert expected in text
    assert not re.search(r"\)\s*\(", text), re.search(r".{40}\)\s*\(.{40}", text)


def test_a_laureate_pole_page_names_its_calls_once(client, demo):
    """The calls are listed (with their sources) in their own card; the check section
    says what the State checked, without listing them again."""
    pole = Pole.objects.get(slug="association-jades")
    text = _pole_text(client, pole)
    assert text.count("AMI PTCE 2023") == 1
    assert "Lauréat des appels de l’État" in text
    assert "L’État a vérifié ces critères en sélectionnant ce pôle" in text
    assert "La Réunion (974) — position approximative sur la carte" in text
    assert not re.search(r"\)\s*\(", text)
