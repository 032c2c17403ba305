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


@pytest.fixture
def document_storage(settings, tmp_path):
    """Documents built in the background go to a throwaway private folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    from django.core.files.storage import storages

    return storages["documents"]


@pytest.fixture
def prepared(document_storage, django_capture_on_commit_callbacks):
    """Prepare an event document as an organiser would (the task runs at commit, as with
    the demo's immediate backend), then download it: (response, content)."""
    from django.urls import reverse

    def _prepare(client, event, kind):
        url = reverse("events_manage:document_prepare", args=[event.slug, kind])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url)
        assert response.status_code == 302
        response = client.get(reverse("events_manage:document_download", args=[event.slug, kind]))
        assert response.status_code == 200, response
        return response, b"".join(response.streaming_content)

    return _prepare
