import secrets
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from checkin import services
from checkin.models import DoorRole
from checkin.tests.factories import door_open_event
from events import services as event_services
from events.models import Event
from events.tests.conftest import document_storage, prepared  # noqa: F401 - fixtures
from events.tokens import ticket_token

DEMO_SLUG = "2e-journee-nationale-des-ptce"


@pytest.fixture
def event(db):
    return door_open_event(capacity=5)


@pytest.fixture
def agent(event):
    user = get_user_model().objects.create_user("accueil", password="Door-pass-2014")
    DoorRole.objects.create(event=event, user=user, role=DoorRole.Role.AGENT)
    return user


@pytest.fixture
def enrolled(event, agent):
    """Make an enrolled device: returns (device, secret)."""
    organiser = get_user_model().objects.create_user(
        f"orga-{secrets.token_hex(3)}", password="x-pass-1234", is_staff=True
    )
    event.managers.add(organiser)

    def _make(name="Téléphone 1", target=None):
        target = target or event
        device = services.device_create(event=target, name=name, actor=organiser)
        return services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)

    return _make


@pytest.fixture
def ticket(event):
    """Register someone and return (registration, ticket token)."""
    counter = iter(range(10_000))

    def _ticket(target=None, **overrides):
        n = next(counter)
        data = {
            "first_name": "Zoé",
            "last_name": "Lefèvre",
            "email": f"door{n}@example.org",
            "category": "ptce_member",
            "consent": True,
        }
        data.update(overrides)
        registration = event_services.registration_create(
            event=target or event, **data
        ).registration
        return registration, ticket_token(registration)

    return _ticket


@pytest.fixture
def door_phone(live_server, browser):
    """The demo event with three confirmed people, and its scanning page open in Chromium
    (360 px wide) for a signed-in door agent on an enrolled phone:
    (page, context, [(registration, ticket token)], event)."""
    yield from _door_phone(live_server, browser, service_workers="block")


@pytest.fixture
def door_phone_with_worker(live_server, browser):
    """``door_phone`` with the door's service worker running, as on a real phone (what
    makes the page work after an offline reload)."""
    yield from _door_phone(live_server, browser, service_workers="allow")


def _door_phone(live_server, browser, *, service_workers):
    call_command("load_demo", "--no-attendees", stdout=StringIO())
    # the demo's day is today: the door takes scans from a few hours before the start
    starts_at = timezone.now() + timedelta(hours=1)
    Event.objects.filter(slug=DEMO_SLUG).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=7)
    )
    event = Event.objects.get(slug=DEMO_SLUG)
    people = []
    for first, last in [("Hélène", "Lefèvre"), ("Paul", "Martin"), ("Amina", "Benali")]:
        registration = event_services.registration_create(
            event=event,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@example.org".replace("è", "e").replace("é", "e"),
            category="ptce_member",
            consent=True,
        ).registration
        people.append((registration, ticket_token(registration)))
    agent = get_user_model().objects.create_user("accueil", password="Door-pass-2014")
    DoorRole.objects.create(event=event, user=agent, role=DoorRole.Role.AGENT)
    device = services.device_create(event=event, name="Poste 1", actor=agent)
    _, secret = services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)

    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="fr-FR",
        service_workers=service_workers,
        # a phone set to another time zone than the event's: the page speaks the event's
        timezone_id="Pacific/Auckland",
    )
    context.set_default_timeout(10_000)
    context.add_init_script(f"window.localStorage.setItem('ptce.device.{DEMO_SLUG}', '{secret}');")
    # what the Content-Security-Policy blocks, for the tests to see (it must be nothing)
    context.add_init_script(
        "window.cspViolations = []; document.addEventListener('securitypolicyviolation', "
        "(e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));"
    )
    page = context.new_page()
    page.goto(live_server.url + "/compte/connexion/")
    page.fill("input[name=username]", "accueil")
    page.fill("input[name=password]", "Door-pass-2014")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(live_server.url + f"/accueil/{DEMO_SLUG}/")
    page.locator("#count-expected").filter(has_text="3").wait_for()
    yield page, context, people, event
    context.close()
