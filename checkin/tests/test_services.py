from datetime import timedelta

import pytest
from django.utils import timezone

from checkin import services
from checkin.models import Admission, Scan, Verdict
from core.errors import DomainError
from events import services as event_services
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def scan(device, user, token, nonce, *, at=None, id_checked=True, offline=False):
    return services.scan_record(
        device=device,
        user=user,
        token=token,
        nonce=nonce,
        scanned_at=at or timezone.now(),
        id_checked=id_checked,
        offline=offline,
    )


def test_admitted_then_already_admitted_with_when_and_where(enrolled, agent, ticket):
    device, _ = enrolled()
    registration, token = ticket()
    first = scan(device, agent, token, "nonce-0001")
    assert first.verdict == Verdict.ADMITTED
    second = scan(device, agent, token, "nonce-0002")
    assert second.verdict == Verdict.ALREADY_ADMITTED
    assert second.admission.device == device and second.admission.checked_by == agent
    assert Admission.objects.count() == 1 and Scan.objects.count() == 2


def test_the_photo_id_step_is_required(enrolled, agent, ticket):
    device, _ = enrolled()
    _, token = ticket()
    result = scan(device, agent, token, "nonce-0001", id_checked=False)
    assert result.verdict == Verdict.ID_NOT_CHECKED
    assert not Admission.objects.exists()


@pytest.mark.parametrize(
    ("mangle", "verdict"),
    [
        (lambda t: t[:-2] + "xx", Verdict.UNKNOWN),
        (lambda t: "made-up:signature", Verdict.UNKNOWN),
        (lambda t: t.split(":")[0], Verdict.UNKNOWN),
    ],
)
def test_forged_tickets(enrolled, agent, ticket, mangle, verdict):
    device, _ = enrolled()
    _, token = ticket()
    assert scan(device, agent, mangle(token), "nonce-0001").verdict == verdict
    assert not Admission.objects.exists()


def test_cancelled_waiting_and_other_event(enrolled, agent, ticket, event):
    device, _ = enrolled()
    cancelled, token = ticket()
    event_services.registration_cancel(registration=cancelled)
    assert scan(device, agent, token, "nonce-0001").verdict == Verdict.CANCELLED
    event.refresh_from_db()
    for _ in range(event.capacity - event.confirmed_count):
        ticket()
    _, waiting_token = ticket()
    assert scan(device, agent, waiting_token, "nonce-0002").verdict == Verdict.WAITING
    other = EventFactory()
    _, other_token = ticket(target=other)
    assert scan(device, agent, other_token, "nonce-0003").verdict == Verdict.OTHER_EVENT
    assert not Admission.objects.exists()


def test_revoked_device_admits_nobody(enrolled, agent, ticket):
    device, _ = enrolled()
    _, token = ticket()
    services.device_revoke(device=device, actor=agent)
    device.refresh_from_db()
    assert scan(device, agent, token, "nonce-0001").verdict == Verdict.DEVICE_REVOKED
    with pytest.raises(DomainError) as error:
        services.device_revoke(device=device, actor=agent)
    assert error.value.code == "checkin.device_revoked"


def test_enrolment_link_works_once(event, agent):
    device = services.device_create(event=event, name="Poste A", actor=agent)
    enrolled, secret = services.device_enrol(
        device_id=device.pk, enrolment_nonce=device.enrolment_nonce
    )
    assert services.device_from_secret(secret) == enrolled
    with pytest.raises(DomainError) as error:
        services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)
    assert error.value.code == "checkin.enrolment_used"
    with pytest.raises(DomainError) as error:
        services.device_enrol(device_id=device.pk, enrolment_nonce="0" * 32)
    assert error.value.code == "checkin.enrolment_invalid"
    with pytest.raises(DomainError) as error:
        services.device_create(event=event, name="Poste A", actor=agent)
    assert error.value.code == "checkin.device_name_taken"
    with pytest.raises(DomainError) as error:
        services.device_create(event=event, name="  ", actor=agent)
    assert error.value.code == "checkin.invalid_device_name"


