"""Event-wide documents built in the background: prepare, progress, download, expiry."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import document_services, hooks, services
from events.models import EventDocument
from events.tasks import build_event_document, erase_expired_personal_data
from events.tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def organiser(event):
    user = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def queued(settings, document_storage):
    """The task queue of production (database): enqueued tasks wait for the worker."""
    settings.TASKS = DUMMY


def _prepare(client, event, kind, capture):
    with capture(execute=True):
        return client.post(reverse("events_manage:document_prepare", args=[event.slug, kind]))


def _download(client, event, kind):
    return client.get(reverse("events_manage:document_download", args=[event.slug, kind]))


def _build(document: EventDocument) -> str:
    """What the worker does with the queued task."""
    return build_event_document.func(document_id=document.pk, build_token=document.build_token)


def test_download_is_private_attachment_never_cached(
    organiser_client, event, register, prepared, document_storage, settings
):
    register(event, last_name="Lefèvre")
    response, content = prepared(organiser_client, event, "security_csv")
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="liste-securite-{event.slug}.csv"'
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "LEFÈVRE"
    document = EventDocument.objects.get(event=event, kind="security_csv")
    assert document.status == EventDocument.Status.READY and document.rows == 1
    assert document_storage.exists(document.file_name)
    # in the private folder, not among the files any URL serves
    assert str(settings.STATIC_ROOT) not in document_storage.path(document.file_name)
    assert organiser_client.get("/" + document.file_name).status_code == 404
    assert timedelta(hours=23) < document.expires_at - timezone.now() <= timedelta(hours=24)

    other = get_user_model().objects.create_user("other", password="x-pass-1234", is_staff=True)
    EventFactory().managers.add(other)
    organiser_client.force_login(other)
    assert _download(organiser_client, event, "security_csv").status_code == 403
    prepare = reverse("events_manage:document_prepare", args=[event.slug, "security_csv"])
    assert organiser_client.post(prepare).status_code == 403
    assert EventDocument.objects.get(event=event, kind="security_csv").file_name == (
        document.file_name
    )
    assert organiser_client.get(
        reverse("events_manage:documents", args=[event.slug])
    ).status_code == (403)
    organiser_client.logout()
    assert _download(organiser_client, event, "security_csv").status_code == 302


def test_page_follows_waiting_progress_then_ready(
    organiser_client, event, register, queued, django_capture_on_commit_callbacks
):
    register(event)
    page_url = reverse("events_manage:documents", args=[event.slug])
    html = organiser_client.get(page_url).content.decode()
    assert html.count("pas encore préparé") == len(hooks.document_kinds)
    assert "documents.js" not in html  # nothing under way: no polling

    response = _prepare(organiser_client, event, "badges_a6", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"].endswith("#document-badges_a6")
    document = EventDocument.objects.get(event=event, kind="badges_a6")
    token = document.build_token
    html = organiser_client.get(page_url).content.decode()
    assert "documents.js" in html and "en attente de préparation" in html
    status = organiser_client.get(reverse("events_manage:documents_status", args=[event.slug]))
    assert status["Cache-Control"] == "no-store"
    states = {d["kind"]: d["state"] for d in status.json()["documents"]}
    assert states["badges_a6"] == "pending" and states["security_pdf"] == "none"

    # a second click while it waits builds nothing more
    _prepare(organiser_client, event, "badges_a6", django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.build_token == token
    assert _download(organiser_client, event, "badges_a6").status_code == 302

    EventDocument.objects.filter(pk=document.pk).update(
        status=EventDocument.Status.RUNNING, started_at=timezone.now(), progress=45
    )
    html = organiser_client.get(page_url).content.decode()
    assert '<progress max="100" value="45">' in html

    EventDocument.objects.filter(pk=document.pk).update(status=EventDocument.Status.PENDING)
    assert _build(document) == "ready"
    html = organiser_client.get(page_url).content.decode()
    assert reverse("events_manage:document_download", args=[event.slug, "badges_a6"]) in html
    assert "documents.js" not in html
    download = _download(organiser_client, event, "badges_a6")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_prepare_request_does_the_same_work_for_any_size(
    organiser_client, event, queued, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The request only records the demand: its queries do not grow with the people."""
    url = reverse("events_manage:document_prepare", args=[event.slug, "badges_a4x4"])
    for kind, size in (("badges_a4x4", 3), ("badges_a6", 60)):
        RegistrationFactory.create_batch(size, event=event)
        url = reverse("events_manage:document_prepare", args=[event.slug, kind])
        # session, user, permission; lock the event, the document, insert it, audit,
        # savepoints: the same for 3 people as for 63
        with django_assert_num_queries(10):
            organiser_client.post(url)


