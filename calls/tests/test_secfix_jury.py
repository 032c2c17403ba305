"""The audit's fixes on the jury's side (issue 12): a conflicted juror never sees the file,
whatever the order of the manager's steps."""

import pytest
from django.urls import reverse

from calls.models import Assignment, Conflict
from calls.permissions import can_review, is_blocked
from calls.services import jury
from calls.tests import jury_helpers as h


@pytest.fixture
def stage(call):
    return call().stages.get()


def test_access_refuses_a_registry_conflict_never_detected(stage, user, client):
    """Mallory became the pole's manager after the assignment: no stored conflict, yet the
    live registry check keeps the grid and the file closed to her."""
    mallory = user("mallory")
    seat = h.seat(stage, mallory)
    file = h.submitted(stage.call)
    a = Assignment.objects.create(stage=stage, application=file, juror=seat, source="hand")
    client.force_login(mallory)
    assert client.get(reverse("calls_jury:grid", args=[a.pk])).status_code == 200
    assert file.project_title in client.get(reverse("calls_jury:home")).content.decode()
    file.pole.managers.add(mallory)
    assert not Conflict.objects.filter(juror=seat).exists()
    assert is_blocked(seat, file) and not can_review(seat, file)
    assert client.get(reverse("calls_jury:grid", args=[a.pk])).status_code == 404
    home = client.get(reverse("calls_jury:home")).content.decode()
    assert file.project_title not in home


def test_a_dismissed_registry_conflict_no_longer_blocks(stage, user):
    manager = user("gestion")
    stage.call.managers.add(manager)
    mallory = user("mallory")
    seat = h.seat(stage, mallory)
    file = h.submitted(stage.call)
    file.pole.managers.add(mallory)
    jury.conflicts_detect(stage=stage, actor=manager)
    conflict = Conflict.objects.get(juror=seat, application=file)
    assert is_blocked(seat, file)
    jury.conflict_decide(conflict=conflict, decision="dismiss", reason="homonyme", actor=manager)
    assert not is_blocked(seat, file)


def test_accepting_with_another_account_is_shown_to_the_manager(stage, user, client):
    from calls.tokens import invitation_token

    manager = user("gestion")
    stage.call.managers.add(manager)
    seat = h.seat(stage, None, name="Invitée")  # invited at jure…@example.org
    other = user("autre")  # autre@example.org opens the link
    jury.juror_accept(token=invitation_token(seat), user=other)
    seat.refresh_from_db()
    assert seat.accepted_email == "autre@example.org"
    client.force_login(manager)
    body = client.get(reverse("calls_manage:stage_jury", args=[stage.pk])).content.decode()
    assert "autre@example.org" in body and seat.email in body
    assert "accepté avec le compte" in body


def test_accepting_with_the_invited_account_says_nothing(stage, user, client):
    from calls.tokens import invitation_token

    manager = user("gestion")
    stage.call.managers.add(manager)
    amina = user("amina")
    seat = h.seat(stage, None, name="Amina")
    seat.email = "amina@example.org"
    seat.save(update_fields=["email"])
    jury.juror_accept(token=invitation_token(seat), user=amina)
    client.force_login(manager)
    body = client.get(reverse("calls_manage:stage_jury", args=[stage.pk])).content.decode()
    assert "accepté avec le compte" not in body


def test_a_conflict_of_another_seat_of_the_person_forbids_the_pair_and_the_list(call, user, client):
    """Amina's conflict confirmed in the regional cell keeps her national seat off the file:
    the solver does not assign it, a hand assignment is refused, her list does not show it."""
    from calls.models import Stage
    from calls.selectors_jury import jury_home
    from core.errors import DomainError

    c = call()
    national = c.stages.get()
    regional = Stage.objects.create(
        call=c, name="Cellule", kind="regional", region_codes=["84"], position=0
    )
    manager = user("gestion")
    c.managers.add(manager)
    amina = user("amina")
    regional_seat = h.seat(regional, amina, name="Amina")
    national_seat = h.seat(national, amina, name="Amina")
    file = h.submitted(c)
    Conflict.objects.create(
        juror=regional_seat,
        application=file,
        level="review",
        reason="same_network",
        source="registry",
        status="confirmed",
    )
    assert is_blocked(national_seat, file)
    with pytest.raises(DomainError):
        jury.assignment_set(stage=national, application=file, juror=national_seat, actor=manager)
    jury.assignment_run(stage=national, actor=manager)
    assert not Assignment.objects.filter(juror=national_seat, application=file).exists()
    # even a pair stored before the conflict stays out of her list
    Assignment.objects.create(stage=national, application=file, juror=national_seat, source="hand")
    seats = jury_home(user=amina)
    assert all(a.application_id != file.pk for s in seats for a in s.files)


def test_a_conflict_of_another_person_does_not_block(call, user):
    from calls.models import Stage

    c = call()
    national = c.stages.get()
    regional = Stage.objects.create(
        call=c, name="Cellule", kind="regional", region_codes=["84"], position=0
    )
    bruno_regional = h.seat(regional, user("bruno"))
    amina_national = h.seat(national, user("amina"))
    file = h.submitted(c)
    Conflict.objects.create(
        juror=bruno_regional,
        application=file,
        level="conflict",
        reason="declared",
        source="juror",
        status="confirmed",
    )
    assert not is_blocked(amina_national, file)
