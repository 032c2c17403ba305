from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """The calls' files (attachments, documents) in the test's own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "calls": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "calls", "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the rankings cached by one test (its ids come
    back in the next one on SQLite) never show in another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _french():
    """The messages are checked in French, whatever LANGUAGE_CODE says."""
    with translation.override("fr"):
        yield


# --- the ground the services' tests stand on (built with the models: "given" states) ----
# Each area's tests add their own fixtures in their modules; these are shared.


def make_user(username, **extra):
    """An account with a password (the ``user`` fixture's; also for module-scoped data)."""
    return get_user_model().objects.create_user(
        username, email=f"{username}@example.org", password="Mot-de-passe-2014", **extra
    )


@pytest.fixture
def user(db):
    counter = iter(range(10_000))

    def _user(username=None, **extra):
        return make_user(username or f"personne{next(counter)}", **extra)

    return _user


def make_call(slug="appel-2026", **extra):
    """An open call (opened yesterday, closes in ten days), one national stage with a
    two-criterion grid (0–5), one section with a text question (the ``call`` fixture's)."""
    from calls.models import Call, Criterion, Question, Section, Stage

    now = timezone.now()
    fields = {
        "title": "Appel à projets PTCE 2026",
        "slug": slug,
        "funders": "État",
        "budget": Decimal("1000000"),
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=10),
        "published_at": now - timedelta(days=1),
        **extra,
    }
    created = Call.objects.create(**fields)
    stage = Stage.objects.create(
        call=created, name="Jury national", kind="national", position=1, jurors_per_file=2
    )
    Criterion.objects.create(stage=stage, label="Coopération", weight=2, position=1)
    Criterion.objects.create(stage=stage, label="Ancrage territorial", weight=1, position=2)
    section = Section.objects.create(call=created, title="Le projet", position=1)
    Question.objects.create(
        section=section, label="Décrivez la coopération", kind="text", max_words=300
    )
    return created


@pytest.fixture
def call(db):
    """make_call, in a test."""
    return make_call
