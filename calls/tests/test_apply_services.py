"""Applying: each refusal path of the services, and what a submission freezes."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from calls import files, ledger
from calls.models import Application, Question, Section, Stage
from calls.services import applications as services
from calls.tests.apply_helpers import (
    DOCX,
    EXE,
    ODT,
    OTHER_ZIP,
    PDF,
    PNG,
    XLSX,
    make_pole,
    upload,
)
from core.errors import DomainError


@pytest.fixture
def manager(user):
    return user("gestionnaire", first_name="Amina", last_name="Diallo")


@pytest.fixture
def pole(manager):
    return make_pole("Pôle Sud Archer", managers=[manager])


@pytest.fixture
def open_call(call):
    return call()


def _question(call, label="Décrivez la coopération"):
    return Question.objects.get(section__call=call, label=label)


def _filled(application, actor):
    question = _question(application.call)
    return services.application_save_draft(
        application=application,
        data={
            "project_title": "Une conserverie coopérative",
            "summary": "Transformer les surplus des maraîchers.",
            "amount_requested": "120 000,50",
            f"q{question.pk}": "Cinq structures coopèrent.",
        },
        version=application.version,
        actor=actor,
    )


def _log_holds(call) -> bool:
    """The log chains, and every application is as its last entry says (the call itself
    was made by the fixture, outside the log)."""
    problems = [p for p in ledger.verify(call) if not p.startswith(f"call {call.pk}:")]
    assert problems == []
    return True


def _code(callable_, **kwargs):
    with pytest.raises(DomainError) as caught:
        callable_(**kwargs)
    return caught.value


# --- start ---------------------------------------------------------------------------------


def test_a_manager_starts_a_draft_and_the_log_says_so(open_call, pole, manager):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    assert application.status == Application.Status.DRAFT
    assert _log_holds(open_call)
    assert open_call.log.get().action == "calls.application.started"


def test_an_ineligible_pole_is_refused_with_its_reasons(call, pole, manager):
    outside = call(regions=["11"])  # Île-de-France; the pole is in the Drôme (84)
    error = _code(services.application_start, call=outside, pole=pole, actor=manager)
    assert error.code == "calls.not_eligible"
    assert "hors du territoire" in error.message or "84" in error.message
    assert [line.condition for line in error.eligibility.lines] == ["territory"]
    assert not Application.objects.exists()


def test_a_pole_with_missing_data_is_not_eligible_yet(call, pole, manager):
    strict = call(rules=["R1"])  # the pole's stored check says nothing of R1
    error = _code(services.application_start, call=strict, pole=pole, actor=manager)
    assert error.code == "calls.not_eligible"
    assert error.eligibility.to_complete


def test_only_a_manager_of_the_pole_may_start(open_call, pole, user):
    other = user("autre")
    error = _code(services.application_start, call=open_call, pole=pole, actor=other)
    assert error.code == "calls.not_pole_manager"


def test_a_second_application_of_the_same_pole_is_refused(open_call, pole, manager, user):
    services.application_start(call=open_call, pole=pole, actor=manager)
    co_manager = user("co")
    pole.managers.add(co_manager)
    error = _code(services.application_start, call=open_call, pole=pole, actor=co_manager)
    assert error.code == "calls.already_applying"
    assert Application.objects.count() == 1


def test_the_constraint_backs_one_live_application(open_call, pole, manager, monkeypatch):
    """Were the check skipped (a race), the database refuses: a clear error, not a 500."""
    services.application_start(call=open_call, pole=pole, actor=manager)
    monkeypatch.setattr(services.selectors_apply, "live_application", lambda call, pole: None)
    error = _code(services.application_start, call=open_call, pole=pole, actor=manager)
    assert error.code == "calls.already_applying"


def test_a_call_not_yet_open_or_unpublished_is_refused(call, pole, manager):
    later = call(
        "plus-tard",
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=9),
    )
    assert _code(services.application_start, call=later, pole=pole, actor=manager).code == (
        "calls.call_not_open"
    )
    hidden = call("cache", published_at=None)
    assert _code(services.application_start, call=hidden, pole=pole, actor=manager).code == (
        "calls.call_not_open"
    )


# --- the draft -----------------------------------------------------------------------------


def test_co_managers_edit_the_same_draft_and_a_stale_version_is_refused(
    open_call, pole, manager, user
):
    co_manager = user("co")
    pole.managers.add(co_manager)
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    loaded = application.version
    services.application_save_draft(
        application=application,
        data={"project_title": "Titre d’Amina"},
        version=loaded,
        actor=manager,
    )
    error = _code(
        services.application_save_draft,
        application=application,
        data={"project_title": "Titre du co-gestionnaire"},
        version=loaded,
        actor=co_manager,
    )
    assert error.code == "calls.stale_version"
    assert error.changes == [
        {
            "field": "project_title",
            "label": "Titre du projet",
            "stored": "Titre d’Amina",
            "sent": "Titre du co-gestionnaire",
        }
    ]
    application.refresh_from_db()
    assert application.project_title == "Titre d’Amina"
    assert application.version == loaded + 1


def test_a_text_over_its_word_limit_is_refused_even_in_a_draft(open_call, pole, manager):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    question = _question(open_call)  # 300 words at most
    text = " ".join(["mot"] * 301)
    error = _code(
        services.application_save_draft,
        application=application,
        data={f"q{question.pk}": text},
        version=application.version,
        actor=manager,
    )
    assert error.code == "calls.too_many_words"
    assert error.field == f"q{question.pk}"
    assert "301" in error.message
    # words are what whitespace separates, as a person counts: 300 pass, whatever the spaces
    services.application_save_draft(
        application=application,
        data={f"q{question.pk}": "  \n".join(["mot"] * 300)},
        version=application.version,
        actor=manager,
    )


def test_a_project_title_too_long_is_refused(open_call, pole, manager):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    error = _code(
        services.application_save_draft,
        application=application,
        data={"project_title": "T" * 201},
        version=application.version,
        actor=manager,
    )
    assert error.code == "calls.text_too_long" and error.field == "project_title"
    assert "201" in error.message


def test_a_text_over_its_character_limit_is_refused(open_call, pole, manager):
    question = _question(open_call)
    question.max_chars = 20
    question.save()
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    error = _code(
        services.application_save_draft,
        application=application,
        data={f"q{question.pk}": "é" * 21},
        version=application.version,
        actor=manager,
    )
    assert error.code == "calls.too_many_chars"
    assert "21" in error.message


@pytest.mark.parametrize("amount", ["-5", "abc", "12,345", "1e3x", "NaN"])
def test_bad_amounts_are_refused(open_call, pole, manager, amount):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    error = _code(
        services.application_save_draft,
        application=application,
        data={"amount_requested": amount},
        version=application.version,
        actor=manager,
    )
    assert error.code == "calls.bad_amount"


def test_choice_and_yes_no_answers_must_be_among_the_proposed(open_call, pole, manager):
    section = Section.objects.get(call=open_call)
    choice = Question.objects.create(
        section=section, label="Secteur", kind="choice", choices=["Agriculture", "Culture"]
    )
    yes_no = Question.objects.create(section=section, label="Déjà financé ?", kind="yes_no")
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    for data in ({f"q{choice.pk}": "Industrie"}, {f"q{yes_no.pk}": "peut-être"}):
        error = _code(
            services.application_save_draft,
            application=application,
            data=data,
            version=application.version,
            actor=manager,
        )
        assert error.code == "calls.bad_choice"
    saved = services.application_save_draft(
        application=application,
        data={f"q{choice.pk}": "Culture", f"q{yes_no.pk}": "no"},
        version=application.version,
        actor=manager,
    )
    assert saved.answers == {str(choice.pk): "Culture", str(yes_no.pk): "no"}


# --- attachments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, expected",
    [
        (PDF, files.PDF),
        (PNG, files.PNG),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, files.JPEG),
        (ODT, files.ODT),
        (DOCX, files.DOCX),
        (XLSX, files.XLSX),
        (EXE, None),
        (OTHER_ZIP, None),
        (b"Hello, I am text", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_content(content, expected):
    import io

    assert files.sniff(io.BytesIO(content)) == expected


def test_a_forbidden_file_renamed_pdf_is_refused(open_call, pole, manager):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    for content in (EXE, OTHER_ZIP):
        error = _code(
            services.attachment_add,
            application=application,
            upload=upload(content, "budget.pdf"),
            actor=manager,
        )
        assert error.code == "calls.file_type_refused"
        assert "budget.pdf" in error.message
    assert not application.attachments.exists()


def test_a_file_too_large_is_refused(call, pole, manager):
    small = call(max_file_size=100)
    application = services.application_start(call=small, pole=pole, actor=manager)
    error = _code(
        services.attachment_add,
        application=application,
        upload=upload(PDF + b"x" * 200, "gros.pdf"),
        actor=manager,
    )
    assert error.code == "calls.file_too_large"


def test_an_application_too_large_in_all_is_refused(call, pole, manager):
    limited = call(max_file_size=1000, max_total_size=len(PDF) * 2 + 10)
    application = services.application_start(call=limited, pole=pole, actor=manager)
    for name in ("un.pdf", "deux.pdf"):
        services.attachment_add(application=application, upload=upload(PDF, name), actor=manager)
    error = _code(
        services.attachment_add,
        application=application,
        upload=upload(PDF, "trois.pdf"),
        actor=manager,
    )
    assert error.code == "calls.application_too_large"
    assert application.attachments.count() == 2


def test_an_attachment_keeps_its_hash_and_a_clean_name(open_call, pole, manager):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    attachment = services.attachment_add(
        application=application,
        upload=upload(PDF, "../../Budget prévisionnel\u202e.pdf"),
        actor=manager,
    )
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.content_type == files.PDF
    assert "/" not in attachment.original_name and "\u202e" not in attachment.original_name
    assert attachment.original_name.endswith(".pdf")
    assert attachment.file.name.startswith(f"applications/{application.pk}/")
    services.attachment_remove(attachment=attachment, actor=manager)
    assert not application.attachments.exists()


# --- submit --------------------------------------------------------------------------------


def test_a_submission_freezes_the_file_hashes_it_and_emails_a_receipt(
    open_call, pole, manager, django_capture_on_commit_callbacks
):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    services.attachment_add(application=application, upload=upload(PDF), actor=manager)
    application.refresh_from_db()  # an attachment is a change: the version moved on
    application = _filled(application, manager)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(
            application=application, version=application.version, actor=manager
        )
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.stage == Stage.objects.get(call=open_call)
    assert submitted.sha256 == hashlib.sha256(services.canonical(submitted)).hexdigest()
    assert _log_holds(open_call)
    (email,) = mail.outbox
    assert email.to == ["gestionnaire@example.org"]
    assert "Pôle Sud Archer" in email.body and submitted.sha256 in email.body
    ((name, content, kind),) = email.attachments
    assert kind == "application/pdf" and content.startswith(b"%PDF")
    # frozen: no more changes
    error = _code(
        services.application_save_draft,
        application=submitted,
        data={"project_title": "Autre"},
        version=submitted.version,
        actor=manager,
    )
    assert error.code == "calls.already_submitted"


def test_the_regional_stage_of_the_pole_is_the_first(call, pole, manager):
    regional_call = call()
    Stage.objects.filter(call=regional_call).update(position=3)
    Stage.objects.create(
        call=regional_call,
        name="Cellule Île-de-France",
        kind="regional",
        region_codes=["11"],
        position=1,
    )
    auvergne = Stage.objects.create(
        call=regional_call,
        name="Cellule Auvergne-Rhône-Alpes",
        kind="regional",
        region_codes=["84"],
        position=2,
    )
    application = _filled(
        services.application_start(call=regional_call, pole=pole, actor=manager), manager
    )
    submitted = services.application_submit(
        application=application, version=application.version, actor=manager
    )
    assert submitted.stage == auvergne


def test_an_empty_required_answer_is_refused_at_submission(open_call, pole, manager):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    application = services.application_save_draft(
        application=application,
        data={"project_title": "Titre", "summary": "Résumé", "amount_requested": "10"},
        version=application.version,
        actor=manager,
    )
    error = _code(
        services.application_submit,
        application=application,
        version=application.version,
        actor=manager,
    )
    assert error.code == "calls.answer_required"
    assert "Décrivez la coopération" in error.message
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_a_required_attachment_is_needed_at_submission(open_call, pole, manager):
    section = Section.objects.get(call=open_call)
    budget = Question.objects.create(section=section, label="Budget", kind="attachment")
    application = _filled(
        services.application_start(call=open_call, pole=pole, actor=manager), manager
    )
    error = _code(
        services.application_submit,
        application=application,
        version=application.version,
        actor=manager,
    )
    assert error.code == "calls.answer_required" and "Budget" in error.message
    services.attachment_add(
        application=application, upload=upload(PDF), question=budget, actor=manager
    )
    application.refresh_from_db()
    services.application_submit(application=application, version=application.version, actor=manager)


def test_a_submission_one_second_after_the_close_is_refused(open_call, pole, manager):
    application = _filled(
        services.application_start(call=open_call, pole=pole, actor=manager), manager
    )
    with time_machine.travel(open_call.closes_at + timedelta(seconds=1), tick=False):
        error = _code(
            services.application_submit,
            application=application,
            version=application.version,
            actor=manager,
        )
    assert error.code == "calls.call_closed"
    with time_machine.travel(open_call.closes_at - timedelta(seconds=1), tick=False):
        services.application_submit(
            application=application, version=application.version, actor=manager
        )


def test_a_form_opened_before_the_close_and_sent_after_is_refused(open_call, pole, manager, client):
    application = _filled(
        services.application_start(call=open_call, pole=pole, actor=manager), manager
    )
    client.force_login(manager)
    url = f"/appels/{open_call.slug}/candidature/{application.pk}/depot/"
    with time_machine.travel(open_call.closes_at - timedelta(minutes=2), tick=False):
        page = client.get(url)
        assert "Oui, déposer la candidature" in page.content.decode()
    with time_machine.travel(open_call.closes_at + timedelta(seconds=30), tick=False):
        response = client.post(url, {"version": application.version}, follow=True)
    assert "ne peut plus être modifiée ni déposée" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_a_stale_version_is_refused_at_submission(open_call, pole, manager):
    application = _filled(
        services.application_start(call=open_call, pole=pole, actor=manager), manager
    )
    error = _code(
        services.application_submit,
        application=application,
        version=application.version - 1,
        actor=manager,
    )
    assert error.code == "calls.stale_version"


def test_eligibility_is_checked_again_at_submission(open_call, pole, manager):
    application = _filled(
        services.application_start(call=open_call, pole=pole, actor=manager), manager
    )
    type(open_call).objects.filter(pk=open_call.pk).update(regions=["11"])
    error = _code(
        services.application_submit,
        application=application,
        version=application.version,
        actor=manager,
    )
    assert error.code == "calls.not_eligible"


# --- withdraw, reopen ----------------------------------------------------------------------


def test_withdraw_before_the_close_then_start_again(open_call, pole, manager):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    services.application_withdraw(application=application, actor=manager)
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    again = services.application_start(call=open_call, pole=pole, actor=manager)
    assert again.pk != application.pk
    assert _log_holds(open_call)


def test_withdraw_after_the_close_is_refused(open_call, pole, manager):
    application = services.application_start(call=open_call, pole=pole, actor=manager)
    with time_machine.travel(open_call.closes_at, tick=False):
        error = _code(services.application_withdraw, application=application, actor=manager)
    assert error.code == "calls.not_withdrawable"


def test_reopen_once_then_submit_again_with_a_new_hash(
    open_call, pole, manager, user, django_capture_on_commit_callbacks
):
    call_manager = user("responsable")
    open_call.managers.add(call_manager)
    application = _filled(
        services.application_start(call=open_call, pole=pole, actor=manager), manager
    )
    first = services.application_submit(
        application=application, version=application.version, actor=manager
    )
    first_hash = first.sha256
    until = open_call.closes_at + timedelta(days=3)
    with time_machine.travel(open_call.closes_at + timedelta(days=1), tick=False):
        assert (
            _code(
                services.application_reopen,
                application=first,
                reason="  ",
                until=until,
                actor=call_manager,
            ).code
            == "calls.text_required"
        )
        assert (
            _code(
                services.application_reopen,
                application=first,
                reason="Pièce illisible",
                until=until,
                actor=manager,
            ).code
            == "calls.not_call_manager"
        )
        reopened = services.application_reopen(
            application=first, reason="Pièce illisible", until=until, actor=call_manager
        )
        assert reopened.status == Application.Status.DRAFT
        services.attachment_add(application=reopened, upload=upload(PDF), actor=manager)
        reopened.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            second = services.application_submit(
                application=reopened, version=reopened.version, actor=manager
            )
        assert second.sha256 != first_hash
        assert len(mail.outbox) == 1
        error = _code(
            services.application_reopen,
            application=second,
            reason="Encore",
            until=until,
            actor=call_manager,
        )
        assert error.code == "calls.already_reopened"
    with time_machine.travel(until + timedelta(seconds=1), tick=False):
        assert _log_holds(open_call)


def test_reopening_emails_the_poles_managers_with_the_reason_and_the_date(
    open_call, pole, manager, user, django_capture_on_commit_callbacks
):
    from core.mail import outbound_send
    from core.models import OutboundEmail

    co_manager = user("co-gestionnaire")
    pole.managers.add(co_manager, user("parti", is_active=False))
    call_manager = user("responsable")
    open_call.managers.add(call_manager)
    application = _filled(
        services.application_start(call=open_call, pole=pole, actor=manager), manager
    )
    submitted = services.application_submit(
        application=application, version=application.version, actor=manager
    )
    until = timezone.make_aware(timezone.datetime(2030, 3, 12, 18, 0))
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reopen(
            application=submitted,
            reason="Le budget est illisible.",
            until=until,
            actor=call_manager,
        )
    emails = sorted(mail.outbox, key=lambda m: m.to)
    assert [m.to for m in emails] == [["co-gestionnaire@example.org"], ["gestionnaire@example.org"]]
    for email in emails:
        assert email.subject == f"Dossier rouvert pour correction – {open_call.title}"
        assert "Le budget est illisible." in email.body
        assert "12 mars 2030 à 18\u00a0h" in email.body
        assert f"/candidature/{submitted.pk}/" in email.body
    # rendered in the recipient's language
    outbound = OutboundEmail.objects.filter(to="co-gestionnaire@example.org").get()
    assert outbound.language == "fr"
    OutboundEmail.objects.filter(pk=outbound.pk).update(language="en", status="queued")
    mail.outbox.clear()
    outbound_send(outbound_id=outbound.pk)
    (english,) = mail.outbox
    assert english.subject.startswith("Application reopened for correction")
    assert "12 March 2030 at 18:00" in english.body


def test_the_reopening_and_the_receipt_go_in_each_account_language(
    open_call, pole, manager, user, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from core.models import OutboundEmail

    pole.managers.add(user("anglophone", language="en"))
    call_manager = user("responsable", language="en")
    open_call.managers.add(call_manager)
    application = _filled(
        services.application_start(call=open_call, pole=pole, actor=manager), manager
    )
    # the submitter's account has no language: the site's, whatever the page's
    with translation.override("en"):
        submitted = services.application_submit(
            application=application, version=application.version, actor=manager
        )
    assert OutboundEmail.objects.get(kind="calls.application.receipt").language == "fr"
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.application_reopen(
            application=submitted,
            reason="Le budget est illisible.",
            until=timezone.make_aware(timezone.datetime(2030, 3, 12, 18, 0)),
            actor=call_manager,
        )
    sent = {m.to[0]: m.subject for m in mail.outbox}
    assert sent["anglophone@example.org"].startswith("Application reopened for correction")
    assert sent["gestionnaire@example.org"].startswith("Dossier rouvert pour correction")
