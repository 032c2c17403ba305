import secrets

import pytest
from django.contrib.auth import get_user_model

from checkin import services
from checkin.models import DoorRole
from events import services as event_services
from events.tests.factories import EventFactory
from events.tokens import ticket_token


@pytest.fixture
def event(db):
    return EventFactory(capacity=5)


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
