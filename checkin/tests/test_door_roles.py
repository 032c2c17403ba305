"""Organisers give door roles from the door page; the reminder skips people already let
in; the enrolment link can be copied and wraps on a phone."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from checkin import services
from checkin.models import Admission, DoorRole
from core.errors import DomainError
from core.models import OutboundEmail
from events import selectors as event_selectors
from events import services as event_services
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def organiser(event):
    user = User.objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    return user


@pytest.fixture
def volunteer(db):
    return User.objects.create_user("benevole", email="Benevole@Example.org", password="x-1234")


def grant(client, event, login, role="agent"):
    return client.post(
        reverse("checkin_manage:door_role_add", args=[event.slug]), {"login": login, "role": role}
    )


def test_an_organiser_gives_a_door_role_by_username_or_email(client, organiser, event, volunteer):
    client.force_login(organiser)
    response = grant(client, event, "benevole@example.org", "supervisor")
    assert response.status_code == 302
    assert DoorRole.objects.get(event=event, user=volunteer).role == "supervisor"
    # the other role replaces it; the same one again is refused
    services.door_role_grant(event=event, login="BENEVOLE", role="agent", actor=organiser)
    assert DoorRole.objects.get(event=event, user=volunteer).role == "agent"
    with pytest.raises(DomainError) as error:
        services.door_role_grant(event=event, login="benevole", role="agent", actor=organiser)
    assert error.value.code == "checkin.already_has_role"
    html = client.get(reverse("checkin_manage:door", args=[event.slug])).content.decode()
    assert "benevole" in html and "Équipe du contrôle à l’entrée" in html
    role = DoorRole.objects.get(event=event, user=volunteer)
    url = reverse("checkin_manage:door_role_remove", args=[event.slug, role.pk])
    assert client.post(url).status_code == 302
    assert not DoorRole.objects.filter(event=event, user=volunteer).exists()


def test_an_unknown_account_is_refused(client, organiser, event):
    client.force_login(organiser)
    response = grant(client, event, "personne@example.org")
    assert response.status_code == 302
    assert not DoorRole.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "Aucun compte n’a cet identifiant ni cette adresse e-mail." in html
    for login, code in (("", "checkin.invalid_login"), ("x\x00y", "checkin.invalid_login")):
        with pytest.raises(DomainError) as error:
            services.door_role_grant(event=event, login=login, role="agent", actor=organiser)
        assert error.value.code == code
    with pytest.raises(DomainError) as error:
        services.door_role_grant(event=event, login="orga", role="admin", actor=organiser)
    assert error.value.code == "checkin.invalid_role"


def test_only_the_event_organisers_give_roles(client, event, volunteer):
    other = User.objects.create_user("autre", password="x-pass-1234", is_staff=True)
    EventFactory().managers.add(other)
    client.force_login(other)
    assert grant(client, event, "benevole").status_code == 403
    client.force_login(volunteer)
    assert grant(client, event, "benevole", "supervisor").status_code == 403
    assert not DoorRole.objects.exists()
    with pytest.raises(DomainError) as error:
        services.door_role_grant(event=event, login="benevole", role="agent", actor=other)
    assert error.value.code == "checkin.not_organiser"
    role = DoorRole.objects.create(event=event, user=volunteer, role="agent")
    client.force_login(other)
    url = reverse("checkin_manage:door_role_remove", args=[event.slug, role.pk])
    assert client.post(url).status_code == 403
    assert DoorRole.objects.filter(pk=role.pk).exists()


def test_the_enrolment_link_sits_in_a_field_with_a_copy_button(client, organiser, event):
    services.device_create(event=event, name="Poste 1", actor=organiser)
    client.force_login(organiser)
    html = client.get(reverse("checkin_manage:door", args=[event.slug])).content.decode()
    assert 'class="link-field"' in html and "readonly" in html
    assert "Copier le lien" in html and 'aria-live="polite"' in html
    assert "checkin/copy_link.js" in html


def test_the_reminder_skips_people_admitted_or_cancelled(
    organiser, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=10)
    people = []
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            people.append(
                event_services.registration_create(
                    event=event,
                    first_name="Zoé",
                    last_name=["Martin", "Durand", "Petit"][n],
                    email=f"z{n}@example.org",
                    category="ptce_member",
                    consent=True,
                ).registration
            )
    admitted, cancelled, expected = people
    event_services.registration_cancel(registration=cancelled)
    device = services.device_create(event=event, name="Poste", actor=organiser)
    Admission.objects.create(
        event=event,
        registration=admitted,
        device=device,
        checked_by=organiser,
        scanned_at=timezone.now(),
        received_at=timezone.now(),
        id_checked=True,
    )
    recipients = event_selectors.reminder_recipients(event=event)
    assert [r.pk for r in recipients] == [expected.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert event_services.event_send_reminders(event=event, actor=organiser) == 1
    reminded = OutboundEmail.objects.filter(kind="events.registration.reminder")
    assert list(reminded.values_list("object_id", flat=True)) == [expected.pk]
