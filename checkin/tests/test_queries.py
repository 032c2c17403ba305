"""Query counts pinned: the door's pages and API cost the same with 1 row as with 30
(registrations, admissions, scans, conflicts, overrides, devices, door roles). A change
that adds a query per row (an N+1) breaks these tests; a change that adds a query per
page changes the pinned number, on purpose."""

import json
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkin import services
from checkin.models import Admission, Device, DoorRole, Scan, Verdict
from events import services as event_services
from events.models import Event, Registration
from events.tokens import ticket_token

pytestmark = pytest.mark.django_db

REASON = "Inscrite par erreur sur la liste d'attente, confirmé par l'équipe."


@pytest.fixture
def organiser(event):
    user = get_user_model().objects.create_user(
        "organisatrice", password="Door-pass-2014", is_staff=True
    )
    event.managers.add(user)
    Event.objects.filter(pk=event.pk).update(capacity=200, walk_ins_allowed=True)
    event.refresh_from_db()
    return user


def letters(n: int) -> str:
    """1 → « A », 30 → « AD »: a name holds no digit."""
    word = ""
    while n:
        n, rest = divmod(n - 1, 26)
        word = chr(ord("A") + rest) + word
    return word


class Rows:
    """Adds rows of every kind the door's pages list, ``add(n)`` at a time."""

    def __init__(self, event, organiser):
        self.event, self.organiser, self.count = event, organiser, 0
        self.device = services.device_create(event=event, name="Accueil", actor=organiser)
        self.device.enrolled_at = timezone.now()
        self.device.save(update_fields=["enrolled_at"])
        self.tokens: list[str] = []

    def add(self, n: int) -> None:
        now = timezone.now()
        for _ in range(n):
            i = self.count = self.count + 1
            user = get_user_model().objects.create_user(
                f"porte-{i}", first_name="Agent", last_name=f"N°{i}"
            )
            DoorRole.objects.create(
                event=self.event,
                user=user,
                role=DoorRole.Role.SUPERVISOR if i % 2 else DoorRole.Role.AGENT,
            )
            # a device waiting for its phone (link and QR code), one enrolled, one revoked
            Device.objects.create(
                event=self.event,
                name=f"Téléphone {i}",
                created_by=self.organiser,
                enrolment_nonce=secrets.token_hex(16),
                enrolled_at=now if i % 3 else None,
                revoked_at=now if i % 3 == 2 else None,
            )
            registration = event_services.registration_create(
                event=self.event,
                first_name="Zoé",
                last_name=f"Lefèvre {letters(i)}",
                email=f"porte{i}@example.org",
                category=("ptce_member", "press", "speaker")[i % 3],
                consent=True,
            ).registration
            self.tokens.append(ticket_token(registration))
            Admission.objects.create(
                event=self.event,
                registration=registration,
                device=self.device,
                checked_by=user,
                scanned_at=now,
                received_at=now,
                id_checked=True,
                override_reason=REASON if i % 2 else "",
            )
            for nonce, conflict in ((f"scan-{i:05d}", False), (f"late-{i:05d}", True)):
                Scan.objects.create(
                    event=self.event,
                    device=self.device,
                    user=user,
                    nonce=nonce,
                    registration=registration,
                    scanned_at=now,
                    received_at=now,
                    verdict=Verdict.ALREADY_ADMITTED if conflict else Verdict.ADMITTED,
                    offline=conflict,
                    conflict=conflict,
                )


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return len(captured)


def pinned(rows: Rows, expected: dict[str, tuple]) -> None:
    """Each call of ``expected`` (name: (call, number of queries)) costs the same number
    of queries with 1 row of each kind and with 30."""
    rows.add(1)
    for call, _number in expected.values():
        call()  # warm: whatever a first request loads once
    one = {name: queries(call) for name, (call, _number) in expected.items()}
    rows.add(29)
    thirty = {name: queries(call) for name, (call, _number) in expected.items()}
    wanted = {name: number for name, (_call, number) in expected.items()}
    assert (one, thirty) == (wanted, wanted)


def test_the_organisers_door_page(client, event, organiser):
    rows = Rows(event, organiser)
    client.force_login(organiser)
    url = reverse("checkin_manage:door", args=[event.slug])
    pinned(rows, {"door": (lambda: client.get(url), 14)})
    page = client.get(url).content.decode()
    assert "Téléphone 30" in page and "porte-30" in page and "LEFÈVRE AD" in page


def test_the_projection_and_its_figures(client, event, organiser):
    rows = Rows(event, organiser)
    client.force_login(organiser)
    page = reverse("checkin_manage:projection", args=[event.slug])
    state = reverse("checkin_manage:projection_state", args=[event.slug])
    pinned(rows, {"page": (lambda: client.get(page), 6), "state": (lambda: client.get(state), 6)})
    assert client.get(state).json()["admitted"] == 30


def test_the_door_list_and_the_sync(client, event, organiser):
    rows = Rows(event, organiser)
    device = services.device_create(event=event, name="Scan", actor=organiser)
    device, secret = services.device_enrol(
        device_id=device.pk, enrolment_nonce=device.enrolment_nonce
    )
    client.force_login(organiser)
    auth = {"HTTP_AUTHORIZATION": f"Device {secret}"}
    door_list = reverse("checkin_api:list")
    pinned(rows, {"list": (lambda: client.get(door_list, **auth), 7)})
    assert len(client.get(door_list, **auth).json()["tickets"]) == 30

    sync = reverse("checkin_api:sync")
    sent = iter(range(100_000))

    def batch(size: int):
        scans = [
            {
                "nonce": f"sync-{next(sent):06d}",
                "token": token,
                "scanned_at": timezone.now().isoformat(),
                "id_checked": True,
                "offline": True,
            }
            for token in rows.tokens[:size]
        ]
        return lambda: client.post(
            sync, data=json.dumps({"scans": scans}), content_type="application/json", **auth
        )

    batch(1)()  # warm
    one, thirty = queries(batch(1)), queries(batch(30))
    assert (one, thirty) == (12, 12)
    assert Registration.objects.filter(event=event).count() == 30
