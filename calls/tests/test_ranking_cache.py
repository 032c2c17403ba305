"""The ranking page at scale: the standing cached until the call's next logged change,
the table paginated (its lines, a way to reach a file, the ticks of the passing on kept
from page to page), nothing of it for anyone but the call's managers."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from calls.models import Assignment, Conflict
from calls.selectors_decide import RANKING_PAGE_SIZE, cached_standing, compute_standing
from calls.services import decisions as decision_services
from calls.services import jury as jury_services
from calls.services import reviews as review_services
from calls.services.calls import stage_update
from calls.tests import decide_helpers as given
from calls.tests import jury_helpers


@pytest.fixture
def manager(user):
    return user("gestion")


@pytest.fixture
def scored(call, manager, user):
    """Three files scored by two jurors (the models, as the other decide tests), and a
    third juror with an account, assigned to « Pôle Causse », who has not scored yet."""
    created = call()
    created.managers.add(manager)
    stage = created.stages.get()
    files = [
        given.submitted(created, pole_=given.pole(name, region_code=region))
        for name, region in (("Pôle Archer", "84"), ("Pôle Bocage", "53"), ("Pôle Causse", "76"))
    ]
    jurors = [given.juror(stage), given.juror(stage)]
    for i, application in enumerate(files):
        for j in jurors:
            given.review(stage, application, j, [4 - i, 4 - i])
    late = jury_helpers.seat(stage, user("tardive"))
    Assignment.objects.create(stage=stage, application=files[2], juror=late, source="hand")
    return created, stage, files, jurors, late


def _url(call, stage, **query):
    url = reverse("calls_manage:ranking", args=[call.slug, stage.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _row(page: str, application) -> str:
    return page.split(f'id="file-{application.pk}"')[1].split("</tr>")[0]


def _rank(page: str, application) -> str:
    return re.search(r"<td>(\d+)", _row(page, application)).group(1)


def test_a_submitted_review_shows_at_once(client, scored, manager):
    call, stage, files, _jurors, late = scored
    client.force_login(manager)
    page = client.get(_url(call, stage)).content.decode()
    assert _rank(page, files[2]) == "3" and "3,00" not in _row(page, files[2])
    review_services.review_save(
        assignment=Assignment.objects.get(juror=late),
        scores={c.pk: "5" for c in stage.criteria.all()},
        comments={},
        submit=True,
        actor=late.user,
    )
    page = client.get(_url(call, stage)).content.decode()
    # (2 + 2 + 5) / 3 = 3: its raw score moves, and its line says three jurors
    assert "3,00" in _row(page, files[2])
    assert re.search(r"<td>3</td>\s*<td>", _row(page, files[2]))


def test_a_conflict_found_after_the_scores_shows_at_once(client, scored, manager):
    call, stage, files, jurors, _late = scored
    client.force_login(manager)
    page = client.get(_url(call, stage)).content.decode()
    assert re.search(r"<td>2</td>\s*<td>", _row(page, files[0]))  # two jurors
    jury_services.conflict_add(
        juror=jurors[0], application=files[0], reason="Il préside le pôle.", actor=manager
    )
    page = client.get(_url(call, stage)).content.decode()
    assert re.search(r"<td>1</td>\s*<td>", _row(page, files[0]))


def test_a_decision_and_a_renamed_stage_show_at_once(client, call, manager):
    created = call()
    created.managers.add(manager)
    regional, national = given.two_stages(created)
    regional.region_codes = ["84"]
    regional.save()
    archer = given.submitted(
        created, stage=national, pole_=given.pole("Pôle Archer", region_code="84")
    )
    given.review(national, archer, given.juror(national), [4, 4])
    client.force_login(manager)
    page = client.get(_url(created, national)).content.decode()
    assert re.search(r"Auvergne-Rhône-Alpes</th><td>1</td><td>0</td>", page)
    decision_services.decision_record(
        application=archer, outcome="laureate", amount="100000", reason="Solide.", actor=manager
    )
    page = client.get(_url(created, national)).content.decode()
    assert re.search(r"Auvergne-Rhône-Alpes</th><td>1</td><td>1</td>", page)
    # the regional stage names the next one
    assert "Jury national" in client.get(_url(created, regional)).content.decode()
    stage_update(
        call=created,
        stage_id=national.pk,
        actor=manager,
        data={
            "name": "Cellule nationale",
            "kind": "national",
            "region_codes": [],
            "jurors_per_file": national.jurors_per_file,
            "passes_on": "",
            "scale_max": national.scale_max,
            "cutoff": "",
            "spread_threshold": "",
        },
    )
    assert "Cellule nationale" in client.get(_url(created, regional)).content.decode()


def test_the_standing_is_computed_once_until_the_next_logged_change(scored, manager):
    call, stage, files, jurors, _late = scored
    first = cached_standing(call, stage)
    # a write that skips the services (and their log) is not one the cache follows...
    Conflict.objects.create(
        juror=jurors[0],
        application=files[0],
        level="conflict",
        reason="manager",
        source="manager",
        status="confirmed",
    )
    assert cached_standing(call, stage) == first
    assert compute_standing(stage) != first
    # ... the next logged change brings it in
    jury_services.conflict_add(
        juror=jurors[1], application=files[1], reason="Il y travaille.", actor=manager
    )
    assert cached_standing(call, stage) == compute_standing(stage) != first


def test_what_is_cached_is_the_same_for_every_manager_and_language(client, scored, user):
    call, stage, files, _jurors, _late = scored
    first, second = user("gestion-fr"), user("gestion-en")
    call.managers.add(first, second)
    client.force_login(first)
    french = client.get(_url(call, stage)).content.decode()
    client.force_login(second)
    with translation.override("en"):
        english = client.get(_url(call, stage), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Équilibre entre régions" in french and "Balance between regions" in english
    for application in files:
        assert _rank(french, application) == _rank(english, application)


@pytest.mark.parametrize("who", ["juror", "conflicted", "applicant", "anonymous"])
def test_a_warm_cache_gives_nothing_to_anyone_but_the_managers(client, scored, manager, user, who):
    call, stage, files, jurors, late = scored
    client.force_login(manager)
    assert client.get(_url(call, stage)).status_code == 200
    client.logout()
    if who == "juror":
        client.force_login(late.user)
    elif who == "conflicted":
        seat = jury_helpers.seat(stage, user("en-conflit"))
        Conflict.objects.create(
            juror=seat,
            application=files[0],
            level="conflict",
            reason="manager",
            source="manager",
            status="confirmed",
        )
        client.force_login(seat.user)
    elif who == "applicant":
        files[0].pole.managers.add(applicant := user("porteur"))
        client.force_login(applicant)
    for url in (_url(call, stage), _url(call, stage, page=1), _url(call, stage, dossier="Archer")):
        response = client.get(url)
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert b'id="file-' not in response.content and b"4,00" not in response.content


@pytest.fixture
def many(call, manager):
    """120 files in one stage, 117 scored (three under the cut-off), three not scored."""
    created = call()
    created.managers.add(manager)
    stage = created.stages.get()
    stage.cutoff = 1
    stage.save()
    jurors = [given.juror(stage) for _ in range(2)]
    files = []
    for i in range(120):
        application = given.submitted(created, pole_=given.pole(f"Pôle n° {i:03d}"))
        files.append(application)
        if i < 117:
            for j in jurors:
                given.review(stage, application, j, [5 - (i % 6) if i >= 3 else 0] * 2)
    return created, stage, files


def test_the_table_is_paginated_with_its_lines_and_whole_balance(client, many, manager):
    call, stage, files = many
    client.force_login(manager)
    pages = [client.get(_url(call, stage, page=n)).content.decode() for n in (1, 2, 3)]
    rows = [len(re.findall(r'<tr id="file-', page)) for page in pages]
    assert rows == [RANKING_PAGE_SIZE, RANKING_PAGE_SIZE, 120 - 2 * RANKING_PAGE_SIZE]
    for page in pages:  # the tables below count every file, on every page
        assert re.search(r"<td>120</td>", page)
        assert "Page " in page
    # the three files scored 0 are under the cut-off: the line is drawn above the first
    line = "Sous cette ligne"
    assert sum(page.count(line) for page in pages) == 1
    assert "commencent à la page" in pages[0]
    assert all(f"file-{files[i].pk}" in pages[2] for i in (117, 118, 119))  # not scored, last
    # an unknown page number gives the nearest page
    assert client.get(_url(call, stage, page=99)).status_code == 200
    assert client.get(_url(call, stage, page="x")).status_code == 200


def test_a_file_is_reached_by_its_rank_or_its_name(client, many, manager):
    call, stage, files = many
    client.force_login(manager)
    response = client.get(_url(call, stage, dossier="51"))
    assert response.status_code == 302 and "?page=2#file-" in response["Location"]
    target = files[118]
    response = client.get(_url(call, stage, dossier="n° 118"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"?page=3#file-{target.pk}")
    response = client.get(_url(call, stage, dossier="Pôle inconnu"))
    assert response.status_code == 200
    assert "Aucun dossier de cette étape ne correspond." in response.content.decode()


def test_the_ticks_of_the_passing_on_go_from_page_to_page(client, call, manager):
    created = call()
    created.managers.add(manager)
    regional, national = given.two_stages(created)
    regional.passes_on = 3
    regional.save()
    juror = given.juror(regional)
    files = [
        given.submitted(created, stage=regional, pole_=given.pole(f"Pôle {i:03d}"))
        for i in range(RANKING_PAGE_SIZE + 5)
    ]
    for i, application in enumerate(files):
        given.review(regional, application, juror, [5 - i * 5 / len(files)] * 2)
    client.force_login(manager)
    url = _url(created, regional)
    page = client.get(url).content.decode()
    # the three best are ticked; the line after them
    assert page.count(" checked") == 3 and "au-delà des 3 qui passent" in page
    # ticks changed on page 1 (the first and the last of the page), then page 2
    chosen = [files[0].pk, files[RANKING_PAGE_SIZE - 1].pk]
    page = client.post(url, {"applications": chosen, "go": "2", "page": "1"}).content.decode()
    hidden = re.findall(r'type="hidden" name="applications" value="(\d+)"', page)
    assert sorted(map(int, hidden)) == sorted(chosen)
    on_two = files[RANKING_PAGE_SIZE + 2].pk
    response = client.post(url, {"applications": [*chosen, on_two], "page": "2"})
    assert response.status_code == 302
    assert set(national.applications.values_list("pk", flat=True)) == {*chosen, on_two}