def test_same_nonce_twice_is_one_scan_with_the_same_answer(enrolled, agent, ticket):
    device, _ = enrolled()
    _, token = ticket()
    first = scan(device, agent, token, "nonce-0001")
    again = scan(device, agent, token, "nonce-0001")
    assert again.scan.pk == first.scan.pk and again.verdict == Verdict.ADMITTED
    assert Scan.objects.count() == 1


def test_two_devices_offline_the_earliest_admission_is_kept(enrolled, agent, ticket):
    north, _ = enrolled("Nord")
    south, _ = enrolled("Sud")
    registration, token = ticket()
    t0 = timezone.now() - timedelta(minutes=10)
    late = scan(north, agent, token, "north-0001", at=t0 + timedelta(seconds=40), offline=True)
    assert late.verdict == Verdict.ADMITTED
    early = scan(south, agent, token, "south-0001", at=t0, offline=True)
    assert early.verdict == Verdict.ADMITTED and early.scan.conflict
    admission = Admission.objects.get()
    assert admission.device == south and admission.scanned_at == t0
    north_scan = Scan.objects.get(nonce="north-0001")
    assert north_scan.verdict == Verdict.ALREADY_ADMITTED and north_scan.conflict


def test_sync_corrects_a_skewed_device_clock(enrolled, agent, ticket):
    north, _ = enrolled("Nord")
    south, _ = enrolled("Sud")
    _, token = ticket()
    now = timezone.now()
    # North's clock is 1 hour fast: its scan 'at 10:00:30' really happened at 09:00:30.
    services.sync_batch(
        device=north,
        user=agent,
        device_time=now + timedelta(hours=1),
        scans=[
            services.SyncScan(
                "north-0001", token, now + timedelta(hours=1, seconds=-30), True, True
            )
        ],
    )
    services.sync_batch(
        device=south,
        user=agent,
        device_time=now,
        scans=[services.SyncScan("south-0001", token, now - timedelta(seconds=10), True, True)],
    )
    assert Admission.objects.get().device == north


def test_batch_limit(enrolled, agent):
    device, _ = enrolled()
    scans = [
        services.SyncScan(f"n-{i:08d}", "x", timezone.now(), True, True)
        for i in range(services.MAX_BATCH + 1)
    ]
    with pytest.raises(DomainError) as error:
        services.sync_batch(device=device, user=agent, scans=scans, device_time=None)
    assert error.value.code == "checkin.batch_too_large"
    assert not Scan.objects.exists()


def test_a_person_found_by_name_is_admitted_by_the_hash_of_their_ticket(enrolled, agent, ticket):
    device, _ = enrolled()
    registration, token = ticket()
    result = scan(device, agent, "h:" + services.ticket_hash(token), "nonce-0001")
    assert result.verdict == Verdict.ADMITTED
    assert result.admission.registration == registration
    assert scan(device, agent, "h:" + "0" * 64, "nonce-0002").verdict == Verdict.UNKNOWN
    assert scan(device, agent, token, "nonce-0003").verdict == Verdict.ALREADY_ADMITTED


def test_a_batch_racing_its_own_copy_falls_back_to_one_scan_at_a_time(
    enrolled, ticket, agent, monkeypatch
):
    """The same batch sent twice at once: the copy that loses finds the other's answers."""
    device, _ = enrolled()
    _, first = ticket()
    _, second = ticket()
    at = timezone.now() - timedelta(minutes=1)
    batch = [
        services.SyncScan(nonce=f"race-{i}", token=t, scanned_at=at, id_checked=True, offline=True)
        for i, t in enumerate((first, second))
    ]
    real_merge = services._merge

    def merge_after_the_other_copy(**kwargs):
        # the other request records the same scans between our lookup and our insert
        real_merge(**kwargs)
        return real_merge(**kwargs)

    monkeypatch.setattr(services, "_merge", merge_after_the_other_copy)
    results = services.sync_batch(device=device, user=agent, scans=batch, device_time=None)
    assert [r.verdict for r in results] == ["admitted", "admitted"]
    assert Scan.objects.count() == 2 and Admission.objects.count() == 2
