"""On PostgreSQL: twenty devices admitting the same ticket at the same moment."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone

from checkin import services
from checkin.models import Admission, Scan
from checkin.tests.factories import door_open_event
from events import services as event_services
from events.tokens import ticket_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_admissions_of_one_ticket_admit_once():
    event = door_open_event(capacity=5)
    user = get_user_model().objects.create_user("door", is_staff=True)
    event.managers.add(user)
    devices = []
    for index in range(20):
        device = services.device_create(event=event, name=f"Poste {index}", actor=user)
        devices.append(
            services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)[0]
        )
    registration = event_services.registration_create(
        event=event,
        first_name="Zoé",
        last_name="Lefèvre",
        email="z@example.org",
        category="other",
        consent=True,
    ).registration
    token = ticket_token(registration)
    barrier = threading.Barrier(20)

    def admit(index):
        try:
            barrier.wait(timeout=30)
            return services.scan_record(
                device=devices[index],
                user=user,
                token=token,
                nonce=f"race-{index:04d}",
                scanned_at=timezone.now(),
                id_checked=True,
            ).verdict
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        verdicts = list(pool.map(admit, range(20)))
    assert sorted(verdicts) == ["admitted"] + ["already_admitted"] * 19
    assert Admission.objects.filter(registration=registration).count() == 1
    assert Scan.objects.filter(registration=registration).count() == 20


def test_ten_concurrent_walk_ins_for_three_places_register_three():
    from core.errors import DomainError

    event = door_open_event(capacity=3, walk_ins_allowed=True)
    user = get_user_model().objects.create_user("desk", is_staff=True)
    event.managers.add(user)
    devices = []
    for index in range(10):
        device = services.device_create(event=event, name=f"Bureau {index}", actor=user)
        devices.append(
            services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)[0]
        )
    barrier = threading.Barrier(10)

    def walk_in(index):
        try:
            barrier.wait(timeout=30)
            return services.walk_in_admit(
                device=devices[index],
                user=user,
                nonce=f"walk-in-{index:04d}",
                first_name="Personne",
                last_name="Surplace" + "abcdefghij"[index],
                email=f"desk{index}@example.org",
                category="other",
                consent=True,
                id_checked=True,
            ).verdict
        except DomainError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(walk_in, range(10)))
    assert sorted(outcomes) == ["admitted"] * 3 + ["events.event_full"] * 7
    event.refresh_from_db()
    assert event.confirmed_count == 3
    assert Admission.objects.filter(event=event).count() == 3
    assert Scan.objects.filter(event=event).count() == 3


def test_five_devices_syncing_batches_of_the_same_tickets_admit_each_once(monkeypatch):
    """Each batch locks its registrations (in id order) before deciding: no batch has to
    fall back to one scan at a time, and nothing is admitted twice."""
    fallbacks = []
    real_scan_record = services.scan_record

    def counting_scan_record(**kwargs):
        fallbacks.append(kwargs["nonce"])
        return real_scan_record(**kwargs)

    monkeypatch.setattr(services, "scan_record", counting_scan_record)
    event = door_open_event(capacity=10)
    user = get_user_model().objects.create_user("batch", is_staff=True)
    event.managers.add(user)
    devices = []
    for index in range(5):
        device = services.device_create(event=event, name=f"Lot {index}", actor=user)
        devices.append(
            services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)[0]
        )
    tokens = [
        ticket_token(
            event_services.registration_create(
                event=event,
                first_name="Zoé",
                last_name="Lefèvre",
                email=f"lot{i}@example.org",
                category="other",
                consent=True,
            ).registration
        )
        for i in range(10)
    ]
    barrier = threading.Barrier(5)

    def sync(index):
        order = tokens[index:] + tokens[:index]  # each device in its own order
        scans = [
            services.SyncScan(
                nonce=f"lot-{index}-{i:03d}",
                token=token,
                scanned_at=timezone.now(),
                id_checked=True,
                offline=False,
            )
            for i, token in enumerate(order)
        ]
        try:
            barrier.wait(timeout=30)
            results = services.sync_batch(
                device=devices[index], user=user, scans=scans, device_time=None
            )
            return [r.verdict for r in results]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=5) as pool:
        verdicts = [v for batch in pool.map(sync, range(5)) for v in batch]
    assert verdicts.count("admitted") == 10 and verdicts.count("already_admitted") == 40
    assert fallbacks == []
    assert Admission.objects.filter(event=event).count() == 10
    assert Scan.objects.filter(event=event).count() == 50
