"""Hostile input and heavy data at the door (issue 9): device times are hints bounded to
the door's hours, one bad scan never blocks its batch, scans by name cost the same at any
size, names stay text, bodies too large get the API's JSON, lists stay bounded."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin import selectors, services
from checkin.models import Admission, Device, DoorRole, Scan
from core.dates import long_date
from core.errors import DomainError
from events import services as event_services
from events.models import Event, Registration
from events.tests.factories import EventFactory
from events.tokens import personal_link_token, ticket_hash_of

pytestmark = pytest.mark.django_db

SYNC = "/api/accueil/v1/sync"
LIST = "/api/accueil/v1/liste"
OVERRIDE = "/api/accueil/v1/derogation"
WALK_IN = "/api/accueil/v1/sur-place"


@pytest.fixture
def organiser(event):
    user = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    return user


@pytest.fixture
def door(client, agent, enrolled):
    device, secret = enrolled()
    client.force_login(agent)

    def post(body, *, url=SYNC, raw=False):
        return client.post(
            url,
            data=body if raw else json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Device {secret}",
        )

    post.device = device
    post.secret = secret
    return post


def scan(token, nonce, at=None, **extra):
    return {
        "nonce": nonce,
        "token": token,
        "scanned_at": at or timezone.now().isoformat(),
        "id_checked": True,
        **extra,
    }


# --- device times ----------------------------------------------------------------------------


def window_of(event):
    return services.door_window(starts_at=event.starts_at, ends_at=event.ends_at)


def test_scan_times_are_bounded_to_the_door_hours(event):
    now = timezone.now()
    window = window_of(event)
    # an hour before the start (doors open early, a phone offline since then): kept
    early = event.starts_at - timedelta(hours=1)
    assert services.scan_time(early, window=window, now=now) == early
    # a few seconds ahead of the server (network, rounding): the server's time
    assert services.scan_time(now + timedelta(seconds=20), window=window, now=now) == now
    refused = [
        now + timedelta(minutes=5),  # the future
        event.starts_at - services.DOOR_OPENS_BEFORE - timedelta(minutes=1),
        datetime(2000, 1, 1, 10, tzinfo=UTC),
        datetime(1, 1, 1, 0, 30, tzinfo=timezone.get_fixed_timezone(60)),  # before year 1 UTC
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone.get_fixed_timezone(-60)),
    ]
    for claimed in refused:
        with pytest.raises(DomainError) as caught:
            services.scan_time(claimed, window=window, now=now)
        assert caught.value.code == "checkin.invalid_scan" and str(caught.value.message)
    # a clock offset that overflows the date
    with pytest.raises(DomainError):
        services.scan_time(
            datetime(9999, 1, 1, tzinfo=UTC),
            offset=timedelta(days=365 * 2000),
            window=window,
            now=now,
        )


def test_a_year_one_scan_is_refused_and_every_page_of_the_event_still_reads(
    client, door, ticket, organiser
):
    """The audit's scan: before, stored before year 1 UTC, it made the offline list, the
    door page, the projection and the certificate answer 500 for good."""
    registration, token = ticket()
    poison = scan(token, "poison-0001", "0001-01-01T00:30:00+01:00", offline=True)
    result = door({"scans": [poison]}).json()["results"][0]
    assert result["error"]["code"] == "checkin.invalid_scan" and "verdict" not in result
    assert not Scan.objects.exists() and not Admission.objects.exists()
    # the same person, scanned for real, gets in; every read of the event works
    assert door({"scans": [scan(token, "good-0001")]}).json()["results"][0]["verdict"] == (
        "admitted"
    )
    assert client.get(LIST, HTTP_AUTHORIZATION=f"Device {door.secret}").status_code == 200
    client.force_login(organiser)
    event = registration.event
    assert client.get(reverse("checkin_manage:door", args=[event.slug])).status_code == 200
    assert client.get(reverse("checkin_manage:projection", args=[event.slug])).status_code == 200
    link = personal_link_token(registration)
    with time_machine.travel(event.starts_at + timedelta(minutes=1)):
        assert client.get(reverse("checkin:certificate", args=[link])).status_code == 200


def test_a_phone_whose_clock_is_reset_to_year_one_is_corrected(door, ticket):
    """device_time says the phone's clock is wrong by centuries: its scans are corrected
    by the same amount (the time is a hint, the offset is what counts)."""
    _, token = ticket()
    body = {
        "device_time": "0001-01-01T12:00:00+00:00",
        "scans": [scan(token, "reset-0001", "0001-01-01T11:58:00+00:00", offline=True)],
    }
    result = door(body).json()["results"][0]
    assert result["verdict"] == "admitted"
    admitted = Admission.objects.get().scanned_at
    assert abs(admitted - (timezone.now() - timedelta(minutes=2))) < timedelta(seconds=30)


def test_a_date_overflow_between_device_time_and_scan_is_answered_per_scan(door, ticket):
    _, token = ticket()
    _, other = ticket()
    body = {
        "device_time": "0001-01-01T00:00:00+00:00",
        "scans": [
            scan(token, "overflow-01", "9999-12-31T00:00:00+00:00", offline=True),
            scan(other, "fine-00001", "0001-01-01T00:00:00+00:00", offline=True),
        ],
    }
    response = door(body)
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["error"]["code"] == "checkin.invalid_scan" and second["verdict"] == "admitted"


def test_a_backdated_online_scan_is_refused_and_the_chart_stays_on_the_day(
    client, door, ticket, organiser, event
):
    _, token = ticket()
    backdated = scan(token, "backdated-1", "2000-01-01T09:00:00+01:00")
    assert (
        door({"scans": [backdated]}).json()["results"][0]["error"]["code"] == "checkin.invalid_scan"
    )
    assert door({"scans": [scan(token, "now-000001")]}).json()["results"][0]["verdict"] == (
        "admitted"
    )
    slots = selectors.arrivals_per_slot(event=event)
    assert len(slots) == 1 and slots[0]["count"] == 1


def test_the_arrivals_chart_has_a_bounded_number_of_slots(event, enrolled, agent, ticket):
    """Three days of door (an event that lasts), and admissions written before the bound
    (far outside the door's hours): never more than MAX_SLOTS bars, the slots widen."""
    device, _ = enrolled()
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - timedelta(days=3), ends_at=now + timedelta(hours=1)
    )
    event.refresh_from_db()
    times = [now - timedelta(days=3, hours=1), now - timedelta(days=1), now]
    people = _registrations(event, 4)
    for registration, at in zip(people, times, strict=False):
        Admission.objects.create(
            event=event,
            registration=registration,
            device=device,
            checked_by=agent,
            scanned_at=at,
            received_at=now,
            id_checked=True,
        )
    registration = people[3]
    Admission.objects.create(  # stored before the bound existed: ignored by the chart
        event=event,
        registration=registration,
        device=device,
        checked_by=agent,
        scanned_at=datetime(2000, 1, 1, tzinfo=UTC),
        received_at=now,
        id_checked=True,
    )
    slots = selectors.arrivals_per_slot(event=event)
    assert 1 < len(slots) <= selectors.MAX_SLOTS
    assert slots[0]["minutes"] > 5 and sum(s["count"] for s in slots) == 3
    assert slots[-1]["total"] == 3


