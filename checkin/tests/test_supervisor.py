"""Supervisors at the door: overriding a refusal with a written reason, and walk-ins."""

import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from checkin import selectors, services
from checkin.models import Admission, DoorRole, Scan
from core.models import AuditEntry, OutboundEmail
from events import services as event_services
from events.models import Event, Registration

pytestmark = pytest.mark.django_db

OVERRIDE = "/api/accueil/v1/derogation"
WALK_IN = "/api/accueil/v1/sur-place"
REASON = "Inscrite par erreur sur la liste d'attente, confirmé par l'équipe."


@pytest.fixture
def supervisor(event):
    user = get_user_model().objects.create_user("superviseur", password="Door-pass-2014")
    DoorRole.objects.create(event=event, user=user, role=DoorRole.Role.SUPERVISOR)
    return user


@pytest.fixture
def desk(client, supervisor, enrolled):
    """A signed-in supervisor on an enrolled phone: call(url, body) -> response."""
    device, secret = enrolled()
    client.force_login(supervisor)

    def call(url, body, *, raw=False, auth=secret):
        return client.post(
            url,
            data=body if raw else json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Device {auth}",
        )

    call.device = device
    call.client = client
    return call


def override(token, nonce="override-01", **extra):
    return {"nonce": nonce, "token": token, "reason": REASON, "id_checked": True, **extra}


def person(nonce="walk-in-001", **extra):
    return {
        "nonce": nonce,
        "first_name": "Élise",
        "last_name": "Nguyễn",
        "email": "elise@example.org",
        "organisation": "PTCE Pays de Redon",
        "category": "ptce_member",
        "consent": True,
        "id_checked": True,
        **extra,
    }


def fill(event, ticket, places):
    """Leave ``places`` places free on the event."""
    for _ in range(event.capacity - places):
        ticket()
    event.refresh_from_db()


# --- override ------------------------------------------------------------------------------


def test_a_cancelled_registration_admitted_by_override_keeps_its_status(desk, ticket):
    registration, token = ticket()
    event_services.registration_cancel(registration=registration)
    response = desk(OVERRIDE, override(token))
    assert response.status_code == 200, response.content
    result = response.json()["result"]
    assert result["verdict"] == "admitted" and result["last_name"] == "Lefèvre"
    admission = Admission.objects.get(registration=registration)
    assert admission.override_reason == REASON and admission.device == desk.device
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    entry = AuditEntry.objects.get(action="checkin.admission.override")
    assert entry.data["reason"] == REASON and entry.data["status"] == "cancelled"


def test_a_waiting_person_found_by_name_is_admitted_by_override(desk, event, ticket):
    fill(event, ticket, 0)
    waiting, token = ticket()
    assert waiting.status == Registration.Status.WAITING
    response = desk(OVERRIDE, override(f"h:{services.ticket_hash(token)}"))
    assert response.json()["result"]["verdict"] == "admitted"
    waiting.refresh_from_db()
    event.refresh_from_db()
    # no place taken from the confirmed ones, nobody's status changed
    assert waiting.status == Registration.Status.WAITING
    assert event.confirmed_count == event.capacity


def test_an_override_sent_twice_is_one_admission(desk, ticket):
    registration, token = ticket()
    event_services.registration_cancel(registration=registration)
    first = desk(OVERRIDE, override(token)).json()["result"]
    again = desk(OVERRIDE, override(token)).json()["result"]
    assert first == again
    assert Admission.objects.count() == 1 and Scan.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"reason": ""}, "checkin.override_reason_required"),
        ({"reason": "   parce que  "}, "checkin.override_reason_required"),
        ({"reason": "x" * 301}, "checkin.override_reason_too_long"),
        ({"id_checked": False}, "checkin.id_not_checked"),
        ({"token": "forged-ticket"}, "checkin.override_impossible"),
        ({"reason": 12}, "checkin.invalid_text"),
        ({"nonce": "short"}, "checkin.invalid_scan"),
    ],
)
def test_override_refusals_save_nothing(desk, ticket, change, code):
    registration, token = ticket()
    event_services.registration_cancel(registration=registration)
    response = desk(OVERRIDE, {**override(token), **change})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert not Admission.objects.exists() and not Scan.objects.exists()


