"""The door takes a ticket's reference typed by hand (« k7mx q4tr »), online and in an
offline batch, for this event only; the offline list carries it for the phone."""

import json

import pytest
from django.utils import timezone

from checkin.models import Admission, Scan
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

LIST = "/api/accueil/v1/liste"
SYNC = "/api/accueil/v1/sync"


@pytest.fixture
def door(client, agent, enrolled):
    _, secret = enrolled()
    client.force_login(agent)

    def post(scans):
        return client.post(
            SYNC,
            data=json.dumps({"scans": scans}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Device {secret}",
        ).json()["results"]

    post.secret = secret
    return post


def typed(registration):
    """The reference as a person may type it: small letters, a space in the middle."""
    ref = registration.reference.lower()
    return f"{ref[:4]} {ref[4:]}"


def scan(token, nonce, **extra):
    return {
        "nonce": nonce,
        "token": token,
        "scanned_at": timezone.now().isoformat(),
        "id_checked": True,
        **extra,
    }


def test_the_offline_list_carries_each_reference(client, door, ticket):
    registration, _ = ticket()
    rows = client.get(LIST, HTTP_AUTHORIZATION=f"Device {door.secret}").json()["tickets"]
    assert [row["ref"] for row in rows] == [registration.reference]


def test_a_typed_reference_admits_online(door, ticket):
    registration, _ = ticket()
    probe = door([scan(typed(registration), "probe-0001", id_checked=False)])[0]
    assert probe["verdict"] == "id_not_checked" and probe["last_name"] == "Lefèvre"
    result = door([scan(registration.grouped_reference, "admit-0001")])[0]
    assert result["verdict"] == "admitted"
    assert Admission.objects.get().registration == registration
    again = door([scan(registration.reference, "again-0001")])[0]
    assert again["verdict"] == "already_admitted"


def test_references_typed_offline_are_merged_in_one_batch(door, ticket):
    first, _ = ticket()
    second, _ = ticket()
    results = door(
        [
            scan(typed(first), "offline-001", offline=True),
            scan(second.grouped_reference, "offline-002", offline=True),
        ]
    )
    assert [r["verdict"] for r in results] == ["admitted", "admitted"]
    assert set(Admission.objects.values_list("registration_id", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_a_reference_of_another_event_or_made_up_is_unknown(door, ticket):
    elsewhere, _ = ticket(target=EventFactory())
    made_up = "ABCD-2345" if elsewhere.reference != "ABCD2345" else "ABCD-2346"
    online = door([scan(typed(elsewhere), "other-0001")])[0]
    offline = door([scan(made_up, "other-0002", offline=True)])[0]
    assert online["verdict"] == offline["verdict"] == "unknown"
    assert not Admission.objects.exists() and Scan.objects.count() == 2
