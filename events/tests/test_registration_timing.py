"""A registration answers the same work whether the address is new or already registered.

The confirmation (and its PDF ticket) is built and sent by the tasks worker; with the
demo's in-process backend, after the response has gone. So the time of the answer no
longer tells whether an address is registered (the README promises a neutral answer).
"""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import OutboundEmail
from events import emails, services
from events.models import Registration
from events.tests.factories import EventFactory
from events.tests.test_views_public import GOOD

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
# What the request did before its response left (filled by Recorder).
in_request: list[dict] = []
pdfs_built: list[int] = []


class Recorder:
    """Outermost middleware: what had happened when the response was handed over."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        emails_before, pdfs_before = len(mail.outbox), len(pdfs_built)
        with CaptureQueriesContext(connection) as queries:
            response = self.get_response(request)
        in_request.append(
            {
                "status": response.status_code,
                "emails_sent": len(mail.outbox) - emails_before,
                "pdfs_built": len(pdfs_built) - pdfs_before,
                # each query without its values (the addresses differ)
                "queries": [
                    re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries
                ],
            }
        )
        return response


@pytest.fixture
def recorded(settings, monkeypatch):
    settings.MIDDLEWARE = [f"{__name__}.Recorder", *settings.MIDDLEWARE]
    original = emails.ticket_pdf

    def counting_ticket_pdf(registration):
        pdfs_built.append(registration.pk)
        return original(registration)

    monkeypatch.setattr(emails, "ticket_pdf", counting_ticket_pdf)
    in_request.clear()
    pdfs_built.clear()
    yield
    in_request.clear()
    pdfs_built.clear()


@pytest.mark.django_db(transaction=True)  # commits for real: on_commit runs in the request
def test_a_new_and_a_known_address_do_the_same_work_in_the_request(recorded):
    event = EventFactory()
    services.registration_create(
        event=event,
        first_name="Anne",
        last_name="Connue",
        email="known@example.org",
        category="ptce_member",
        consent=True,
    )
    mail.outbox.clear()
    pdfs_built.clear()
    client = Client()
    url = reverse("events:register", args=[event.slug])

    new = client.post(url, {**GOOD, "email": "new@example.org"})
    known = client.post(url, {**GOOD, "email": "KNOWN@example.org", "first_name": "Autre"})

    assert new.status_code == known.status_code == 302
    first, second = in_request
    # Neither answer waited for an email, nor for a PDF ticket.
    assert first["emails_sent"] == 0 and first["pdfs_built"] == 0
    assert second["emails_sent"] == 0 and second["pdfs_built"] == 0
    # The same database work: the same look-ups and the event's lock, then a few writes
    # (a registration, or the outbox row of the link sent again); the email is never
    # claimed for sending, rendered or sent in the request.
    new_work, known_work = (
        [q for q in done["queries"] if not q.startswith(TRANSACTION_CONTROL)]
        for done in (first, second)
    )
    assert new_work[:3] == known_work[:3]
    assert "events_event" in new_work[2] and "events_event" in known_work[2]  # the lock
    for work in (new_work, known_work):
        assert not [q for q in work if q.startswith('UPDATE "core_outboundemail"')]
    assert abs(len(new_work) - len(known_work)) <= 1, (new_work, known_work)
    # Both emails went once each response had gone: a ticket for the new address, the
    # personal link again for the known one.
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.org", "new@example.org"]
    assert len(pdfs_built) == 1
    assert set(OutboundEmail.objects.values_list("kind", "status")) == {
        ("events.registration.confirmed", "sent"),
        ("events.registration.link_resent", "sent"),
    }
    assert Registration.objects.count() == 2
