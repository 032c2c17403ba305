"""The decide pages (call managers only), the public laureates page and the awards CSV."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from calls.models import Application, Decision
from calls.services import decisions as services
from calls.tests import decide_helpers as given
from conftest import page_queries

PUBLISH = {
    "grantor_name": "Ministère de l’Économie",
    "grantor_siret": "11002001300010",
    "payments_from": date(2026, 3, 1),
    "payments_until": date(2028, 2, 28),
}


@pytest.fixture
def manager(user):
    return user("gestion")


@pytest.fixture
def decided(call, manager):
    """A two-stage call: two files passed on to the national stage, scored there."""
    created = call()
    created.managers.add(manager)
    regional, national = given.two_stages(created)
    files = []
    for name, region in (("Pôle Archer", "84"), ("Pôle Bocage", "53"), ("Pôle Causse", "76")):
        files.append(
            given.submitted(created, stage=regional, pole_=given.pole(name, region_code=region))
        )
    rj = [given.juror(regional), given.juror(regional)]
    for i, application in enumerate(files):
        for j in rj:
            given.review(regional, application, j, [5 - i, 4])
    nj = [given.juror(national, "Nadia Juré"), given.juror(national, "Olivier Juré")]
    return created, regional, national, files, nj


def _urls(call, stage, application):
    return [
        ("get", reverse("calls_manage:decisions", args=[call.slug])),
        ("get", reverse("calls_manage:ranking", args=[call.slug, stage.pk])),
        ("post", reverse("calls_manage:ranking", args=[call.slug, stage.pk])),
        ("post", reverse("calls_manage:decision_record", args=[call.slug, application.pk])),
        ("get", reverse("calls_manage:minutes", args=[call.slug])),
        ("post", reverse("calls_manage:results_notify", args=[call.slug])),
        ("post", reverse("calls_manage:results_publish", args=[call.slug])),
    ]


def test_anonymous_is_sent_to_the_login_and_others_are_refused(client, decided, user):
    call, regional, national, files, _ = decided
    for method, url in _urls(call, regional, files[0]):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/compte/connexion/" in response["Location"], url
    stranger = user("curieux")
    files[0].pole.managers.add(stranger)  # even the applying pole's manager
    client.force_login(stranger)
    for method, url in _urls(call, regional, files[0]):
        assert getattr(client, method)(url).status_code == 403, url
    # an unknown call: 404
    assert client.get(reverse("calls_manage:decisions", args=["inconnu"])).status_code == 404
    assert Decision.objects.count() == 0
    regional.refresh_from_db()
    assert regional.closed_at is None


def test_unknown_stage_or_file_of_a_managed_call(client, decided, manager, call):
    created, regional, *_ = decided
    other = call(slug="autre-appel")
    foreign = given.submitted(other)
    client.force_login(manager)
    assert (
        client.get(reverse("calls_manage:ranking", args=[created.slug, 999999])).status_code == 404
    )
    other_stage = other.stages.get()
    url = reverse("calls_manage:ranking", args=[created.slug, other_stage.pk])
    assert client.get(url).status_code == 404
    url = reverse("calls_manage:decision_record", args=[created.slug, foreign.pk])
    assert client.post(url, {}).status_code == 404


def test_staff_with_the_permission_manage_every_call(client, decided, user):
    from django.contrib.auth.models import Permission

    call, regional, *_ = decided
    staff = user("staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_call"))
    client.force_login(staff)
    assert client.get(reverse("calls_manage:decisions", args=[call.slug])).status_code == 200


def test_the_manager_passes_files_on_decides_notifies_and_publishes(client, decided, manager):
    call, regional, national, files, nj = decided
    client.force_login(manager)
    ranking_url = reverse("calls_manage:ranking", args=[call.slug, regional.pk])
    page = client.get(ranking_url).content.decode()
    assert "Pôle Archer" in page and "Équilibre entre régions" in page and "<svg" in page
    # too many files: refused, nothing moved
    response = client.post(ranking_url, {"applications": [f.pk for f in files]})
    assert response.status_code == 400
    assert "au plus" in response.content.decode()
    assert not Application.objects.filter(stage=national).exists()
    response = client.post(ranking_url, {"applications": [files[0].pk, files[1].pk]})
    assert response.status_code == 302
    assert set(Application.objects.filter(stage=national)) == {files[0], files[1]}

    decisions_url = reverse("calls_manage:decisions", args=[call.slug])
    page = client.get(decisions_url).content.decode()
    assert "Pôle Archer" in page and "Pôle Causse" not in page
    record = reverse("calls_manage:decision_record", args=[call.slug, files[0].pk])
    # no reason: refused, on the page again with the message
    response = client.post(
        record, {f"d{files[0].pk}-outcome": "laureate", f"d{files[0].pk}-amount": "100000"}
    )
    assert response.status_code == 400
    assert "Indiquez le motif de la décision." in response.content.decode()
    # over the budget: the numbers are given
    response = client.post(
        record,
        {
            f"d{files[0].pk}-outcome": "laureate",
            f"d{files[0].pk}-amount": "2 000 000",
            f"d{files[0].pk}-reason": "Excellent",
        },
    )
    assert response.status_code == 400
    assert "1\u202f000\u202f000" in response.content.decode()
    response = client.post(
        record,
        {
            f"d{files[0].pk}-outcome": "laureate",
            f"d{files[0].pk}-amount": "100 000",
            f"d{files[0].pk}-reason": "Excellent",
        },
    )
    assert response.status_code == 302
    assert Decision.objects.get().amount == Decimal("100000")
    record = reverse("calls_manage:decision_record", args=[call.slug, files[1].pk])
    client.post(record, {f"d{files[1].pk}-outcome": "refused", f"d{files[1].pk}-reason": "Fragile"})
    assert Decision.objects.count() == 2
    # a file left in the regional stage cannot be decided
    record = reverse("calls_manage:decision_record", args=[call.slug, files[2].pk])
    response = client.post(
        record, {f"d{files[2].pk}-outcome": "refused", f"d{files[2].pk}-reason": "Non"}
    )
    assert response.status_code == 400
    assert Decision.objects.count() == 2

    minutes = client.get(reverse("calls_manage:minutes", args=[call.slug]))
    assert minutes["Content-Type"] == "application/pdf"
    assert minutes.content.startswith(b"%PDF")

    notify = reverse("calls_manage:results_notify", args=[call.slug])
    assert client.post(notify, {}).status_code == 400  # not confirmed
    assert client.post(notify, {"notify-confirm": "on"}).status_code == 302
    assert all(d.notified_at for d in Decision.objects.all())

    laureates = reverse("calls:laureates", args=[call.slug])
    assert client.get(laureates).status_code == 404
    publish = reverse("calls_manage:results_publish", args=[call.slug])
    data = {f"publish-{k}": v for k, v in PUBLISH.items()}
    assert client.post(publish, data).status_code == 400  # not confirmed
    response = client.post(
        publish, {**data, "publish-grantor_siret": "123", "publish-confirm": "on"}
    )
    assert response.status_code == 400
    assert "14 chiffres" in response.content.decode()
    assert client.post(publish, {**data, "publish-confirm": "on"}).status_code == 302
    client.logout()
    page = client.get(laureates)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pôle Archer" in text and "Pôle Bocage" not in text
    # the pole page shows it, now that the results are public
    pole_page = client.get(reverse("registry:pole", args=[files[0].pole.slug])).content.decode()
    assert f"Lauréat\xa0: {call.title}" in pole_page
    pole_page = client.get(reverse("registry:pole", args=[files[1].pole.slug])).content.decode()
    assert f"Candidat\xa0: {call.title}" in pole_page
    assert "/donnees/subventions.csv" in client.get("/donnees/").content.decode()
    response = client.get("/donnees/subventions.csv")
    assert response["Content-Type"].startswith("text/csv")
    csv_text = b"".join(response.streaming_content).decode()
    assert "Pôle Archer" in csv_text and "100000.00" in csv_text


def test_the_pole_page_says_nothing_before_publication(client, decided, manager):
    call, regional, national, files, nj = decided
    services.stage_pass_on(stage=regional, application_ids=[files[0].pk], actor=manager)
    services.decision_record(
        application=files[0], outcome="laureate", amount="1000", reason="Oui", actor=manager
    )
    page = client.get(reverse("registry:pole", args=[files[0].pole.slug])).content.decode()
    assert call.title not in page
    assert client.get(reverse("calls:laureates", args=[call.slug])).status_code == 404
    assert client.get(reverse("calls:laureates", args=["inconnu"])).status_code == 404
    response = client.get("/donnees/subventions.csv")
    assert "Pôle Archer" not in b"".join(response.streaming_content).decode()
    assert client.get("/donnees/subventions.json").status_code == 404


@pytest.mark.parametrize("files_count", [1, 30])
def test_the_ranking_page_runs_a_fixed_number_of_queries(client, call, manager, files_count):
    from django.core.cache import cache

    created = call()
    created.managers.add(manager)
    stage = created.stages.get()
    jurors = [given.juror(stage) for _ in range(3)]
    categories = ["ess_enterprise", "local_authority", None]
    for i in range(files_count):
        application = given.submitted(
            created,
            pole_=given.pole(region_code=["84", "53", "11"][i % 3], category=categories[i % 3]),
        )
        if i % 7:  # some files without reviews
            for j in jurors[: 1 + i % 3]:
                given.review(stage, application, j, [i % 6, (i * 2) % 6])
    client.force_login(manager)
    url = reverse("calls_manage:ranking", args=[created.slug, stage.pk])
    # the first request after a change computes the standing, the next ones read it
    cache.clear()
    cold = page_queries(client, url, warm=False)
    ranking = page_queries(client, url)
    decisions = page_queries(client, reverse("calls_manage:decisions", args=[created.slug]))
    # the numbers of the smaller case, kept: a loop over the files would add queries
    counts = {"ranking": ranking, "ranking_cold": cold, "decisions": decisions}
    assert counts == EXPECTED_QUERIES, counts


# the page: session, user, call, its managers, stage, head of the call's log, the page's
# files; computing the standing adds the stages, the grid, the files, the scores, the
# blocking conflicts and the stage's jurors
EXPECTED_QUERIES = {"ranking": 7, "ranking_cold": 13, "decisions": 16}


def test_the_ranking_flags_a_file_with_fewer_scores_than_jurors_per_file(client, call, manager):
    created = call()
    created.managers.add(manager)
    stage = created.stages.get()
    stage.jurors_per_file = 2
    stage.save()
    jurors = [given.juror(stage) for _ in range(2)]
    full = given.submitted(created, pole_=given.pole("Pôle Complet"))
    short = given.submitted(created, pole_=given.pole("Pôle Court"))
    for j in jurors:
        given.review(stage, full, j, [3, 3])
    given.review(stage, short, jurors[0], [4, 4])
    client.force_login(manager)
    page = client.get(reverse("calls_manage:ranking", args=[created.slug, stage.pk]))
    page = page.content.decode()
    row = page.split(f'id="file-{short.pk}"')[1].split("</tr>")[0]
    assert "1 note sur 2" in row
    row = page.split(f'id="file-{full.pk}"')[1].split("</tr>")[0]
    assert "note sur" not in row and "notes sur" not in row
