"""Applying through the pages: start, the draft (with and without JavaScript), the files
served only to who may see them, the receipt, « Mes candidatures »."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Application, Question
from calls.services import applications as services
from calls.tests.apply_helpers import EXE, PDF, make_pole, upload
from calls.views.apply import time_left


@pytest.fixture
def manager(user):
    return user("gestionnaire")


@pytest.fixture
def pole(manager):
    return make_pole("Pôle Sud Archer", managers=[manager])


@pytest.fixture
def open_call(call):
    return call()


@pytest.fixture
def draft(open_call, pole, manager):
    return services.application_start(call=open_call, pole=pole, actor=manager)


def _url(application, tail=""):
    return f"/appels/{application.call.slug}/candidature/{application.pk}/{tail}"


def test_start_page_shows_eligibility_per_pole_and_starts(client, call, manager):
    restricted = call(regions=["84"])
    make_pole("Pôle Sud Archer", managers=[manager])  # Drôme: Auvergne-Rhône-Alpes
    make_pole("Pôle de Montreuil", "93048", managers=[manager])  # Île-de-France
    client.force_login(manager)
    page = client.get(f"/appels/{restricted.slug}/candidature/").content.decode()
    assert "Pôle Sud Archer" in page and "Pôle de Montreuil" in page
    assert "dans le territoire de l’appel" in page
    assert "hors du territoire de l’appel" in page
    assert page.count('name="pole"') == 1  # only the eligible pole has a start button
    response = client.post(
        f"/appels/{restricted.slug}/candidature/", {"pole": _pole_id(manager, "Pôle Sud Archer")}
    )
    archer = Application.objects.get()
    assert response.url == _url(archer)
    # the ineligible pole's start is refused by the service, said on the page
    response = client.post(
        f"/appels/{restricted.slug}/candidature/",
        {"pole": _pole_id(manager, "Pôle de Montreuil")},
        follow=True,
    )
    assert "hors du territoire" in response.content.decode()
    assert Application.objects.count() == 1


def _pole_id(user, name):
    return user.managed_poles.get(name=name).pk


def test_start_for_a_pole_one_does_not_manage_is_404(client, open_call, user):
    other = make_pole("Pôle d’ailleurs")
    intruder = user("intrus")
    client.force_login(intruder)
    response = client.post(f"/appels/{open_call.slug}/candidature/", {"pole": other.pk})
    assert response.status_code == 404


def test_draft_page_says_draft_and_the_true_time_left(client, draft, manager):
    client.force_login(manager)
    page = client.get(_url(draft)).content.decode()
    assert "Brouillon — non déposé" in page
    assert time_left(draft.call.closes_at) in page
    assert "9 jours" in page  # the call closes in ten days, less a few seconds
    assert "Enregistrer le brouillon" in page


def test_time_left_wording():
    now = timezone.now()
    assert time_left(now + timedelta(days=1, hours=2, minutes=5), now) == "1 jour et 2 heures"
    assert time_left(now + timedelta(hours=2, minutes=5), now) == "2 heures et 5 minutes"
    assert time_left(now + timedelta(minutes=1, seconds=3), now) == "1 minute"
    assert time_left(now + timedelta(seconds=30), now) == "moins d’une minute"
    assert time_left(now - timedelta(seconds=1), now) == "clos"


def test_save_without_javascript_then_with(client, draft, manager):
    question = Question.objects.get(section__call=draft.call)
    client.force_login(manager)
    response = client.post(
        _url(draft),
        {"version": draft.version, "project_title": "Conserverie", f"q{question.pk}": "Texte"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.project_title == "Conserverie" and draft.version == 2
    response = client.post(
        _url(draft),
        {"version": 2, "project_title": "Conserverie coopérative"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json()["version"] == 3 and response.json()["saved_at"]


def test_stale_autosave_returns_the_envelope_and_the_page_shows_what_changed(
    client, draft, manager, user
):
    co = user("co")
    draft.pole.managers.add(co)
    services.application_save_draft(
        application=draft, data={"summary": "Version d’Amina"}, version=1, actor=manager
    )
    client.force_login(co)
    response = client.post(
        _url(draft), {"version": 1, "summary": "Ma version"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["error"]["code"] == "calls.stale_version"
    assert body["version"] == 2
    assert body["changes"][0]["stored"] == "Version d’Amina"
    page = client.post(_url(draft), {"version": 1, "summary": "Ma version"})
    assert page.status_code == 409
    html = page.content.decode()
    assert "Version d’Amina" in html and "Ma version" in html  # nothing typed is lost
    assert 'name="version" value="2"' in html


def test_over_limit_text_is_refused_on_the_page_with_the_text_kept(client, draft, manager):
    question = Question.objects.get(section__call=draft.call)
    client.force_login(manager)
    text = " ".join(["mot"] * 301)
    response = client.post(_url(draft), {"version": 1, f"q{question.pk}": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "300 mots au plus (301 saisis)" in html
    assert text in html


def test_attachment_upload_refused_type_then_pdf(client, draft, manager):
    client.force_login(manager)
    response = client.post(_url(draft, "pieces/"), {"file": upload(EXE, "budget.pdf")}, follow=True)
    assert "n’est pas un fichier PDF" in response.content.decode()
    response = client.post(_url(draft, "pieces/"), {"file": upload(PDF, "budget.pdf")}, follow=True)
    assert "budget.pdf\u00a0» est joint" in response.content.decode()
    assert draft.attachments.count() == 1


def test_attachment_is_served_only_to_who_may_see_it(client, draft, manager, user):
    attachment = services.attachment_add(
        application=draft, upload=upload(PDF, "Budget 2026.pdf"), actor=manager
    )
    url = _url(draft, f"pieces/{attachment.pk}/")
    # anonymous: to the login page
    response = client.get(url)
    assert response.status_code == 302 and "/compte/connexion/" in response.url
    # the manager of another pole: the file is not known
    other = user("autre")
    make_pole("Pôle voisin", managers=[other])
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(_url(draft)).status_code == 404
    # the call's manager and the pole's manager: downloaded, never inline
    call_manager = user("responsable")
    draft.call.managers.add(call_manager)
    for person in (call_manager, manager):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "Budget_2026.pdf" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF


def test_submit_page_lists_what_is_missing(client, draft, manager):
    client.force_login(manager)
    html = client.get(_url(draft, "depot/")).content.decode()
    assert "Avant le dépôt, renseignez" in html
    assert "Décrivez la coopération" in html
    assert "Oui, déposer la candidature" not in html


def _fill(draft, manager):
    question = Question.objects.get(section__call=draft.call)
    return services.application_save_draft(
        application=draft,
        data={
            "project_title": "Conserverie",
            "summary": "Résumé",
            "amount_requested": "5000",
            f"q{question.pk}": "Texte",
        },
        version=draft.version,
        actor=manager,
    )


def test_submit_then_receipt_and_its_pdf(client, draft, manager):
    draft = _fill(draft, manager)
    services.attachment_add(application=draft, upload=upload(PDF, "budget.pdf"), actor=manager)
    draft.refresh_from_db()
    client.force_login(manager)
    response = client.post(_url(draft, "depot/"), {"version": draft.version}, follow=True)
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED
    html = response.content.decode()
    assert draft.sha256 in html and "Télécharger l’accusé de dépôt" in html
    pdf = client.get(_url(draft, "recu.pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert draft.sha256 in text.replace("\n", "")
        assert draft.attachments.get().sha256 in text.replace("\n", "")
        assert "Pôle Sud Archer" in text
    # a second submission of the same page: the clear message, not a second one
    response = client.post(_url(draft, "depot/"), {"version": draft.version}, follow=True)
    assert "a déjà été déposée" in response.content.decode()


def test_withdraw_page(client, draft, manager):
    client.force_login(manager)
    response = client.post(_url(draft, "retrait/"), follow=True)
    draft.refresh_from_db()
    assert draft.status == Application.Status.WITHDRAWN
    assert "La candidature est retirée" in response.content.decode()


def test_my_applications_in_the_account_space(client, draft, manager, open_call):
    client.force_login(manager)
    html = client.get("/compte/").content.decode()
    assert "Mes candidatures" in html
    assert _url(draft) in html
    assert f"/appels/{open_call.slug}/candidature/" in html


def test_the_status_agrees_with_la_candidature_and_the_decision_shows_once_published(
    client, draft, manager, open_call
):
    from django.utils import translation

    from calls.models import Call, Decision

    with translation.override("fr"):
        assert str(Application.Status.SUBMITTED.label) == "déposée"
        assert str(Application.Status.WITHDRAWN.label) == "retirée"
    Application.objects.filter(pk=draft.pk).update(
        status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    client.force_login(manager)
    html = client.get("/compte/").content.decode()
    assert "déposée" in html
    # the submitted file, while the call is open: not « Clos le »
    page = client.get(_url(draft)).content.decode()
    assert "L’appel est ouvert jusqu’au" in page and "Clos le" not in page
    Decision.objects.create(
        application=draft,
        outcome="refused",
        reason="Non",
        decided_by=manager,
        decided_at=timezone.now(),
    )
    assert "non retenue" not in client.get("/compte/").content.decode()  # not yet public
    Call.objects.filter(pk=open_call.pk).update(results_published_at=timezone.now())
    html = client.get("/compte/").content.decode()
    assert "non retenue" in html and "déposée" not in html


def test_the_call_page_leads_a_manager_to_the_application_their_pole_already_has(
    client, manager, pole, open_call
):
    """No « Submit an application » for a manager whose every pole has applied: each pole's
    card links to its file instead (the draft, then the submitted file)."""
    other = make_pole("Pôle de Montreuil", "93048", managers=[manager])
    client.force_login(manager)
    url = f"/appels/{open_call.slug}/"
    page = client.get(url).content.decode()
    assert "Déposer une candidature" in page and "Continuer la candidature" not in page
    draft = services.application_start(call=open_call, pole=pole, actor=manager)
    page = client.get(url).content.decode()
    # one pole still may apply: the button stays; the other pole's card links to its draft
    assert "Déposer une candidature" in page
    assert f"/appels/{open_call.slug}/candidature/{draft.pk}/" in page
    assert "Continuer la candidature de ce pôle (brouillon)" in page
    services.application_start(call=open_call, pole=other, actor=manager)
    page = client.get(url).content.decode()
    assert "Déposer une candidature" not in page
