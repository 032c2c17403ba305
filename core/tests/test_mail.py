from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core.mail import outbound_retry_failed, outbound_send
from core.models import OutboundEmail
from events import services
from events.models import Registration
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Zoé",
    "last_name": "Lefèvre",
    "email": "zoe@example.org",
    "category": "ptce_member",
    "consent": True,
}


def test_rolled_back_registration_sends_nothing(django_capture_on_commit_callbacks):
    event = EventFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.registration_create(event=event, **PERSON)
        raise RuntimeError("the surrounding transaction fails")
    assert callbacks == []
    assert not mail.outbox
    assert not Registration.objects.exists() and not OutboundEmail.objects.exists()


def test_failed_send_is_recorded_keeps_registration_and_retries_once(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "core.tests.failing_backend.FailingBackend"
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(event=event, **PERSON)
    outbound = OutboundEmail.objects.get()
    assert outbound.status == "failed" and outbound.attempts == 1
    assert "SMTP down" in outbound.last_error
    assert Registration.objects.get().status == "confirmed"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound_retry_failed() == 1
    outbound.refresh_from_db()
    assert outbound.status == "sent" and outbound.attempts == 2
    assert len(mail.outbox) == 1
    # sending again is a no-op: never twice
    assert outbound_send(outbound_id=outbound.pk) is None
    assert outbound_retry_failed() == 0
    assert len(mail.outbox) == 1


def test_attempts_are_capped(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "core.tests.failing_backend.FailingBackend"
    settings.EMAIL_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(event=EventFactory(), **PERSON)
    outbound = OutboundEmail.objects.get()
    outbound_send(outbound_id=outbound.pk)
    outbound_send(outbound_id=outbound.pk)
    outbound.refresh_from_db()
    assert outbound.attempts == 2 and outbound.status == "failed"
    assert outbound_retry_failed() == 0


@pytest.mark.django_db(transaction=True)
def test_database_worker_sends_queued_emails(settings):
    """With the database backend, nothing is sent until `db_worker` runs."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    event = EventFactory()
    services.registration_create(event=event, **PERSON)
    outbound = OutboundEmail.objects.get()
    assert outbound.status == "queued" and not mail.outbox
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    outbound.refresh_from_db()
    assert outbound.status == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zoe@example.org"]


def test_email_that_no_longer_applies_is_skipped(django_capture_on_commit_callbacks):
    """A 'waiting list' email still queued when the person is promoted is not sent."""
    event = EventFactory(capacity=1)
    first = services.registration_create(event=event, **PERSON).registration
    waiting = services.registration_create(
        event=event, **{**PERSON, "email": "w@example.org"}
    ).registration
    services.registration_cancel(registration=first)  # promotes `waiting`
    waiting_email = OutboundEmail.objects.get(kind="events.registration.waiting")
    assert outbound_send(outbound_id=waiting_email.pk) == "skipped"
    assert not mail.outbox
    promoted = OutboundEmail.objects.get(kind="events.registration.promoted", object_id=waiting.pk)
    assert outbound_send(outbound_id=promoted.pk) == "sent"
    assert mail.outbox[0].to == ["w@example.org"]


def test_lost_queued_email_is_sent_by_retry(settings):
    """A crash after commit leaves the row queued: retry_emails finds it after a while."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services.registration_create(event=EventFactory(), **PERSON)
    outbound = OutboundEmail.objects.get()
    assert outbound.status == "queued"
    assert outbound_retry_failed() == 0  # too recent: maybe still on its way
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert outbound_retry_failed() == 1
    outbound.refresh_from_db()
    assert outbound.status == "sent" and len(mail.outbox) == 1


def test_crash_on_the_last_attempt_ends_as_failed(settings):
    settings.EMAIL_MAX_ATTEMPTS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services.registration_create(event=EventFactory(), **PERSON)
    outbound = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status="sending", attempts=1, last_attempt_at=timezone.now() - timedelta(minutes=30)
    )
    assert outbound_retry_failed() == 0
    outbound.refresh_from_db()
    assert outbound.status == "failed" and "last attempt" in outbound.last_error


def test_a_stalled_worker_cannot_overwrite_the_outcome_of_the_next(settings, monkeypatch):
    """Worker A claims, stalls past STALE_AFTER; B takes over and sends; A's late failure
    must not turn B's 'sent' into 'failed'."""
    from core import mail as core_mail

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services.registration_create(event=EventFactory(), **PERSON)
    outbound = OutboundEmail.objects.get()
    start = timezone.now()
    real_renderer = core_mail._renderers[outbound.kind]

    outcomes = []

    def stalled(row):
        core_mail._renderers[row.kind] = real_renderer  # worker B renders normally
        with time_machine.travel(start + timedelta(minutes=11)):
            outcomes.append(outbound_send(outbound_id=row.pk))  # worker B
        raise ConnectionError("worker A's SMTP finally times out")

    monkeypatch.setitem(core_mail._renderers, outbound.kind, stalled)
    with time_machine.travel(start):
        outbound_send(outbound_id=outbound.pk)  # worker A
    assert outcomes == ["sent"] and len(mail.outbox) == 1
    outbound.refresh_from_db()
    assert outbound.status == "sent"
