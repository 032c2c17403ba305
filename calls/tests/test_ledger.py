"""The calls' log: the chain holds after records, and every tampering is reported (by
``ledger.verify`` and the ``verify_calls`` command)."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from calls import ledger
from calls.models import Application, Assignment, Decision, Juror, LogEntry, Review, Score
from registry.models import Pole


@pytest.fixture
def logged(call, user):
    """A call with two submitted applications, one assignment, one submitted review and
    one decision, each change recorded."""
    manager = user("gestion")
    created = call()
    stage = created.stages.get()
    ledger.record(created, "call.created", created, actor=manager)
    applications = []
    for number in (1, 2):
        pole = Pole.objects.create(name=f"Pôle {number}", slug=f"pole-{number}")
        application = Application.objects.create(call=created, pole=pole, project_title="P")
        ledger.record(created, "application.created", application, actor=manager)
        application.status = "submitted"
        application.stage = stage
        application.submitted_at = timezone.now()
        application.sha256 = "a" * 64
        application.save()
        ledger.record(created, "application.submitted", application, actor=manager)
        applications.append(application)
    juror = Juror.objects.create(stage=stage, name="Juré", email="jure@example.org")
    assignment = Assignment.objects.create(
        stage=stage, application=applications[0], juror=juror, source="solver"
    )
    ledger.record(created, "assignment.created", assignment)
    review = Review.objects.create(assignment=assignment)
    for criterion in stage.criteria.all():
        Score.objects.create(review=review, criterion=criterion, value=4)
    review.total = Decimal("12")
    review.submitted_at = timezone.now()
    review.save()
    ledger.record(created, "review.submitted", review)
    decision = Decision.objects.create(
        application=applications[0],
        outcome="laureate",
        amount=Decimal("100000"),
        reason="Classé premier",
        decided_at=timezone.now(),
    )
    ledger.record(created, "decision.recorded", decision, actor=manager)
    return created


def entry(call, sequence):
    return LogEntry.objects.get(call=call, sequence=sequence)


def test_the_chain_holds_after_a_sequence_of_records(logged):
    entries = list(logged.log.order_by("sequence"))
    assert [e.sequence for e in entries] == list(range(1, 9))
    assert entries[0].previous == "0" * 64
    assert all(b.previous == a.digest for a, b in zip(entries, entries[1:], strict=False))
    assert ledger.verify(logged) == []


def test_an_altered_payload_is_reported(logged):
    altered = entry(logged, 3)
    altered.payload["state"]["status"] = "withdrawn"
    altered.save()
    assert "entry 3: altered (its digest does not match)" in ledger.verify(logged)


def test_a_deleted_entry_is_reported(logged):
    entry(logged, 4).delete()
    problems = ledger.verify(logged)
    assert "entry 4: sequence 5 (cut or reordered)" in problems
    assert "entry 5: does not follow the previous one" in problems


def test_the_last_entry_deleted_is_reported_by_its_row(logged):
    entry(logged, 8).delete()
    decision = Decision.objects.get()
    assert ledger.verify(logged) == [f"decision {decision.pk}: not in the log"]


def test_reordered_entries_are_reported(logged):
    second, third = entry(logged, 2), entry(logged, 3)
    LogEntry.objects.filter(pk=second.pk).update(sequence=99)
    LogEntry.objects.filter(pk=third.pk).update(sequence=2)
    LogEntry.objects.filter(pk=second.pk).update(sequence=3)
    problems = ledger.verify(logged)
    assert "entry 2: sequence 2 (cut or reordered)" in problems
    assert "entry 2: does not follow the previous one" in problems


def test_an_application_changed_after_its_last_entry_is_reported(logged):
    application = Application.objects.filter(call=logged).first()
    Application.objects.filter(pk=application.pk).update(status="withdrawn")
    assert ledger.verify(logged) == [
        f"application {application.pk}: differs from its last log entry"
    ]


def test_a_decision_amount_changed_is_reported(logged):
    decision = Decision.objects.get()
    Decision.objects.filter(pk=decision.pk).update(amount=Decimal("290000"))
    assert ledger.verify(logged) == [f"decision {decision.pk}: differs from its last log entry"]


def test_a_score_changed_after_submission_is_reported(logged):
    review = Review.objects.get()
    Score.objects.filter(review=review).update(value=5)
    assert ledger.verify(logged) == [f"review {review.pk}: differs from its last log entry"]


def test_a_row_never_logged_is_reported(logged):
    stage = logged.stages.get()
    application = Application.objects.filter(call=logged).last()
    juror = Juror.objects.get()
    hidden = Assignment.objects.create(
        stage=stage, application=application, juror=juror, source="hand"
    )
    assert ledger.verify(logged) == [f"assignment {hidden.pk}: not in the log"]


def test_a_row_deleted_behind_the_log_is_reported(logged):
    decision = Decision.objects.get()
    pk = decision.pk
    LogEntry.objects.filter(call=logged, sequence=8).delete()  # keep the chain whole
    ledger.record(logged, "decision.recorded", decision)
    decision.delete()
    assert ledger.verify(logged) == [f"decision {pk}: in the log but gone from the database"]


def test_an_assignment_removed_through_the_log_holds(logged):
    assignment = Assignment.objects.get()
    ledger.record(logged, "assignment.removed", assignment, removed=True)
    Review.objects.filter(assignment=assignment).delete()
    assignment.delete()
    # its review was logged: its deletion is reported, the assignment's is not
    assert [p for p in ledger.verify(logged) if p.startswith("assignment")] == []


def test_an_assignment_logged_removed_but_kept_is_reported(logged):
    assignment = Assignment.objects.get()
    ledger.record(logged, "assignment.removed", assignment, removed=True)
    assert ledger.verify(logged) == [
        f"assignment {assignment.pk}: removed in the log but still in the database"
    ]


def test_only_assignments_are_removed_and_only_saved_rows_are_logged(logged):
    with pytest.raises(TypeError):
        ledger.record(logged, "decision.removed", Decision.objects.get(), removed=True)
    with pytest.raises(ValueError):
        ledger.record(logged, "application.created", Application(call=logged))


def test_a_time_set_in_paris_reads_back_the_same(logged):
    """The state compares in UTC: a Paris time in memory equals the same instant read back
    from the database."""
    paris = timezone.now().astimezone(ZoneInfo("Europe/Paris")) + timedelta(days=30)
    logged.results_published_at = paris
    logged.save()
    ledger.record(logged, "call.results_published", logged)
    assert ledger.verify(logged) == []


def test_a_logged_stage_changed_afterwards_is_reported(logged):
    stage = logged.stages.get()
    stage.closed_at = timezone.now()
    stage.save()
    ledger.record(logged, "stage.closed", stage)
    assert ledger.verify(logged) == []
    stage.criteria.update(weight=7)
    assert ledger.verify(logged) == [f"stage {stage.pk}: differs from its last log entry"]


# --- the verify_calls command ------------------------------------------------------------


def test_verify_calls_says_ok_per_call(logged, call):
    other = call(slug="appel-vide")
    ledger.record(other, "call.created", other)
    out = StringIO()
    call_command("verify_calls", stdout=out)
    assert out.getvalue().splitlines() == [
        "appel-2026 : OK (8 entrées)",
        "appel-vide : OK (1 entrées)",
    ]


def test_verify_calls_lists_the_problems_and_fails(logged, call):
    other = call(slug="appel-vide")
    ledger.record(other, "call.created", other)
    Decision.objects.update(amount=Decimal("1"))
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_calls", stdout=out)
    decision = Decision.objects.get()
    assert out.getvalue().splitlines() == [
        "appel-2026 : 1 problème(s)",
        f"  - decision {decision.pk}: differs from its last log entry",
        "appel-vide : OK (1 entrées)",
    ]
    assert raised.value.returncode == 1
    assert "1 appel(s)" in str(raised.value)


def test_verify_calls_checks_one_call(logged, call):
    broken = call(slug="appel-casse")  # never logged
    out = StringIO()
    call_command("verify_calls", "--call", "appel-2026", stdout=out)
    assert out.getvalue() == "appel-2026 : OK (8 entrées)\n"
    with pytest.raises(CommandError):
        call_command("verify_calls", "--call", broken.slug, stdout=StringIO())


def test_verify_calls_refuses_an_unknown_call(db):
    with pytest.raises(CommandError, match="aucun appel"):
        call_command("verify_calls", "--call", "nulle-part", stdout=StringIO())