def test_override_of_a_valid_or_admitted_ticket_is_refused(desk, ticket):
    _, token = ticket()
    response = desk(OVERRIDE, override(token))
    assert response.json()["error"]["code"] == "checkin.override_not_needed"
    registration, token = ticket()
    event_services.registration_cancel(registration=registration)
    desk(OVERRIDE, override(token, nonce="override-02"))
    response = desk(OVERRIDE, override(token, nonce="override-03"))
    assert response.json()["error"]["code"] == "checkin.already_admitted"
    assert Admission.objects.count() == 1


def test_override_of_a_ticket_of_another_event_is_impossible(desk, ticket):
    other = Event.objects.create(
        slug="autre",
        title="Autre",
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
        status=Event.Status.PUBLISHED,
        capacity=3,
    )
    _, token = ticket(target=other)
    response = desk(OVERRIDE, override(token))
    assert response.json()["error"]["code"] == "checkin.override_impossible"


def test_door_agents_may_neither_override_nor_register_walk_ins(desk, agent, ticket, event):
    event.walk_ins_allowed = True
    event.save()
    registration, token = ticket()
    event_services.registration_cancel(registration=registration)
    desk.client.force_login(agent)
    for url, body in ((OVERRIDE, override(token)), (WALK_IN, person())):
        response = desk(url, body)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "checkin.not_supervisor"
    assert not Admission.objects.exists()
    assert not Registration.objects.filter(email="elise@example.org").exists()


def test_a_revoked_device_may_not_override(desk, supervisor, ticket):
    registration, token = ticket()
    event_services.registration_cancel(registration=registration)
    services.device_revoke(device=desk.device, actor=supervisor)
    response = desk(OVERRIDE, override(token))
    assert (
        response.status_code == 403 and response.json()["error"]["code"] == "checkin.device_revoked"
    )


def test_malformed_supervisor_requests(desk):
    for body, code in (
        ("{", "checkin.malformed_json"),
        ("[1, 2]", "checkin.malformed_request"),
        ('{"version": 2, "nonce": "long-enough"}', "checkin.unsupported_version"),
    ):
        response = desk(OVERRIDE, body, raw=True)
        assert response.status_code == 400 and response.json()["error"]["code"] == code


# --- walk-ins -------------------------------------------------------------------------------


@pytest.fixture
def walk_ins(event):
    event.walk_ins_allowed = True
    event.save()
    return event


