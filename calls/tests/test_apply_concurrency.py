"""On PostgreSQL, with threads: submissions at the deadline, and two co-managers
submitting the same draft at once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone

from calls import ledger
from calls.models import Application, Call, LogEntry, Question
from calls.services import applications as services
from calls.tests.apply_helpers import make_pole
from core.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COMMUNES = ["26281", "21231", "63113", "93039", "75056", "69123", "13055", "33063"]


def _drafts(call, count, prefix):
    """``count`` filled drafts of different poles, each with its manager."""
    question = Question.objects.get(section__call=call)
    drafts = []
    for index in range(count):
        manager = get_user_model().objects.create_user(
            f"{prefix}{index}", email=f"{prefix}{index}@example.org"
        )
        pole = make_pole(
            f"Pôle {prefix} {index}", COMMUNES[index % len(COMMUNES)], managers=[manager]
        )
        draft = services.application_start(call=call, pole=pole, actor=manager)
        draft = services.application_save_draft(
            application=draft,
            data={
                "project_title": f"Projet {index}",
                "summary": "Résumé",
                "amount_requested": "1000",
                f"q{question.pk}": "Texte",
            },
            version=draft.version,
            actor=manager,
        )
        drafts.append((draft, manager))
    return drafts


def _submit(item):
    draft, manager = item
    try:
        return services.application_submit(
            application=draft, version=draft.version, actor=manager
        ).status
    except DomainError as exc:
        return exc.code
    finally:
        connections.close_all()


def _log_holds(call):
    problems = [p for p in ledger.verify(call) if not p.startswith(f"call {call.pk}:")]
    assert problems == []


def test_fifty_submissions_just_before_the_close_pass_and_those_after_are_refused(call):
    the_call = call(closes_at=timezone.now() + timedelta(hours=1))
    before = _drafts(the_call, 50, "avant")
    after = _drafts(the_call, 10, "apres")
    # the clock stands still one second before the close: every submission, however the
    # threads interleave on the call's lock, is judged at that instant
    with (
        time_machine.travel(the_call.closes_at - timedelta(seconds=1), tick=False),
        ThreadPoolExecutor(max_workers=10) as pool,
    ):
        outcomes = list(pool.map(_submit, before))
    assert outcomes == ["submitted"] * 50
    # then at the closing instant itself, and after: refused, by the server's clock
    with (
        time_machine.travel(the_call.closes_at, tick=False),
        ThreadPoolExecutor(max_workers=10) as pool,
    ):
        late = list(pool.map(_submit, after))
    assert late == ["calls.call_closed"] * 10
    assert Application.objects.filter(call=the_call, status="submitted").count() == 50
    assert Application.objects.filter(call=the_call, status="draft").count() == 10
    # the log took the 50 submissions one after the other, without a gap
    assert (
        LogEntry.objects.filter(call=the_call, action="calls.application.submitted").count() == 50
    )
    _log_holds(the_call)


def _rendezvous_in_submit(monkeypatch, parties=2, wait=3.0):
    """Each submission waits (up to ``wait`` seconds) inside the service, after its
    re-checks began, for the other one to get there too. With the lock, the second is
    held at the call's row and never gets there while the first waits: the first goes on
    alone. Without it, both get there and both go on: the race is certain, not lucky."""
    from calls import selectors_apply

    arrived = threading.Semaphore(0)
    lock = threading.Lock()
    count = {"n": 0}
    real = selectors_apply.eligibility_for

    def eligibility_then_wait(call, pole):
        with lock:
            count["n"] += 1
            if count["n"] == parties:
                for _ in range(parties - 1):
                    arrived.release()
                release = False
            else:
                release = True
        if release:
            arrived.acquire(timeout=wait)
        return real(call, pole)

    monkeypatch.setattr(selectors_apply, "eligibility_for", eligibility_then_wait)


def _two_co_managers(call):
    ((draft, manager),) = _drafts(call, 1, "co")
    co_manager = get_user_model().objects.create_user("co-bis", email="cobis@example.org")
    draft.pole.managers.add(co_manager)
    return [(draft, manager), (draft, co_manager)]


def test_two_co_managers_submitting_at_once_make_one_submission(call, monkeypatch):
    the_call = call()
    pair = _two_co_managers(the_call)
    _rendezvous_in_submit(monkeypatch)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(_submit, pair))
    assert outcomes == ["calls.already_submitted", "submitted"]
    assert LogEntry.objects.filter(call=the_call, action="calls.application.submitted").count() == 1
    _log_holds(the_call)


def test_without_the_lock_the_same_race_makes_two_submissions(call, monkeypatch):
    """The test above can fail: with ``_lock`` reading the rows without locking them, the
    same two co-managers both submit (two log entries, two receipts). This is how it was
    checked, kept so that it stays checked."""

    def no_lock(application):
        the_call = Call.objects.get(pk=application.call_id)
        unlocked = Application.objects.select_related("pole").get(pk=application.pk)
        unlocked.call = the_call
        return the_call, unlocked

    the_call = call()
    pair = _two_co_managers(the_call)
    _rendezvous_in_submit(monkeypatch)
    monkeypatch.setattr(services, "_lock", no_lock)
    # the log and the outbox have unique keys of their own that could make one of the two
    # fail later, by luck of timing: out of the way, only the status re-check is left
    monkeypatch.setattr(services.ledger, "record", lambda *args, **kwargs: None)
    monkeypatch.setattr(services, "email_queue", lambda **kwargs: None)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(_submit, pair))
    # both went through the re-checks: each believes it submitted
    assert outcomes.count("submitted") == 2
