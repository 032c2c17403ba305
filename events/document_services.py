"""Writes for the documents built about a whole event (``EventDocument``).

Badges, security lists and exports of thousands of people take longer than a web request
may: the organiser asks for one (``document_request``), a background task builds it
(``document_build``, through ``events.tasks.build_event_document``) while the page shows
its progress, and the file waits in private storage (``STORAGES["documents"]``) until it
is downloaded by an organiser of the event, replaced by the next build, or removed after
``PTCE_DOCUMENT_MAX_AGE_HOURS`` — or as soon as a registration of the event is erased,
since the file holds personal data that must go with it.
"""

import logging
import tempfile
import time
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation

from core.audit import audit
from core.errors import DomainError
from events import errors, hooks
from events.models import Event, EventDocument, Registration, new_secret

logger = logging.getLogger(__name__)

# A build that has not finished after this long is taken as lost (a worker that died):
# the organiser may ask again.
LOST_AFTER = timedelta(minutes=15)


def document_storage() -> Storage:
    return storages["documents"]


def document_kind(key: str) -> hooks.DocumentKind:
    kind = hooks.document_kinds.get(key)
    if kind is None:
        raise DomainError(errors.UNKNOWN_DOCUMENT)
    return kind


def max_age() -> timedelta:
    return timedelta(hours=settings.PTCE_DOCUMENT_MAX_AGE_HOURS)


def _scope(event_id: int) -> str:
    return f"events.event:{event_id}"


def is_under_way(document: EventDocument, *, now: datetime) -> bool:
    if document.status not in (EventDocument.Status.PENDING, EventDocument.Status.RUNNING):
        return False
    return now - (document.started_at or document.requested_at) < LOST_AFTER


def document_request(*, event: Event, kind: str, actor=None) -> EventDocument:
    """Ask for a fresh build of one of the event's documents.

    The previous file of that kind is deleted; a build already under way is left to
    finish (asking twice builds once).
    """
    from events.tasks import build_event_document

    document_kind(kind)
    now = timezone.now()
    with transaction.atomic():
        # one request at a time per event, so two clicks never make two rows or builds
        Event.objects.select_for_update().filter(pk=event.pk).values_list("pk").get()
        document = EventDocument.objects.filter(event=event, kind=kind).first()
        if document is not None and is_under_way(document, now=now):
            return document
        old_file = document.file_name if document is not None else ""
        if document is None:
            document = EventDocument(event=event, kind=kind)
        document.status = EventDocument.Status.PENDING
        document.progress = 0
        document.build_token = new_secret()
        document.file_name = ""
        document.size = 0
        document.rows = 0
        document.language = translation.get_language() or settings.LANGUAGE_CODE
        document.requested_by = actor if actor is not None and actor.is_authenticated else None
        document.requested_at = now
        document.started_at = document.finished_at = document.expires_at = None
        document.save()
        audit(
            "events.document.requested",
            scope=_scope(event.pk),
            object_id=document.pk,
            actor=actor,
            kind=kind,
        )
        if old_file:
            transaction.on_commit(partial(delete_document_file, old_file))
        transaction.on_commit(
            partial(
                build_event_document.enqueue,
                document_id=document.pk,
                build_token=document.build_token,
            )
        )
    return document


class _Progress:
    """Writes the percentage done to the row, at most every 5 % or every second."""

    def __init__(self, document_id: int, build_token: str):
        self.document_id = document_id
        self.build_token = build_token
        self.percent = 0
        self.at = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, done * 100 // total) if total > 0 else 0
        now = time.monotonic()
        if percent >= self.percent + 5 or (percent > self.percent and now - self.at >= 1):
            self.percent, self.at = percent, now
            EventDocument.objects.filter(pk=self.document_id, build_token=self.build_token).update(
                progress=percent
            )