@pytest.mark.parametrize(
    "kind, queries",
    [("registrations_csv", 8), ("registrations_xlsx", 8), ("security_csv", 7), ("security_pdf", 8)],
)
def test_build_queries_do_not_grow_with_the_people(kind, queries, queued):
    """The exports read the registrations in one query, however many they are (the old
    CSV export grew x13 in time for x10 people: model instances, translated labels and a
    date formatter per row, the whole file held three times in memory)."""
    counts = []
    for size in (2, 40):
        event = EventFactory(capacity=100)
        RegistrationFactory.create_batch(size, event=event)
        document = document_services.document_request(event=event, kind=kind)
        with CaptureQueriesContext(connection) as captured:
            assert _build(document) == "ready"
        counts.append(len(captured))
        assert EventDocument.objects.get(pk=document.pk).rows == size
    assert counts == [queries, queries]


def test_expired_document_is_refused_and_deleted(
    organiser_client, event, register, prepared, document_storage
):
    register(event)
    prepared(organiser_client, event, "registrations_csv")
    document = EventDocument.objects.get(event=event, kind="registrations_csv")
    EventDocument.objects.filter(pk=document.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = organiser_client.get(reverse("events_manage:documents", args=[event.slug]))
    assert "plus disponible" in page.content.decode()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _download(organiser_client, event, "registrations_csv")
    assert response.status_code == 302
    assert not EventDocument.objects.filter(pk=document.pk).exists()
    assert not document_storage.exists(document.file_name)


def test_erasure_deletes_the_event_documents_at_once(
    organiser_client,
    event,
    register,
    prepared,
    document_storage,
    django_capture_on_commit_callbacks,
):
    """A security list built before someone erased their data holds their name: erasing
    deletes the event's documents in the same transaction (their files after commit)."""
    first = register(event, email="a@example.org").registration
    register(event, email="b@example.org")
    prepared(organiser_client, event, "security_pdf")
    document = EventDocument.objects.get(event=event, kind="security_pdf")
    assert document_storage.exists(document.file_name)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_erase(registration=first)
    assert not EventDocument.objects.filter(event=event).exists()
    assert not document_storage.exists(document.file_name)
    response = _download(organiser_client, event, "security_pdf")
    assert response.status_code in (302, 404)


def test_retention_purge_deletes_the_event_documents(
    document_storage, django_capture_on_commit_callbacks
):
    now = timezone.now()
    event = EventFactory(
        starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=9), retention_days=1
    )
    RegistrationFactory.create_batch(3, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_services.document_request(event=event, kind="registrations_xlsx")
    document.refresh_from_db()
    assert document.status == EventDocument.Status.READY
    with django_capture_on_commit_callbacks(execute=True):
        assert erase_expired_personal_data.func() == 3
    assert not EventDocument.objects.filter(event=event).exists()
    assert not document_storage.exists(document.file_name)


def test_next_build_replaces_the_previous_file(
    organiser_client, event, register, prepared, document_storage
):
    register(event)
    prepared(organiser_client, event, "attendance_csv")
    first = EventDocument.objects.get(event=event, kind="attendance_csv").file_name
    prepared(organiser_client, event, "attendance_csv")
    second = EventDocument.objects.get(event=event, kind="attendance_csv").file_name
    assert first != second
    assert not document_storage.exists(first) and document_storage.exists(second)


@pytest.fixture
def test_kind(monkeypatch):
    """A document kind whose build the test decides."""
    behaviour = {}

    def build(event, out, progress):
        progress(1, 2)
        behaviour["during"]()
        out.write(b"done")
        return 1

    kind = hooks.DocumentKind(
        key="test_kind",
        label="Test",
        extension="txt",
        content_type="text/plain",
        filename=lambda event: "test",
        build=build,
    )
    monkeypatch.setitem(hooks.document_kinds._items, "test_kind", kind)
    return behaviour


def test_a_failed_build_says_so(organiser_client, event, queued, test_kind):
    def fail():
        raise RuntimeError("disk full")

    test_kind["during"] = fail
    document = document_services.document_request(event=event, kind="test_kind")
    assert _build(document) == "failed"
    document.refresh_from_db()
    assert document.status == EventDocument.Status.FAILED
    page = organiser_client.get(reverse("events_manage:documents", args=[event.slug]))
    assert "échec\u00a0: préparez-le à nouveau" in page.content.decode()


def test_a_build_replaced_meanwhile_throws_its_file_away(
    event, queued, test_kind, document_storage
):
    document = document_services.document_request(event=event, kind="test_kind")

    def progress_seen_then_replaced():
        current = EventDocument.objects.get(pk=document.pk)
        assert current.status == EventDocument.Status.RUNNING and current.progress == 50
        # lost builds may be asked again: this one is taken as lost
        EventDocument.objects.filter(pk=document.pk).update(
            started_at=timezone.now() - document_services.LOST_AFTER
        )
        document_services.document_request(event=event, kind="test_kind")

    test_kind["during"] = progress_seen_then_replaced
    assert _build(document) == "superseded"
    current = EventDocument.objects.get(pk=document.pk)
    assert current.status == EventDocument.Status.PENDING and current.build_token != (
        document.build_token
    )
    assert document_storage.listdir(f"events/{event.pk}")[1] == []


def test_old_addresses_and_unknown_kinds(
    organiser_client, event, django_capture_on_commit_callbacks
):
    for name, kind in [
        ("export_csv", "registrations_csv"),
        ("export_xlsx", "registrations_xlsx"),
        ("security_csv", "security_csv"),
        ("security_pdf", "security_pdf"),
    ]:
        response = organiser_client.get(reverse(f"events_manage:{name}", args=[event.slug]))
        assert response.status_code == 302 and response["Location"].endswith(f"#document-{kind}")
    assert _download(organiser_client, event, "nothing").status_code == 404
    assert _download(organiser_client, event, "security_pdf").status_code == 404
    response = _prepare(organiser_client, event, "nothing", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert not EventDocument.objects.exists()


def test_documents_page_query_count_is_pinned(
    organiser_client, event, register, prepared, django_assert_num_queries
):
    for n in range(3):
        register(event, email=f"p{n}@example.org")
    for kind in ("security_pdf", "registrations_csv", "badges_a4x4"):
        prepared(organiser_client, event, kind)
    # session, user, event, organiser?, the documents (one query, erasures checked in it)
    with django_assert_num_queries(5):
        organiser_client.get(reverse("events_manage:documents", args=[event.slug]))
    with django_assert_num_queries(5):
        organiser_client.get(reverse("events_manage:documents_status", args=[event.slug]))


def test_documents_write_the_first_of_the_month_as_french_does():
    from datetime import date

    from django.utils import translation

    from core.dates import long_date

    with translation.override("fr"):
        assert long_date(date(2026, 12, 1)) == "1er décembre 2026"
        assert long_date(date(2026, 12, 1), weekday=True) == "mardi 1er décembre 2026"
        assert long_date(date(2026, 12, 2)) == "2 décembre 2026"
    with translation.override("en"):
        assert long_date(date(2026, 12, 1), weekday=True) == "Tuesday 1 December 2026"


def test_forgetting_an_event_documents_deletes_their_files(
    organiser_client,
    event,
    register,
    prepared,
    document_storage,
    django_capture_on_commit_callbacks,
):
    register(event)
    prepared(organiser_client, event, "security_csv")
    prepared(organiser_client, event, "badges_a6")
    files = list(EventDocument.objects.filter(event=event).values_list("file_name", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert document_services.event_documents_forget(event_id=event.pk) == 2
    assert not any(document_storage.exists(name) for name in files)


def test_a_ready_document_says_when_it_was_prepared_and_when_registrations_changed_since(
    organiser_client, event, register, prepared
):
    """« prêt : 16 personnes » while 19 were registered told the building an old list
    without a word: the page gives the time of preparation and says when registrations
    changed since."""
    register(event, email="a@example.org")
    prepared(organiser_client, event, "security_pdf")
    url = reverse("events_manage:documents", args=[event.slug])
    page = organiser_client.get(url).content.decode()
    assert "préparé le" in page
    assert "ont changé depuis" not in page
    register(event, email="b@example.org")
    page = organiser_client.get(url).content.decode()
    assert "Des inscriptions ont changé depuis" in page
