"""Security audit PoCs (wt-attack). Tests named ``test_bug_*`` FAIL on the audited code and
prove a defect; ``test_holds_*`` pass and record what held."""

import pytest
from django.urls import reverse

from calls.models import Assignment, Conflict
from calls.services import jury
from calls.tests import jury_helpers as h


@pytest.fixture
def stage(call):
    return call().stages.get()


def test_juror_who_manages_the_applying_pole_is_assigned_and_sees_own_file(stage, user, client):
    """Issue 12: "the juror manages the pole" is a conflict; a conflicted juror never sees
    the file. But conflicts exist only as rows written by ``conflicts_detect`` (run by hand)
    or declared by the juror: ``assignment_run`` does not detect, and the access checks
    (``can_review``/``is_blocked``) only read Conflict rows. A juror whose account manages
    the applying pole is given its file and opens its grid (and its attachments, its
    colleagues' scores once they submit, the discussion)."""
    mallory = user("mallory")
    own_pole = h.pole("Pôle de Mallory")
    own_pole.managers.add(mallory)
    other = user("autre")
    h.seat(stage, mallory, name="Mallory")
    h.seat(stage, other, name="Autre")
    file = h.submitted(stage.call, own_pole, title="Projet de Mallory")
    manager = user("gestion")
    stage.call.managers.add(manager)
    jury.assignment_run(stage=stage, actor=manager)  # no detect first: nothing forces it
    mine = Assignment.objects.filter(application=file, juror__user=mallory).first()
    if mine is not None:  # and she opens it: the grid answers 200
        client.force_login(mallory)
        assert client.get(reverse("calls_jury:grid", args=[mine.pk])).status_code == 404
    assert mine is None, "the pole's own manager was assigned its file"


def test_accepting_as_pole_manager_opens_own_file_without_conflict(stage, user, client):
    """Even when the manager ran the detection before the juror accepted, the accepting
    account is only known at acceptance; nothing re-detects then."""
    manager = user("gestion")
    stage.call.managers.add(manager)
    own_pole = h.pole("Pôle de Mallory")
    file = h.submitted(stage.call, own_pole, title="Projet de Mallory")
    seat = h.seat(stage, None, name="Invitée")  # invited by e-mail, not accepted yet
    jury.conflicts_detect(stage=stage, actor=manager)  # nothing to find yet
    mallory = user("mallory")
    own_pole.managers.add(mallory)
    from calls.tokens import invitation_token

    token = invitation_token(seat)
    jury.juror_accept(token=token, user=mallory)  # the link, forwarded to / opened by mallory
    seat.refresh_from_db()
    assert seat.user_id == mallory.pk
    # the seat of an applicant, with no conflict on her own file: the gap
    assert Conflict.objects.filter(juror=seat, application=file).exists(), (
        "accepting an invitation with an account that manages an applying pole records no conflict"
    )


@pytest.mark.parametrize(
    "typed", ["5.000001", "NaN", "sNaN", "Infinity", "-1", "6", "1e309", "5,001", "0x5", "-Inf"]
)
def test_holds_scores_out_of_scale_or_odd_are_refused(stage, user, typed):
    from calls.services import reviews
    from core.errors import DomainError

    amina = user("amina")
    seat = h.seat(stage, amina)
    file = h.submitted(stage.call)
    a = Assignment.objects.create(stage=stage, application=file, juror=seat, source="hand")
    c1, c2 = stage.criteria.all()
    with pytest.raises(DomainError):
        reviews.review_save(
            assignment=a, scores={c1.pk: typed, c2.pk: "3"}, comments={}, submit=True, actor=amina
        )


def test_holds_invitation_link_is_single_use_and_bound_to_its_seat(stage, user):
    from django.core import signing

    from calls.tokens import invitation_token, juror_from_invitation
    from core.errors import DomainError

    a, b = h.seat(stage, None, name="A"), h.seat(stage, None, name="B")
    token = invitation_token(a)
    value, _sig = signing.TimestampSigner(salt="ptce.calls.juror-invitation.v1").unsign(token), None
    forged = token.replace(f"{a.pk}:", f"{b.pk}:", 1)
    with pytest.raises(DomainError):
        juror_from_invitation(forged)
    jury.juror_accept(token=token, user=user("amina"))
    with pytest.raises(DomainError):
        jury.juror_accept(token=token, user=user("bruno"))
    assert value


def test_conflict_declared_in_one_stage_does_not_follow_the_person_to_the_next(call, user, client):
    """Conflicts hang on a seat (Juror), not on the person. Amina declares a conflict on
    a file in the regional stage; the file passes on to the national stage, where Amina
    also sits: nothing carries her declaration over (``conflicts_detect`` reads only the
    registry), the solver assigns her the file and its national grid opens for her —
    with the national jurors' scores once she submits, and the discussion."""
    from calls.models import Stage

    c = call()
    national = c.stages.get()
    regional = Stage.objects.create(
        call=c,
        name="Cellule",
        kind="regional",
        region_codes=["84"],
        position=0,
        jurors_per_file=1,
    )
    manager = user("gestion")
    c.managers.add(manager)
    amina = user("amina")
    regional_seat = h.seat(regional, amina, name="Amina")
    national_seat = h.seat(national, amina, name="Amina")
    h.seat(national, user("bruno"), name="Bruno")
    file = h.submitted(c)
    file.stage = regional
    file.save()
    a = Assignment.objects.create(
        stage=regional, application=file, juror=regional_seat, source="hand"
    )
    jury.conflict_declare(juror=regional_seat, application=file, note="ma sœur", actor=amina)
    file.stage = national  # it passes on (stage_pass_on moves it so)
    file.save()
    jury.conflicts_detect(stage=national, actor=manager)
    jury.assignment_run(stage=national, actor=manager)
    mine = Assignment.objects.filter(juror=national_seat, application=file).first()
    client.force_login(amina)
    assert client.get(reverse("calls_jury:grid", args=[a.pk])).status_code == 404  # holds
    assert (
        mine is None or client.get(reverse("calls_jury:grid", args=[mine.pk])).status_code == 404
    ), "her declared conflict stayed in the regional stage"
