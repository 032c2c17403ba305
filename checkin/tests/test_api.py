import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from checkin import services
from checkin.models import Admission, Scan

pytestmark = pytest.mark.django_db

SYNC = "/api/accueil/v1/sync"
AT = "2026-01-01T10:00:00+01:00"
LIST = "/api/accueil/v1/liste"


@pytest.fixture
def door(client, agent, enrolled):
    """A signed-in door agent on an enrolled phone: post(batch) -> response."""
    device, secret = enrolled()
    client.force_login(agent)

    def post(body, *, raw=False, auth=secret):
        return client.post(
            SYNC,
            data=body if raw else json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Device {auth}",
        )

    post.device = device
    post.secret = secret
    return post


def one(token, nonce="nonce-0001", **extra):
    return {
        "nonce": nonce,
        "token": token,
        "scanned_at": timezone.now().isoformat(),
        "id_checked": True,
        **extra,
    }


def test_urls_are_named():
    assert reverse("checkin_api:sync") == SYNC and reverse("checkin_api:list") == LIST


def test_online_scan_then_duplicate(door, ticket):
    registration, token = ticket()
    first = door({"scans": [one(token)]}).json()["results"][0]
    assert first["verdict"] == "admitted" and first["last_name"] == "Lefèvre"
    second = door({"scans": [one(token, "nonce-0002")]}).json()["results"][0]
    assert second["verdict"] == "already_admitted"
    assert second["admitted_by_device"] == door.device.name and second["admitted_at"]


def test_replayed_and_reordered_batches_count_once(door, ticket):
    tokens = [ticket()[1] for _ in range(3)]
    now = timezone.now()
    batch = {
        "device_time": now.isoformat(),
        "scans": [
            one(
                t,
                f"offline-{i:04d}",
                scanned_at=(now - timedelta(minutes=5 - i)).isoformat(),
                offline=True,
            )
            for i, t in enumerate(tokens)
        ],
    }
    first = door(batch).json()
    batch["scans"].reverse()
    again = door(batch).json()
    assert sorted(r["verdict"] for r in first["results"]) == ["admitted"] * 3
    assert {r["nonce"]: r["verdict"] for r in again["results"]} == {
        r["nonce"]: r["verdict"] for r in first["results"]
    }
    assert Admission.objects.count() == 3 and Scan.objects.count() == 3


def test_a_batch_cut_in_the_middle_is_refused_whole_then_resent(door, ticket):
    _, token = ticket()
    body = json.dumps({"scans": [one(token)]})
    cut = door(body[: len(body) // 2], raw=True)
    assert cut.status_code == 400 and cut.json()["error"]["code"] == "checkin.malformed_json"
    assert not Scan.objects.exists()
    assert door(body, raw=True).json()["results"][0]["verdict"] == "admitted"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "checkin.malformed_json"),
        ("[" * 100_000, "checkin.malformed_json"),  # nested past Python's recursion limit
        ('"scans"', "checkin.malformed_batch"),
        ('{"scans": {}}', "checkin.malformed_batch"),
        ('{"version": 9, "scans": []}', "checkin.unsupported_version"),
        ('{"version": true, "scans": []}', "checkin.unsupported_version"),
        ('{"device_time": "2031-02-30T10:00:00+01:00", "scans": []}', "checkin.invalid_scan"),
        ('{"device_time": "2031-02-10T10:00:00+24:00", "scans": []}', "checkin.invalid_scan"),
    ],
)
def test_malformed_batches_get_a_stable_code_and_a_french_message(door, body, code):
    response = door(body, raw=True)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert not Scan.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        42,
        {"nonce": "short", "token": "x", "scanned_at": AT},
        {"nonce": "long-enough", "token": "", "scanned_at": AT},
        {"nonce": "long-enough", "token": ["x"], "scanned_at": AT},
        {"nonce": "long-enough", "token": "x", "scanned_at": "yesterday"},
        {"nonce": "long-enough", "token": "x", "scanned_at": AT[:19]},  # no time zone
        {"nonce": "long-enough", "token": "x", "scanned_at": "2031-02-30T10:00:00+01:00"},
        {"nonce": "long-enough", "token": "x", "scanned_at": "2026-02-10T10:00:00+24:00"},
        {"nonce": "long-enough", "token": "x", "scanned_at": "0001-01-01T00:30:00+01:00"},
        {"nonce": "long-enough", "token": "x", "scanned_at": "9999-12-31T23:59:59-23:59"},
        {"nonce": "long-enough", "token": "x", "scanned_at": "2000-01-01T10:00:00+01:00"},
        {"nonce": "long-enough", "token": "x", "scanned_at": "2" * 10_000},
    ],
)
def test_a_bad_scan_is_answered_on_its_own_and_never_blocks_its_batch(door, ticket, bad):
    """A phone sends its whole queue again until every scan is answered: one scan it
    cannot fix must not hold back the others, in any position, nor break anything."""
    tokens = [ticket()[1] for _ in range(2)]
    body = {"scans": [one(tokens[0], "good-0001"), bad, one(tokens[1], "good-0002")]}
    response = door(body)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r.get("verdict") for r in results] == ["admitted", None, "admitted"]
    refused = results[1]
    assert refused["error"]["code"] == "checkin.invalid_scan" and refused["error"]["message"]
    nonce = bad.get("nonce") if isinstance(bad, dict) else None
    assert refused["nonce"] == (nonce if nonce != "short" else None)
    assert Scan.objects.count() == 2 and Admission.objects.count() == 2
    # sent again (as a phone does): the same answers, nothing counted twice
    assert door(body).json()["results"] == results
    assert Scan.objects.count() == 2


