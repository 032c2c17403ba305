"""The call's public pages and its set-up pages: who sees what, forms that refuse with the
service's message and keep nothing, a draft unknown to the public."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, CallDocument, Criterion, Question, Section, Stage
from calls.tests.test_setup_files import EXE, PDF
from conftest import page_queries
from registry.tests import conftest as registry_fixtures

# the registry's own fixtures: poles built through its services
org, pole, complete_pole = (
    registry_fixtures.org,
    registry_fixtures.pole,
    registry_fixtures.complete_pole,
)


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    field = CallDocument._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


@pytest.fixture
def staff(user):
    person = user("equipe", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="change_call"))
    return person


@pytest.fixture
def draft(call):
    return call("brouillon", published_at=None)


def _document(target, private_files):
    from calls.services import calls as services

    manager = target.managers.first()
    return services.calldocument_add(
        call=target,
        actor=manager,
        title="Cahier des charges",
        upload=SimpleUploadedFile("cahier.pdf", PDF),
    )


# --- the public pages -----------------------------------------------------------------------


def test_the_public_list_and_page_of_a_published_call(client, call, db):
    published = call(
        specifications="# Objet\n\n<script>alert(1)</script> *important*",
        faq="**Qui ?** Les pôles.",
        rules=["R1", "R8"],
        departments=["26"],
    )
    listing = client.get(reverse("calls:list")).content.decode()
    assert published.title in listing
    page = client.get(reverse("calls:call", args=[published.slug])).content.decode()
    assert "Clôture dans 9 jours" in page or "Clôture dans 10 jours" in page
    assert "(heure de Paris)" in page
    assert "<h1>Objet</h1>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<em>important</em>" in page
    assert "<strong>Qui ?</strong>" in page
    assert "R1 — " in page
    assert "Drôme (26)" in page
    assert "1\u202f000\u202f000\xa0€" in page


def test_a_closed_call_under_review_says_so_and_when_the_results_come(client, call):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    import time_machine

    paris = ZoneInfo("Europe/Paris")
    with time_machine.travel(datetime(2026, 2, 1, 10, tzinfo=paris), tick=False):
        closed = call(
            opens_at=datetime(2025, 11, 1, 9, tzinfo=paris),
            closes_at=datetime(2026, 1, 15, 12, tzinfo=paris),
            results_on=date(2026, 3, 12),
            published_at=datetime(2025, 10, 1, tzinfo=paris),
        )
        page = client.get(reverse("calls:call", args=[closed.slug])).content.decode()
        assert "Examen en cours" in page
        assert "Résultats attendus le 12 mars 2026" in page
        assert (
            "Clôture dans" not in page
            and reverse("calls:apply_start", args=[closed.slug]) not in page
        )
        assert reverse("calls:laureates", args=[closed.slug]) not in page
    with time_machine.travel(datetime(2026, 3, 13, 10, tzinfo=paris), tick=False):
        page = client.get(reverse("calls:call", args=[closed.slug])).content.decode()
        assert "Examen en cours" in page and "12 mars 2026" not in page  # past: no longer said
        Call.objects.filter(pk=closed.pk).update(results_published_at=timezone.now())
        page = client.get(reverse("calls:call", args=[closed.slug])).content.decode()
        assert "Examen en cours" not in page
        assert "Résultats publiés" in page and "13 mars 2026" in page
        assert reverse("calls:laureates", args=[closed.slug]) in page


def test_an_upcoming_call_says_when_it_opens(client, call):
    soon = call(
        opens_at=timezone.now() + timedelta(days=5), closes_at=timezone.now() + timedelta(days=30)
    )
    page = client.get(reverse("calls:call", args=[soon.slug])).content.decode()
    assert "Ouvre le " in page and "Examen en cours" not in page and "Clôture dans" not in page
    assert reverse("calls:apply_start", args=[soon.slug]) not in page


def test_a_call_with_approximate_dates_shows_no_time_and_no_countdown(client, call):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    old = call(
        "appel-2013",
        opens_at=datetime(2013, 7, 1, tzinfo=paris),
        closes_at=datetime(2014, 1, 10, 12, tzinfo=paris),
        published_at=datetime(2013, 7, 1, tzinfo=paris),
        results_published_at=datetime(2014, 1, 10, 12, tzinfo=paris),
        dates_approximate=True,
    )
    page = client.get(reverse("calls:call", args=[old.slug])).content.decode()
    assert "vers juillet 2013 (date approximative)" in page
    assert "au plus tard le 10 janvier 2014" in page
    assert "12\u00a0h" not in page and "heure de Paris" not in page and "Clos depuis" not in page
    assert "Résultats publiés" in page and reverse("calls:laureates", args=[old.slug]) in page
    listing = client.get(reverse("calls:list")).content.decode()
    assert "Ouvert vers juillet 2013, clos au plus tard le 10 janvier 2014" in listing
    assert "1er juillet 2013 à" not in listing


def test_a_draft_is_unknown_to_the_public_and_to_a_pole_manager(client, draft, user):
    assert client.get(reverse("calls:call", args=[draft.slug])).status_code == 404
    assert draft.title not in client.get(reverse("calls:list")).content.decode()
    client.force_login(user())
    assert client.get(reverse("calls:call", args=[draft.slug])).status_code == 404


def test_documents_are_streamed_for_published_calls_only(client, call, private_files):
    published = call()
    published.managers.add(published.managers.model.objects.create_user("m"))
    document = _document(published, private_files)
    url = reverse("calls:document", args=[published.slug, document.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "cahier-des-charges.pdf" in response["Content-Disposition"]
    Call.objects.filter(pk=published.pk).update(published_at=None)
    assert client.get(url).status_code == 404
    other = call("autre")
    assert client.get(reverse("calls:document", args=[other.slug, document.pk])).status_code == 404


def test_a_pole_manager_sees_the_eligibility_of_each_pole_they_manage(
    client, call, user, complete_pole, pole
):
    published = call(rules=["R1", "R2", "R3", "R4", "R5", "R8"], charter_signed=True)
    manager = user("gerante")
    complete_pole.managers.add(manager)
    bare = pole(name="Pôle en devenir")
    bare.managers.add(manager)
    client.force_login(manager)
    page = client.get(reverse("calls:call", args=[published.slug])).content.decode()
    assert "Votre pôle\xa0: Pôle Sud Archer" in page
    assert "Votre pôle\xa0: Pôle en devenir" in page
    assert "à compléter" in page
    assert "on ne sait pas si le pôle a signé la charte" in page
    client.logout()
    anonymous = client.get(reverse("calls:call", args=[published.slug])).content.decode()
    assert "Votre pôle" not in anonymous


def _rule_lines(page: str) -> list[str]:
    return re.findall(r'<li class="rule rule--.*?</li>', page, flags=re.S)


def test_each_eligibility_line_gives_its_outcome_once(client, call, user, complete_pole, pole):
    published = call(rules=["R1", "R2", "R3", "R4", "R5", "R8"], charter_signed=True)
    manager = user("gerante")
    complete_pole.managers.add(manager)
    pole(name="Pôle en devenir").managers.add(manager)
    client.force_login(manager)
    for url in (
        reverse("calls:call", args=[published.slug]),
        reverse("calls:apply_start", args=[published.slug]),
    ):
        lines = _rule_lines(client.get(url).content.decode())
        assert lines and any("respectée" in line for line in lines)
        for line in lines:
            text = line.lower()
            said = sum(text.count(word) for word in ("respectée", "à compléter", "remplie"))
            assert said <= 1, line
            assert "ne remplit pas" not in text and text.count("contraire") <= 1, line


def test_a_closed_call_says_who_could_apply_in_the_past(client, call):
    now = timezone.now()
    closed = call(closes_at=now - timedelta(days=2), opens_at=now - timedelta(days=40))
    page = client.get(reverse("calls:call", args=[closed.slug])).content.decode()
    assert "Tout pôle de l’annuaire pouvait candidater." in page
    assert "Qui pouvait candidater" in page and "peut candidater" not in page
    open_call = call("ouvert")
    page = client.get(reverse("calls:call", args=[open_call.slug])).content.decode()
    assert "Tout pôle de l’annuaire peut candidater." in page


def test_the_call_page_makes_as_many_queries_with_more_documents_and_poles(
    client, call, user, complete_pole, pole, private_files
):
    published = call(rules=["R1", "R8"])
    manager = user("gerante")
    published.managers.add(manager)
    complete_pole.managers.add(manager)
    client.force_login(manager)
    url = reverse("calls:call", args=[published.slug])
    _document(published, private_files)
    few = page_queries(client, url)
    for _i in range(3):
        _document(published, private_files)
    Stage.objects.create(call=published, name="Autre", kind="regional", region_codes=["84"])
    assert page_queries(client, url) == few
    assert few <= 20


# --- the set-up pages: permissions --------------------------------------------------------

SETUP_URLS = ["call", "form", "stages", "documents"]


@pytest.mark.parametrize("name", SETUP_URLS)
def test_setup_pages_ask_to_sign_in_then_refuse_others(client, draft, user, name):
    url = reverse(f"calls_manage:{name}", args=[draft.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]
    client.force_login(user("autre"))
    assert client.get(url).status_code == 403
    assert client.get(reverse(f"calls_manage:{name}", args=["inconnu"])).status_code == 404


@pytest.mark.parametrize("name", SETUP_URLS)
def test_setup_pages_open_to_the_call_managers_and_the_calls_staff(
    client, draft, user, staff, name
):
    url = reverse(f"calls_manage:{name}", args=[draft.slug])
    manager = user("gestion")
    draft.managers.add(manager)
    client.force_login(manager)
    assert client.get(url).status_code == 200
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_the_list_of_managed_calls_and_who_creates(client, draft, call, user, staff):
    other = call("autre-appel")
    manager = user("gestion")
    draft.managers.add(manager)
    client.force_login(manager)
    page = client.get(reverse("calls_manage:list")).content.decode()
    assert draft.title in page and reverse("calls_manage:call", args=[other.slug]) not in page
    assert reverse("calls_manage:create") not in page
    assert client.get(reverse("calls_manage:create")).status_code == 403
    client.force_login(user("personne"))
    assert client.get(reverse("calls_manage:list")).status_code == 403
    client.force_login(staff)
    page = client.get(reverse("calls_manage:list")).content.decode()
    assert reverse("calls_manage:call", args=[other.slug]) in page
    assert reverse("calls_manage:create") in page


def test_the_menus_lead_to_the_calls(client, user, staff, draft):
    assert reverse("calls:list") in client.get("/").content.decode()
    client.force_login(staff)
    dashboard = client.get(reverse("events_manage:dashboard")).content.decode()
    assert reverse("calls_manage:list") in dashboard
    manager = user("gestion")
    draft.managers.add(manager)
    client.force_login(manager)
    assert reverse("calls_manage:list") in client.get(reverse("portal:account")).content.decode()


# --- the set-up pages: forms ---------------------------------------------------------------


def _call_post(**extra):
    return {
        "title": "Appel 2027",
        "slug": "appel-2027",
        "summary": "Pour les pôles.",
        "funders": "État",
        "budget": "500000",
        "opens_at": "2027-03-01T09:00",
        "closes_at": "2027-05-15T12:00",
        "rules": ["R1", "R8"],
        "regions": "",
        "departments": "",
        "max_file_size": "10",
        "max_total_size": "30",
        **extra,
    }


def test_a_call_is_created_and_edited_through_the_forms(client, staff):
    client.force_login(staff)
    response = client.post(reverse("calls_manage:create"), _call_post())
    assert response.status_code == 302
    created = Call.objects.get()
    assert timezone.localtime(created.closes_at).hour == 12
    response = client.post(
        reverse("calls_manage:call", args=[created.slug]),
        _call_post(closes_at="2027-02-01T12:00"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "L’appel doit clore après son ouverture." in page or "closes_at_error" in page
    assert 'aria-invalid="true"' in page
    created.refresh_from_db()
    assert timezone.localtime(created.closes_at).month == 5


def test_the_call_form_shows_amounts_the_french_way_and_takes_them_back(client, staff):
    client.force_login(staff)
    client.post(reverse("calls_manage:create"), _call_post())
    created = Call.objects.get()
    url = reverse("calls_manage:call", args=[created.slug])
    page = client.get(url).content.decode()
    assert 'name="budget" value="500\u202f000"' in page and "500000.00" not in page
    for typed in ("500\u202f000", "500 000,00 €", "1 234 567,5"):
        assert client.post(url, _call_post(budget=typed)).status_code == 302
    created.refresh_from_db()
    assert created.budget == Decimal("1234567.50")
    assert 'value="1\u202f234\u202f567,50"' in client.get(url).content.decode()
    response = client.post(url, _call_post(budget="12,345"))  # no third decimal: refused
    assert 'id="id_budget_error"' in response.content.decode()
    assert 'value="12,345"' in response.content.decode()  # shown as typed
    created.refresh_from_db()
    assert created.budget == Decimal("1234567.50")


def test_a_date_typed_in_the_call_form_is_kept_after_an_error(client, staff):
    client.force_login(staff)
    # read the French way, given back in the browser's format next to another field's error
    response = client.post(
        reverse("calls_manage:create"),
        _call_post(budget="beaucoup", opens_at="01/03/2027 9 h 30", results_on="12/06/2027"),
    )
    page = response.content.decode()
    assert 'id="id_budget_error"' in page
    assert 'type="datetime-local" name="opens_at" value="2027-03-01T09:30"' in page
    assert 'type="date" name="results_on" value="2027-06-12"' in page
    assert not Call.objects.exists()
    # not a date: shown as typed (a datetime-local input would show it empty)
    response = client.post(reverse("calls_manage:create"), _call_post(closes_at="15 mai 2027"))
    page = response.content.decode()
    assert 'type="text" name="closes_at" value="15 mai 2027"' in page
    assert 'id="id_closes_at_error"' in page
    assert not Call.objects.exists()
    response = client.post(reverse("calls_manage:create"), _call_post(opens_at="01/03/2027 9 h 30"))
    assert response.status_code == 302
    assert timezone.localtime(Call.objects.get().opens_at).minute == 30


def test_stage_numbers_show_the_french_way(client, draft):
    manager = draft.managers.model.objects.create_user("gestion")
    draft.managers.add(manager)
    client.force_login(manager)
    stage = draft.stages.get()
    Stage.objects.filter(pk=stage.pk).update(cutoff=Decimal("3.50"), spread_threshold=2)
    page = client.get(reverse("calls_manage:stage", args=[draft.slug, stage.pk])).content.decode()
    assert 'name="stage-cutoff" value="3,5"' in page
    assert 'name="stage-spread_threshold" value="2"' in page
    assert "3.50" not in page


def test_a_bad_new_call_is_shown_again_with_its_error_and_nothing_kept(client, staff):
    client.force_login(staff)
    response = client.post(reverse("calls_manage:create"), _call_post(budget="-5"))
    assert response.status_code == 200
    assert 'id="id_budget_error"' in response.content.decode()
    assert not Call.objects.exists()


def test_the_form_builder_adds_sections_and_questions(client, draft):
    manager = draft.managers.model.objects.create_user("gestion")
    draft.managers.add(manager)
    client.force_login(manager)
    url = reverse("calls_manage:form", args=[draft.slug])
    assert client.post(url, {"action": "section_add", "title": "Budget"}).status_code == 302
    section = Section.objects.get(title="Budget")
    prefix = f"s{section.pk}"
    bad = client.post(
        url,
        {
            "action": "question_add",
            "section": section.pk,
            f"{prefix}-label": "Thème",
            f"{prefix}-kind": "choice",
            f"{prefix}-choices": "Un seul",
        },
    )
    assert bad.status_code == 400
    assert f'id="id_{prefix}-choices_error"' in bad.content.decode()
    good = client.post(
        url,
        {
            "action": "question_add",
            "section": section.pk,
            f"{prefix}-label": "Montant des fonds propres",
            f"{prefix}-kind": "amount",
            f"{prefix}-required": "on",
        },
    )
    assert good.status_code == 302
    question = Question.objects.get(label="Montant des fonds propres")
    assert question.required
    edit = reverse("calls_manage:question", args=[draft.slug, question.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"label": "Fonds propres", "kind": "amount"})
    question.refresh_from_db()
    assert (question.label, question.required) == ("Fonds propres", False)
    client.post(url, {"action": "question_remove", "id": question.pk})
    assert not Question.objects.filter(pk=question.pk).exists()
    # an unknown action, or one naming no item, is not understood (400), not forbidden
    assert client.post(url, {"action": "nothing"}).status_code == 400
    assert client.post(url, {"action": "section_remove"}).status_code == 400


def test_the_grid_page_refuses_changes_once_locked(client, draft, complete_pole):
    from calls.models import Application, Assignment, Juror, Review, Score

    manager = draft.managers.model.objects.create_user("gestion")
    draft.managers.add(manager)
    client.force_login(manager)
    stage = draft.stages.get()
    url = reverse("calls_manage:stage", args=[draft.slug, stage.pk])
    response = client.post(
        url,
        {"action": "criterion_add", "criterion-label": "Impact", "criterion-weight": "0"},
    )
    assert response.status_code == 400
    assert 'id="id_criterion-weight_error"' in response.content.decode()
    assert (
        client.post(
            url, {"action": "criterion_add", "criterion-label": "Impact", "criterion-weight": "1"}
        ).status_code
        == 302
    )
    application = Application.objects.create(call=draft, pole=complete_pole, stage=stage)
    juror = Juror.objects.create(stage=stage, name="Camille", email="c@example.org")
    assignment = Assignment.objects.create(
        stage=stage, application=application, juror=juror, source="hand"
    )
    Score.objects.create(
        review=Review.objects.create(assignment=assignment),
        criterion=stage.criteria.first(),
        value=2,
    )
    criterion = Criterion.objects.get(label="Impact")
    response = client.post(url, {"action": "criterion_remove", "id": criterion.pk}, follow=True)
    assert "La notation a commencé" in response.content.decode()
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def test_documents_upload_refuses_a_program_renamed_pdf(client, draft, private_files):
    manager = draft.managers.model.objects.create_user("gestion")
    draft.managers.add(manager)
    client.force_login(manager)
    url = reverse("calls_manage:documents", args=[draft.slug])
    bad = client.post(url, {"title": "Budget", "file": SimpleUploadedFile("budget.pdf", EXE)})
    assert bad.status_code == 400
    assert 'id="id_file_error"' in bad.content.decode()
    assert not CallDocument.objects.exists()
    good = client.post(url, {"title": "Budget", "file": SimpleUploadedFile("budget.pdf", PDF)})
    assert good.status_code == 302
    assert CallDocument.objects.get().title == "Budget"


@pytest.mark.parametrize("size", [12 * 1024, 3 * 1024**2])  # just past the cap; far past
def test_a_document_past_the_upload_cap_is_refused_in_french_and_not_kept(
    client, draft, private_files, settings, size
):
    settings.CALLS_MAX_UPLOAD_BYTES = 10_000
    manager = draft.managers.model.objects.create_user("gestion")
    draft.managers.add(manager)
    client.force_login(manager)
    url = reverse("calls_manage:documents", args=[draft.slug])
    big = SimpleUploadedFile("cahier.pdf", PDF + b"0" * size)
    response = client.post(url, {"title": "Cahier des charges", "file": big})
    assert response.status_code == 413
    page = response.content.decode()
    assert "Le fichier dépasse 10\u00a0ko" in page and 'id="id_file_error"' in page
    assert 'value="Cahier des charges"' in page  # the title typed is kept
    assert not CallDocument.objects.exists()
    assert not any(private_files.rglob("*.*"))


def test_a_document_too_large_is_not_read_to_its_end(draft, private_files, settings):
    """The capped handler stops at the file's first bytes: most of the body stays unread."""
    from django.test import RequestFactory

    from calls.views.manage import documents

    settings.CALLS_MAX_UPLOAD_BYTES = 10_000
    manager = draft.managers.model.objects.create_user("gestion")
    draft.managers.add(manager)
    body = SimpleUploadedFile("cahier.pdf", PDF + b"0" * (3 * 1024**2))
    request = RequestFactory().post(
        reverse("calls_manage:documents", args=[draft.slug]), {"title": "T", "file": body}
    )
    request.user = manager
    request.session = {}
    request._dont_enforce_csrf_checks = True  # as the test client does
    response = documents(request, slug=draft.slug)
    assert response.status_code == 413
    assert request.upload_too_large
    assert len(request.META["wsgi.input"].read()) > 2 * 1024**2
    assert not CallDocument.objects.exists()


