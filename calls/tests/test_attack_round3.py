"""Security audit PoCs, round 3 (wt-attack): each test failed on the audited code (a 500
seen on gunicorn, DEBUG off, PostgreSQL) and passes with its fix."""

from datetime import datetime

import pytest
from django.urls import reverse

from calls.services import calls as services
from calls.tests import decide_helpers as h
from core.errors import DomainError


@pytest.fixture
def ranked(call, user, client):
    """A call whose manager is signed in, with one submitted file: its ranking page's URL."""
    c = call()
    manager = user("gestion")
    c.managers.add(manager)
    h.submitted(c)
    client.force_login(manager)
    return reverse("calls_manage:ranking", args=[c.slug, c.stages.get().pk])


@pytest.mark.parametrize("typed", ["²", "①", "٣²"])
def test_finding_a_file_by_a_unicode_digit_is_not_a_500(client, ranked, typed):
    """GET …/classement/?dossier=² : ``str.isdigit`` is true for « ² » and « ① », then
    ``int()`` raises ValueError — a 500. It is a name to look for (nothing found)."""
    response = client.get(ranked, {"dossier": typed})
    assert response.status_code == 200
    assert response.context["not_found"]


def test_finding_a_file_by_a_name_with_a_nul_is_not_a_500(client, ranked):
    """GET …/classement/?dossier=a%00b : PostgreSQL refuses a NUL in the ``icontains``
    query (ValueError, a 500). The control character is dropped from the query."""
    response = client.get(ranked, {"dossier": "a\x00b"})
    assert response.status_code == 200


@pytest.mark.parametrize("action", ["go", "pass_on"])
def test_a_posted_unicode_digit_on_the_ranking_is_not_a_500(client, ranked, action):
    """POST …/classement/ with applications=² (the ticks carried to another page, or the
    passing on): ``v.isdigit()`` keeps « ² », ``int(v)`` raises — a 500."""
    data = {"applications": ["²", "①"]}
    if action == "go":
        data["go"] = "1"
    response = client.post(ranked, data)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("typed", ["100000", "9999,999", "12 345"])
def test_a_criterion_weight_beyond_the_column_is_refused(call, user, typed):
    """POST …/etapes/<id>/ action=criterion_add, criterion-weight=100000: ``_decimal``
    accepts up to 1e10 but the column holds 6 digits (9 999,99 at most): PostgreSQL's
    « numeric field overflow » is a 500 (« 9999,999 » rounds to 10 000,00, over too).
    It must be the weight's error, nothing saved."""
    c = call()
    manager = user("gestion")
    c.managers.add(manager)
    stage = c.stages.get()
    before = stage.criteria.count()
    with pytest.raises(DomainError) as caught:
        services.criterion_add(
            call=c, stage_id=stage.pk, actor=manager, data={"label": "Poids", "weight": typed}
        )
    assert caught.value.field == "weight"
    assert "inférieure à 10\u202f000" in caught.value.message
    assert stage.criteria.count() == before


@pytest.mark.parametrize("name", ["opens_at", "closes_at"])
def test_a_call_date_in_year_one_is_refused_not_a_500(user, name):
    """POST /gestion/appels/<slug>/ with closes_at=0001-01-01T00:00: Paris time is UTC+0:09
    then, the conversion to UTC falls before year 1 — OverflowError, a 500. A date out of
    any sensible range is the field's error."""
    manager = user("gestion")
    data = {
        "title": "Appel 2027",
        "slug": "appel-2027",
        "opens_at": datetime(2027, 3, 1, 9),
        "closes_at": datetime(2027, 5, 15, 12),
        "max_file_size": "10",
        "max_total_size": "30",
    }
    data[name] = datetime(1, 1, 1, 0, 0)
    with pytest.raises(DomainError) as caught:
        services.call_create(actor=manager, data=data)
    assert caught.value.field == name
    assert caught.value.message == "Donnez une date entre les années 1990 et 2100."


def test_a_call_date_in_year_one_through_the_form_is_not_a_500(client, user):
    """The same through the call form, as a manager types it."""
    from django.contrib.auth.models import Permission

    staff = user("equipe", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_call"))
    client.force_login(staff)
    response = client.post(
        reverse("calls_manage:create"),
        {
            "title": "Appel 2027",
            "slug": "appel-2027",
            "summary": "Pour les pôles.",
            "funders": "État",
            "budget": "500000",
            "opens_at": "0001-01-01T00:00",
            "closes_at": "2027-05-15T12:00",
            "rules": ["R1", "R8"],
            "max_file_size": "10",
            "max_total_size": "30",
        },
    )
    assert response.status_code in (200, 400)
    assert 'id="id_opens_at_error"' in response.content.decode()


@pytest.mark.parametrize("after", ["decision", "publication"])
def test_a_decided_file_cannot_be_reopened(call, user, after):
    """POST /gestion/appels/<slug>/dossiers/<id>/rouvrir/ on a laureate: the file turns
    back into a draft its pole may change (or withdraw, until the date the manager chose,
    with no upper bound: « 9999-12-31 » is taken) while its decision — and, once published,
    the public laureates page and the directory's laureate — stay. Reopening is for a file
    still under review: one decided is refused, nothing changed."""
    from datetime import timedelta

    from django.utils import timezone

    from calls.models import Application
    from calls.services import applications, decisions

    c = call()
    manager = user("gestion")
    c.managers.add(manager)
    file = h.submitted(c, amount=1000)
    decisions.decision_record(
        application=file, outcome="laureate", amount="1000", reason="Très bon", actor=manager
    )
    if after == "publication":
        c.results_published_at = timezone.now()
        c.save(update_fields=["results_published_at"])
    with pytest.raises(DomainError) as caught:
        applications.application_reopen(
            application=file,
            reason="Pièce illisible",
            until=timezone.now() + timedelta(days=3),
            actor=manager,
        )
    assert caught.value.code == "calls.decided_not_reopenable"
    assert caught.value.message == (
        "Une décision est enregistrée pour cette candidature\u00a0: "
        "elle ne peut plus être rouverte."
    )
    file.refresh_from_db()
    assert file.status == Application.Status.SUBMITTED