def test_scan_times_stored_before_the_bound_are_repaired_by_the_migration(
    event, enrolled, agent, ticket
):
    import importlib

    from django.apps import apps

    repair = importlib.import_module("checkin.migrations.0002_repair_scan_times")
    device, _ = enrolled()
    registration, _ = ticket()
    now = timezone.now().replace(microsecond=0)
    admission = Admission.objects.create(
        event=event,
        registration=registration,
        device=device,
        checked_by=agent,
        scanned_at=now,
        received_at=now,
        id_checked=True,
    )
    # what the audit's scan left: a time before year 1 UTC, which no read survives
    if connection.vendor == "postgresql":
        unreadable = "0001-12-31 23:30:00+00 BC"
    else:
        unreadable = "0000-12-31 23:30:00"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE checkin_admission SET scanned_at = %s WHERE id = %s",
            [unreadable, admission.pk],
        )
    with pytest.raises((ValueError, OverflowError, Exception)):
        Admission.objects.get(pk=admission.pk).scanned_at  # noqa: B018
    repair.repair_scan_times(apps, None)
    assert Admission.objects.get(pk=admission.pk).scanned_at == now


# --- one bad scan, one batch ------------------------------------------------------------------


def test_hash_tokens_with_any_character_are_unknown_not_an_error(door, ticket):
    _, token = ticket()
    bad = ["h:" + "é" * 64, "h:" + "0" * 63 + "\u0660", "h:", "h:" + "g" * 64, "h:\x00"]
    batch = [scan(t, f"hash-{i:05d}", offline=True) for i, t in enumerate(bad)]
    batch.append(scan(token, "good-00001", offline=True))
    response = door({"scans": batch})
    assert response.status_code == 200
    verdicts = [r["verdict"] for r in response.json()["results"]]
    assert verdicts == ["unknown"] * len(bad) + ["admitted"]
    # one scan alone (the online path) too
    one = door({"scans": [scan(bad[0], "hash-alone")]})
    assert one.status_code == 200 and one.json()["results"][0]["verdict"] == "unknown"


