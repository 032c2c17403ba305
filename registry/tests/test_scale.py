"""Pages and reads that list or compare rows stay bounded: likely duplicates among
thousands of organisations of one commune, the moderation page, the directory and the
map (same number of queries for 1 and 30 rows)."""

import random

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection

from registry import selectors, services
from registry.models import Organisation, Pole, PoleClaim, Suggestion

pytestmark = pytest.mark.django_db

CROWDED = "26281"  # Romans-sur-Isère


def _word(rng) -> str:
    return "".join(
        rng.choice("bcdfglmnprstv") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))
    )


def _organisations(names, commune=CROWDED, prefix="o"):
    rows = []
    for n, name in enumerate(names):
        row = Organisation(
            name=name,
            slug=f"{prefix}-{n}",
            commune_code=commune,
            category="ess_enterprise",
            ess_status="association",
        )
        row.set_name_key()  # bulk_create does not call save()
        rows.append(row)
    Organisation.objects.bulk_create(rows, batch_size=1000)


def _distinct_names(count: int, seed: int = 9) -> list[str]:
    rng, names = random.Random(seed), set()
    while len(names) < count:
        names.add(f"{_word(rng).title()} {_word(rng)} {_word(rng)}")
    return sorted(names)


@pytest.fixture
def crowded_commune(db):
    """2,000 organisations of distinct names in one commune, and two that are the same
    organisation written twice (before: 2 million comparisons, it never finished)."""
    _organisations(["Les Jardins de Cocagne"], prefix="first")
    _organisations(_distinct_names(2000))
    _organisations(["Jardins de Cocagne (SCOP)"], prefix="last")


def _pairs(found):
    return [{a[1], b[1]} for a, b in found]


def test_likely_duplicates_of_a_crowded_commune_come_from_an_index(
    crowded_commune, django_assert_num_queries
):
    with django_assert_num_queries(3):  # SIREN groups (none: no rows read), poles, organisations
        found = selectors.likely_duplicates()
    assert _pairs(found["similar_organisations"]) == [
        {"Les Jardins de Cocagne", "Jardins de Cocagne (SCOP)"}
    ]


def test_likely_duplicates_stop_at_their_limit(db, django_assert_num_queries):
    _organisations([f"Structure {n}" for n in range(2000)])
    with django_assert_num_queries(1):
        found = selectors.similar_names(Organisation, limit=25)
    assert len(found) == 25
    for a, b in found:
        assert a[2] == b[2] == CROWDED and a[1].startswith("Structure ")


def test_same_siren_groups_are_read_in_two_queries(db, django_assert_num_queries):
    for siret in ("73282932000074", "73282932000082"):
        services.organisation_save(
            data={"name": f"Usine {siret[-2:]}", "category": "enterprise", "ess_status": "not_ess"}
            | {"siret": siret}
        )
    with django_assert_num_queries(4):
        found = selectors.likely_duplicates()
    [group] = found["same_siren"]
    assert group["siren"] == "732829320" and len(group["items"]) == 2


@pytest.mark.postgres
def test_likely_duplicates_use_pg_trgm_on_postgresql(crowded_commune):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "SELECT similarity(%s, %s) > 0.3", ["jardins cocagne", "jardins cocagne scop"]
        )
        assert cursor.fetchone() == (True,)
    found = selectors.likely_duplicates()
    assert _pairs(found["similar_organisations"]) == [
        {"Les Jardins de Cocagne", "Jardins de Cocagne (SCOP)"}
    ]


# --- the moderation page -------------------------------------------------------------------


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_user("editeur", password="x-pass-1234", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["change_pole"]))
    client.force_login(user)
    return client


def _pending(count: int):
    pole = services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": CROWDED})
    PoleClaim.objects.bulk_create(
        PoleClaim(pole=pole, name=f"P {n}", email=f"p{n}@example.org", role="présidente")
        for n in range(count)
    )
    Suggestion.objects.bulk_create(
        Suggestion(pole=pole, message=f"Correction numéro {n} de la fiche") for n in range(count)
    )


def _moderation_queries(editor_client, count: int) -> int:
    from django.test.utils import CaptureQueriesContext

    _pending(count)
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get("/gestion/annuaire/moderation/")
    assert response.status_code == 200
    return len(queries)


def test_the_moderation_page_costs_the_same_for_1_or_30_requests(editor_client):
    one = _moderation_queries(editor_client, 1)
    PoleClaim.objects.all().delete()
    Suggestion.objects.all().delete()
    Pole.objects.all().delete()
    assert _moderation_queries(editor_client, 30) == one


def test_the_moderation_lists_are_limited(editor_client):
    _pending(selectors.MODERATION_LIST + 5)
    page = editor_client.get("/gestion/annuaire/moderation/").content.decode()
    assert page.count('name="claim"') == selectors.MODERATION_LIST
    assert page.count('name="suggestion"') == selectors.MODERATION_LIST
    assert f"{selectors.MODERATION_LIST + 5}" in page


# --- the directory and the map -------------------------------------------------------------


def _poles(count: int):
    from registry import geo
    from registry.models import Activity

    activity = Activity.objects.get_or_create(slug="recyclerie", name="Recyclerie")[0]
    # one commune a department: at zoom 5 some poles are clusters, some are alone
    by_department = {}
    for code, commune in geo.communes().items():
        by_department.setdefault(commune.department, code)
    communes = sorted(by_department.values())[:count]
    for n, code in enumerate(communes):
        pole = services.pole_save(
            data={
                "name": f"Pôle {n}",
                "commune_code": code,
                "territory": ["26"],
                "activities": [activity],
            }
        )
        services.membership_set(
            pole=pole,
            organisation=services.organisation_save(
                data={"name": f"Membre {n}", "category": "research", "ess_status": "not_ess"}
            ),
            role="member",
        )


def _queries(client, url: str, count: int) -> int:
    from django.test.utils import CaptureQueriesContext

    Pole.objects.all().delete()
    _poles(count)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/poles/",
        "/poles/?q=pole&activity=recyclerie&category=research",
        "/poles/carte/points.json?zoom=14",
        "/poles/carte/points.json?zoom=5",
    ],
)
def test_directory_and_map_cost_the_same_for_1_or_30_poles(client, db, url):
    assert _queries(client, url, 30) == _queries(client, url, 1)


def test_long_names_that_never_match_are_compared_within_a_bound(db, monkeypatch):
    """2,000 organisations of one commune named by the same 24 words in another order:
    no pair is similar enough, so the search never stops early. Each comparison costs the
    square of the names' length (30 s of a 30-s worker before): at most
    DUPLICATE_CANDIDATES pairs are compared, each on DUPLICATE_KEY_CHARS letters."""
    import difflib

    words = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
    ]
    words += ["omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"]
    rng = random.Random(9)
    _organisations(["Zeta " + " ".join(rng.sample(words, len(words))) for _ in range(2000)])
    compared = []
    real = difflib.SequenceMatcher

    class Counting(real):
        def __init__(self, isjunk=None, a="", b="", autojunk=True):
            compared.append(max(len(a), len(b)))
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", Counting)
    selectors.likely_duplicates()
    assert 0 < len(compared) <= selectors.DUPLICATE_CANDIDATES * 2  # organisations, poles
    assert max(compared) <= selectors.DUPLICATE_KEY_CHARS
