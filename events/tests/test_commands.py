from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import OutboundEmail
from events.models import Event, Partner, Registration, Session

pytestmark = pytest.mark.django_db

SLUG = "2e-journee-nationale-des-ptce"


def test_load_demo_is_idempotent_and_true_to_the_press_release(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    event = Event.objects.get(slug=SLUG)
    assert Event.objects.count() == 2
    assert event.is_demo and event.id_required
    assert "139, rue de Bercy" in event.street and event.postal_code == "75012"
    local = event.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.month, local.day, local.weekday(), local.hour, local.minute) == (9, 19, 4, 9, 30)
    # the replayed day written as the original one is, not « 19/09/2031 »
    assert f"est rejouée le vendredi 19 septembre {local.year}, mêmes horaires" in event.summary
    for mode in ("RER A ou D", "Métro 1 et 14", "Métro 6 et 14", "Bus 24 et 87"):
        assert mode in event.access
    assert Partner.objects.filter(event=event).count() == 6
    assert set(Session.objects.filter(event=event).values_list("kind", flat=True)) >= {
        "welcome",
        "testimonies",
        "round_table",
        "charter_signing",
        "closing",
    }
    demo = Registration.objects.filter(event=event)
    assert demo.count() == 7 and all(r.is_demo for r in demo)
    assert event.confirmed_count == 7
    assert Event.objects.get(slug="1re-journee-ptce").starts_at.date().isoformat() == "2012-06-25"


def test_demo_event_page_is_marked_as_demo(client):
    call_command("load_demo", "--no-attendees", stdout=StringIO())
    html = client.get(reverse("events:detail", args=[SLUG])).content.decode()
    assert "demo-flag" in html
    assert "Valérie Evenou" in html


def test_send_reminders_command(register):
    call_command("load_demo", "--no-attendees", stdout=StringIO())
    event = Event.objects.get(slug=SLUG)
    register(event)
    out = StringIO()
    call_command("send_reminders", SLUG, stdout=out)
    call_command("send_reminders", SLUG, stdout=StringIO())
    assert out.getvalue().startswith("1 ")
    assert OutboundEmail.objects.filter(kind="events.registration.reminder").count() == 1
    with pytest.raises(CommandError):
        call_command("send_reminders", "no-such-event")


def test_erase_expired_data_command(register, event):
    register(event)
    with time_machine.travel(event.ends_at + timedelta(days=event.retention_days + 1)):
        call_command("erase_expired_data", stdout=StringIO())
    assert Registration.objects.get().erased_at is not None


def _admin_form_data(admin_client, url, event) -> dict:
    """The event's admin form as it is shown, ready to post again."""
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "managers"}
    data.update(
        {
            "starts_at_0": event.starts_at.strftime("%Y-%m-%d"),
            "starts_at_1": event.starts_at.strftime("%H:%M:%S"),
            "ends_at_0": event.ends_at.strftime("%Y-%m-%d"),
            "ends_at_1": event.ends_at.strftime("%H:%M:%S"),
            "partners-TOTAL_FORMS": 0,
            "partners-INITIAL_FORMS": 0,
            "sessions-TOTAL_FORMS": 0,
            "sessions-INITIAL_FORMS": 0,
        }
    )
    for key in ("registration_opens_at", "registration_closes_at", "starts_at", "ends_at"):
        data.pop(key, None)
    return data


def test_admin_capacity_change_promotes_and_refuses_below_confirmed(admin_client, register):
    from events.tests.factories import EventFactory

    event = EventFactory(capacity=1)
    register(event)
    waiting = register(event, email="w@example.org").registration
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _admin_form_data(admin_client, url, event)
    data["capacity"] = 0
    response = admin_client.post(url, data)
    assert response.status_code == 200  # form shown again with the error
    event.refresh_from_db()
    assert event.capacity == 1
    data["capacity"] = 2
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    waiting.refresh_from_db()
    event.refresh_from_db()
    assert (event.capacity, event.confirmed_count, waiting.status) == (2, 2, "confirmed")


def test_rerunning_load_demo_restores_capacity_through_the_service(register):
    call_command("load_demo", "--no-attendees", stdout=StringIO())
    event = Event.objects.get(slug=SLUG)
    from events import services

    services.event_set_capacity(event=event, capacity=1)
    register(event)
    waiting = register(event, email="w@example.org").registration
    call_command("load_demo", "--no-attendees", stdout=StringIO())
    event.refresh_from_db()
    waiting.refresh_from_db()
    assert (event.capacity, event.confirmed_count, waiting.status) == (320, 2, "confirmed")


def test_demo_account_only_in_debug_or_on_request(settings):
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    call_command("load_demo", "--no-attendees", stdout=StringIO())
    assert not get_user_model().objects.filter(username="organisatrice").exists()
    call_command("load_demo", "--no-attendees", "--demo-account", stdout=StringIO())
    user = get_user_model().objects.get(username="organisatrice")
    assert Event.objects.get(slug=SLUG).managers.filter(pk=user.pk).exists()


def test_the_demo_text_is_written_as_a_french_editor_writes_it():
    """The summary names the replayed day in words (« le vendredi 19 septembre 2031 »,
    never « 19/09/2031 ») and every « : » and « » » of the demo's own text has its
    no-break space."""
    import re

    call_command("load_demo", stdout=StringIO())
    event = Event.objects.get(slug=SLUG)
    year = event.starts_at.astimezone(ZoneInfo("Europe/Paris")).year
    assert f"rejouée le vendredi 19 septembre {year}," in event.summary
    assert not re.search(r"\d{2}/\d{2}/\d{4}", event.summary)
    texts = [
        event.summary,
        event.access,
        *Session.objects.filter(event=event).values_list("title", flat=True),
    ]
    for text in texts:
        assert not re.search(r" [:;!?»]|« ", text), text


def test_an_admin_change_the_service_refuses_is_not_said_to_be_saved(
    admin_client, register, monkeypatch
):
    """The capacity goes through events.services: when it refuses, nothing is kept and the
    admin does not also say « modifié avec succès »."""
    from core.errors import DomainError
    from events import errors, services
    from events.tests.factories import EventFactory

    def refuse(**kwargs):
        kwargs["event"].save()  # a write the refusal must undo
        raise DomainError(errors.EVENT_FULL)

    monkeypatch.setattr(services, "event_set_capacity", refuse)

    event = EventFactory(capacity=2)
    title = event.title
    register(event)
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _admin_form_data(admin_client, url, event)
    data.update({"capacity": 3, "title": "Titre changé"})
    response = admin_client.post(url, data, follow=True)
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    event.refresh_from_db()
    assert (event.capacity, event.title) == (2, title)
    assert any(tag == "error" for tag, _ in shown), shown
    assert not any(tag == "success" for tag, _ in shown), shown
