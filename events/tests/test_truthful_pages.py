"""The public pages and emails of an event say only true things (issue 10): a
cancellation tells that the place went to someone only when it did, a past event says it
took place and offers nothing more, empty facts are left out, the structured data holds no
empty value."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from events.models import Registration, Session, Speaker
from events.tests.factories import EventFactory
from events.tokens import personal_link_token

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
GIVEN_ON = "Your place has been given to the next person waiting."


def fr(msgid: str) -> str:
    with translation.override("fr"):
        return escape(gettext(msgid))


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def _cancel(client, registration, capture):
    url = reverse("events:personal_cancel", args=[personal_link_token(registration)])
    with capture(execute=True):
        return client.post(url, {"confirm": "yes"}, follow=True)


def _email_to(registration):
    return next(m for m in mail.outbox if m.to == [registration.email])


def test_cancel_with_nobody_waiting_says_no_one_got_the_place(
    client, register, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=2)
    first = register(event).registration
    mail.outbox.clear()
    page = _cancel(client, first, django_capture_on_commit_callbacks).content.decode()
    with translation.override("fr"):
        given_on = gettext(GIVEN_ON)
    assert "attribuée" in given_on  # the French sentence the page must not say
    assert escape(given_on) not in page
    assert fr("Your registration is cancelled. Thank you for freeing your place.") in page
    email = _email_to(first)
    assert given_on not in email.body
    assert given_on not in email.alternatives[0][0]
    assert "annulée" in email.body


def test_cancel_with_someone_waiting_says_the_place_went_to_them(
    client, register, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    first = register(event).registration
    waiting = register(event, email="next@example.org").registration
    assert waiting.status == Registration.Status.WAITING
    mail.outbox.clear()
    page = _cancel(client, first, django_capture_on_commit_callbacks).content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    with translation.override("fr"):
        given_on = gettext(GIVEN_ON)
    assert escape(given_on) in page
    email = _email_to(first)
    assert given_on in email.body
    assert escape(given_on) in email.alternatives[0][0]


def test_leaving_the_waiting_list_says_nothing_of_a_place(
    client, register, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    register(event)
    waiting = register(event, email="next@example.org").registration
    register(event, email="third@example.org")
    mail.outbox.clear()
    page = _cancel(client, waiting, django_capture_on_commit_callbacks).content.decode()
    assert fr("You have left the waiting list.") in page
    assert fr(GIVEN_ON) not in page
    assert gettext(GIVEN_ON) not in _email_to(waiting).body


def test_a_cancelled_registration_offers_no_cancellation(
    client, register, django_capture_on_commit_callbacks
):
    registration = register(EventFactory()).registration
    page = _cancel(client, registration, django_capture_on_commit_callbacks).content.decode()
    cancel_url = reverse("events:personal_cancel", args=[personal_link_token(registration)])
    assert cancel_url not in page
    assert fr("Cancel my registration") not in page
    assert (
        fr("I want my registration cancelled and my data erased now. This cannot be undone.")
        not in page
    )
    assert fr("I want my data erased now. This cannot be undone.") in page
    # the address of the cancellation, opened again or sent again: a clear answer
    again = client.post(cancel_url, {"confirm": "yes"}, follow=True)
    assert again.status_code == 200
    assert fr("This registration is already cancelled.") in again.content.decode()
    opened = client.get(cancel_url, follow=True)
    assert opened.status_code == 200
    assert fr("This registration is already cancelled.") in opened.content.decode()


def test_organiser_cancellation_names_who_got_the_place(
    client, register, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    event = EventFactory(capacity=1)
    first = register(event).registration
    register(event, email="next@example.org", first_name="Amina", last_name="Diallo")
    user = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    client.force_login(user)
    url = reverse("events_manage:registration_cancel", args=[event.slug, first.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, follow=True).content.decode()
    assert "Amina Diallo" in page
    assert "(s)" not in page


# --- Past events ----------------------------------------------------------------------


@pytest.fixture
def past_event():
    """The demo's first day: 25 June 2012, no venue, no registration."""
    return EventFactory(
        slug="1re-journee",
        title="1re Journée PTCE",
        starts_at=datetime(2012, 6, 25, 9, 30, tzinfo=PARIS),
        ends_at=datetime(2012, 6, 25, 17, 0, tzinfo=PARIS),
        venue_name="",
        street="",
        postal_code="",
        city="",
        registration_required=False,
        id_required=False,
        capacity=1,
    )


