"""The call and its set-up (calls.services.calls): each refusal, and what is kept."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls import errors, ledger
from calls.models import (
    Application,
    Assignment,
    Call,
    CallDocument,
    Criterion,
    Juror,
    LogEntry,
    Question,
    Review,
    Score,
    Section,
    Stage,
)
from calls.services import calls as services
from calls.tests.test_setup_files import EXE, PDF
from core.errors import DomainError
from registry.tests import conftest as registry_fixtures

# the registry's own fixtures: poles built through its services
org, pole, complete_pole = (
    registry_fixtures.org,
    registry_fixtures.pole,
    registry_fixtures.complete_pole,
)


def call_data(**extra):
    return {
        "title": "Appel à projets PTCE 2027",
        "slug": "appel-2027",
        "summary": "Soutenir les pôles.",
        "funders": "État",
        "budget": "1 500 000",
        "opens_at": datetime(2027, 3, 1, 9, 0),
        "closes_at": datetime(2027, 5, 15, 12, 0),
        "rules": ["R5", "R1", "R8"],
        "regions": "84",
        "departments": "",
        **extra,
    }


@pytest.fixture
def staff(user):
    return user("gestionnaire", is_staff=True)


@pytest.fixture
def draft(staff):
    return services.call_create(actor=staff, data=call_data())


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    field = CallDocument._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


def refused(error, field=None):
    class _Refused:
        def __enter__(self):
            return self

        def __exit__(self, kind, exc, tb):
            assert isinstance(exc, DomainError), exc
            assert exc.error is error, exc.code
            if field is not None:
                assert exc.field == field
            self.message = str(exc.message)
            return True

    return _Refused()


# --- the call ------------------------------------------------------------------------------


def test_a_call_is_created_as_a_draft_in_paris_time_and_logged(draft, staff):
    assert draft.published_at is None
    assert draft.budget == Decimal("1500000.00")
    assert draft.rules == ["R1", "R5", "R8"]
    assert draft.regions == ["84"]
    local = timezone.localtime(draft.closes_at, services.PARIS)
    assert (local.hour, local.minute, local.utcoffset()) == (12, 0, timedelta(hours=2))
    assert draft.closes_at == datetime(2027, 5, 15, 10, 0, tzinfo=UTC)
    assert list(draft.managers.all()) == [staff]
    assert list(LogEntry.objects.values_list("action", flat=True)) == ["calls.call.created"]
    assert ledger.verify(draft) == []


@pytest.mark.parametrize(
    ("extra", "error", "field"),
    [
        ({"title": "  "}, errors.FIELD_INVALID, "title"),
        ({"title": "x" * 201}, errors.FIELD_INVALID, "title"),
        ({"slug": "Appel 2027"}, errors.SLUG_INVALID, "slug"),
        ({"slug": ""}, errors.SLUG_INVALID, "slug"),
        ({"opens_at": None}, errors.DATE_REQUIRED, "opens_at"),
        ({"closes_at": "demain"}, errors.DATE_REQUIRED, "closes_at"),
        ({"closes_at": datetime(2027, 3, 1, 9, 0)}, errors.CLOSES_BEFORE_OPENS, "closes_at"),
        ({"closes_at": datetime(2027, 2, 1, 9, 0)}, errors.CLOSES_BEFORE_OPENS, "closes_at"),
        ({"budget": "-1"}, errors.BUDGET_NEGATIVE, "budget"),
        ({"budget": "beaucoup"}, errors.BAD_AMOUNT, "budget"),
        ({"budget": "1e400"}, errors.BAD_AMOUNT, "budget"),
        ({"rules": ["R1", "R9"]}, errors.RULE_UNKNOWN, "rules"),
        ({"regions": "84 99"}, errors.PLACE_CODE_INVALID, "regions"),
        ({"departments": "26 100"}, errors.PLACE_CODE_INVALID, "departments"),
        ({"founded_before": "1789"}, errors.NUMBER_INVALID, "founded_before"),
        ({"no_laureate_years": "0"}, errors.NUMBER_INVALID, "no_laureate_years"),
        ({"charter_min_version": "un"}, errors.NUMBER_INVALID, "charter_min_version"),
        ({"max_file_size": "20", "max_total_size": "10"}, errors.NUMBER_INVALID, "max_total_size"),
        ({"results_on": "2027-07-01"}, errors.FIELD_INVALID, "results_on"),
    ],
)
def test_bad_call_data_is_refused_and_nothing_is_kept(staff, extra, error, field):
    with refused(error, field) as refusal:
        services.call_create(actor=staff, data=call_data(**extra))
    assert refusal.message
    assert not Call.objects.exists()
    assert not LogEntry.objects.exists()


def test_a_slug_is_not_taken_twice(draft, staff):
    with refused(errors.SLUG_TAKEN, "slug") as refusal:
        services.call_create(actor=staff, data=call_data(title="Autre"))
    assert refusal.message == "Un autre appel a déjà cette adresse."
    other = services.call_create(actor=staff, data=call_data(slug="autre"))
    with refused(errors.SLUG_TAKEN, "slug"):
        services.call_update(call=other, actor=staff, data=call_data())
    assert Call.objects.get(pk=other.pk).slug == "autre"


def test_an_update_is_kept_and_logged(draft, staff):
    services.call_update(
        call=draft, actor=staff, data=call_data(budget="2000000", departments="26 07")
    )
    draft.refresh_from_db()
    assert draft.budget == Decimal("2000000")
    assert draft.departments == ["26", "07"]
    assert LogEntry.objects.last().action == "calls.call.updated"
    with refused(errors.CLOSES_BEFORE_OPENS):
        services.call_update(
            call=draft, actor=staff, data=call_data(closes_at=datetime(2027, 1, 1, 0, 0))
        )
    draft.refresh_from_db()
    assert draft.budget == Decimal("2000000")


def _complete(call):
    stage = Stage.objects.create(call=call, name="National", kind="national")
    Criterion.objects.create(stage=stage, label="Coopération", weight=1)
    section = Section.objects.create(call=call, title="Projet")
    Question.objects.create(section=section, label="Décrivez", kind="text")
    return stage


def test_publishing_needs_a_stage_a_grid_and_a_question_then_happens_once(draft, staff):
    with refused(errors.PUBLISH_INCOMPLETE) as refusal:
        services.call_publish(call=draft, actor=staff)
    assert "une étape" in refusal.message
    _complete(draft)
    services.call_publish(call=draft, actor=staff)
    draft.refresh_from_db()
    assert draft.published_at is not None
    with refused(errors.ALREADY_PUBLISHED):
        services.call_publish(call=draft, actor=staff)
    assert LogEntry.objects.last().action == "calls.call.published"
    assert ledger.verify(draft) == []


# --- the application form ----------------------------------------------------------------


def test_sections_and_questions_are_added_ordered_and_removed(draft, staff):
    first = services.section_add(call=draft, actor=staff, data={"title": "Le pôle"})
    second = services.section_add(call=draft, actor=staff, data={"title": "Le projet"})
    services.section_move(call=draft, section_id=second.pk, actor=staff, up=True)
    assert list(draft.sections.values_list("title", flat=True)) == ["Le projet", "Le pôle"]
    text = services.question_add(
        call=draft,
        section_id=first.pk,
        actor=staff,
        data={"label": "Coopération", "kind": "text", "max_words": "300", "required": True},
    )
    choice = services.question_add(
        call=draft,
        section_id=first.pk,
        actor=staff,
        data={"label": "Thème", "kind": "choice", "choices": "Emploi\nMobilité\nEmploi\n"},
    )
    assert choice.choices == ["Emploi", "Mobilité"]
    services.question_move(call=draft, question_id=choice.pk, actor=staff, up=True)
    assert list(first.questions.values_list("pk", flat=True)) == [choice.pk, text.pk]
    services.question_update(
        call=draft,
        question_id=text.pk,
        actor=staff,
        data={"label": "Coopération", "kind": "text", "max_chars": "2000"},
    )
    text.refresh_from_db()
    assert (text.max_words, text.max_chars, text.required) == (None, 2000, False)
    services.section_update(call=draft, section_id=first.pk, actor=staff, data={"title": "Pôle"})
    services.question_remove(call=draft, question_id=choice.pk, actor=staff)
    services.section_remove(call=draft, section_id=second.pk, actor=staff)
    assert list(Section.objects.values_list("title", flat=True)) == ["Pôle"]
    assert ledger.verify(draft) == []


@pytest.mark.parametrize(
    ("data", "error", "field"),
    [
        ({"label": "", "kind": "text"}, errors.FIELD_INVALID, "label"),
        ({"label": "Q", "kind": "essay"}, errors.FIELD_INVALID, "kind"),
        ({"label": "Q", "kind": "amount", "max_words": "10"}, errors.QUESTION_LIMIT_INVALID, None),
        ({"label": "Q", "kind": "text", "max_words": "0"}, errors.NUMBER_INVALID, "max_words"),
        ({"label": "Q", "kind": "choice", "choices": "Un\nUn"}, errors.CHOICES_REQUIRED, None),
        ({"label": "Q", "kind": "choice"}, errors.CHOICES_REQUIRED, "choices"),
    ],
)
def test_bad_questions_are_refused(draft, staff, data, error, field):
    section = services.section_add(call=draft, actor=staff, data={"title": "Projet"})
    with refused(error, field):
        services.question_add(call=draft, section_id=section.pk, actor=staff, data=data)
    assert not Question.objects.exists()


def test_items_of_another_call_are_not_reached(draft, staff):
    other = services.call_create(actor=staff, data=call_data(slug="autre"))
    section = services.section_add(call=other, actor=staff, data={"title": "Projet"})
    with refused(errors.NOT_IN_CALL):
        services.section_remove(call=draft, section_id=section.pk, actor=staff)
    with refused(errors.NOT_IN_CALL):
        services.question_add(
            call=draft, section_id=section.pk, actor=staff, data={"label": "Q", "kind": "text"}
        )
    stage = _complete(other)
    with refused(errors.NOT_IN_CALL):
        services.criterion_add(
            call=draft, stage_id=stage.pk, actor=staff, data={"label": "C", "weight": "1"}
        )
    assert Section.objects.filter(pk=section.pk).exists()


def test_the_form_is_locked_once_an_application_is_submitted(draft, staff, complete_pole):
    section = services.section_add(call=draft, actor=staff, data={"title": "Projet"})
    Application.objects.create(
        call=draft, pole=complete_pole, status="submitted", submitted_at=timezone.now()
    )
    with refused(errors.FORM_LOCKED):
        services.question_add(
            call=draft, section_id=section.pk, actor=staff, data={"label": "Q", "kind": "text"}
        )
    with refused(errors.FORM_LOCKED):
        services.section_remove(call=draft, section_id=section.pk, actor=staff)


# --- stages and grids --------------------------------------------------------------------


def stage_data(**extra):
    return {
        "name": "Jury national",
        "kind": "national",
        "jurors_per_file": "3",
        "scale_max": "5",
        "cutoff": "2,5",
        **extra,
    }


def test_regional_stages_then_a_national_one(draft, staff):
    south = services.stage_add(
        call=draft,
        actor=staff,
        data=stage_data(name="Sud", kind="regional", region_codes="93 76", passes_on="10"),
    )
    national = services.stage_add(call=draft, actor=staff, data=stage_data())
    assert (south.position, national.position) == (1, 2)
    assert south.region_codes == ["93", "76"]
    assert national.region_codes == []
    assert national.cutoff == Decimal("2.5")
    with refused(errors.STAGES_ORDER, "kind"):
        services.stage_add(call=draft, actor=staff, data=stage_data(name="Second national"))
    with refused(errors.STAGES_ORDER, "kind"):
        services.stage_add(
            call=draft, actor=staff, data=stage_data(kind="regional", region_codes="84")
        )
    assert draft.stages.count() == 2
    assert ledger.verify(draft) == []


@pytest.mark.parametrize(
    ("extra", "error", "field"),
    [
        ({"kind": "regional"}, errors.REGIONS_REQUIRED, "region_codes"),
        ({"kind": "regional", "region_codes": "00"}, errors.PLACE_CODE_INVALID, "region_codes"),
        ({"kind": "european"}, errors.FIELD_INVALID, "kind"),
        ({"jurors_per_file": "0"}, errors.NUMBER_INVALID, "jurors_per_file"),
        ({"scale_max": ""}, errors.NUMBER_INVALID, "scale_max"),
        ({"cutoff": "6"}, errors.SCORE_OUT_OF_SCALE, "cutoff"),
        ({"spread_threshold": "-1"}, errors.SCORE_OUT_OF_SCALE, "spread_threshold"),
        ({"name": ""}, errors.FIELD_INVALID, "name"),
    ],
)
def test_bad_stages_are_refused(draft, staff, extra, error, field):
    with refused(error, field):
        services.stage_add(call=draft, actor=staff, data=stage_data(**extra))
    assert not Stage.objects.exists()


def test_two_regional_stages_do_not_share_a_region(draft, staff):
    services.stage_add(
        call=draft, actor=staff, data=stage_data(name="A", kind="regional", region_codes="84")
    )
    with refused(errors.PLACE_CODE_INVALID, "region_codes"):
        services.stage_add(
            call=draft, actor=staff, data=stage_data(name="B", kind="regional", region_codes="84")
        )


def test_criteria_are_weighted_above_zero_with_a_minimum_within_the_scale(draft, staff):
    stage = services.stage_add(call=draft, actor=staff, data=stage_data())
    criterion = services.criterion_add(
        call=draft,
        stage_id=stage.pk,
        actor=staff,
        data={"label": "Coopération", "weight": "2", "eliminatory_min": "1,5"},
    )
    assert (criterion.weight, criterion.eliminatory_min) == (Decimal("2"), Decimal("1.5"))
    for data, error, field in [
        ({"label": "C", "weight": "0"}, errors.WEIGHT_NOT_POSITIVE, "weight"),
        ({"label": "C", "weight": ""}, errors.WEIGHT_NOT_POSITIVE, "weight"),
        ({"label": "C", "weight": "-1"}, errors.WEIGHT_NOT_POSITIVE, "weight"),
        ({"label": "C", "weight": "1", "eliminatory_min": "6"}, errors.SCORE_OUT_OF_SCALE, None),
        ({"label": "", "weight": "1"}, errors.FIELD_INVALID, "label"),
    ]:
        with refused(error, field):
            services.criterion_add(call=draft, stage_id=stage.pk, actor=staff, data=data)
    with refused(errors.SCORE_OUT_OF_SCALE, "scale_max"):
        services.stage_update(
            call=draft, stage_id=stage.pk, actor=staff, data=stage_data(scale_max="1", cutoff="")
        )
    assert Criterion.objects.count() == 1
    assert Stage.objects.get().scale_max == 5
    actions = list(LogEntry.objects.values_list("action", flat=True))
    assert actions[-1] == "calls.stage.grid_changed"


def _score(stage, complete_pole):
    application = Application.objects.create(call=stage.call, pole=complete_pole, stage=stage)
    juror = Juror.objects.create(stage=stage, name="Camille", email="camille@example.org")
    assignment = Assignment.objects.create(
        stage=stage, application=application, juror=juror, source="hand"
    )
    review = Review.objects.create(assignment=assignment)
    return Score.objects.create(review=review, criterion=stage.criteria.first(), value=3)


def test_the_grid_locks_at_the_first_score(draft, staff, complete_pole):
    stage = services.stage_add(call=draft, actor=staff, data=stage_data())
    criterion = services.criterion_add(
        call=draft, stage_id=stage.pk, actor=staff, data={"label": "Coopération", "weight": "2"}
    )
    _score(stage, complete_pole)
    attempts = [
        lambda: services.criterion_add(
            call=draft, stage_id=stage.pk, actor=staff, data={"label": "Nouveau", "weight": "1"}
        ),
        lambda: services.criterion_update(
            call=draft,
            stage_id=stage.pk,
            criterion_id=criterion.pk,
            actor=staff,
            data={"label": "Coopération", "weight": "5"},
        ),
        lambda: services.criterion_remove(
            call=draft, stage_id=stage.pk, criterion_id=criterion.pk, actor=staff
        ),
        lambda: services.criterion_move(
            call=draft, stage_id=stage.pk, criterion_id=criterion.pk, actor=staff, up=True
        ),
        lambda: services.stage_update(
            call=draft, stage_id=stage.pk, actor=staff, data=stage_data(scale_max="10")
        ),
        lambda: services.stage_update(
            call=draft, stage_id=stage.pk, actor=staff, data=stage_data(cutoff="3")
        ),
        lambda: services.stage_remove(call=draft, stage_id=stage.pk, actor=staff),
    ]
    for attempt in attempts:
        with refused(errors.GRID_LOCKED) as refusal:
            attempt()
        assert refusal.message.startswith("La notation a commencé")
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("2")
    assert Stage.objects.get().cutoff == Decimal("2.5")
    # what is not the grid still changes: the name, the jurors per file
    services.stage_update(
        call=draft, stage_id=stage.pk, actor=staff, data=stage_data(name="National", passes_on="")
    )
    assert Stage.objects.get().name == "National"
    assert services.grid_locked(stage)


def test_a_grid_locked_by_hand_is_locked_without_a_score(draft, staff):
    stage = services.stage_add(call=draft, actor=staff, data=stage_data())
    Stage.objects.filter(pk=stage.pk).update(grid_locked_at=timezone.now())
    with refused(errors.GRID_LOCKED):
        services.criterion_add(
            call=draft, stage_id=stage.pk, actor=staff, data={"label": "C", "weight": "1"}
        )


def test_a_stage_is_removed_and_the_others_renumbered(draft, staff):
    a = services.stage_add(
        call=draft, actor=staff, data=stage_data(name="A", kind="regional", region_codes="84")
    )
    services.stage_add(call=draft, actor=staff, data=stage_data())
    services.stage_remove(call=draft, stage_id=a.pk, actor=staff)
    assert list(draft.stages.values_list("name", "position")) == [("Jury national", 1)]


# --- documents -----------------------------------------------------------------------------


def test_a_document_is_checked_by_its_content(draft, staff, private_files):
    document = services.calldocument_add(
        call=draft,
        actor=staff,
        title="Cahier des charges",
        upload=SimpleUploadedFile("cahier.pdf", PDF, content_type="application/pdf"),
    )
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    assert "cahier" not in document.file.name
    with refused(errors.DOCUMENT_TYPE, "file") as refusal:
        services.calldocument_add(
            call=draft,
            actor=staff,
            title="Budget",
            upload=SimpleUploadedFile("budget.pdf", EXE, content_type="application/pdf"),
        )
    assert "document PDF, texte OpenDocument" in refusal.message
    with refused(errors.DOCUMENT_REQUIRED, "file"):
        services.calldocument_add(call=draft, actor=staff, title="Rien", upload=None)
    with refused(errors.FIELD_INVALID, "title"):
        services.calldocument_add(
            call=draft, actor=staff, title="", upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert CallDocument.objects.count() == 1
    services.calldocument_remove(call=draft, document_id=document.pk, actor=staff)
    assert not CallDocument.objects.exists()


def test_a_document_too_large_is_refused(draft, staff, private_files, monkeypatch):
    monkeypatch.setattr(services, "DOCUMENT_MAX_SIZE", 10)
    with refused(errors.DOCUMENT_TOO_LARGE, "file"):
        services.calldocument_add(
            call=draft, actor=staff, title="Gros", upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert not CallDocument.objects.exists()
    assert not list(private_files.rglob("*.*"))


def test_a_document_past_the_global_upload_cap_is_refused(draft, staff, private_files, settings):
    settings.CALLS_MAX_UPLOAD_BYTES = 1024  # below the documents' own limit: the cap wins
    with refused(errors.DOCUMENT_TOO_LARGE, "file") as caught:
        services.calldocument_add(
            call=draft,
            actor=staff,
            title="Gros",
            upload=SimpleUploadedFile("a.pdf", PDF + b"0" * 2048),
        )
    assert caught.message == "Ce fichier est trop lourd\u00a0: 1\u00a0ko au plus."
    assert not CallDocument.objects.exists()
    assert not list(private_files.rglob("*.*"))
