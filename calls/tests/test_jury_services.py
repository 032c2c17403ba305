"""The jury's services: invitations, declarations, conflicts from the registry, the
assignment, scoring and the discussion — each refusal with its code."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone, translation

from calls import emails_jury, ledger
from calls.models import Assignment, Conflict, Juror, Message, Review, Score
from calls.services import jury, reviews
from calls.tests import jury_helpers as h
from calls.tokens import invitation_token
from core.errors import DomainError
from core.models import OutboundEmail
from registry.models import Network, TerritoryArea


def log_issues(call, unlogged=("call", "application")):
    """The log's problems, leaving out the rows these tests write with the models (the
    call and its files: their services belong to other parts of the app)."""
    pattern = re.compile(rf"({'|'.join(unlogged)}) \d+: not in the log")
    return [p for p in ledger.verify(call) if not pattern.fullmatch(p)]


def code_of(excinfo):
    return excinfo.value.code


@pytest.fixture
def manager(user):
    return user("gestionnaire")


@pytest.fixture
def stage(call, manager):
    c = call()
    c.managers.add(manager)
    return c.stages.get()


# --- invitations ----------------------------------------------------------------------------


def test_invite_queues_an_email_with_a_one_time_link(stage, manager, user):
    juror = jury.juror_invite(
        stage=stage, name="Amina Diallo", email="Amina@Example.org", actor=manager
    )
    assert juror.email == "amina@example.org"
    outbound = OutboundEmail.objects.get(kind=jury.JUROR_INVITED, object_id=juror.pk)
    message = emails_jury._invited(outbound)
    link = h.link_in(message.body)
    assert f"/{juror.pk}/" not in link  # no bare id in the address
    token = link.rstrip("/").rsplit("/", 1)[1]

    amina = user("amina")
    accepted = jury.juror_accept(token=token, user=amina)
    assert accepted.user == amina and accepted.accepted_at is not None
    with pytest.raises(DomainError) as excinfo:
        jury.juror_accept(token=token, user=user("autre"))
    assert code_of(excinfo) == "calls.invitation_used"
    assert "déjà été utilisé" in excinfo.value.message
    assert Juror.objects.get(pk=juror.pk).user == amina
    assert log_issues(stage.call) == []


def test_a_forged_link_is_refused(stage, manager, user):
    juror = jury.juror_invite(stage=stage, name="Amina", email="a@example.org", actor=manager)
    forged = signing.TimestampSigner(salt="autre").sign(f"{juror.pk}:{juror.invitation_nonce.hex}")
    tampered = invitation_token(juror)[:-2] + "xx"
    for token in (forged, tampered, "", f"{juror.pk}"):
        with pytest.raises(DomainError) as excinfo:
            jury.juror_accept(token=token, user=user())
        assert code_of(excinfo) == "calls.invitation_invalid"
    assert Juror.objects.get(pk=juror.pk).user is None


def test_an_old_link_has_expired(stage, manager, user):
    juror = jury.juror_invite(stage=stage, name="Amina", email="a@example.org", actor=manager)
    token = invitation_token(juror)
    later = timezone.now() + timedelta(days=31)
    with time_machine.travel(later), pytest.raises(DomainError) as excinfo:
        jury.juror_accept(token=token, user=user())
    assert code_of(excinfo) == "calls.invitation_expired"


def test_accepting_without_an_account_makes_one_and_sends_the_password_email(stage, manager):
    juror = jury.juror_invite(stage=stage, name="Amina", email="amina@example.org", actor=manager)
    accepted = jury.juror_accept(token=invitation_token(juror), user=None)
    assert accepted.user.email == "amina@example.org"
    assert not accepted.user.has_usable_password()
    assert OutboundEmail.objects.filter(
        kind="accounts.password_reset", object_id=accepted.user.pk
    ).exists()


def test_accepting_without_signing_in_is_refused_when_the_address_has_an_account(
    stage, manager, user
):
    user("amina")  # amina@example.org
    juror = jury.juror_invite(stage=stage, name="Amina", email="amina@example.org", actor=manager)
    with pytest.raises(DomainError) as excinfo:
        jury.juror_accept(token=invitation_token(juror), user=None)
    assert code_of(excinfo) == "calls.invitation_account_exists"
    assert Juror.objects.get(pk=juror.pk).accepted_at is None


def test_one_account_holds_one_seat_per_stage(stage, manager, user):
    amina = user("amina")
    h.seat(stage, amina)
    juror = jury.juror_invite(stage=stage, name="Autre", email="autre@example.org", actor=manager)
    with pytest.raises(DomainError) as excinfo:
        jury.juror_accept(token=invitation_token(juror), user=amina)
    assert code_of(excinfo) == "calls.seat_taken"


def test_invite_refuses_a_bad_address_a_blank_name_and_a_second_invitation(stage, manager):
    with pytest.raises(DomainError) as excinfo:
        jury.juror_invite(stage=stage, name="Amina", email="pas-une-adresse", actor=manager)
    assert code_of(excinfo) == "calls.juror_email_invalid"
    with pytest.raises(DomainError) as excinfo:
        jury.juror_invite(stage=stage, name="  ", email="a@example.org", actor=manager)
    assert excinfo.value.field == "name"
    jury.juror_invite(stage=stage, name="Amina", email="a@example.org", actor=manager)
    with pytest.raises(DomainError) as excinfo:
        jury.juror_invite(stage=stage, name="Amina", email="A@example.org", actor=manager)
    assert code_of(excinfo) == "calls.juror_exists"
    assert Juror.objects.count() == 1


# --- the declaration of interests ------------------------------------------------------------


def test_declaration_needs_the_box_and_is_signed_once(stage, user):
    amina = user("amina")
    juror = h.seat(stage, amina, declared=False)
    with pytest.raises(DomainError) as excinfo:
        jury.juror_declare(juror=juror, declaration="Aucun lien", signed=False, actor=amina)
    assert code_of(excinfo) == "calls.declaration_required"
    with pytest.raises(DomainError) as excinfo:
        jury.juror_declare(juror=juror, declaration="x", signed=True, actor=user("autre"))
    assert code_of(excinfo) == "calls.not_assigned"
    jury.juror_declare(juror=juror, declaration="Aucun lien", signed=True, actor=amina)
    juror.refresh_from_db()
    assert juror.declared_at is not None and juror.declaration == "Aucun lien"
    with pytest.raises(DomainError) as excinfo:
        jury.juror_declare(juror=juror, declaration="Autre", signed=True, actor=amina)
    assert code_of(excinfo) == "calls.already_declared"
    juror.refresh_from_db()
    assert juror.declaration == "Aucun lien"


# --- conflicts found in the registry ---------------------------------------------------------


def _reasons(juror, application):
    return {
        (c.reason, c.level) for c in Conflict.objects.filter(juror=juror, application=application)
    }


def test_conflicts_from_the_registry(stage, user):
    call = stage.call
    own = h.organisation(siren="123456789", commune="21231", department="21", region="27")
    twin = h.organisation(siren="123456789")
    p_member, p_partner, p_initiator, p_siren = h.pole(), h.pole(), h.pole(), h.pole()
    h.member(p_member, own, "member")
    h.member(p_partner, own, "partner")
    h.member(p_initiator, own, "initiator")
    h.member(p_siren, twin, "member")
    managed = h.pole()
    network = Network.objects.create(name="Réseau", slug="reseau")
    p_network = h.pole(region="11", department="75", commune="75056")
    p_network.networks.add(network)
    p_member.networks.add(network)  # the juror's organisation is in the network through it
    p_territory = h.pole(region="11", department="75", commune="75056")
    TerritoryArea.objects.create(pole=p_territory, kind="department", code="21")
    p_far = h.pole(region="11", department="75", commune="75056")
    apps = {
        name: h.submitted(call, p)
        for name, p in {
            "member": p_member,
            "partner": p_partner,
            "initiator": p_initiator,
            "siren": p_siren,
            "managed": managed,
            "network": p_network,
            "territory": p_territory,
            "far": p_far,
        }.items()
    }
    amina = user("amina")
    managed.managers.add(amina)
    juror = h.seat(stage, amina, organisation=own)

    found = jury.conflicts_detect(stage=stage)
    assert found["added"] >= 7
    assert ("organisation_member", "conflict") in _reasons(juror, apps["member"])
    assert ("organisation_partner", "conflict") in _reasons(juror, apps["partner"])
    assert ("organisation_initiator", "conflict") in _reasons(juror, apps["initiator"])
    assert _reasons(juror, apps["siren"]) == {("same_siren", "conflict")}
    assert ("manages_pole", "conflict") in _reasons(juror, apps["managed"])
    assert _reasons(juror, apps["network"]) == {("same_network", "review")}
    assert _reasons(juror, apps["territory"]) == {("same_territory_department", "review")}
    assert _reasons(juror, apps["far"]) == set()
    texts = {jury.conflict_message(c) for c in Conflict.objects.filter(juror=juror)}
    assert (
        "L’organisation de ce membre du jury a le même SIREN (123456789) qu’un membre du pôle."
        in texts
    )


def test_detection_never_reopens_a_decided_conflict_and_follows_the_registry(stage, manager, user):
    own = h.organisation()
    p = h.pole(region="", department="", commune="")
    membership = h.member(p, own)
    application = h.submitted(stage.call, p)
    juror = h.seat(stage, user("amina"), organisation=own)
    jury.conflicts_detect(stage=stage)
    conflict = Conflict.objects.get(juror=juror, application=application)
    jury.conflict_decide(
        conflict=conflict, decision="dismiss", reason="Adhésion ancienne", actor=manager
    )
    jury.conflicts_detect(stage=stage)
    conflict.refresh_from_db()
    assert conflict.status == "dismissed" and Conflict.objects.count() == 1
    # an open conflict whose link left the registry goes with it
    other = h.pole(region="", department="", commune="")
    h.member(other, own)
    second = h.submitted(stage.call, other)
    jury.conflicts_detect(stage=stage)
    assert Conflict.objects.filter(application=second, status="open").exists()
    other.memberships.all().delete()
    assert jury.conflicts_detect(stage=stage)["removed"] == 1
    assert not Conflict.objects.filter(application=second).exists()
    assert membership.pk and log_issues(stage.call) == []


def test_conflict_decide_needs_a_reason_and_decides_once(stage, manager, user):
    p = h.pole()
    application = h.submitted(stage.call, p)
    juror = h.seat(stage, user("amina"))
    conflict = Conflict.objects.create(
        juror=juror,
        application=application,
        level="review",
        reason="same_network",
        subject="1",
        source="registry",
    )
    assert not conflict.blocks
    with pytest.raises(DomainError) as excinfo:
        jury.conflict_decide(conflict=conflict, decision="confirm", reason=" ", actor=manager)
    assert code_of(excinfo) == "calls.conflict_reason_required"
    jury.conflict_decide(conflict=conflict, decision="confirm", reason="Même réseau", actor=manager)
    conflict.refresh_from_db()
    assert conflict.blocks and conflict.decided_by == manager
    with pytest.raises(DomainError) as excinfo:
        jury.conflict_decide(conflict=conflict, decision="dismiss", reason="x", actor=manager)
    assert code_of(excinfo) == "calls.conflict_decided"


def test_a_juror_declares_a_conflict_on_an_assigned_file_only(stage, user):
    amina = user("amina")
    juror = h.seat(stage, amina)
    mine, other = h.submitted(stage.call), h.submitted(stage.call)
    Assignment.objects.create(stage=stage, application=mine, juror=juror, source="hand")
    with pytest.raises(DomainError) as excinfo:
        jury.conflict_declare(juror=juror, application=other, note="Je connais", actor=amina)
    assert code_of(excinfo) == "calls.not_assigned"
    with pytest.raises(DomainError) as excinfo:
        jury.conflict_declare(juror=juror, application=mine, note="", actor=amina)
    assert code_of(excinfo) == "calls.conflict_note_required"
    conflict = jury.conflict_declare(
        juror=juror, application=mine, note="J’y ai travaillé", actor=amina
    )
    assert conflict.blocks and conflict.source == "juror" and conflict.status == "confirmed"


def test_a_hand_assignment_made_before_a_conflict_is_confirmed_is_taken_off(stage, manager, user):
    """Assigned by hand while the link was only « to review »; once the conflict is
    confirmed the assignment goes (logged first), not only hidden; a scored one stays."""
    application = h.submitted(stage.call, h.pole())
    amina, karim = user("amina"), user("karim")
    juror, scorer = h.seat(stage, amina), h.seat(stage, karim)
    conflicts = [
        Conflict.objects.create(
            juror=seat,
            application=application,
            level="review",
            reason="same_network",
            subject="1",
            source="registry",
        )
        for seat in (juror, scorer)
    ]
    assigned = jury.assignment_set(stage=stage, application=application, juror=juror, actor=manager)
    scored = jury.assignment_set(stage=stage, application=application, juror=scorer, actor=manager)
    Review.objects.create(assignment=scored)
    decided = jury.conflict_decide(
        conflict=conflicts[0], decision="confirm", reason="Même réseau", actor=manager
    )
    assert decided.taken_off == [juror.name]
    assert not Assignment.objects.filter(pk=assigned.pk).exists()
    entry = stage.call.log.order_by("-sequence").first()
    assert entry.action == "calls.assignment.removed" and entry.payload["state"]["removed"]
    assert entry.payload["id"] == assigned.pk
    kept = jury.conflict_decide(
        conflict=conflicts[1], decision="confirm", reason="Même réseau", actor=manager
    )
    assert kept.taken_off == [] and Assignment.objects.filter(pk=scored.pk).exists()
    assert log_issues(stage.call, unlogged=("call", "application", "review")) == []


def test_a_declared_or_added_conflict_takes_the_juror_off_the_file(stage, manager, user):
    first, second = h.submitted(stage.call), h.submitted(stage.call)
    amina = user("amina")
    juror = h.seat(stage, amina)
    for application in (first, second):
        jury.assignment_set(stage=stage, application=application, juror=juror, actor=manager)
    declared = jury.conflict_declare(
        juror=juror, application=first, note="J’y ai travaillé", actor=amina
    )
    assert declared.taken_off == [juror.name]
    added = jury.conflict_add(
        juror=juror, application=second, reason="Sa sœur préside le pôle", actor=manager
    )
    assert added.taken_off == [juror.name]
    assert not Assignment.objects.filter(juror=juror).exists()
    assert log_issues(stage.call) == []


# --- the assignment --------------------------------------------------------------------------


@pytest.fixture
def jury_of_five(stage, user):
    stage.jurors_per_file = 2
    stage.save()
    files = [
        h.submitted(stage.call, h.pole(region=r))
        for r in ("84", "84", "11", "11", "53", "53", "44")
    ]
    jurors = [
        h.seat(stage, user(f"jure{i}"), region_code=r)
        for i, r in enumerate(["84", "11", "53", "44", "84"])
    ]
    # conflicts: two blocking, one « to review » open (does not block), one dismissed;
    # the registry one is real (assignment_run detects first, and open registry rows follow
    # the registry)
    organisation = h.organisation()
    h.member(files[0].pole, organisation)
    jurors[0].organisation = organisation
    jurors[0].save(update_fields=["organisation"])
    Conflict.objects.create(
        juror=jurors[0],
        application=files[0],
        level="conflict",
        reason="organisation_member",
        source="registry",
    )
    Conflict.objects.create(
        juror=jurors[1],
        application=files[0],
        level="conflict",
        reason="declared",
        source="juror",
        status="confirmed",
    )
    Conflict.objects.create(
        juror=jurors[2],
        application=files[1],
        level="review",
        reason="same_network",
        source="registry",
    )
    Conflict.objects.create(
        juror=jurors[3],
        application=files[2],
        level="conflict",
        reason="manages_pole",
        source="registry",
        status="dismissed",
    )
    return files, jurors


def _pairs(stage):
    return set(Assignment.objects.filter(stage=stage).values_list("juror_id", "application_id"))


def test_assignment_run_never_pairs_a_conflict_and_balances_the_loads(
    stage, manager, jury_of_five, user
):
    files, jurors = jury_of_five
    h.seat(stage, user("pas-declare"), declared=False)  # not declared: not assigned
    problems = jury.assignment_run(stage=stage, actor=manager)
    assert problems == []
    pairs = _pairs(stage)
    blocking = {(c.juror_id, c.application_id) for c in Conflict.objects.all() if c.blocks}
    assert not pairs & blocking
    for f in files:
        assert sum(1 for _j, a in pairs if a == f.pk) == 2
    loads = [sum(1 for j, _a in pairs if j == juror.pk) for juror in jurors]
    assert max(loads) - min(loads) <= 1 and sum(loads) == 14
    assert not Assignment.objects.filter(juror__declared_at__isnull=True).exists()
    # the same run again changes nothing
    jury.assignment_run(stage=stage, actor=manager)
    assert _pairs(stage) == pairs
    assert log_issues(stage.call) == []


def test_assignment_run_keeps_hand_pairs_and_scored_ones(stage, manager, jury_of_five):
    files, jurors = jury_of_five
    hand = Assignment.objects.create(
        stage=stage, application=files[3], juror=jurors[4], source="hand"
    )
    jury.assignment_run(stage=stage, actor=manager)
    solver_one = Assignment.objects.filter(source="solver").first()
    Review.objects.create(assignment=solver_one)
    # a new blocking conflict on every other juror would move the solver's pairs: the
    # scored one and the hand one stay
    jury.assignment_run(stage=stage, actor=manager)
    assert Assignment.objects.filter(pk=hand.pk).exists()
    assert Assignment.objects.filter(pk=solver_one.pk).exists()


def test_assignment_run_reports_a_file_with_too_few_jurors(stage, manager, user):
    f = h.submitted(stage.call, title="Projet Bleu")
    j = h.seat(stage, user("seule"))
    stage.jurors_per_file = 2
    stage.save()
    problems = jury.assignment_run(stage=stage, actor=manager)
    assert any("Projet Bleu" in p and "1" in p for p in problems)
    assert _pairs(stage) == {(j.pk, f.pk)}


def test_hand_assignment_refused_when_it_breaks_a_rule(stage, manager, jury_of_five, user):
    files, jurors = jury_of_five
    jury.assignment_run(stage=stage, actor=manager)
    before = _pairs(stage)
    # a conflicted pair
    with pytest.raises(DomainError) as excinfo:
        jury.assignment_set(stage=stage, application=files[0], juror=jurors[0], actor=manager)
    assert code_of(excinfo) == "calls.assignment_breaks_rule"
    assert "conflit" in excinfo.value.message
    # a third juror on a file of two (k = 2)
    free = next(j for j in jurors if (j.pk, files[5].pk) not in before)
    with pytest.raises(DomainError) as excinfo:
        jury.assignment_set(stage=stage, application=files[5], juror=free, actor=manager)
    assert code_of(excinfo) == "calls.assignment_breaks_rule"
    # an existing pair
    juror_id, file_id = sorted(before)[0]
    with pytest.raises(DomainError) as excinfo:
        jury.assignment_set(
            stage=stage,
            application=files[[f.pk for f in files].index(file_id)],
            juror=Juror.objects.get(pk=juror_id),
            actor=manager,
        )
    assert code_of(excinfo) == "calls.assignment_exists"
    # a juror who has not declared
    late = h.seat(stage, user("tard"), declared=False)
    with pytest.raises(DomainError) as excinfo:
        jury.assignment_set(stage=stage, application=files[6], juror=late, actor=manager)
    assert code_of(excinfo) == "calls.not_declared"
    assert _pairs(stage) == before


def test_hand_removal_refused_when_scored_or_when_loads_split(stage, manager, user):
    stage.jurors_per_file = 1
    stage.save()
    f1, f2 = h.submitted(stage.call), h.submitted(stage.call)
    a, b = h.seat(stage, user("a")), h.seat(stage, user("b"))
    x = jury.assignment_set(stage=stage, application=f1, juror=a, actor=manager)
    # b would carry 1 file and a 0 after a second hand pair on b… that is allowed (1 apart)
    y = jury.assignment_set(stage=stage, application=f2, juror=b, actor=manager)
    c1, c2 = stage.criteria.all()
    reviews.review_save(
        assignment=x, scores={c1.pk: "3", c2.pk: "4"}, comments={}, submit=True, actor=a.user
    )
    with pytest.raises(DomainError) as excinfo:
        jury.assignment_remove(assignment=x, actor=manager)
    assert code_of(excinfo) == "calls.assignment_reviewed"
    # loads more than one apart: a third file, on b by hand, then b cannot take a fourth
    f3, f4 = h.submitted(stage.call), h.submitted(stage.call)
    jury.assignment_set(stage=stage, application=f3, juror=b, actor=manager)
    with pytest.raises(DomainError) as excinfo:
        jury.assignment_set(stage=stage, application=f4, juror=b, actor=manager)
    assert code_of(excinfo) == "calls.assignment_breaks_rule"
    assert "charges" in excinfo.value.message
    # taking a's only file would leave 0 against 2
    jury.assignment_remove(assignment=y, actor=manager)
    assert not Assignment.objects.filter(pk=y.pk).exists()
    assert log_issues(stage.call) == []


def test_no_conflicted_pair_over_many_random_juries(call, user, manager):
    import random

    rng = random.Random(12)
    for round_ in range(5):
        c = call(slug=f"appel-{round_}")
        stage = c.stages.get()
        stage.jurors_per_file = rng.randint(1, 3)
        stage.save()
        files = [
            h.submitted(c, h.pole(region=rng.choice(["11", "84"])))
            for _ in range(rng.randint(3, 9))
        ]
        jurors = [
            h.seat(stage, user(), region_code=rng.choice(["11", "84"]))
            for _ in range(rng.randint(3, 6))
        ]
        for j in jurors:
            for f in files:
                if rng.random() < 0.2:
                    Conflict.objects.create(
                        juror=j,
                        application=f,
                        level="conflict",
                        reason="declared",
                        source="juror",
                        status="confirmed",
                    )
        jury.assignment_run(stage=stage, actor=manager)
        blocking = {
            (x.juror_id, x.application_id)
            for x in Conflict.objects.filter(juror__stage=stage).filter(jury.blocking_q())
        }
        assert not _pairs(stage) & blocking


# --- scoring ---------------------------------------------------------------------------------


@pytest.fixture
def assigned(stage, user):
    amina = user("amina")
    juror = h.seat(stage, amina)
    application = h.submitted(stage.call)
    a = Assignment.objects.create(stage=stage, application=application, juror=juror, source="hand")
    criteria = list(stage.criteria.all())
    return amina, a, criteria


def test_review_save_draft_then_submit_locks_the_grid_and_freezes(assigned, stage):
    amina, a, (c1, c2) = assigned
    review = reviews.review_save(
        assignment=a, scores={c1.pk: "4,5"}, comments={c1.pk: "Solide"}, submit=False, actor=amina
    )
    stage.refresh_from_db()
    assert stage.grid_locked_at is not None
    assert review.total is None and review.submitted_at is None
    review = reviews.review_save(
        assignment=a, scores={c1.pk: "4.5", c2.pk: "3"}, comments={}, submit=True, actor=amina
    )
    assert review.total == Decimal("4.0000")  # (2·4,5 + 1·3) / 3
    assert review.submitted_at is not None
    with pytest.raises(DomainError) as excinfo:
        reviews.review_save(
            assignment=a, scores={c1.pk: "1", c2.pk: "1"}, comments={}, submit=False, actor=amina
        )
    assert code_of(excinfo) == "calls.review_submitted"
    assert Score.objects.get(review=review, criterion=c1).value == Decimal("4.5")
    assert log_issues(stage.call, ("call", "application", "assignment")) == []


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("5.01", "calls.score_out_of_scale"),
        ("-1", "calls.score_out_of_scale"),
        ("6", "calls.score_out_of_scale"),
        ("3.333", "calls.score_invalid"),
        ("trois", "calls.score_invalid"),
        ("NaN", "calls.score_invalid"),
        ("Infinity", "calls.score_invalid"),
    ],
)
def test_a_score_outside_the_scale_or_not_a_number_is_refused(assigned, stage, value, code):
    amina, a, (c1, c2) = assigned
    with pytest.raises(DomainError) as excinfo:
        reviews.review_save(
            assignment=a, scores={c1.pk: value, c2.pk: "2"}, comments={}, submit=True, actor=amina
        )
    assert code_of(excinfo) == code
    assert excinfo.value.field == f"score_{c1.pk}"
    assert not Review.objects.exists() and not Score.objects.exists()
    stage.refresh_from_db()
    assert stage.grid_locked_at is None


def test_submitting_needs_every_score(assigned):
    amina, a, (c1, _c2) = assigned
    with pytest.raises(DomainError) as excinfo:
        reviews.review_save(
            assignment=a, scores={c1.pk: "2"}, comments={}, submit=True, actor=amina
        )
    assert code_of(excinfo) == "calls.score_missing"
    assert not Review.objects.exists()


def test_scoring_refused_to_another_juror_an_undeclared_or_a_conflicted_one(
    assigned, stage, user, manager
):
    amina, a, (c1, c2) = assigned
    scores = {c1.pk: "2", c2.pk: "2"}
    with pytest.raises(DomainError) as excinfo:
        reviews.review_save(
            assignment=a, scores=scores, comments={}, submit=False, actor=user("intrus")
        )
    assert code_of(excinfo) == "calls.not_assigned"
    # a conflict « to review » confirmed after the assignment blocks too
    conflict = Conflict.objects.create(
        juror=a.juror,
        application=a.application,
        level="review",
        reason="same_network",
        source="registry",
    )
    reviews.review_save(assignment=a, scores={c1.pk: "1"}, comments={}, submit=False, actor=amina)
    jury.conflict_decide(conflict=conflict, decision="confirm", reason="Trop proche", actor=manager)
    with pytest.raises(DomainError) as excinfo:
        reviews.review_save(assignment=a, scores=scores, comments={}, submit=True, actor=amina)
    assert code_of(excinfo) == "calls.not_assigned"
    with pytest.raises(DomainError) as excinfo:
        reviews.message_post(application=a.application, juror=a.juror, body="Bonjour", actor=amina)
    assert code_of(excinfo) == "calls.not_assigned"
    # not declared
    other = h.seat(stage, user("sans-declaration"), declared=False)
    b = Assignment.objects.create(
        stage=stage, application=a.application, juror=other, source="hand"
    )
    with pytest.raises(DomainError) as excinfo:
        reviews.review_save(
            assignment=b, scores=scores, comments={}, submit=False, actor=other.user
        )
    assert code_of(excinfo) == "calls.not_declared"


def test_message_post(assigned, user):
    amina, a, _criteria = assigned
    with pytest.raises(DomainError) as excinfo:
        reviews.message_post(application=a.application, juror=a.juror, body="  ", actor=amina)
    assert code_of(excinfo) == "calls.message_required"
    reviews.message_post(application=a.application, juror=a.juror, body="Un avis ?", actor=amina)
    assert Message.objects.get().author == a.juror
    stranger = h.seat(a.stage, user("x"))
    with pytest.raises(DomainError) as excinfo:
        reviews.message_post(
            application=a.application, juror=stranger, body="Hop", actor=stranger.user
        )
    assert code_of(excinfo) == "calls.not_assigned"


def test_user_model_is_the_projects(db):
    assert get_user_model()


def test_a_new_link_voids_the_previous_one(stage, manager, user):
    juror = jury.juror_invite(stage=stage, name="Amina", email="a@example.org", actor=manager)
    old = invitation_token(juror)
    juror = jury.juror_reinvite(juror=juror, actor=manager)
    assert OutboundEmail.objects.filter(kind=jury.JUROR_INVITED, object_id=juror.pk).count() == 2
    with pytest.raises(DomainError) as excinfo:
        jury.juror_accept(token=old, user=user())
    assert code_of(excinfo) == "calls.invitation_invalid"
    amina = user("amina")
    jury.juror_accept(token=invitation_token(juror), user=amina)
    with pytest.raises(DomainError) as excinfo:
        jury.juror_reinvite(juror=juror, actor=manager)
    assert code_of(excinfo) == "calls.invitation_used"


# --- the invitation's language ------------------------------------------------------------


def test_an_invitation_to_an_account_is_in_its_language(stage, manager, user):
    user("amina", language="en")
    with translation.override("fr"):
        juror = jury.juror_invite(
            stage=stage, name="Amina", email="amina@example.org", actor=manager
        )
    outbound = OutboundEmail.objects.get(kind=jury.JUROR_INVITED, object_id=juror.pk)
    assert outbound.language == "en"
    OutboundEmail.objects.all().delete()
    with translation.override("fr"):
        jury.juror_reinvite(juror=juror, actor=manager)
    assert OutboundEmail.objects.get(kind=jury.JUROR_INVITED).language == "en"


def test_an_invitation_to_an_address_without_account_is_in_the_manager_language(stage, manager):
    with translation.override("en"):
        juror = jury.juror_invite(stage=stage, name="Zoé", email="zoe@example.org", actor=manager)
    assert OutboundEmail.objects.get(object_id=juror.pk).language == "en"