def document_build(*, document_id: int, build_token: str) -> str:
    """Build the document (run by the task); returns what became of it.

    The row's build token must still be this build's: a build replaced by a newer request
    (or a document deleted meanwhile) throws its file away.
    """
    started = timezone.now()
    claimed = EventDocument.objects.filter(
        pk=document_id, build_token=build_token, status=EventDocument.Status.PENDING
    ).update(status=EventDocument.Status.RUNNING, started_at=started, progress=0)
    if not claimed:
        return "superseded"
    document = EventDocument.objects.select_related("event").get(pk=document_id)
    kind = hooks.document_kinds.get(document.kind)
    current = EventDocument.objects.filter(pk=document_id, build_token=build_token)
    if kind is None:
        current.update(status=EventDocument.Status.FAILED, finished_at=timezone.now())
        return "failed"
    storage = document_storage()
    name = f"events/{document.event_id}/{kind.key}-{build_token}.{kind.extension}"
    try:
        with tempfile.TemporaryFile() as out, translation.override(document.language):
            rows = kind.build(document.event, out, _Progress(document_id, build_token))
            out.seek(0)
            saved = storage.save(name, File(out, name=name))
        size = storage.size(saved)
    except Exception:
        logger.exception("Building %s of event %s failed", kind.key, document.event_id)
        current.update(status=EventDocument.Status.FAILED, finished_at=timezone.now())
        return "failed"
    finished = timezone.now()
    updated = current.update(
        status=EventDocument.Status.READY,
        progress=100,
        file_name=saved,
        size=size,
        rows=rows,
        finished_at=finished,
        expires_at=finished + max_age(),
    )
    if not updated:
        delete_document_file(saved)
        return "superseded"
    documents_purge(now=finished)
    return "ready"


def _erased_since(document: EventDocument) -> bool:
    started = document.started_at or document.requested_at
    if document.event.personal_data_erased_at is not None:
        return True
    return Registration.objects.filter(event_id=document.event_id, erased_at__gte=started).exists()


def document_open(*, document: EventDocument, now: datetime | None = None):
    """The ready document's file, opened for reading; or a DomainError.

    An expired document, or one built before a registration of the event was erased, is
    deleted on the spot and refused.
    """
    now = now or timezone.now()
    if document.status != EventDocument.Status.READY or not document.file_name:
        raise DomainError(errors.DOCUMENT_NOT_READY)
    if document.expires_at is None or document.expires_at <= now or _erased_since(document):
        document_discard(document=document)
        raise DomainError(errors.DOCUMENT_EXPIRED)
    try:
        return document_storage().open(document.file_name, "rb")
    except FileNotFoundError:
        document_discard(document=document)
        raise DomainError(errors.DOCUMENT_EXPIRED) from None


def document_discard(*, document: EventDocument) -> None:
    """Delete the document and its file (the file goes after the commit)."""
    with transaction.atomic():
        EventDocument.objects.filter(pk=document.pk).delete()


def documents_purge(*, now: datetime | None = None) -> int:
    """Delete expired documents, those built before an erasure in their event, and builds
    lost long ago. Returns how many went."""
    now = now or timezone.now()
    erased_after = Registration.objects.filter(
        event_id=OuterRef("event_id"), erased_at__gte=OuterRef("started_at")
    )
    doomed = EventDocument.objects.filter(
        Q(expires_at__lte=now)
        | Q(event__personal_data_erased_at__isnull=False)
        | Q(Exists(erased_after))
        | Q(
            status__in=[EventDocument.Status.PENDING, EventDocument.Status.RUNNING],
            requested_at__lt=now - max_age(),
        )
        | Q(status=EventDocument.Status.FAILED, requested_at__lt=now - max_age())
    )
    count = 0
    with transaction.atomic():
        for document in doomed.only("pk", "file_name"):
            document.delete()  # the post_delete receiver deletes the file after the commit
            count += 1
    return count


def delete_document_file(name: str) -> None:
    if not name:
        return
    try:
        document_storage().delete(name)
    except OSError:
        logger.warning("Could not delete the document file %s", name, exc_info=True)


def event_documents_forget(*, event_id: int) -> int:
    """Delete every document of the event (their files after the commit): to call where a
    registration of the event is erased, inside that transaction. Until then, documents
    built before an erasure are refused on download and removed by ``documents_purge``."""
    count = 0
    for document in EventDocument.objects.filter(event_id=event_id).only("pk", "file_name"):
        document.delete()
        count += 1
    return count