def test_a_bad_override_token_or_reason_gets_a_json_error(client, door, ticket, event):
    DoorRole.objects.filter(event=event).update(role=DoorRole.Role.SUPERVISOR)
    registration, token = ticket()
    event_services.registration_cancel(registration=registration)
    body = {
        "nonce": "override-01",
        "token": "h:" + "é" * 64,
        "reason": "Une raison assez longue.",
        "id_checked": True,
    }
    response = door(body, url=OVERRIDE)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "checkin.override_impossible"
    for reason in ("Raison avec un \x00 octet nul", "Raison\u202eretournée tout du long"):
        response = door({**body, "token": token, "reason": reason}, url=OVERRIDE)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "checkin.invalid_text" and error["field"] == "reason"
        assert "invisible" in error["message"] or "contrôle" in error["message"]
    assert not Admission.objects.exists()
    good = door(
        {**body, "token": token, "reason": "Annulée par erreur, vu avec l’équipe."}, url=OVERRIDE
    )
    assert good.json()["result"]["verdict"] == "admitted"


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "organisation"])
def test_walk_in_fields_with_a_nul_byte_get_a_json_error(door, event, field):
    DoorRole.objects.filter(event=event).update(role=DoorRole.Role.SUPERVISOR)
    Event.objects.filter(pk=event.pk).update(walk_ins_allowed=True)
    person = {
        "nonce": "walk-in-001",
        "first_name": "Élise",
        "last_name": "Nguyễn",
        "email": "elise@example.org",
        "organisation": "PTCE Pays de Redon",
        "category": "ptce_member",
        "consent": True,
        "id_checked": True,
    }
    person[field] = person[field][:3] + "\x00" + person[field][3:]
    response = door(person, url=WALK_IN)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "events.invalid_field" and error["field"] == field
    assert not Registration.objects.exists() and not Admission.objects.exists()


# --- scans by name: one query whatever the size ------------------------------------------------


def _registrations(event, count):
    """``count`` confirmed people at once (rows, not the registration service: fast)."""
    now = timezone.now()
    rows = [
        Registration(
            event=event,
            first_name="Zoé",
            last_name=f"Nom{n}",
            email=f"bulk{n}@example.org",
            email_key=f"bulk{n}@example.org",
            search_text=f"nom{n} zoe",
            category="ptce_member",
            status="confirmed",
            consent_at=now,
            confirmed_at=now,
        )
        for n in range(count)
    ]
    for row in rows:
        row.ticket_hash = ticket_hash_of(row.ticket_secret)
    Registration.objects.bulk_create(rows)
    Event.objects.filter(pk=event.pk).update(confirmed_count=count, capacity=count + 10)
    return list(Registration.objects.filter(event=event).order_by("pk"))


@pytest.mark.parametrize("size", [5, 300])
def test_a_batch_of_scans_by_name_costs_the_same_queries_at_any_size(
    door, event, size, django_assert_num_queries, monkeypatch
):
    from django.core import signing

    people = _registrations(event, size)
    door({"scans": []})  # warm: session, device, last seen
    signed = []
    sign = signing.Signer.sign
    monkeypatch.setattr(
        signing.Signer, "sign", lambda self, value: signed.append(1) or sign(self, value)
    )
    batch = [
        scan(f"h:{person.ticket_hash}", f"by-name-{n:04d}", offline=True)
        for n, person in enumerate(people[:5])
    ]
    # session, user, role (×2), device, window, replays, lock, admissions, savepoint and
    # inserts, conflicts: the same whatever the number of registrations
    with django_assert_num_queries(13):
        results = door({"scans": batch}).json()["results"]
    assert [r["verdict"] for r in results] == ["admitted"] * 5
    assert not signed  # no ticket signed again to find a hash (was: every one of the event)


def test_the_stored_hash_is_the_hash_of_the_ticket_and_follows_it(ticket):
    from events.tokens import ticket_token

    registration, token = ticket()
    assert registration.ticket_hash == services.ticket_hash(token)
    registration.refresh_from_db()
    assert registration.ticket_hash == services.ticket_hash(ticket_token(registration))
    event_services.registration_erase(registration=registration)
    registration.refresh_from_db()
    assert registration.ticket_hash == ticket_hash_of(registration.ticket_secret)
    assert registration.ticket_hash != services.ticket_hash(token)


