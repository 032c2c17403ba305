"""Query counts pinned: every list page makes as many queries with 30 rows as with 1 (an
N+1 would add one per row), the number in ``PINNED``. Each page is loaded once before it
is counted, so that what is cached per process (the geography, the session) does not
count. A count that changes without growing is a page that reads something new: check
it, then pin the new count."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from conftest import page_queries
from registry import services

pytestmark = pytest.mark.django_db


def same_count(client, urls, add_rows) -> None:
    """The pages of ``urls`` with 1 row, then with 30 (``add_rows(n)`` adds n): the count
    pinned in ``PINNED`` both times."""
    add_rows(1)
    one = {url: page_queries(client, url) for url in urls}
    add_rows(29)
    thirty = {url: page_queries(client, url) for url in urls}
    assert thirty == one
    assert one == {url: PINNED[url] for url in urls}


def test_the_directory_the_map_and_open_data_count_no_row_twice(client, pole, org):
    # a pole alone at every zoom, so that the map has single poles besides its clusters
    pole(name="Pôle Basse-Terre", commune_code="97105", territory=[])
    made = iter(range(100))

    def add_poles(n):
        for _ in range(n):
            i = next(made)
            target = pole(name=f"Pôle {i:02d}", commune_code="26281")
            services.membership_set(pole=target, organisation=org(f"Structure {i}"), role="member")

    same_count(
        client,
        [
            "/poles/",
            "/poles/?q=pole",
            "/poles/carte/points.json?zoom=14",
            "/poles/carte/points.json?zoom=3",
            "/donnees/poles.csv",
            "/donnees/poles.geojson",
        ],
        add_poles,
    )


def test_a_pole_page_and_a_member_page_count_no_member_twice(client, pole, org):
    target = pole()
    made = iter(range(100))
    first = org("Archer")

    def add_members(n):
        for _ in range(n):
            i = next(made)
            organisation = first if i == 0 else org(f"Structure {i}", category="enterprise")
            services.membership_set(pole=target, organisation=organisation, role="member")
            if i:  # the organisation's page lists its poles: 30 of them too
                other = pole(name=f"Autre pôle {i}")
                services.membership_set(pole=other, organisation=first, role="partner")

    same_count(client, ["/poles/pole-sud-archer/", f"/structures/{first.slug}/"], add_members)


def test_the_moderation_and_edit_pages_count_no_request_twice(client, pole):
    target = pole()
    editor = get_user_model().objects.create_user("editeur", password="x-pass-1234", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["change_pole"]))
    client.force_login(editor)
    made = iter(range(100))

    def add_requests(n):
        for _ in range(n):
            i = next(made)
            services.claim_submit(
                pole=target, name=f"Personne {i}", email=f"p{i}@archer.example", role="directrice"
            )
            services.suggestion_submit(
                pole=target, name="", email="", message=f"Corriger l’adresse, numéro {i}."
            )
            services.pole_save(
                data={"name": target.name, "commune_code": "26281", "jobs": str(i)},
                pole=target,
                actor=editor,
            )

    same_count(
        client,
        ["/gestion/annuaire/moderation/", "/gestion/annuaire/poles/pole-sud-archer/"],
        add_requests,
    )


# The pinned counts (session and user of the signed-in pages included).
PINNED = {
    "/poles/": 11,
    "/poles/?q=pole": 11,
    "/poles/carte/points.json?zoom=14": 2,
    "/poles/carte/points.json?zoom=3": 2,
    "/donnees/poles.csv": 5,
    "/donnees/poles.geojson": 5,
    "/poles/pole-sud-archer/": 8,
    "/structures/archer/": 2,
    "/gestion/annuaire/moderation/": 11,
    "/gestion/annuaire/poles/pole-sud-archer/": 9,
}