def test_a_walk_in_is_registered_confirmed_and_admitted_at_once(desk, walk_ins, supervisor):
    response = desk(WALK_IN, person())
    assert response.status_code == 200, response.content
    result = response.json()["result"]
    assert result["verdict"] == "admitted" and result["last_name"] == "Nguyễn"
    registration = Registration.objects.get(email="elise@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.admission.checked_by == supervisor
    assert registration.admission.device == desk.device
    walk_ins.refresh_from_db()
    assert walk_ins.confirmed_count == 1
    entry = AuditEntry.objects.get(action="events.registration.created")
    assert entry.data["source"] == "walk_in" and entry.actor == supervisor
    # the person gets their confirmation (ticket, personal link) like anyone else
    assert OutboundEmail.objects.filter(
        kind="events.registration.confirmed", to="elise@example.org"
    ).exists()


def test_walk_ins_are_counted_from_the_registration_not_the_audit_log(desk, walk_ins, ticket):
    """The audit log records what happened; the count reads ``Registration.source``:
    audit entries purged, or one saying "walk_in" about an online registration, change
    nothing."""
    assert desk(WALK_IN, person()).json()["result"]["verdict"] == "admitted"
    online, _token = ticket()
    walk_in = Registration.objects.get(email="elise@example.org")
    assert walk_in.source == Registration.Source.WALK_IN
    assert online.source == Registration.Source.ONLINE
    AuditEntry.objects.filter(action="events.registration.created").delete()
    assert selectors.walk_in_count(event=walk_ins) == 1
    AuditEntry.objects.create(
        action="events.registration.created",
        scope=f"events.event:{walk_ins.pk}",
        object_id=online.pk,
        data={"source": "walk_in"},
    )
    assert selectors.walk_in_count(event=walk_ins) == 1


def test_the_migration_marks_the_walk_ins_of_the_audit_log(desk, walk_ins, ticket):
    assert desk(WALK_IN, person()).json()["result"]["verdict"] == "admitted"
    online, _token = ticket()
    Registration.objects.update(source=Registration.Source.ONLINE)  # before the column
    migration = importlib.import_module("events.migrations.0009_registration_source")
    migration.fill_walk_ins(apps, None)
    sources = dict(Registration.objects.values_list("email", "source"))
    assert sources == {"elise@example.org": "walk_in", online.email: "online"}
    assert selectors.walk_in_count(event=walk_ins) == 1


def test_a_walk_in_sent_twice_is_one_person(desk, walk_ins):
    first = desk(WALK_IN, person()).json()["result"]
    again = desk(WALK_IN, person()).json()["result"]
    assert first == again
    assert Registration.objects.count() == 1 and Admission.objects.count() == 1


def test_walk_ins_respect_the_capacity(desk, walk_ins, ticket):
    fill(walk_ins, ticket, 1)
    assert desk(WALK_IN, person()).json()["result"]["verdict"] == "admitted"
    response = desk(WALK_IN, person(nonce="walk-in-002", email="autre@example.org"))
    assert response.status_code == 400 and response.json()["error"]["code"] == "events.event_full"
    walk_ins.refresh_from_db()
    assert walk_ins.confirmed_count == walk_ins.capacity
    assert not Registration.objects.filter(email="autre@example.org").exists()
    assert Scan.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"email": "pas-une-adresse"}, "events.invalid_field", "email"),
        # 134 characters, 258 once casefolded (« ß » → « ss »): too long for its key
        ({"email": "zoe@" + ".".join(["ß" * 31] * 4) + ".de"}, "events.invalid_field", "email"),
        ({"last_name": "Ngu\u202eyen"}, "events.invalid_field", "last_name"),
        ({"last_name": ""}, "events.invalid_field", "last_name"),
        ({"category": "vip"}, "events.invalid_field", "category"),
        ({"consent": False}, "events.consent_required", "consent"),
        ({"id_checked": False}, "checkin.id_not_checked", None),
        ({"first_name": ["Élise"]}, "checkin.invalid_text", "first_name"),
    ],
)
def test_walk_in_refusals_save_nothing(desk, walk_ins, change, code, field):
    response = desk(WALK_IN, person(**change))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error.get("field") == field
    assert not Registration.objects.exists() and not Scan.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_person_already_registered_is_not_registered_twice(desk, walk_ins, ticket):
    ticket(email="Elise@Example.org")
    response = desk(WALK_IN, person())
    assert response.json()["error"]["code"] == "events.already_registered"
    assert Registration.objects.count() == 1 and not Admission.objects.exists()


def test_walk_ins_closed_unless_the_organiser_opened_them(desk, event):
    response = desk(WALK_IN, person())
    assert response.json()["error"]["code"] == "events.walk_ins_closed"
    assert not Registration.objects.exists()


def test_no_walk_in_after_the_event_nor_on_a_cancelled_event(desk, walk_ins):
    Event.objects.filter(pk=walk_ins.pk).update(
        starts_at=timezone.now() - timedelta(hours=8), ends_at=timezone.now() - timedelta(hours=1)
    )
    assert desk(WALK_IN, person()).json()["error"]["code"] == "events.walk_ins_closed"
    Event.objects.filter(pk=walk_ins.pk).update(
        ends_at=timezone.now() + timedelta(hours=1), status=Event.Status.CANCELLED
    )
    assert desk(WALK_IN, person()).json()["error"]["code"] == "events.walk_ins_closed"
    assert not Registration.objects.exists()


def test_walk_ins_are_taken_while_online_registration_is_closed(desk, walk_ins):
    """The day itself: online registration closed when the event started."""
    Event.objects.filter(pk=walk_ins.pk).update(
        starts_at=timezone.now() - timedelta(hours=1),
        registration_closes_at=timezone.now() - timedelta(days=2),
    )
    assert desk(WALK_IN, person()).json()["result"]["verdict"] == "admitted"
