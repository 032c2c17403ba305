"""The door admits only on the event's days (its door hours, ``services.door_window``):
a scan, a typed code, a walk-in on another day are refused with « Pas aujourd’hui — … »;
only a supervisor's override, with a written reason, lets someone in then. The attendance
certificate waits for the event to start. Each test sets the clock (time_machine)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from checkin import services
from checkin.models import Admission, DoorRole, Scan
from core.errors import DomainError
from core.models import AuditEntry
from events.models import Event, Registration
from events.tokens import personal_link_token

pytestmark = pytest.mark.django_db

SYNC = "/api/accueil/v1/sync"
OVERRIDE = "/api/accueil/v1/derogation"
WALK_IN = "/api/accueil/v1/sur-place"
REASON = "Répétition de la veille, accord de l’équipe d’organisation."


@pytest.fixture
def supervisor(event):
    user = get_user_model().objects.create_user("superviseur", password="Door-pass-2014")
    DoorRole.objects.create(event=event, user=user, role=DoorRole.Role.SUPERVISOR)
    return user


@pytest.fixture
def desk(client, supervisor, enrolled, settings):
    """A signed-in supervisor on an enrolled phone, the site in French."""
    settings.LANGUAGE_CODE = "fr"
    device, secret = enrolled()
    client.force_login(supervisor)

    def call(url, body):
        return client.post(
            url,
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Device {secret}",
            HTTP_ACCEPT_LANGUAGE="fr",
        )

    call.device = device
    return call


def a_month_before(event):
    return time_machine.travel(event.starts_at - timedelta(days=30), tick=False)


def a_week_after(event):
    return time_machine.travel(event.ends_at + timedelta(days=7), tick=False)


def scan(token, nonce):
    return {
        "nonce": nonce,
        "token": token,
        "scanned_at": timezone.now().isoformat(),
        "id_checked": True,
    }


def test_a_scan_or_typed_code_on_another_day_is_refused_and_not_recorded(desk, event, ticket):
    _, token = ticket()
    with a_month_before(event):
        result = desk(SYNC, {"scans": [scan(token, "early-0001")]}).json()["results"][0]
    assert result["error"]["code"] == "checkin.not_today" and "verdict" not in result
    message = result["error"]["message"]
    assert message.startswith("Pas aujourd’hui — l’événement a lieu ")
    assert str(timezone.localtime(event.starts_at).year) in message
    with a_week_after(event):
        result = desk(SYNC, {"scans": [scan(token, "late-00001")]}).json()["results"][0]
    assert result["error"]["code"] == "checkin.not_today"
    assert "a eu lieu " in result["error"]["message"]
    assert not Scan.objects.exists() and not Admission.objects.exists()
    # on the day, the same ticket gets in
    result = desk(SYNC, {"scans": [scan(token, "today-0001")]}).json()["results"][0]
    assert result["verdict"] == "admitted"


def test_an_offline_scan_of_the_day_sent_a_week_later_still_counts(desk, event, ticket):
    """The door was open when the phone admitted: only the sync comes late."""
    _, token = ticket()
    offline = {**scan(token, "offline-001"), "offline": True}
    with a_week_after(event):
        result = desk(SYNC, {"scans": [offline]}).json()["results"][0]
    assert result["verdict"] == "admitted"


def test_a_walk_in_on_another_day_is_refused_even_for_a_supervisor(desk, event):
    Event.objects.filter(pk=event.pk).update(walk_ins_allowed=True)
    person = {
        "nonce": "walk-in-001",
        "first_name": "Élise",
        "last_name": "Martin",
        "email": "elise@example.org",
        "category": "ptce_member",
        "consent": True,
        "id_checked": True,
    }
    with a_month_before(event):
        response = desk(WALK_IN, person)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "checkin.not_today" and error["message"].startswith("Pas aujourd’hui")
    assert not Registration.objects.exists() and not Admission.objects.exists()
    # the override path is for a ticket, never a way to register someone
    with a_month_before(event):
        refused = desk(OVERRIDE, {"nonce": "walk-in-002", "token": "", "reason": REASON})
    assert refused.status_code == 400 and not Registration.objects.exists()


def test_only_an_override_with_a_reason_admits_on_another_day(desk, event, ticket):
    registration, token = ticket()
    body = {"nonce": "override-01", "token": token, "id_checked": True}
    with a_month_before(event):
        no_reason = desk(OVERRIDE, {**body, "reason": ""})
        assert no_reason.status_code == 400
        assert no_reason.json()["error"]["code"] == "checkin.override_reason_required"
        assert not Admission.objects.exists()
        response = desk(OVERRIDE, {**body, "reason": REASON})
    assert response.status_code == 200, response.content
    assert response.json()["result"]["verdict"] == "admitted"
    admission = Admission.objects.get(registration=registration)
    assert admission.override_reason == REASON
    entry = AuditEntry.objects.get(action="checkin.admission.override")
    assert entry.data["not_today"] is True and entry.data["reason"] == REASON


def test_on_the_day_a_valid_ticket_needs_no_override(desk, ticket):
    _, token = ticket()
    response = desk(
        OVERRIDE, {"nonce": "override-02", "token": token, "id_checked": True, "reason": REASON}
    )
    assert response.json()["error"]["code"] == "checkin.override_not_needed"


def test_the_days_are_said_as_an_editor_writes_them():
    paris = timezone.get_default_timezone()
    one_day = datetime(2031, 9, 1, 9, 30, tzinfo=paris)
    with translation.override("fr"):
        assert (
            services.event_days(starts_at=one_day, ends_at=one_day + timedelta(hours=8))
            == "le lundi 1er septembre 2031"
        )
        assert services.event_days(starts_at=one_day, ends_at=one_day + timedelta(days=1)) == (
            "du lundi 1er septembre 2031 au mardi 2 septembre 2031"
        )
    window = services.door_window(starts_at=one_day, ends_at=one_day + timedelta(hours=8))
    assert services.not_today(window=window, now=one_day) is None
    with pytest.raises(DomainError) as caught:
        services.scan_time(
            datetime(2026, 12, 1, 10, tzinfo=UTC),
            window=window,
            now=datetime(2026, 12, 1, 10, tzinfo=UTC),
        )
    assert caught.value.code == "checkin.not_today"


def test_the_scanning_page_knows_the_door_hours_to_refuse_offline(client, supervisor, event):
    client.force_login(supervisor)
    page = client.get(
        reverse("checkin:scanner", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    opens, closes = services.door_window(starts_at=event.starts_at, ends_at=event.ends_at)
    assert f'data-door-opens="{opens.isoformat()}"' in page
    assert f'data-door-closes="{closes.isoformat()}"' in page
    assert 'data-not-today-before="Pas aujourd’hui — l’événement a lieu ' in page


def test_the_standing_notice_says_no_entry_was_recorded_only_after_a_try(client, supervisor, event):
    """The notice shown before any ticket is tried names the day and the way in (a
    supervisor's override); « Cette entrée n’a pas été enregistrée » belongs to a refused
    scan, not to a page where nothing was tried."""
    import html as html_module
    import re

    client.force_login(supervisor)
    page = client.get(
        reverse("checkin:scanner", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    before = html_module.unescape(re.search(r'data-closed-before="([^"]*)"', page).group(1))
    after = html_module.unescape(re.search(r'data-closed-after="([^"]*)"', page).group(1))
    assert before.startswith("Pas aujourd’hui — l’événement a lieu le ")
    assert after.startswith("L’événement a eu lieu le ")
    for notice in (before, after):
        assert "enregistrée" not in notice
        assert "dérogation" in notice


def test_the_certificate_waits_for_the_start_of_the_event(client, desk, event, ticket):
    registration, token = ticket()
    with a_month_before(event):
        desk(
            OVERRIDE, {"nonce": "override-03", "token": token, "id_checked": True, "reason": REASON}
        )
    assert Admission.objects.filter(registration=registration).exists()
    link = personal_link_token(registration)
    url = reverse("checkin:certificate", args=[link])
    personal = reverse("events:personal", args=[link])
    before = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert before.status_code == 403 and before["Content-Type"].startswith("text/html")
    assert b"%PDF" not in before.content
    text = before.content.decode()
    assert "pas encore disponible" in text
    assert str(timezone.localtime(event.starts_at).year) in text
    assert url not in client.get(personal).content.decode()
    with time_machine.travel(event.starts_at + timedelta(minutes=5)):
        after = client.get(url)
        assert url in client.get(personal).content.decode()
    assert after.status_code == 200 and after.content.startswith(b"%PDF")