def test_publishing_from_the_call_page(client, draft):
    manager = draft.managers.model.objects.create_user("gestion")
    draft.managers.add(manager)
    client.force_login(manager)
    Call.objects.filter(pk=draft.pk).update(summary="")
    response = client.post(reverse("calls_manage:publish", args=[draft.slug]), follow=True)
    assert "un résumé" in response.content.decode()
    Call.objects.filter(pk=draft.pk).update(summary="Pour les pôles.")
    client.post(reverse("calls_manage:publish", args=[draft.slug]))
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert client.get(reverse("calls:call", args=[draft.slug])).status_code == 200
    assert timezone.now() - draft.published_at < timedelta(minutes=1)


def test_the_admin_shows_a_call_read_only(client, call, user):
    shown = call()
    client.force_login(user("admin", is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:calls_call_change", args=[shown.pk]))
    assert response.status_code == 200
    assert client.get(reverse("admin:calls_call_add")).status_code == 403
    assert shown.title in client.get(reverse("admin:calls_call_changelist")).content.decode()


def test_the_decision_amount_shows_the_french_way_and_what_was_typed_as_typed(db):
    from calls.forms_decide import DecisionForm

    shown = DecisionForm(prefix="d1", initial={"amount": "120000,00"})
    assert 'value="120\u202f000"' in str(shown["amount"])
    assert 'value="1\u202f234,50"' in str(
        DecisionForm(initial={"amount": Decimal("1234.5")})["amount"]
    )
    typed = DecisionForm({"amount": "120000,5"})
    assert 'value="120000,5"' in str(typed["amount"])