def test_ten_thousand_scans_in_one_batch_are_refused(door):
    scans = [one("x", f"nonce-{i:08d}") for i in range(10_000)]
    response = door({"scans": scans})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "checkin.batch_too_large"
    assert not Scan.objects.exists()


def test_unknown_revoked_device_and_person_without_door_role(client, door, ticket, agent):
    _, token = ticket()
    assert (
        door({"scans": [one(token)]}, auth="not-a-secret").json()["error"]["code"]
        == "checkin.device_unknown"
    )
    stranger = get_user_model().objects.create_user("stranger", password="x-pass-1234")
    client.force_login(stranger)
    response = door({"scans": [one(token)]})
    assert (
        response.status_code == 403 and response.json()["error"]["code"] == "checkin.not_door_staff"
    )
    client.force_login(agent)
    services.device_revoke(device=door.device, actor=agent)
    response = door({"scans": [one(token)]})
    assert (
        response.status_code == 403 and response.json()["error"]["code"] == "checkin.device_revoked"
    )
    assert not Admission.objects.exists()


def test_rate_limit_per_device(door, settings, monkeypatch):
    from django.core.cache import cache

    from checkin.views import api

    cache.clear()
    monkeypatch.setattr(api, "RATE_LIMIT", 3)
    codes = [door({"scans": []}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_offline_list_holds_hashes_not_tickets(client, door, ticket):
    registration, token = ticket()
    response = client.get(LIST, HTTP_AUTHORIZATION=f"Device {door.secret}")
    data = response.json()
    row = data["tickets"][0]
    assert row["h"] == services.ticket_hash(token) and token not in response.content.decode()
    assert row["last_name"] == "Lefèvre" and row["admitted_at"] is None


def test_get_sync_is_refused(client, door):
    assert client.get(SYNC, HTTP_AUTHORIZATION=f"Device {door.secret}").status_code == 405


def test_last_seen_is_written_at_most_every_thirty_seconds(door):
    import time_machine

    with time_machine.travel(timezone.now(), tick=False) as clock:
        door({"scans": []})
        door.device.refresh_from_db()
        first = door.device.last_seen_at
        assert first is not None
        clock.shift(timedelta(seconds=10))
        door({"scans": []})
        door.device.refresh_from_db()
        assert door.device.last_seen_at == first
        clock.shift(timedelta(seconds=25))
        door({"scans": []})
        door.device.refresh_from_db()
        assert door.device.last_seen_at > first


def test_one_online_scan_costs_a_bounded_number_of_queries(
    door, ticket, django_assert_max_num_queries
):
    """The verdict's name and category come with the registration (no query per field)."""
    _, token = ticket()
    door({"scans": []})  # session, device, last seen: warmed up
    with django_assert_max_num_queries(14):
        result = door({"scans": [one(token)]}).json()["results"][0]
    assert result["verdict"] == "admitted" and result["category"] == "ptce_member"


def test_conflicts_reach_the_device_with_its_heartbeat(client, door, ticket, enrolled):
    _, token = ticket()
    other, other_secret = enrolled("Téléphone 2")
    now = timezone.now()
    later = one(token, "nonce-late", offline=True, scanned_at=now.isoformat())
    assert door({"scans": [later]}).json()["results"][0]["verdict"] == "admitted"
    earlier = one(token, "nonce-early", offline=True)
    earlier["scanned_at"] = (now - timedelta(minutes=1)).isoformat()
    response = client.post(
        SYNC,
        data=json.dumps({"scans": [earlier]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {other_secret}",
    ).json()
    # the earliest keeps the admission; both devices are told of the conflict
    assert response["results"][0]["verdict"] == "admitted"
    assert response["conflicts"] == [{"nonce": "nonce-early", "last_name": "Lefèvre"}]
    heartbeat = door({"scans": []}).json()
    assert heartbeat["conflicts"] == [{"nonce": "nonce-late", "last_name": "Lefèvre"}]
    _, second = ticket()
    online = door({"scans": [one(second, "nonce-online")]}).json()
    assert "conflicts" not in online  # an online scan cannot cause one: no query for it


def test_the_door_pass_stands_for_the_session_for_ten_minutes(client, door, ticket, agent):
    import time_machine

    from checkin.models import DoorRole

    data = client.get(LIST, HTTP_AUTHORIZATION=f"Device {door.secret}").json()
    door_pass = data["door_pass"]
    assert data["door_pass_max_age"] == 600

    def sync(token, nonce, **headers):
        return client.post(
            SYNC,
            data=json.dumps({"scans": [one(token, nonce)]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Device {door.secret}",
            **headers,
        )

    client.logout()
    _, token = ticket()
    response = sync(token, "nonce-pass-1", HTTP_X_DOOR_PASS=door_pass)
    assert response.json()["results"][0]["verdict"] == "admitted"
    scan = Scan.objects.get(nonce="nonce-pass-1")
    assert scan.user == agent and scan.registration.admission.checked_by == agent
    # forged, or another device's pass: worth nothing without a session
    for bad in (door_pass[:-2] + "xx", "", "n'importe quoi"):
        response = sync(token, "nonce-pass-2", HTTP_X_DOOR_PASS=bad)
        assert (
            response.status_code == 403
            and response.json()["error"]["code"] == "checkin.not_door_staff"
        )
    # the role removed: the pass still works until it expires, then no more
    DoorRole.objects.filter(user=agent).delete()
    with time_machine.travel(timezone.now() + timedelta(seconds=601)):
        response = sync(token, "nonce-pass-3", HTTP_X_DOOR_PASS=door_pass)
    assert response.status_code == 403
    assert Scan.objects.count() == 1


def test_a_door_pass_is_bound_to_its_device(client, door, ticket, enrolled, agent):
    door_pass = client.get(LIST, HTTP_AUTHORIZATION=f"Device {door.secret}").json()["door_pass"]
    _, other_secret = enrolled("Téléphone 2")
    client.logout()
    _, token = ticket()
    response = client.post(
        SYNC,
        data=json.dumps({"scans": [one(token)]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {other_secret}",
        HTTP_X_DOOR_PASS=door_pass,
    )
    assert response.status_code == 403 and not Scan.objects.exists()


def test_the_list_and_supervisor_calls_ignore_the_pass(client, door):
    door_pass = client.get(LIST, HTTP_AUTHORIZATION=f"Device {door.secret}").json()["door_pass"]
    client.logout()
    response = client.get(
        LIST, HTTP_AUTHORIZATION=f"Device {door.secret}", HTTP_X_DOOR_PASS=door_pass
    )
    assert response.status_code == 403  # a pass never renews itself without the session
    response = client.post(
        "/api/accueil/v1/sur-place",
        data=json.dumps({"nonce": "walk-in-0001"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {door.secret}",
        HTTP_X_DOOR_PASS=door_pass,
    )
    assert response.status_code == 403


def test_a_single_online_scan_sent_twice_is_one_scan(door, ticket):
    """The phone did not get the answer (network cut) and sends the same scan again."""
    _, token = ticket()
    scan = one(token, "nonce-retry")
    first = door({"scans": [scan]}).json()["results"][0]
    again = door({"scans": [scan]}).json()["results"][0]
    assert first["verdict"] == again["verdict"] == "admitted"
    assert first["admitted_at"] == again["admitted_at"]
    assert Scan.objects.count() == 1 and Admission.objects.count() == 1


def test_the_rate_limit_is_shared_by_the_workers_through_redis(door, settings, monkeypatch):
    """With REDIS_URL (production), every worker process counts in the same place."""
    import os

    import redis
    from django.core.cache import caches

    from checkin.views import api

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is not reachable at {url}")
        pytest.skip(f"Redis is not reachable at {url}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"ptce-test-{os.getpid()}",
        }
    }
    monkeypatch.setattr(api, "RATE_LIMIT", 3)
    window = int(timezone.now().timestamp() // 60)
    keys = [f"checkin:rate:{door.device.pk}:{w}" for w in (window, window + 1)]
    caches["default"].delete_many(keys)  # never clear(): it would empty the whole database
    try:
        codes = [door({"scans": []}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        # a second "worker" (a new cache client on the same server) sees the same count
        other = caches.create_connection("default")
        assert sum(other.get(key) or 0 for key in keys) == 5
    finally:
        caches["default"].delete_many(keys)
