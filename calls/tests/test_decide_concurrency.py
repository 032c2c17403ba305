"""On PostgreSQL: two decisions recorded at the same moment that together would exceed
the call's budget → one is refused (the call's row is locked, the total re-read)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections

from calls.models import Decision
from calls.services import decisions as services
from calls.tests import decide_helpers as given
from core.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_laureates_over_the_budget_one_is_refused(call, user):
    created = call(budget=Decimal("150000"))
    manager = user("gestion")
    created.managers.add(manager)
    files = [given.submitted(created) for _ in range(2)]
    barrier = threading.Barrier(2)

    def decide(application):
        try:
            barrier.wait(timeout=30)
            services.decision_record(
                application=application,
                outcome="laureate",
                amount="100000",
                reason="Coopération exemplaire",
                actor=manager,
            )
            return "recorded"
        except DomainError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(decide, files))
    assert outcomes == ["calls.budget_exceeded", "recorded"]
    assert Decision.objects.count() == 1
    assert created.log.filter(action="decision.recorded").count() == 1
