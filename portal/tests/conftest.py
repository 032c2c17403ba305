import uuid
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from charter.models import CharterVersion, Signature
from checkin.models import DoorRole
from core import throttle
from events.tests.factories import EventFactory
from registry import services as registry_services
from registry.models import Network, PoleClaim

PASSWORD = "Espace-pass-2014"


@pytest.fixture(autouse=True)
def _fast_hasher_and_fresh_limits(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(throttle, "KEY_PREFIX", f"test-ratelimit-{uuid.uuid4().hex}")


@pytest.fixture
def make_user(db):
    def _make(username, **extra):
        return get_user_model().objects.create_user(
            username, email=f"{username}@example.org", password=PASSWORD, **extra
        )

    return _make


@pytest.fixture
def world(db, make_user):
    """One person per role, each with what that role gives them."""
    pole = registry_services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": "26281"})
    other = registry_services.pole_save(
        data={"name": "Pôle des Deux Rives", "commune_code": "26281"}
    )
    event = EventFactory(title="Journée des pôles")
    version = CharterVersion.objects.create(
        number=1, title="Charte", published_on=date(2014, 9, 19), body="# Charte"
    )
    manager = make_user("gestion")
    pole.managers.add(manager)
    network = Network.objects.create(name="Réseau des pôles du Sud", slug="reseau-sud")
    network.managers.add(manager)
    Signature.objects.create(
        version=version,
        pole=pole,
        signatory_name="Amina Diallo",
        signatory_mandate="Présidente",
        channel=Signature.Channel.ONLINE,
        status=Signature.Status.SIGNED,
        requested_by=manager,
        signed_at=timezone.now(),
    )
    PoleClaim.objects.create(
        pole=other, name="Amina Diallo", email="GESTION@example.org", role="coordinatrice"
    )
    organiser = make_user("orga", is_staff=True)
    event.managers.add(organiser)
    door = make_user("porte")
    DoorRole.objects.create(event=event, user=door, role=DoorRole.Role.AGENT)
    editor = make_user("editrice", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registry",
            codename__in=["change_pole", "add_pole", "add_organisation"],
        )
    )
    plain = make_user("simple")
    return {
        "pole": pole,
        "other": other,
        "event": event,
        "manager": manager,
        "organiser": organiser,
        "door": door,
        "editor": editor,
        "plain": plain,
    }
