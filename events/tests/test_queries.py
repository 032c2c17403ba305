"""The list pages of the events app cost the same number of queries whatever their length:
each is rendered with 1 row and with 30, and both counts are pinned.

A count that grows with the rows is a query per row (an N+1); a count that changes
without growing is a page that reads something new: check it, then pin the new count.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from conftest import page_queries
from events.models import Event, EventDocument, Partner, Registration, Session, Speaker
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

ROWS = (1, 30)


@pytest.fixture(autouse=True)
def no_cached_pages():
    """The anonymous event page is cached: each render here reads the database."""
    cache.clear()
    yield
    cache.clear()


def staff(username: str):
    return get_user_model().objects.create_user(username, password="x-pass-1234", is_staff=True)


def registrations(event: Event, register, count: int) -> None:
    """``count`` registrations through the service (with their emails): confirmed ones,
    the last on the waiting list, one cancelled."""
    Event.objects.filter(pk=event.pk).update(capacity=max(1, count - 1), waiting_list_enabled=True)
    event.refresh_from_db()
    done = [register(event, email=f"p{n}@example.org").registration for n in range(count)]
    if count > 1:
        Registration.objects.filter(pk=done[0].pk).update(
            status=Registration.Status.CANCELLED, cancelled_at=timezone.now()
        )


def manager_of(event: Event, username: str, client):
    user = staff(username)
    event.managers.add(user)
    client.force_login(user)
    return user


def counts_for_manage_page(client, register, name: str) -> list[int]:
    found = []
    for count in ROWS:
        event = EventFactory()
        registrations(event, register, count)
        manager_of(event, f"orga{count}", client)
        found.append(
            page_queries(client, reverse(f"events_manage:{name}", args=[event.slug]), warm=False)
        )
    return found


def test_dashboard(client):
    found = []
    for count in ROWS:
        user = staff(f"orga{count}")
        for _n in range(count):
            EventFactory().managers.add(user)
        client.force_login(user)
        found.append(page_queries(client, reverse("events_manage:dashboard"), warm=False))
    assert found == [DASHBOARD] * 2


def test_event_overview(client, register):
    assert counts_for_manage_page(client, register, "event") == [EVENT_OVERVIEW] * 2


def test_outbox(client, register):
    assert counts_for_manage_page(client, register, "outbox") == [OUTBOX] * 2


def test_documents_page(client, register):
    found = []
    for count in ROWS:
        event = EventFactory()
        registrations(event, register, count)
        user = manager_of(event, f"orga{count}", client)
        now = timezone.now()
        EventDocument.objects.create(
            event=event,
            kind="security_csv",
            status=EventDocument.Status.READY,
            file_name=f"events/{event.pk}/security.csv",
            rows=count,
            requested_by=user,
            requested_at=now,
            started_at=now,
            finished_at=now,
            expires_at=now + timedelta(hours=1),
        )
        found.append(
            page_queries(client, reverse("events_manage:documents", args=[event.slug]), warm=False)
        )
    assert found == [DOCUMENTS] * 2


def test_public_events_list(client):
    found = []
    made = 0
    for count in ROWS:
        for _n in range(count - made):
            EventFactory()
            EventFactory(starts_at=timezone.now() - timedelta(days=400))  # a past one too
        made = count
        found.append(page_queries(client, reverse("events:home"), warm=False))
    assert found == [PUBLIC_LIST] * 2


def test_public_event_page(client, register):
    found = []
    for count in ROWS:
        event = EventFactory()
        registrations(event, register, count)
        for n in range(count):
            starts = event.starts_at + timedelta(minutes=10 * n)
            session = Session.objects.create(
                event=event,
                kind=Session.Kind.ROUND_TABLE,
                title=f"Table ronde {n}",
                starts_at=starts,
                ends_at=starts + timedelta(minutes=10),
            )
            speaker = Speaker.objects.create(event=event, name=f"Intervenante {n}", role="Rôle")
            session.speakers.add(speaker)
            Partner.objects.create(event=event, name=f"Réseau {n}", order=n)
        found.append(page_queries(client, reverse("events:detail", args=[event.slug]), warm=False))
    assert found == [PUBLIC_EVENT] * 2


# The pinned counts (session and user of the organiser's pages included).
DASHBOARD = 5  # session, user, the events, the user's and groups' permissions (calls link)
EVENT_OVERVIEW = 9
OUTBOX = 6
DOCUMENTS = 5
PUBLIC_LIST = 1
PUBLIC_EVENT = 5  # the event, speakers (JSON-LD), sessions and their speakers, partners