# --- names are text -----------------------------------------------------------------------------


def test_device_names_are_text_on_the_door_page(client, organiser, event):
    client.force_login(organiser)
    add = reverse("checkin_manage:device_add", args=[event.slug])
    name = '</title><script>alert("x")</script>&'
    client.post(add, {"name": name})
    page = client.get(reverse("checkin_manage:door", args=[event.slug])).content.decode()
    assert Device.objects.get().name == name
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "</title><script>" not in page


@pytest.mark.parametrize("name", ["Poste\x001", "Poste\u202e1", "Poste\u200b1"])
def test_device_names_with_control_characters_are_refused_in_french(client, organiser, event, name):
    client.force_login(organiser)
    add = reverse("checkin_manage:device_add", args=[event.slug])
    response = client.post(add, {"name": name}, follow=True)
    assert response.status_code == 200 and not Device.objects.exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("invisible" in m or "contrôle" in m for m in messages), messages


# --- permissions and limits ---------------------------------------------------------------------


def test_the_manifest_of_a_draft_keeps_its_title_to_itself(client, agent):
    """The manifest answers without signing in (browsers fetch it without cookies): an
    event not published yet does not exist for others (404, as its public page), and gives
    no title even to its door staff."""
    draft = EventFactory(status=Event.Status.DRAFT, title="Projet secret")
    url = reverse("checkin:manifest", args=[draft.slug])
    response = client.get(url)
    assert response.status_code == 404 and b"Projet secret" not in response.content
    DoorRole.objects.create(event=draft, user=agent, role=DoorRole.Role.AGENT)
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 200 and b"Projet secret" not in response.content


def test_bodies_over_the_upload_limit_get_the_api_json_413(door, event, settings):
    DoorRole.objects.filter(event=event).update(role=DoorRole.Role.SUPERVISOR)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    big = json.dumps({"scans": [], "padding": "x" * 20_000})
    codes = {
        SYNC: "checkin.batch_too_large",
        OVERRIDE: "checkin.request_too_large",
        WALK_IN: "checkin.request_too_large",
    }
    for url, code in codes.items():
        response = door(big, url=url, raw=True)
        assert response.status_code == 413, url
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == code and response.json()["error"]["message"]


def _fill_door(event, device, user, count):
    people = _registrations(event, count)
    now = timezone.now()
    for n, person in enumerate(people):
        Admission.objects.create(
            event=event,
            registration=person,
            device=device,
            checked_by=user,
            scanned_at=now - timedelta(minutes=n),
            received_at=now,
            id_checked=True,
            override_reason="Une dérogation écrite." if n % 2 else "",
        )
        Scan.objects.create(
            event=event,
            device=device,
            user=user,
            nonce=f"fill-{n:06d}",
            registration=person,
            scanned_at=now - timedelta(minutes=n),
            received_at=now,
            verdict="already_admitted",
            offline=True,
            conflict=True,
        )


