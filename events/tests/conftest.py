import uuid

import pytest

from core import throttle
from events import services
from events.tests.factories import EventFactory


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    """Each test starts with no registration counted against its limits (the tests all
    post from one address)."""
    monkeypatch.setattr(throttle, "KEY_PREFIX", f"test-ratelimit-{uuid.uuid4().hex}")


@pytest.fixture
def event(db):
    return EventFactory()


@pytest.fixture
def register(db, django_capture_on_commit_callbacks):
    """Register through the service, with sensible defaults."""
    counter = iter(range(10_000))

    def _register(event, **overrides):
        n = next(counter)
        data = {
            "first_name": "Zoé",
            "last_name": "N'Diaye-Lefèvre",
            "email": f"zoe{n}@example.org",
            "organisation": "Pôle test",
            "category": "ptce_member",
            "consent": True,
        }
        data.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return services.registration_create(event=event, **data)

    return _register


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a callable as if its transaction committed (on_commit callbacks executed)."""

    def _run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return _run
