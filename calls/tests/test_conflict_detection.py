"""One source for conflicts of interest: the demo stores what the jury service's detection
finds (running it again adds nothing), and a file passed on to the next stage keeps the
conflicts found in the stage it left."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from calls.management.commands import load_calls_demo as demo
from calls.models import Application, Call, Conflict, Stage
from calls.services import jury
from calls.tests import jury_helpers as h

pytestmark = pytest.mark.django_db


def _state(call):
    return sorted(
        Conflict.objects.filter(juror__stage__call=call).values_list(
            "juror_id", "application_id", "reason", "subject", "level", "status"
        )
    )


def test_the_detection_finds_nothing_new_in_the_demo_and_its_log_holds():
    call_command("load_registry_demo", stdout=StringIO())
    call_command("load_calls_demo", stdout=StringIO())
    call = Call.objects.get(slug=demo.SLUG_DEMO)
    manager = get_user_model().objects.get(username=demo.MANAGER)
    before = _state(call)
    registry = Conflict.objects.filter(juror__stage__call=call, source="registry")
    assert registry.filter(level="conflict").exists() and registry.filter(level="review").exists()
    # the call manager decided some « to review » ones, with a reason, as the page does
    decided = registry.exclude(status="open")
    assert {c.status for c in decided} == {"confirmed", "dismissed"}
    assert all(c.decision_reason and c.decided_by == manager for c in decided)
    for stage in call.stages.order_by("position", "pk"):
        assert jury.conflicts_detect(stage=stage, actor=manager) == {"added": 0, "removed": 0}
    assert _state(call) == before
    out = StringIO()
    call_command("verify_calls", "--call", demo.SLUG_DEMO, stdout=out)
    assert out.getvalue().startswith(f"{demo.SLUG_DEMO} : OK")


def test_a_file_passed_on_keeps_the_open_conflicts_of_the_stage_it_left(call, user):
    created = call()
    regional = created.stages.get()
    national = Stage.objects.create(call=created, name="Nationale", kind="national", position=2)
    own = h.organisation()
    pole = h.pole(region="", department="", commune="")
    h.member(pole, own)
    application = h.submitted(created, pole)
    juror = h.seat(regional, user("amina"), organisation=own)
    assert jury.conflicts_detect(stage=regional)["added"] == 1
    Application.objects.filter(pk=application.pk).update(stage=national)
    assert jury.conflicts_detect(stage=regional) == {"added": 0, "removed": 0}
    assert Conflict.objects.filter(juror=juror, application=application, status="open").exists()
