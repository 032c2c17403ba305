"""Editing an event from the organiser space (events.services.event_update), and the
menu of the event's tools on every organiser page of the event."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from events import services
from events.forms import EventForm
from events.models import Event, Registration
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(event):
    user = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def form_data(event, **changes):
    """The edit form as the page sends it, with some values changed."""
    form = EventForm(instance=event)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, type(form.fields["starts_at"].widget)) and value:
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            value = value.strftime("%Y-%m-%dT%H:%M")
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def service_data(event, **changes):
    return {name: getattr(event, name) for name in services.EVENT_EDITABLE_FIELDS} | changes


def test_an_organiser_edits_the_event(organiser_client, event):
    url = reverse("events_manage:edit", args=[event.slug])
    html = organiser_client.get(url).content.decode()
    assert 'aria-current="page"' in html and "Modifier l’événement" in html
    response = organiser_client.post(url, form_data(event, title="Journée des PTCE", city="Lyon"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.city) == ("Journée des PTCE", "Lyon")


def test_an_end_before_the_start_is_refused_and_nothing_is_saved(organiser_client, event):
    url = reverse("events_manage:edit", args=[event.slug])
    before = timezone.localtime(event.starts_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = organiser_client.post(url, form_data(event, title="Changé", ends_at=before))
    assert response.status_code == 400
    assert "L’événement doit se terminer après son début." in response.content.decode()
    event.refresh_from_db()
    assert event.title != "Changé"
    with pytest.raises(DomainError) as error:
        services.event_update(
            event=event, data=service_data(event, ends_at=event.starts_at, title="Changé")
        )
    assert error.value.code == "events.ends_before_start"
    event.refresh_from_db()
    assert event.title != "Changé"


def test_the_capacity_cannot_fall_below_the_confirmed(organiser_client, event, register):
    register(event)
    register(event)
    event.refresh_from_db()
    url = reverse("events_manage:edit", args=[event.slug])
    response = organiser_client.post(url, form_data(event, capacity="1", title="Changé"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "La capacité ne peut pas être inférieure aux 2 inscriptions confirmées." in html
    event.refresh_from_db()
    assert event.capacity != 1 and event.title != "Changé"
    with pytest.raises(DomainError) as error:
        services.event_update(event=event, data=service_data(event, capacity=1))
    assert error.value.code == "events.capacity_below_confirmed"


def test_more_places_go_to_people_waiting(event, register, committed):
    small = EventFactory(capacity=1)
    register(small)
    waiting = register(small).registration
    assert waiting.status == Registration.Status.WAITING
    small.refresh_from_db()
    promoted = committed(services.event_update, event=small, data=service_data(small, capacity=2))
    assert [r.pk for r in promoted] == [waiting.pk]
    small.refresh_from_db()
    assert (small.capacity, small.confirmed_count) == (2, 2)


def test_control_characters_are_refused(event):
    with pytest.raises(DomainError) as error:
        services.event_update(event=event, data=service_data(event, title="Journée\x00"))
    assert error.value.field == "title"


def test_another_organiser_cannot_edit(client, event):
    other = get_user_model().objects.create_user("other", password="x-pass-1234", is_staff=True)
    EventFactory().managers.add(other)
    client.force_login(other)
    url = reverse("events_manage:edit", args=[event.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(event, title="Piraté")).status_code == 403
    assert Event.objects.get(pk=event.pk).title != "Piraté"


def test_every_event_page_has_the_menu_with_its_tool_marked(organiser_client, event, register):
    registration = register(event).registration
    pages = {
        reverse("events_manage:event", args=[event.slug]): "events_manage:event",
        reverse("events_manage:edit", args=[event.slug]): "events_manage:edit",
        reverse("events_manage:outbox", args=[event.slug]): "events_manage:outbox",
        reverse("events_manage:reminders", args=[event.slug]): "events_manage:reminders",
        reverse("events_manage:documents", args=[event.slug]): "events_manage:documents",
        reverse("checkin_manage:door", args=[event.slug]): "checkin_manage:door",
        reverse("charter_manage:ceremony", args=[event.slug]): "charter_manage:ceremony",
        reverse(
            "events_manage:registration_cancel", args=[event.slug, registration.pk]
        ): "events_manage:event",
    }
    for url, current in pages.items():
        html = organiser_client.get(url).content.decode()
        assert 'class="event-menu"' in html, url
        for tool in (
            "events_manage:event",
            "events_manage:edit",
            "events_manage:outbox",
            "events_manage:reminders",
            "events_manage:documents",
            "checkin_manage:door",
            "checkin_manage:projection",
            "checkin:scanner",
            "charter_manage:ceremony",
            "events:detail",
        ):
            assert f'href="{reverse(tool, args=[event.slug])}' in html, (url, tool)
        assert "Contrôle à l’entrée" in html and ">Accueil<" not in html
        marked = reverse(current, args=[event.slug])
        if url != reverse("events_manage:registration_cancel", args=[event.slug, registration.pk]):
            assert f'href="{marked}" aria-current="page"' in html, url
        assert html.count('aria-current="page"') == 1, url


@pytest.mark.parametrize(
    "name", ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]
)
def test_a_date_out_of_the_years_is_refused_not_a_server_error(organiser_client, event, name):
    """Year 1 in Paris is year 0 in UTC: the database could not store it (a 500)."""
    url = reverse("events_manage:edit", args=[event.slug])
    response = organiser_client.post(url, form_data(event, **{name: "0001-01-01T00:00"}))
    assert response.status_code == 400
    assert "Saisissez une date entre 2000 et 2100." in response.content.decode()
    with pytest.raises(DomainError) as error:
        services.event_update(
            event=event,
            data=service_data(event, **{name: timezone.now().replace(year=2101)}),
        )
    assert error.value.code == "events.invalid_field" and error.value.field == name


def test_a_huge_capacity_is_refused_in_words(organiser_client, event):
    url = reverse("events_manage:edit", args=[event.slug])
    response = organiser_client.post(url, form_data(event, capacity="99999999999999999999"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez une capacité de 1\u202f000\u202f000 au plus." in html
    assert "9223372036854775807" not in html


def test_registration_opening_after_the_end_is_refused(organiser_client, event):
    url = reverse("events_manage:edit", args=[event.slug])
    after = timezone.localtime(event.ends_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = organiser_client.post(
        url, form_data(event, registration_opens_at=after, registration_closes_at="")
    )
    assert response.status_code == 400
    assert "Les inscriptions doivent ouvrir avant la fin de l’événement." in (
        response.content.decode()
    )
    event.refresh_from_db()
    assert event.registration_opens_at is None or event.registration_opens_at < event.ends_at
