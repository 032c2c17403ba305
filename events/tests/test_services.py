from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEntry, OutboundEmail
from events import services
from events.models import Event, Registration
from events.selectors import registration_waiting_position
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def statuses(event):
    return list(
        Registration.objects.filter(event=event).order_by("id").values_list("status", flat=True)
    )


def test_confirmed_while_places_last_then_waiting_list(event, register):
    event.capacity = 2
    event.save()
    outcomes = [register(event) for _ in range(4)]
    assert [o.created for o in outcomes] == [True] * 4
    assert statuses(event) == ["confirmed", "confirmed", "waiting", "waiting"]
    event.refresh_from_db()
    assert event.confirmed_count == 2
    assert registration_waiting_position(registration=outcomes[3].registration) == 2
    kinds = list(OutboundEmail.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["events.registration.confirmed"] * 2 + ["events.registration.waiting"] * 2
    assert len(mail.outbox) == 4


def test_confirmation_email_carries_pdf_ticket_and_ics_in_recipient_language(event, register):
    register(event, email="anne@example.org", language="en")
    message = mail.outbox[-1]
    assert message.to == ["anne@example.org"]
    assert message.subject.startswith("Your registration is confirmed")
    names = [a[0] for a in message.attachments]
    assert "event.ics" in names
    pdf = next(a for a in message.attachments if a[2] == "application/pdf")
    assert pdf[1].startswith(b"%PDF")
    assert "/inscription/" in message.body


def test_full_event_without_waiting_list_refuses(event, register):
    event.capacity = 1
    event.waiting_list_enabled = False
    event.save()
    register(event)
    with pytest.raises(DomainError) as error:
        register(event)
    assert error.value.code == "events.event_full"
    assert Registration.objects.filter(event=event).count() == 1


def test_same_email_any_case_creates_nothing_and_resends_link(event, register):
    first = register(event, email="Zoe@Example.org")
    again = register(event, email="  zoe@example.ORG ")
    assert again.created is False
    assert again.registration.pk == first.registration.pk
    assert Registration.objects.filter(event=event).count() == 1
    assert mail.outbox[-1].to == ["Zoe@Example.org"]
    assert OutboundEmail.objects.filter(kind="events.registration.link_resent").count() == 1


def test_email_can_register_again_after_cancelling(event, register):
    first = register(event, email="a@example.org")
    services.registration_cancel(registration=first.registration)
    again = register(event, email="a@example.org")
    assert again.created is True
    assert again.registration.status == "confirmed"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"registration_opens_at": timezone.now() + timedelta(days=1)},
            "events.registration_not_open",
        ),
        (
            {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
            "events.registration_closed",
        ),
        ({"status": Event.Status.CANCELLED}, "events.event_cancelled"),
        ({"status": Event.Status.DRAFT}, "events.registration_unavailable"),
        ({"registration_required": False}, "events.registration_unavailable"),
    ],
)
def test_registration_window(register, change, code):
    event = EventFactory(**change)
    with pytest.raises(DomainError) as error:
        register(event)
    assert error.value.code == code
    assert not Registration.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_started_event_takes_no_registration(register):
    event = EventFactory(starts_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError) as error:
        register(event)
    assert error.value.code == "events.registration_closed"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("first_name", "", "events.invalid_field"),
        ("last_name", "   ", "events.invalid_field"),
        ("last_name", "x" * 300, "events.invalid_field"),
        ("last_name", "<script>alert(1)</script>", "events.invalid_field"),
        ("first_name", "R2D2", "events.invalid_field"),
        ("email", "not-an-email", "events.invalid_field"),
        ("email", "", "events.invalid_field"),
        ("phone", "12", "events.invalid_field"),
        ("phone", "06 12 34 56 7a", "events.invalid_field"),
        ("organisation", "o" * 201, "events.invalid_field"),
        ("category", "king", "events.invalid_field"),
        ("consent", False, "events.consent_required"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(event, register, field, value, code):
    with pytest.raises(DomainError) as error:
        register(event, **{field: value})
    assert error.value.code == code and error.value.field == field
    assert str(error.value.message)
    assert not Registration.objects.exists()
    assert not OutboundEmail.objects.exists()
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_names_with_accents_apostrophes_hyphens_are_kept(event, register):
    outcome = register(event, first_name="Zoé", last_name="N'Diaye-Lefèvre", phone="06 12 34 56 78")
    registration = outcome.registration
    assert registration.last_name == "N'Diaye-Lefèvre"
    assert registration.phone == "+33612345678"
    assert "ndiaye" not in registration.search_text
    assert "n'diaye-lefevre" in registration.search_text


def test_cancelling_promotes_first_waiting_in_same_transaction(event, register, committed):
    event.capacity = 1
    event.save()
    confirmed = register(event).registration
    second = register(event, email="second@example.org").registration
    register(event, email="third@example.org")
    mail.outbox.clear()
    promoted = committed(services.registration_cancel, registration=confirmed)
    assert [p.pk for p in promoted] == [second.pk]
    second.refresh_from_db()
    assert second.status == "confirmed"
    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["second@example.org", confirmed.email]
    assert AuditEntry.objects.filter(action="events.registration.promoted").count() == 1


def test_leaving_waiting_list_promotes_nobody(event, register):
    event.capacity = 1
    event.save()
    register(event)
    waiting = register(event, email="w@example.org").registration
    assert services.registration_cancel(registration=waiting) == []
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_cancelling_twice_is_refused(event, register):
    registration = register(event).registration
    services.registration_cancel(registration=registration)
    with pytest.raises(DomainError) as error:
        services.registration_cancel(registration=registration)
    assert error.value.code == "events.already_cancelled"
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_correcting_name_and_organisation(event, register):
    registration = register(event).registration
    services.registration_correct(
        registration=registration, first_name="Zoé", last_name="Lefèvre", organisation="Autre"
    )
    registration.refresh_from_db()
    assert (registration.last_name, registration.organisation) == ("Lefèvre", "Autre")
    with pytest.raises(DomainError) as error:
        services.registration_correct(
            registration=registration, first_name="", last_name="X", organisation=""
        )
    assert error.value.code == "events.invalid_field" and error.value.field == "first_name"
    registration.refresh_from_db()
    assert registration.first_name == "Zoé"


def test_erasing_frees_the_place_and_keeps_only_counts(event, register):
    event.capacity = 1
    event.save()
    registration = register(event, phone="0612345678").registration
    waiting = register(event, email="w@example.org").registration
    services.registration_erase(registration=registration)
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.erased_at is not None
    assert registration.first_name == "—" and registration.phone == ""
    assert registration.category == "ptce_member"
    assert registration.status == "cancelled"
    assert waiting.status == "confirmed"


def test_retention_erases_personal_data_after_the_period(register):
    event = EventFactory(retention_days=30)
    register(event, email="keep@example.org")
    assert services.events_erase_expired_personal_data() == 0
    with time_machine.travel(event.ends_at + timedelta(days=31)):
        assert services.events_erase_expired_personal_data() == 1
        assert services.events_erase_expired_personal_data() == 0
    registration = Registration.objects.get(event=event)
    assert registration.email.endswith(".invalid") and registration.erased_at
    assert registration.category == "ptce_member"
    event.refresh_from_db()
    assert event.personal_data_erased_at is not None


def test_reminders_are_sent_once(event, register):
    register(event)
    register(event, email="b@example.org")
    assert services.event_send_reminders(event=event) == 2
    assert services.event_send_reminders(event=event) == 0
    assert OutboundEmail.objects.filter(kind="events.registration.reminder").count() == 2


def test_raising_capacity_promotes_waiting_and_lowering_below_confirmed_is_refused(event, register):
    event.capacity = 1
    event.save()
    register(event)
    waiting = register(event, email="w@example.org").registration
    with pytest.raises(DomainError) as error:
        services.event_set_capacity(event=event, capacity=0)
    assert error.value.code == "events.capacity_below_confirmed"
    promoted = services.event_set_capacity(event=event, capacity=5)
    assert [p.pk for p in promoted] == [waiting.pk]
    event.refresh_from_db()
    assert (event.capacity, event.confirmed_count) == (5, 2)


def test_no_promotion_on_a_cancelled_event(event, register):
    event.capacity = 1
    event.save()
    first = register(event).registration
    waiting = register(event, email="w@example.org").registration
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    assert services.registration_cancel(registration=first) == []
    waiting.refresh_from_db()
    assert waiting.status == "waiting"


def test_nothing_changes_once_the_event_is_over(event, register):
    registration = register(event).registration
    with time_machine.travel(event.ends_at + timedelta(minutes=1)):
        for call in (
            lambda: services.registration_cancel(registration=registration),
            lambda: services.registration_correct(
                registration=registration, first_name="A", last_name="B", organisation=""
            ),
        ):
            with pytest.raises(DomainError) as error:
                call()
            assert error.value.code == "events.event_over"
        # erasure stays possible after the event, and keeps the attendance count
        services.registration_erase(registration=registration)
    registration.refresh_from_db()
    assert registration.status == "confirmed" and registration.erased_at is not None


def test_erasing_after_a_cancellation_from_elsewhere(event, register):
    registration = register(event).registration
    stale = Registration.objects.get(pk=registration.pk)
    services.registration_cancel(registration=registration)
    services.registration_erase(registration=stale)  # stale copy still says "confirmed"
    stale.refresh_from_db()
    assert stale.erased_at is not None
    event.refresh_from_db()
    assert event.confirmed_count == 0
    with pytest.raises(DomainError) as error:
        services.registration_erase(registration=stale)
    assert error.value.code == "events.already_erased"


def test_erasure_removes_the_address_from_the_outbox(event, register):
    registration = register(event, email="secret@example.org").registration
    services.registration_erase(registration=registration)
    assert not OutboundEmail.objects.filter(to="secret@example.org").exists()
    assert OutboundEmail.objects.filter(object_id=registration.pk).exists()


def test_full_without_waiting_list_answers_the_same_whoever_asks(event, register):
    event.capacity = 1
    event.waiting_list_enabled = False
    event.save()
    register(event, email="known@example.org")
    for email in ("known@example.org", "unknown@example.org"):
        with pytest.raises(DomainError) as error:
            register(event, email=email)
        assert error.value.code == "events.event_full"


def test_link_resent_at_most_once_an_hour(event, register):
    register(event, email="a@example.org")
    for _ in range(5):
        assert register(event, email="a@example.org").created is False
    assert OutboundEmail.objects.filter(kind="events.registration.link_resent").count() == 1
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        register(event, email="a@example.org")
    assert OutboundEmail.objects.filter(kind="events.registration.link_resent").count() == 2


def test_too_long_email_is_refused(event, register):
    with pytest.raises(DomainError) as error:
        register(event, email=("a" * 64) + "@" + ("b" * 63 + ".") * 3 + "org")
    assert error.value.code == "events.invalid_field" and error.value.field == "email"


def test_longest_accepted_values_are_saved(event, register):
    outcome = register(
        event,
        first_name="A" * 100,
        last_name="B" * 100,
        organisation="C" * 200,
        email=("a" * 64) + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + ".org",
    )
    assert outcome.created


def test_reminders_refused_for_cancelled_or_started_event(event, register):
    register(event)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event.refresh_from_db()
    with pytest.raises(DomainError) as error:
        services.event_send_reminders(event=event)
    assert error.value.code == "events.reminder_unavailable"


def test_ticket_pdf_embeds_a_font_for_every_accepted_name(event, register):
    from reportlab.pdfbase import pdfmetrics

    from events.documents import FONT, FONT_BOLD, ticket_pdf

    names = "Łukasz Ольга Nguyễn Ærøskøbing Ğülşen Ψυχή"
    for font in (FONT, FONT_BOLD):
        face = pdfmetrics.getFont(font).face
        missing = [c for c in names if c != " " and ord(c) not in face.charToGlyph]
        assert missing == [], (font, missing)
    long_name = register(event, first_name="Marie-" * 16 + "Anne", last_name="Ольга").registration
    pdf = ticket_pdf(long_name)
    assert pdf.startswith(b"%PDF") and b"Roboto" in pdf


def test_known_email_cancelled_meanwhile_registers_anew(event, register, monkeypatch):
    """The look-up before the lock found a registration that was cancelled since."""
    first = register(event, email="a@example.org").registration
    services.registration_cancel(registration=first)
    monkeypatch.setattr(services, "_active_registration", lambda **kwargs: first)
    outcome = register(event, email="a@example.org")
    assert outcome.created and outcome.registration.pk != first.pk
    assert not OutboundEmail.objects.filter(kind="events.registration.link_resent").exists()


def test_known_email_erased_meanwhile_leaves_no_address_behind(event, register, monkeypatch):
    first = register(event, email="gone@example.org").registration
    services.registration_erase(registration=first)
    stale = Registration(pk=first.pk, event=event, email="gone@example.org", status="confirmed")
    monkeypatch.setattr(services, "_active_registration", lambda **kwargs: stale)
    register(event, email="gone@example.org")
    assert not OutboundEmail.objects.filter(
        kind="events.registration.link_resent", to="gone@example.org"
    ).exists()


def test_programme_changes_move_the_event_forward(event):
    from events.models import Session, Speaker

    def stamp():
        return Event.objects.get(pk=event.pk).updated_at

    before = stamp()
    speaker = Speaker.objects.create(event=event, name="A")
    session = Session.objects.create(
        event=event,
        kind="welcome",
        title="Accueil",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(minutes=30),
    )
    steps = [
        lambda: session.speakers.add(speaker),
        lambda: session.speakers.clear(),
        lambda: Speaker.objects.filter(pk=speaker.pk).delete(),
        lambda: Event.objects.get(pk=event.pk).save(update_fields=["title"]),
        lambda: services.event_set_capacity(event=event, capacity=20),
    ]
    for step in steps:
        with time_machine.travel(timezone.now() + timedelta(seconds=1)):
            step()
            after = stamp()
        assert after > before
        before = after
