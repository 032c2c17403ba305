"""The pieces that make the calls one product: the manager's list of applications and the
reopening of a file, the manager's conflict added by hand, the links between the parts
(call page → juries, rankings, decisions; public page → laureates; « My space » → jury)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls import ledger
from calls.models import Application, Assignment, Conflict, Review
from calls.services import jury
from calls.tests import jury_helpers as h
from core.errors import DomainError


@pytest.fixture
def stage(call):
    return call().stages.get()


@pytest.fixture
def manager(stage, user):
    m = user("gestion")
    stage.call.managers.add(m)
    return m


@pytest.fixture
def file(stage):
    return h.submitted(stage.call, title="Projet Alpha")


def _list(call):
    return reverse("calls_manage:applications", args=[call.slug])


def _reopen(application):
    return reverse("calls_manage:application_reopen", args=[application.call.slug, application.pk])


def _tomorrow():
    return (timezone.localdate() + timedelta(days=3)).isoformat()


# --- the list of applications ----------------------------------------------------------------


def test_applications_list_permissions(client, stage, manager, file, user):
    url = _list(stage.call)
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(user("curieux"))
    assert client.get(url).status_code == 403
    assert client.post(_reopen(file), {"reason": "x", "until": _tomorrow()}).status_code == 403
    client.force_login(manager)
    assert client.get(reverse("calls_manage:applications", args=["inconnu"])).status_code == 404
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Projet Alpha" in html and file.pole.name in html
    assert reverse("calls:apply_draft", args=[stage.call.slug, file.pk]) in html
    assert _reopen(file) in html


def test_manager_reads_a_submitted_file_without_a_way_to_change_it(client, stage, manager, file):
    client.force_login(manager)
    response = client.get(reverse("calls:apply_draft", args=[stage.call.slug, file.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<fieldset disabled>" in html
    assert reverse("calls:apply_submit", args=[stage.call.slug, file.pk]) not in html
    assert reverse("calls:apply_withdraw", args=[stage.call.slug, file.pk]) not in html
    response = client.get(reverse("calls:apply_receipt", args=[stage.call.slug, file.pk]))
    assert reverse("calls:apply_withdraw", args=[stage.call.slug, file.pk]) not in (
        response.content.decode()
    )


def test_reopen_a_submitted_file_once(client, stage, manager, file):
    client.force_login(manager)
    response = client.post(_reopen(file), {"reason": "Il manque le budget.", "until": _tomorrow()})
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.status == Application.Status.DRAFT and file.reopen_reason == "Il manque le budget."
    assert timezone.localtime(file.reopened_until).date().isoformat() == _tomorrow()
    assert ledger.verify(stage.call)
    # a draft again: no form; a second reopening is refused
    assert _reopen(file) not in client.get(_list(stage.call)).content.decode()
    Application.objects.filter(pk=file.pk).update(status=Application.Status.SUBMITTED)
    response = client.post(_reopen(file), {"reason": "Encore.", "until": _tomorrow()})
    assert response.status_code == 409
    assert "déjà été rouverte" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "", "until": "2099-01-01"}, "Indiquez"),
        ({"reason": "Budget", "until": ""}, "doit être à venir"),
        ({"reason": "Budget", "until": "pas une date"}, "doit être à venir"),
        ({"reason": "Budget", "until": "2001-01-01"}, "doit être à venir"),
    ],
)
def test_reopen_refusals_are_shown_in_the_form(client, stage, manager, file, data, message):
    client.force_login(manager)
    response = client.post(_reopen(file), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'aria-invalid="true"' in html
    assert data["reason"] in html  # what was typed is kept
    file.refresh_from_db()
    assert file.status == Application.Status.SUBMITTED and file.reopened_at is None


def test_reopen_a_draft_is_refused(client, stage, manager, user):
    draft = Application.objects.create(call=stage.call, pole=h.pole())
    client.force_login(manager)
    response = client.post(_reopen(draft), {"reason": "x", "until": _tomorrow()})
    assert response.status_code == 409
    assert "Seule une candidature déposée" in response.content.decode()


def test_reopen_a_file_of_another_call_is_not_found(client, call, stage, manager):
    other = h.submitted(call("autre-appel"))
    client.force_login(manager)
    url = reverse("calls_manage:application_reopen", args=[stage.call.slug, other.pk])
    assert client.post(url, {"reason": "x", "until": _tomorrow()}).status_code == 404
    assert client.get(_reopen(other)).status_code in (403, 405)


# --- the conflict added by hand --------------------------------------------------------------


def test_conflict_add_keeps_the_juror_away(stage, manager, file, user):
    amina = user("amina")
    seat = h.seat(stage, amina)
    Assignment.objects.create(stage=stage, application=file, juror=seat, source="hand")
    conflict = jury.conflict_add(
        juror=seat, application=file, reason="Sa sœur préside le pôle.", actor=manager
    )
    assert conflict.source == Conflict.Source.MANAGER and conflict.blocks
    assert conflict.note == "Sa sœur préside le pôle." and conflict.decided_by == manager
    assert jury.conflict_message(conflict) == "Sa sœur préside le pôle."
    assert ledger.verify(stage.call)
    with pytest.raises(DomainError) as exc:
        jury.conflict_add(juror=seat, application=file, reason="Encore", actor=manager)
    assert exc.value.code == "calls.conflict_exists"


def test_conflict_add_refusals(stage, manager, file, user, call):
    seat = h.seat(stage, user("amina"))
    cases = [
        ({"reason": "  "}, "calls.conflict_add_reason_required"),
        ({"actor": user("curieux")}, "calls.not_call_manager"),
        ({"application": Application.objects.create(call=stage.call, pole=h.pole())}, None),
        ({"application": h.submitted(call("autre-appel"))}, None),
    ]
    for change, code in cases:
        kwargs = {"juror": seat, "application": file, "reason": "Lien", "actor": manager, **change}
        with pytest.raises(DomainError) as exc:
            jury.conflict_add(**kwargs)
        assert exc.value.code == (code or "calls.not_a_file_of_stage")
    type(stage).objects.filter(pk=stage.pk).update(closed_at=timezone.now())
    with pytest.raises(DomainError) as exc:
        jury.conflict_add(juror=seat, application=file, reason="Lien", actor=manager)
    assert exc.value.code == "calls.stage_closed"
    assert not Conflict.objects.exists()


def test_conflict_add_form(client, stage, manager, file, user):
    seat = h.seat(stage, user("amina"), name="Amina")
    url = reverse("calls_manage:stage_jury_conflict_add", args=[stage.pk])
    page = reverse("calls_manage:stage_jury", args=[stage.pk])
    data = {"juror": seat.pk, "application": file.pk, "reason": "Elle y a travaillé."}
    assert client.post(url, data).status_code == 302  # to the sign-in page
    client.force_login(user("curieux"))
    assert client.post(url, data).status_code == 403
    client.force_login(manager)
    assert url in client.get(page).content.decode()
    response = client.post(url, {**data, "reason": ""})
    assert response.status_code == 400
    assert "Dites ce qui lie" in response.content.decode()
    response = client.post(url, {**data, "juror": "x"})
    assert response.status_code == 404
    assert not Conflict.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    assert Conflict.objects.get().source == Conflict.Source.MANAGER
    assert "Elle y a travaillé." in client.get(page).content.decode()


def test_the_manager_is_told_when_a_conflict_takes_a_juror_off_a_file(
    client, stage, manager, file, user
):
    seat = h.seat(stage, user("amina"), name="Amina")
    other = h.seat(stage, user("karim"), name="Karim")
    jury.assignment_set(stage=stage, application=file, juror=seat, actor=manager)
    jury.assignment_set(stage=stage, application=file, juror=other, actor=manager)
    client.force_login(manager)
    url = reverse("calls_manage:stage_jury_conflict_add", args=[stage.pk])
    data = {"juror": seat.pk, "application": file.pk, "reason": "Elle y a travaillé."}
    page = client.post(url, data, follow=True).content.decode()
    assert [a.juror for a in Assignment.objects.all()] == [other]
    assert (
        "Affectation retirée pour Amina sur le dossier «\u00a0Projet Alpha\u00a0» (faite avant le "
        "conflit)\u00a0: affectez un autre juré ou relancez la répartition." in page
    )
    assert "Projet Alpha\u00a0: 1 juré sur 2" in page


# --- the links between the parts -------------------------------------------------------------


def test_call_page_links_to_juries_rankings_decisions_and_applications(client, stage, manager):
    client.force_login(manager)
    html = client.get(reverse("calls_manage:call", args=[stage.call.slug])).content.decode()
    for url in (
        reverse("calls_manage:stage_jury", args=[stage.pk]),
        reverse("calls_manage:ranking", args=[stage.call.slug, stage.pk]),
        reverse("calls_manage:decisions", args=[stage.call.slug]),
        reverse("calls_manage:applications", args=[stage.call.slug]),
    ):
        assert url in html


def test_public_pages_link_to_the_laureates_once_published(client, stage):
    call = stage.call
    laureates = reverse("calls:laureates", args=[call.slug])
    assert laureates not in client.get(reverse("calls:call", args=[call.slug])).content.decode()
    assert client.get(laureates).status_code == 404
    type(call).objects.filter(pk=call.pk).update(results_published_at=timezone.now())
    assert laureates in client.get(reverse("calls:call", args=[call.slug])).content.decode()
    html = client.get(reverse("calls:list")).content.decode()
    assert laureates in html and "Résultats publiés" in html
    assert client.get(laureates).status_code == 200


def test_my_space_links_to_the_jury_with_the_files_waiting(client, stage, user, file):
    amina = user("amina")
    client.force_login(amina)
    assert reverse("calls_jury:home") not in client.get(reverse("portal:account")).content.decode()
    seat = h.seat(stage, amina)
    done = h.submitted(stage.call, title="Projet Beta")
    Assignment.objects.create(stage=stage, application=file, juror=seat, source="hand")
    scored = Assignment.objects.create(stage=stage, application=done, juror=seat, source="hand")
    Review.objects.create(assignment=scored, submitted_at=timezone.now())
    html = client.get(reverse("portal:account")).content.decode()
    assert reverse("calls_jury:home") in html
    assert "1 dossier attend votre note" in html


# --- the links of the calls' emails ----------------------------------------------------------


def _links_open_for(client, body, person, settings):
    import re

    links = re.findall(r"https?://\S+", body)
    assert links, "the email has a link"
    for link in links:
        assert link.startswith(settings.SITE_URL + "/"), f"{link} is not an address of the site"
        if person is None:
            client.logout()
        else:
            client.force_login(person)
        path = link[len(settings.SITE_URL) :]
        assert client.get(path).status_code == 200, f"{path} does not open for its recipient"


def test_the_emails_links_are_absolute_and_open_for_their_recipient(
    client, stage, manager, file, user, settings
):
    from calls import emails_apply, emails_decide, emails_jury
    from calls.models import Decision, Juror
    from core.models import OutboundEmail

    porteuse = user("porteuse")
    file.pole.managers.add(porteuse)
    decision = Decision.objects.create(
        application=file, outcome="laureate", amount=1000, reason="Bravo", decided_at=timezone.now()
    )
    sent = emails_decide._decision(OutboundEmail(object_id=decision.pk, to=porteuse.email))
    _links_open_for(client, sent.body, porteuse, settings)
    assert "Votre candidature" in sent.body

    Application.objects.filter(pk=file.pk).update(sha256="a" * 64)
    sent = emails_apply._receipt(OutboundEmail(object_id=file.pk, to=porteuse.email))
    _links_open_for(client, sent.body, porteuse, settings)

    juror = Juror.objects.create(stage=stage, name="Hana", email="hana@example.org")
    sent = emails_jury._invited(OutboundEmail(object_id=juror.pk, to=juror.email))
    _links_open_for(client, sent.body, None, settings)