def test_past_event_says_it_took_place_and_offers_nothing(client, past_event):
    page = client.get(reverse("events:detail", args=[past_event.slug])).content.decode()
    assert "a eu lieu le lundi 25 juin 2012" in page
    assert re.search(r"<dt>Lieu</dt>", page) is None  # no venue: no « Lieu , »
    assert ", \n" not in page and "<dd>, " not in page
    assert fr("This event takes no registration.") not in page
    assert fr("Free entry, registration required") not in page
    assert reverse("events:register", args=[past_event.slug]) not in page
    assert reverse("events:ics", args=[past_event.slug]) not in page
    assert reverse("events:privacy", args=[past_event.slug]) not in page


def test_past_event_that_took_registrations_offers_none(client):
    event = EventFactory(
        starts_at=datetime(2025, 12, 1, 9, 0, tzinfo=PARIS),
        ends_at=datetime(2025, 12, 1, 17, 0, tzinfo=PARIS),
    )
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "a eu lieu le lundi 1er décembre 2025" in page
    assert reverse("events:register", args=[event.slug]) not in page
    register = client.get(reverse("events:register", args=[event.slug]))
    assert register.status_code == 200
    text = register.content.decode()
    assert "a eu lieu le lundi 1er décembre 2025" in text
    assert 'name="first_name"' not in text and '<form method="post" novalidate' not in text


def test_an_event_past_its_end_but_not_its_start_is_past(client):
    """Past means past its end: a day that has begun still takes no registration but is
    not yet « a eu lieu »."""
    now = datetime.now(tz=PARIS)
    running = EventFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    page = client.get(reverse("events:detail", args=[running.slug])).content.decode()
    assert "a eu lieu" not in page
    over = EventFactory(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(minutes=1))
    page = client.get(reverse("events:detail", args=[over.slug])).content.decode()
    assert "a eu lieu" in page


def test_upcoming_event_without_registration_is_not_contradictory(client):
    event = EventFactory(registration_required=False, entry_notice="")
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert fr("Free entry, no registration needed") in page
    assert fr("Free entry, registration required") not in page
    assert 'class="badge closed"' not in page


def _json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def _empties(value, path="$"):
    """Paths of the empty values anywhere in the JSON."""
    if isinstance(value, dict):
        if not value or set(value) <= {"@type"}:
            yield path
        for key, item in value.items():
            yield from _empties(item, f"{path}.{key}")
    elif isinstance(value, list):
        if not value:
            yield path
        for index, item in enumerate(value):
            yield from _empties(item, f"{path}[{index}]")
    elif value is None or (isinstance(value, str) and not value.strip()):
        yield path


def test_past_event_json_ld_has_no_empty_value_and_no_offer(client, past_event):
    data = _json_ld(client.get(reverse("events:detail", args=[past_event.slug])).content.decode())
    assert list(_empties(data)) == []
    assert "location" not in data  # nothing known of the place
    assert "offers" not in data
    assert "performer" not in data


