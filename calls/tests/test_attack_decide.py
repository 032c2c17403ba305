"""Security audit PoCs (wt-attack): ``test_bug_*`` FAIL on the audited code."""

import pytest

from calls.services import decisions
from calls.tests import jury_helpers as h
from core.errors import DomainError


@pytest.mark.parametrize("typed", ["1e30", "9e999999"])
def test_decision_amount_with_a_big_exponent_is_a_500(call, user, typed):
    """POST /gestion/appels/<slug>/decisions/<id>/ with d<id>-amount=1e30 (4 characters,
    within the form's max_length=20): ``_amount`` quantizes outside its try, and
    ``decimal.InvalidOperation`` escapes as a 500 (seen on gunicorn, DEBUG off). It should be
    the field's error, as the applying part's ``parse_amount`` does (it bounds first)."""
    c = call()
    manager = user("gestion")
    c.managers.add(manager)
    file = h.submitted(c)
    with pytest.raises(DomainError):
        decisions.decision_record(
            application=file, outcome="laureate", amount=typed, reason="motif", actor=manager
        )


def test_decision_amount_with_three_decimals_is_silently_rounded(call, user):
    """The applying part refuses « 1234,567 » (two decimals at most); the decision rounds it
    to 1234.57 without a word: the amount recorded is not the amount typed."""
    c = call()
    manager = user("gestion")
    c.managers.add(manager)
    file = h.submitted(c)
    with pytest.raises(DomainError):
        decisions.decision_record(
            application=file, outcome="laureate", amount="1234,567", reason="motif", actor=manager
        )


def test_ranking_counts_the_scores_of_a_juror_since_found_conflicted(call, user):
    """Chloé submits 0/0 on a file, then her conflict on it is confirmed (registry, or
    declared). The jurors' grid (``selectors_jury.grid_page``) drops her review, but
    ``selectors_decide._reviews`` (ranking, minutes, decisions) still averages it: the
    conflicted juror keeps weighing on the file's rank."""
    from calls.models import Assignment, Conflict
    from calls.selectors_decide import ranking_for_stage
    from calls.services import reviews

    c = call()
    stage = c.stages.get()
    file = h.submitted(c)
    c1, c2 = stage.criteria.all()
    people = {}
    for name, score in (("amina", "5"), ("bruno", "5"), ("chloe", "0")):
        u = user(name)
        seat = h.seat(stage, u, name=name)
        a = Assignment.objects.create(stage=stage, application=file, juror=seat, source="hand")
        reviews.review_save(
            assignment=a, scores={c1.pk: score, c2.pk: score}, comments={}, submit=True, actor=u
        )
        people[name] = seat
    Conflict.objects.create(
        juror=people["chloe"],
        application=file,
        level="conflict",
        reason="declared",
        source="juror",
        status="confirmed",
    )
    row = next(r for r in ranking_for_stage(stage).rows if r.application.pk == file.pk)
    jurors = getattr(row.result, "jurors", None) or getattr(row.result, "n_jurors", None)
    mean = getattr(row.result, "mean", None) or getattr(row.result, "raw", None)
    assert mean == pytest.approx(5), f"the conflicted juror's 0 is averaged in ({row.result!r})"
    assert jurors in (None, 2)


def test_public_subventions_csv_answers_when_a_published_call_has_no_payment_dates(
    call, user, client
):
    """GET /donnees/subventions.csv (public) answered 500 on the demo as loaded (the 2013
    call's results are published without payment dates). The SCDL schema requires the
    payment dates: such a call's awards are left out of the file (its description says so),
    the file answers."""
    from decimal import Decimal

    from django.utils import timezone

    from calls.models import Decision

    c = call(results_published_at=timezone.now())
    file = h.submitted(c)
    Decision.objects.create(
        application=file,
        outcome="laureate",
        amount=Decimal("1000"),
        reason="motif",
        decided_at=timezone.now(),
    )
    response = client.get("/donnees/subventions.csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and body.startswith(b"nomAttribuant,")
    assert b"1000.00" not in body
