"""The organiser's pages and documents write French as an editor does: plural counts,
« d’Amina », « 1er », « imprimée le … à … »."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.tests.pdf import pdf_text
from events.models import Registration
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").split())


@pytest.fixture
def event():
    return EventFactory(capacity=320)


@pytest.fixture
def organiser_client(client, event):
    user = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    client.force_login(user)
    return client


def overview(client, event) -> str:
    return text_of(client.get(reverse("events_manage:event", args=[event.slug])))


def test_overview_with_one_registration_is_singular(organiser_client, event, register):
    register(event, first_name="Amina", last_name="Diallo")
    text = overview(organiser_client, event)
    assert "1 inscription confirmée sur 320 places" in text
    assert "319 places restantes" in text
    assert "0 inscription annulée" in text
    assert "confirmée /" not in text


def test_overview_with_nine_registrations_is_plural(organiser_client, event, register):
    for n in range(9):
        register(event, email=f"p{n}@example.org")
    text = overview(organiser_client, event)
    assert "9 inscriptions confirmées sur 320 places" in text
    assert "311 places restantes" in text


def test_registration_list_dates_and_cancel_label(organiser_client, event, register):
    registration = register(event, first_name="Amina", last_name="Diallo").registration
    # 13:26 UTC on 1 December is 14:26 in Paris
    Registration.objects.filter(pk=registration.pk).update(
        created_at=datetime(2026, 12, 1, 13, 26, tzinfo=UTC)
    )
    html = organiser_client.get(reverse("events_manage:event", args=[event.slug])).content
    html = html.decode().replace("\u00a0", " ")
    assert "1er déc. à 14 h 26" in html
    assert "Annuler l’inscription d’Amina Diallo" in html
    assert "de Amina" not in html and "1 Déc" not in html


def test_cancelling_amina_says_d_amina(organiser_client, event, register):
    registration = register(event, first_name="Amina", last_name="Diallo").registration
    url = reverse("events_manage:registration_cancel", args=[event.slug, registration.pk])
    page = text_of(organiser_client.get(url))
    assert "Annuler l’inscription d’Amina Diallo" in page
    response = organiser_client.post(url, follow=True)
    text = text_of(response)
    assert "Inscription d’Amina Diallo annulée." in text
    assert "(s)" not in text and "de Amina" not in text


def test_cancelling_paul_keeps_de(organiser_client, event, register):
    registration = register(event, first_name="Paul", last_name="Martin").registration
    url = reverse("events_manage:registration_cancel", args=[event.slug, registration.pk])
    text = text_of(organiser_client.post(url, follow=True))
    assert "Inscription de Paul Martin annulée." in text


def test_security_list_says_printed_on_the_1er_at(
    organiser_client, event, register, prepared, tmp_path
):
    with time_machine.travel(datetime(2026, 12, 1, 13, 26, tzinfo=UTC), tick=False):
        event.starts_at = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)
        event.ends_at = event.starts_at + timedelta(hours=8)
        event.save()
        register(event, first_name="Amina", last_name="Diallo")
        _, content = prepared(organiser_client, event, "security_pdf")
    text = " ".join(pdf_text(content, tmp_path).split())
    assert "Liste imprimée le 1er décembre 2026 à 14 h 26." in text, text
    assert "1 inscription confirmée" in text
    assert "de 9 h à 17 h" in text, text


def test_event_when_in_french_and_in_english():
    from django.utils import translation

    from events.documents import event_when

    event = EventFactory.build(
        starts_at=datetime(2031, 9, 19, 7, 30, tzinfo=UTC),
        ends_at=datetime(2031, 9, 19, 14, 0, tzinfo=UTC),
    )
    with translation.override("fr"):
        assert event_when(event) == "Vendredi 19 septembre 2031, de 9\u00a0h\u00a030 à 16\u00a0h"
    with translation.override("en"):
        # capital day and month (str.capitalize() would write "19 september")
        assert event_when(event) == "Friday 19 September 2031, 9:30–16:00"

    over_the_night = EventFactory.build(
        starts_at=datetime(2026, 12, 31, 19, 0, tzinfo=UTC),
        ends_at=datetime(2027, 1, 1, 2, 30, tzinfo=UTC),
    )
    with translation.override("fr"):
        assert event_when(over_the_night) == (
            "Du jeudi 31 décembre 2026 à 20\u00a0h au vendredi 1er janvier 2027 à 3\u00a0h\u00a030"
        )
    with translation.override("en"):
        assert event_when(over_the_night) == (
            "From Thursday 31 December 2026 at 20:00 to Friday 1 January 2027 at 3:30"
        )


def test_dashboard_says_places_taken_out_of_the_capacity(organiser_client, event, register):
    register(event, first_name="Amina", last_name="Diallo")
    text = text_of(organiser_client.get(reverse("events_manage:dashboard")))
    assert "1 place occupée sur 320" in text
    assert " / 320" not in text
    for n in range(6):
        register(event, email=f"p{n}@example.org")
    text = text_of(organiser_client.get(reverse("events_manage:dashboard")))
    assert "7 places occupées sur 320" in text