def test_json_ld_offers_performers_and_image(client, settings):
    settings.SITE_URL = "https://ptce.example.org"
    event = EventFactory(city="", postal_code="")
    real = Speaker.objects.create(event=event, name="Carole Delga", role="secrétaire d’État")
    Speaker.objects.create(event=event, name="Intervenante fictive", is_demo=True)
    session = Session.objects.create(
        event=event,
        kind=Session.Kind.CLOSING,
        title="Clôture",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
    )
    session.speakers.add(real)
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    data = _json_ld(page)
    assert list(_empties(data)) == []
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["performer"] == [
        {"@type": "Person", "name": "Carole Delga", "jobTitle": "secrétaire d’État"}
    ]
    assert "addressLocality" not in data["location"]["address"]
    image = re.search(r'<meta property="og:image" content="([^"]+)">', page).group(1)
    assert image.startswith("https://ptce.example.org/static/") and image.endswith(".png")
    assert data["image"] == [image]

    no_registration = EventFactory(registration_required=False)
    data = _json_ld(
        client.get(reverse("events:detail", args=[no_registration.slug])).content.decode()
    )
    assert "offers" not in data


def test_og_image_is_a_real_1200_by_630_png():
    from django.contrib.staticfiles import finders
    from PIL import Image

    path = finders.find("events/og-ptce.png")
    assert path is not None
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 630)


# --- Programme ---------------------------------------------------------------------------


def test_a_programme_item_links_where_it_says(client):
    event = EventFactory()
    Session.objects.create(
        event=event,
        kind=Session.Kind.CHARTER_SIGNING,
        title="Signature de la Charte",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
        link_url="/charte/",
        link_label="Lire la Charte",
    )
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert '<a href="/charte/">Lire la Charte</a>' in page
    # French times in the programme, never « 09:30 »
    assert re.search(r">\d{2}:\d{2}<", page) is None


def test_session_link_accepts_a_page_of_the_site_or_a_web_address():
    from django.core.exceptions import ValidationError

    from events.models import validate_link

    validate_link("/charte/")
    validate_link("https://www.lelabo-ess.org/")
    for bad in ("javascript:alert(1)", "//evil.example", "charte", "/a b"):
        with pytest.raises(ValidationError):
            validate_link(bad)


def test_demo_links_the_charter_signing_to_the_charter(db):
    import io

    from django.core.management import call_command

    call_command("load_demo", "--no-attendees", stdout=io.StringIO())
    session = Session.objects.get(kind=Session.Kind.CHARTER_SIGNING, event__is_demo=True)
    assert session.link_url == reverse("charter:home")
    assert session.link_label


def test_email_leaves_an_unknown_place_out(register):
    event = EventFactory(venue_name="", street="", postal_code="", city="")
    mail.outbox.clear()
    registration = register(event).registration
    email = _email_to(registration)  # the confirmation, the only email sent
    assert gettext("Where:") not in email.body
    assert gettext("Where:") not in email.alternatives[0][0]


def test_register_address_of_a_past_event_without_registration(client, past_event):
    response = client.get(reverse("events:register", args=[past_event.slug]))
    text = response.content.decode()
    assert "a eu lieu le lundi 25 juin 2012" in text
    assert fr("This event takes no registration.") in text
    assert fr("Registration is closed.") not in text
    assert 'name="email"' not in text
    embedded = client.get(reverse("events:embed", args=[past_event.slug])).content.decode()
    assert "a eu lieu le lundi 25 juin 2012" in embedded and 'name="email"' not in embedded


def test_the_cancellation_email_does_not_offer_a_ticket_or_a_cancellation(
    client, register, django_capture_on_commit_callbacks
):
    """After a cancellation the personal link gives neither a ticket, nor corrections, nor
    a cancellation: the email says what it still gives (the data kept, until erased)."""
    event = EventFactory(capacity=2)
    first = register(event).registration
    confirmation = _email_to(first).body
    assert "billet, corrections, annulation" in confirmation
    mail.outbox.clear()
    _cancel(client, first, django_capture_on_commit_callbacks)
    body = _email_to(first).body
    assert "billet, corrections, annulation" not in body
    assert "Votre lien personnel (les données gardées à votre sujet" in body
