"""Property: any interleaving of scans and syncs on k devices, replays included, merges to
each ticket admitted at most once, by its earliest scan, with no scan counted twice; and
hostile times among them (year 1, year 9999, offsets of ±23:59, the far past or future)
are answered on their own, never stored, never blocking the other scans of their batch."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin import services
from checkin.models import Admission, Scan
from checkin.tests.factories import door_open_event
from events import services as event_services
from events.tokens import ticket_token

pytestmark = pytest.mark.django_db

DEVICES = 3
TICKETS = 4

# A time a device may send: most often a plausible one (seconds after the start), else
# anything a datetime can hold, with the widest offsets.
OFFSETS = [UTC] + [
    timezone.get_fixed_timezone(minutes) for minutes in (-(24 * 60 - 1), -60, 60, 24 * 60 - 1)
]
hostile_time = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)
).flatmap(lambda naive: st.sampled_from([naive.replace(tzinfo=tz) for tz in OFFSETS]))
when = st.one_of(st.integers(0, 3600), st.integers(0, 3600), hostile_time)

# an operation: ("scan", device, ticket, when) or ("sync", device, replay?)
operation = st.one_of(
    st.tuples(
        st.just("scan"),
        st.integers(0, DEVICES - 1),
        st.integers(0, TICKETS - 1),
        when,
    ),
    st.tuples(st.just("sync"), st.integers(0, DEVICES - 1), st.booleans()),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_any_interleaving_merges_to_the_earliest_admission(db, operations):
    tag = secrets.token_hex(4)
    event = door_open_event(capacity=TICKETS)
    user = get_user_model().objects.create_user(f"door-{tag}", is_staff=True)
    event.managers.add(user)
    devices = []
    for index in range(DEVICES):
        device = services.device_create(event=event, name=f"D{index}", actor=user)
        devices.append(
            services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)[0]
        )
    tokens = []
    for index in range(TICKETS):
        registration = event_services.registration_create(
            event=event,
            first_name="Zoé",
            last_name="Lefèvre",
            email=f"p{index}-{tag}@example.org",
            category="other",
            consent=True,
        ).registration
        tokens.append(ticket_token(registration))

    start = timezone.now() - timedelta(hours=2)
    window = services.door_window(starts_at=event.starts_at, ends_at=event.ends_at)
    queues = {index: [] for index in range(DEVICES)}
    sent = {index: [] for index in range(DEVICES)}
    all_scans = []
    accepted, refused = {}, set()  # nonce -> ticket; nonces refused
    for op in operations + [("sync", d, False) for d in range(DEVICES)]:
        if op[0] == "scan":
            _, device, ticket, at = op
            if isinstance(at, int):
                at = start + timedelta(seconds=at, microseconds=len(all_scans))
            item = services.SyncScan(
                nonce=f"{tag}-{len(all_scans):06d}",
                token=tokens[ticket],
                scanned_at=at,
                id_checked=True,
                offline=True,
            )
            queues[device].append(item)
            all_scans.append((ticket, item))
        else:
            _, device, replay = op
            batch = queues[device] + (sent[device] if replay else [])
            answers = services.sync_batch(
                device=devices[device], user=user, scans=batch, device_time=None
            )
            # every scan answered, in order, on its own
            assert [a.nonce for a in answers] == [item.nonce for item in batch]
            for item, answer in zip(batch, answers, strict=True):
                if isinstance(answer, services.ScanRejection):
                    assert answer.code == "checkin.invalid_scan" and item.nonce not in accepted
                    refused.add(item.nonce)
                else:
                    assert item.nonce not in refused
                    accepted[item.nonce] = next(t for t, i in all_scans if i is item)
            sent[device] += queues[device]
            queues[device] = []

    stored = {scan.nonce: scan for scan in Scan.objects.filter(event=event)}
    assert set(stored) == set(accepted)  # refused scans are stored nowhere
    for scan in stored.values():
        assert window[0] <= scan.scanned_at <= min(window[1], scan.received_at)
    admissions = {a.registration_id: a for a in Admission.objects.filter(event=event)}
    by_ticket = {}
    for nonce, ticket in accepted.items():
        by_ticket.setdefault(ticket, []).append(stored[nonce])
    assert len(admissions) == len(by_ticket)
    for ticket, scans in by_ticket.items():
        earliest = min(scans, key=lambda s: (s.scanned_at, s.nonce))
        admission = next(
            a for a in admissions.values() if ticket_token(a.registration) == tokens[ticket]
        )
        assert admission.scanned_at == earliest.scanned_at
        kept = [s for s in scans if s.verdict == "admitted"]
        assert len(kept) == 1 and kept[0].scanned_at == earliest.scanned_at
        assert all(s.verdict == "already_admitted" for s in scans if s is not kept[0])
