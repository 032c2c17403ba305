"""On PostgreSQL: the jury's writes at the same moment. The call's row is locked, so two
runs of the assignment never duplicate a pair and the log stays one chain; a juror's two
submits of one review make one submitted review."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from calls import ledger
from calls.models import Assignment, Review
from calls.services import jury, reviews
from calls.tests import jury_helpers as h
from core.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(fn, args):
    barrier = threading.Barrier(len(args))

    def run(arg):
        try:
            barrier.wait(timeout=30)
            return fn(arg)
        except DomainError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(args)) as pool:
        return list(pool.map(run, args))


def test_two_assignment_runs_at_once(call, user):
    stage = call().stages.get()
    manager = user("gestion")
    for _ in range(6):
        h.submitted(stage.call)
    for _ in range(4):
        h.seat(stage, user())
    outcomes = _together(lambda _: jury.assignment_run(stage=stage, actor=manager), [1, 2])
    assert outcomes == [[], []]
    assert Assignment.objects.count() == 6 * stage.jurors_per_file
    problems = ledger.verify(stage.call)
    assert not [p for p in problems if not p.endswith("not in the log")], problems
    assert not [p for p in problems if p.startswith("assignment")]


def test_two_submits_of_one_review_at_once(call, user):
    stage = call().stages.get()
    amina = user("amina")
    seat = h.seat(stage, amina)
    a = Assignment.objects.create(
        stage=stage, application=h.submitted(stage.call), juror=seat, source="hand"
    )
    c1, c2 = stage.criteria.all()

    def submit(value):
        review = reviews.review_save(
            assignment=a,
            scores={c1.pk: value, c2.pk: value},
            comments={},
            submit=True,
            actor=amina,
        )
        return "submitted" if review.submitted_at else "draft"

    outcomes = sorted(_together(submit, ["2", "4"]))
    assert outcomes == ["calls.review_submitted", "submitted"]
    assert Review.objects.filter(submitted_at__isnull=False).count() == 1
