"""Property: any interleaving of scans and syncs on k devices, replays included, merges to
each ticket admitted at most once, by its earliest scan, with no scan counted twice."""

import secrets
from datetime import timedelta

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

# an operation: ("scan", device, ticket, seconds after the start) or ("sync", device, replay?)
operation = st.one_of(
    st.tuples(
        st.just("scan"),
        st.integers(0, DEVICES - 1),
        st.integers(0, TICKETS - 1),
        st.integers(0, 3600),
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
    queues = {index: [] for index in range(DEVICES)}
    sent = {index: [] for index in range(DEVICES)}
    all_scans = []
    for op in operations + [("sync", d, False) for d in range(DEVICES)]:
        if op[0] == "scan":
            _, device, ticket, seconds = op
            item = services.SyncScan(
                nonce=f"{tag}-{len(all_scans):06d}",
                token=tokens[ticket],
                scanned_at=start + timedelta(seconds=seconds, microseconds=len(all_scans)),
                id_checked=True,
                offline=True,
            )
            queues[device].append(item)
            all_scans.append((ticket, item))
        else:
            _, device, replay = op
            batch = queues[device] + (sent[device] if replay else [])
            services.sync_batch(device=devices[device], user=user, scans=batch, device_time=None)
            sent[device] += queues[device]
            queues[device] = []

    assert Scan.objects.filter(event=event).count() == len(all_scans)
    admissions = {a.registration_id: a for a in Admission.objects.filter(event=event)}
    by_ticket = {}
    for ticket, item in all_scans:
        by_ticket.setdefault(ticket, []).append(item)
    assert len(admissions) == len(by_ticket)
    for ticket, items in by_ticket.items():
        earliest = min(items, key=lambda i: i.scanned_at)
        admission = next(
            a for a in admissions.values() if ticket_token(a.registration) == tokens[ticket]
        )
        assert admission.scanned_at == earliest.scanned_at
        kept = Scan.objects.get(nonce=earliest.nonce)
        assert kept.verdict == "admitted"
        others = Scan.objects.filter(nonce__in=[i.nonce for i in items]).exclude(pk=kept.pk)
        assert all(s.verdict == "already_admitted" for s in others)