@pytest.mark.parametrize("size", [1, 30])
def test_the_door_page_and_the_offline_list_cost_the_same_at_any_size(
    client, door, organiser, event, size, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(selectors, "LIST_LIMIT", 10)
    _fill_door(event, door.device, organiser, size)
    url = reverse("checkin_manage:door", args=[event.slug])
    client.force_login(organiser)
    client.get(url)  # warm (session)
    with django_assert_num_queries(14):  # 13, and the door staff listed
        page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["conflicts"]) == min(size, 10)
    assert page.context["conflict_count"] == size
    assert len(page.context["overrides"]) == min(size // 2, 10)
    assert len(page.context["last_scans"]) <= 20
    shown = "Seuls les 10\u00a0derniers conflits sont affichés."
    assert (shown in page.content.decode()) == (size > 10)
    projection = reverse("checkin_manage:projection", args=[event.slug])
    with django_assert_num_queries(6):
        assert client.get(projection).status_code == 200
    with django_assert_num_queries(7):
        listing = client.get(LIST, HTTP_AUTHORIZATION=f"Device {door.secret}")
    assert len(listing.json()["tickets"]) == size


# --- fuzz: whatever a phone sends, a JSON answer, never a 5xx, nothing half-written ------------

_HOSTILE_TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "\x00",
            "h:" + "é" * 64,
            "h:" + "A" * 64,
            "2031-02-30T10:00:00+01:00",
            "2026-02-10T10:00:00+24:00",
            "0001-01-01T00:30:00+01:00",
            "9999-12-31T23:59:59-23:59",
            "2000-01-01T09:00:00+01:00",
            "‮‭",
            "²",
            "NaN",
        ]
    ),
)
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _HOSTILE_TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_HOSTILE_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)
_SCAN = st.fixed_dictionaries(
    {},
    optional={
        "nonce": st.one_of(_HOSTILE_TEXT, st.just("nonce-fuzz-0001"), _JSON),
        "token": st.one_of(_HOSTILE_TEXT, _JSON),
        "scanned_at": st.one_of(_HOSTILE_TEXT, _JSON),
        "id_checked": _JSON,
        "offline": _JSON,
    },
)
_BATCH = st.one_of(
    _JSON,
    st.fixed_dictionaries(
        {"scans": st.lists(st.one_of(_SCAN, _JSON), max_size=6)},
        optional={"device_time": st.one_of(_HOSTILE_TEXT, _JSON), "version": _JSON},
    ),
)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_BATCH)
def test_any_sync_body_gets_a_json_answer_and_stores_only_readable_times(door, body):
    from django.core.cache import cache

    cache.clear()  # the device's rate limit counts every example
    response = door(json.dumps(body))
    assert response.status_code < 500
    data = response.json()
    assert ("error" in data) == (response.status_code >= 400)
    for result in data.get("results", []):
        assert "verdict" in result or result["error"]["code"] == "checkin.invalid_scan"
    window = services.door_window(
        starts_at=door.device.event.starts_at, ends_at=door.device.event.ends_at
    )
    for scan in Scan.objects.filter(device=door.device):
        assert window[0] <= scan.scanned_at <= scan.received_at


_DESK = st.fixed_dictionaries(
    {"nonce": st.one_of(st.just("desk-fuzz-0001"), _HOSTILE_TEXT)},
    optional={
        field: st.one_of(_HOSTILE_TEXT, _JSON)
        for field in (
            "token",
            "reason",
            "first_name",
            "last_name",
            "email",
            "organisation",
            "category",
            "consent",
            "id_checked",
        )
    },
)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.one_of(_DESK, _JSON), url=st.sampled_from([OVERRIDE, WALK_IN]))
def test_any_supervisor_request_gets_a_json_answer(door, event, body, url):
    from django.core.cache import cache

    cache.clear()
    DoorRole.objects.filter(event=event).update(role=DoorRole.Role.SUPERVISOR)
    Event.objects.filter(pk=event.pk).update(walk_ins_allowed=True)
    response = door(json.dumps(body), url=url)
    assert response.status_code < 500
    assert ("error" in response.json()) == (response.status_code >= 400)


def test_a_heartbeat_brings_only_the_latest_conflicts(door, event, agent, monkeypatch):
    monkeypatch.setattr(selectors, "LIST_LIMIT", 3)
    _fill_door(event, door.device, agent, 5)
    conflicts = door({"scans": []}).json()["conflicts"]
    assert [c["nonce"] for c in conflicts] == ["fill-000004", "fill-000003", "fill-000002"]


def test_the_migration_fills_the_hash_of_existing_tickets(ticket):
    import importlib

    from django.apps import apps

    from events.tokens import ticket_token

    migration = importlib.import_module("events.migrations.0005_registration_ticket_hash")
    registration, token = ticket()
    Registration.objects.filter(pk=registration.pk).update(ticket_hash="")
    migration.fill_ticket_hashes(apps, None)
    registration.refresh_from_db()
    assert registration.ticket_hash == services.ticket_hash(ticket_token(registration))


def test_a_scan_on_another_day_says_when_the_door_opens_not_that_the_phone_is_wrong():
    """The phone's clock is right; the event is not today (a rehearsal, the demo's 2031
    day): the refusal says when the door opens (or that it closed), never « check the
    phone's date »."""
    now = timezone.now()
    starts_at = now + timedelta(days=30)
    window = services.door_window(starts_at=starts_at, ends_at=starts_at + timedelta(hours=7))
    with translation.override("fr"), pytest.raises(DomainError) as caught:
        services.scan_time(now, window=window, now=now)
    message = str(caught.value.message)
    assert message.startswith("Pas aujourd’hui") and "téléphone" not in message
    # the event's own day (not the door's opening, 6 hours before: another year on 1 January)
    with translation.override("fr"):
        assert long_date(starts_at, weekday=True) in message
    over = services.door_window(
        starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3, hours=-7)
    )
    with translation.override("fr"), pytest.raises(DomainError) as caught:
        services.scan_time(now, window=over, now=now)
    assert "fermé" in str(caught.value.message)
