"""The calls' demo (load_calls_demo): history as the sources give it, an invented call
in progress whose log holds, loaded twice without duplicates.

The demo is loaded once for the module (as in a test: DEBUG off, no --demo-account, in
French), in a transaction rolled back after it; each test runs in a savepoint of it, so
what one test writes (a second load, a detection) is undone before the next."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from calls.management.commands import load_calls_demo as demo
from calls.models import (
    Application,
    Assignment,
    Call,
    Conflict,
    Decision,
    Juror,
    LogEntry,
    Review,
    Stage,
)
from registry.models import Laureate

pytestmark = pytest.mark.django_db


def load(*extra):
    call_command("load_registry_demo", stdout=StringIO())
    call_command("load_calls_demo", *extra, stdout=StringIO())


@pytest.fixture(scope="module", autouse=True)
def loaded(django_db_setup, django_db_blocker):
    """The registry's and the calls' demos, loaded once for the module, rolled back after."""
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=False),
        translation.override("fr"),
        transaction.atomic(),
    ):
        load()
        yield
        transaction.set_rollback(True)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Call, Application, Juror, Assignment, Review, Conflict, Decision, LogEntry)
    } | {"users": get_user_model().objects.count()}


def test_loaded_twice_nothing_is_duplicated_and_the_logs_hold():
    first = counts()  # after the module's load
    assert first["Call"] == 3 and first["Application"] and first["LogEntry"]
    call_command("load_calls_demo", stdout=StringIO())
    assert counts() == first
    out = StringIO()
    call_command("verify_calls", stdout=out)
    entries = {c.slug: c.log.count() for c in Call.objects.all()}
    assert out.getvalue().splitlines() == [
        f"{demo.SLUG_2013} : OK ({entries[demo.SLUG_2013]} entrées)",
        f"{demo.SLUG_DEMO} : OK ({entries[demo.SLUG_DEMO]} entrées)",
        f"{demo.SLUG_OPEN} : OK ({entries[demo.SLUG_OPEN]} entrées)",
    ]


def test_the_2013_call_is_history_without_invented_figures():
    call = Call.objects.get(slug=demo.SLUG_2013)
    assert not call.is_demo and call.source_url
    assert (call.reported_applications, call.reported_laureates) == (180, 23)
    assert call.budget == 3_000_000
    assert call.opens_at.year == 2013 and call.results_on.isoformat() == "2014-01-10"
    assert call.results_published_at is not None
    # its laureates are the registry's laureates of 2013, linked, not duplicated
    known = set(Laureate.objects.filter(year=2013).values_list("pole_id", flat=True))
    assert known and set(call.applications.values_list("pole_id", flat=True)) == known
    assert all(a.status == "submitted" and not a.is_demo for a in call.applications.all())
    decisions = Decision.objects.filter(application__call=call)
    assert decisions.count() == len(known)
    # the sources give no amount per laureate: none is written
    assert set(decisions.values_list("outcome", "amount")) == {("laureate", None)}
    assert not Juror.objects.filter(stage__call=call).exists()


def test_the_invented_call_is_in_progress_and_marked():
    call = Call.objects.get(slug=demo.SLUG_DEMO)
    assert call.is_demo and "(fictif)" in call.title
    assert call.published_at < call.closes_at < call.opens_at.replace(year=call.opens_at.year + 1)
    stages = list(call.stages.order_by("position", "pk"))
    assert [s.kind for s in stages] == ["regional"] * 3 + ["national"]
    assert all(s.region_codes for s in stages[:3]) and all("(fictif)" in s.name for s in stages)
    applications = call.applications.select_related("pole")
    assert 30 <= applications.count() <= 40
    assert all(a.is_demo and a.pole.is_demo and a.answers for a in applications)
    assert all(a.status == "submitted" and a.submitted_at < call.closes_at for a in applications)
    jurors = Juror.objects.filter(stage__call=call)
    people = {j.user_id for j in jurors}
    assert 10 <= len(people) <= 12 and all(j.is_demo and j.declared_at for j in jurors)
    assert all("(fictif)" in j.name or "(fictive)" in j.name for j in jurors)
    # conflicts from the registry (a juror's organisation in an applying pole) and declared
    reasons = set(Conflict.objects.filter(juror__stage__call=call).values_list("reason", flat=True))
    assert {"organisation_initiator", "declared"} <= reasons
    assert any(r.startswith("same_territory_") for r in reasons)
    blocked = {
        (c.juror_id, c.application_id)
        for c in Conflict.objects.filter(juror__stage__call=call)
        if c.blocks
    }
    assigned = set(Assignment.objects.filter(stage__call=call).values_list("juror", "application"))
    assert blocked and assigned and not blocked & assigned
    # regional cells closed, their files passed on; the national cell partly scored
    national = stages[3]
    for stage in stages[:3]:
        assert stage.closed_at is not None
        passed = Application.objects.filter(
            call=call, stage=national, assignments__stage=stage
        ).distinct()
        assert passed.count() == stage.passes_on
    national_assignments = Assignment.objects.filter(stage=national)
    scored = Review.objects.filter(assignment__stage=national, submitted_at__isnull=False)
    assert national.closed_at is None and 0 < scored.count() < national_assignments.count()
    assert not Decision.objects.filter(application__call=call).exists()


def test_the_demo_accounts():
    call_command("load_calls_demo", "--demo-account", stdout=StringIO())
    User = get_user_model()
    manager = User.objects.get(username=demo.MANAGER)
    assert manager.is_staff and manager.has_perm("calls.change_call")
    assert set(manager.managed_calls.values_list("slug", flat=True)) == {
        demo.SLUG_2013,
        demo.SLUG_DEMO,
        demo.SLUG_OPEN,
    }
    juror = User.objects.get(username=demo.JUROR)
    assert Assignment.objects.filter(juror__user=juror).exists()
    pole_manager = User.objects.get(username=demo.POLE_MANAGER)
    applying = Application.objects.filter(call__slug=demo.SLUG_DEMO)
    assert applying.filter(pole__managers=pole_manager).exists()
    # an open call where the pole manager can try applying, for a pole that may apply
    from calls.selectors_setup import call_state, pole_eligibility

    open_call = Call.objects.get(slug=demo.SLUG_OPEN)
    assert call_state(open_call) == "open" and open_call.is_demo
    assert any(
        pole_eligibility(open_call, pole).eligible for pole in pole_manager.managed_poles.all()
    )
    for user in (manager, juror, pole_manager):
        assert user.check_password(demo.PASSWORD)
    # the invented jurors' accounts cannot sign in
    other = User.objects.get(username="jure-demo-02")
    assert not other.has_usable_password()


def test_without_demo_account_no_password_is_set(settings):
    settings.DEBUG = False
    call_command("load_calls_demo", stdout=StringIO())  # loaded again: still none
    manager = get_user_model().objects.get(username=demo.MANAGER)
    assert not manager.has_usable_password()
    assert Stage.objects.filter(call__slug=demo.SLUG_DEMO).count() == 4


def test_every_demo_conflict_reads_in_french_also_after_detection():
    from django.utils import translation

    from calls.conflicts import MESSAGES
    from calls.services.jury import conflict_message, conflicts_detect

    call = Call.objects.get(slug=demo.SLUG_DEMO)
    manager = get_user_model().objects.get(username=demo.MANAGER)
    for round_ in ("loaded", "detected"):
        rows = list(Conflict.objects.filter(juror__stage__call=call))
        assert rows, round_
        with translation.override("fr"):
            for row in rows:
                message = conflict_message(row)
                assert row.reason not in message, (round_, row.reason)
                assert row.source == "juror" or row.reason in MESSAGES, (round_, row.reason)
                assert "juré est situé" not in message
        conflicts_detect(stage=call.stages.get(closed_at__isnull=True), actor=manager)


def test_closed_stages_have_their_conflicts_decided_before_any_score():
    call = Call.objects.get(slug=demo.SLUG_DEMO)
    closed = Conflict.objects.filter(juror__stage__call=call, juror__stage__closed_at__isnull=False)
    reviewed = closed.filter(level=Conflict.Level.REVIEW, source=Conflict.Source.REGISTRY)
    assert reviewed.exists()
    assert not reviewed.filter(status=Conflict.Status.OPEN).exists()
    assert all(c.decision_reason and c.decided_by_id for c in reviewed)
    # no juror scored a file whose conflict (on any seat of the person) is open or confirmed
    undecided = set(
        Conflict.objects.filter(juror__stage__call=call)
        .exclude(status=Conflict.Status.DISMISSED)
        .values_list("juror__user_id", "application_id")
    )
    scored = set(
        Review.objects.filter(assignment__stage__call=call).values_list(
            "assignment__juror__user_id", "assignment__application_id"
        )
    )
    assert scored and not undecided & scored


def test_the_documented_juror_has_national_files_left_to_score():
    call = Call.objects.get(slug=demo.SLUG_DEMO)
    national = call.stages.get(kind=Stage.Kind.NATIONAL)
    mine = Assignment.objects.filter(stage=national, juror__user__username=demo.JUROR)
    unscored = mine.filter(review__isnull=True)
    assert 2 <= unscored.count() <= 3 and mine.count() > unscored.count()
    out = StringIO()
    call_command("verify_calls", stdout=out)
    assert all(line.split(" : ")[1].startswith("OK") for line in out.getvalue().splitlines())
