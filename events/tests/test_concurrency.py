"""Invariants under concurrency, proven on PostgreSQL (real row locks, real parallelism).

Each test starts many threads, each with its own database connection, released together
by a barrier. Remove the `select_for_update()` on the event row in
`events.services.registration_create` and the first test fails (the capacity constraint
rejects the overbooking writes, which come back as errors instead of waiting-list places).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from core.errors import DomainError
from core.models import OutboundEmail
from events import services
from events.models import Registration
from events.tests.factories import EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count: int, func):
    """Run func(i) for i in range(count) in threads released at once; return results."""
    barrier = threading.Barrier(count)

    def call(i):
        try:
            barrier.wait(timeout=30)
            return func(i)
        except DomainError as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def person(i: int) -> dict:
    return {
        "first_name": "Zoé",
        "last_name": "Lefèvre",
        "email": f"racer{i}@example.org",
        "category": "ptce_member",
        "consent": True,
    }


def test_fifty_racers_for_the_last_ten_places_never_overbook():
    assert connection.vendor == "postgresql"
    event = EventFactory(capacity=100)
    for i in range(90):
        services.registration_create(event=event, **person(1000 + i))
    results = run_together(50, lambda i: services.registration_create(event=event, **person(i)))
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    event.refresh_from_db()
    confirmed = Registration.objects.filter(event=event, status="confirmed").count()
    waiting = Registration.objects.filter(event=event, status="waiting").count()
    assert (confirmed, waiting) == (100, 40)
    assert event.confirmed_count == 100
    assert OutboundEmail.objects.filter(kind="events.registration.confirmed").count() == 100


def test_same_email_racing_registers_once():
    event = EventFactory(capacity=10)
    results = run_together(20, lambda i: services.registration_create(event=event, **person(0)))
    assert sum(1 for r in results if not isinstance(r, Exception) and r.created) == 1
    assert Registration.objects.filter(event=event).count() == 1


def test_cancellations_racing_registrations_promote_each_waiting_person_once():
    event = EventFactory(capacity=10)
    confirmed = [
        services.registration_create(event=event, **person(100 + i)).registration for i in range(10)
    ]
    waiting = [
        services.registration_create(event=event, **person(200 + i)).registration for i in range(10)
    ]
    assert all(r.status == "waiting" for r in waiting)

    def act(i):
        if i < 10:
            return services.registration_cancel(registration=confirmed[i])
        return services.registration_create(event=event, **person(300 + i))

    results = run_together(30, act)
    assert [r for r in results if isinstance(r, Exception)] == []
    promoted = [r.pk for result in results[:10] for r in result]
    assert len(promoted) == len(set(promoted)) == 10
    assert sorted(promoted) == sorted(r.pk for r in waiting)
    event.refresh_from_db()
    assert event.confirmed_count == 10
    assert Registration.objects.filter(event=event, status="confirmed").count() == 10
    assert OutboundEmail.objects.filter(kind="events.registration.promoted").count() == 10
    assert set(
        Registration.objects.filter(event=event, status="confirmed").values_list("pk", flat=True)
    ) == {r.pk for r in waiting}
