"""The outbox: queue an email inside a transaction, send it after commit.

Each app registers a renderer per email ``kind`` (in its ``AppConfig.ready``). A
renderer receives the outbox row and returns a ``django.core.mail.EmailMessage`` (or
``EmailMultiAlternatives``) built in the recipient's language; it returns ``None`` when
the email no longer applies (the person cancelled, was promoted, was erased…), which
marks it skipped.

Sending is at least once, never twice in normal operation: the row is claimed in a short
transaction (status ``sending``), the message is sent outside any transaction (a slow mail
server never holds a database lock), then the outcome is recorded. A row left ``queued``
or ``sending`` by a crash is picked up again by ``retry_emails``.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from core.models import OutboundEmail

Renderer = Callable[[OutboundEmail], EmailMessage | None]
_renderers: dict[str, Renderer] = {}

# A row still queued or sending after this long was lost by a crash: send it again.
STALE_AFTER = timedelta(minutes=10)


def register_renderer(kind: str, renderer: Renderer) -> None:
    _renderers[kind] = renderer


def email_queue(
    *,
    kind: str,
    scope: str,
    object_id: int,
    to: str,
    language: str,
    dedupe_key: str | None = None,
) -> OutboundEmail | None:
    """Create an outbox row and send it once the surrounding transaction commits.

    With ``dedupe_key``, a second call with the same key queues nothing.
    """
    if kind not in _renderers:
        raise LookupError(f"No email renderer registered for {kind!r}")
    fields = {"kind": kind, "scope": scope, "object_id": object_id, "to": to, "language": language}
    if dedupe_key is not None:
        outbound, created = OutboundEmail.objects.get_or_create(
            dedupe_key=dedupe_key, defaults=fields
        )
        if not created:
            return None
    else:
        outbound = OutboundEmail.objects.create(**fields)
    from core.tasks import send_outbound_email

    # robust: a failure to enqueue (broker down) must not turn a saved write into an
    # error page; the row stays queued and `retry_emails` sends it later.
    transaction.on_commit(
        partial(send_outbound_email.enqueue, outbound_id=outbound.pk), robust=True
    )
    return outbound


def _claim(outbound_id: int, *, now) -> OutboundEmail | None:
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().filter(pk=outbound_id).first()
        if outbound is None or outbound.status in (
            OutboundEmail.Status.SENT,
            OutboundEmail.Status.SKIPPED,
        ):
            return None
        if outbound.status == OutboundEmail.Status.SENDING and (
            outbound.last_attempt_at and now - outbound.last_attempt_at < STALE_AFTER
        ):
            return None  # another worker is on it
        if outbound.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            return None
        OutboundEmail.objects.filter(pk=outbound.pk).update(
            status=OutboundEmail.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now
        )
        return outbound


def outbound_send(*, outbound_id: int) -> OutboundEmail.Status | None:
    """Send one queued email. Returns the new status, or None when there was nothing to do.

    A failure is recorded on the row (attempts, last error) and never touches the object
    the email is about.
    """
    now = timezone.now()
    outbound = _claim(outbound_id, now=now)
    if outbound is None:
        return None
    subject = ""
    try:
        renderer = _renderers[outbound.kind]
        with translation.override(outbound.language):
            message = renderer(outbound)
        if message is None:
            status = OutboundEmail.Status.SKIPPED
        else:
            message.to = [outbound.to]
            subject = str(message.subject)[:255]
            message.send(fail_silently=False)
            status = OutboundEmail.Status.SENT
        error = ""
    except Exception as exc:  # noqa: BLE001 - any failure is recorded, never lost
        status = OutboundEmail.Status.FAILED
        error = f"{type(exc).__name__}: {exc}"[:2000]
    # Only while this worker still owns the row (a stalled worker cannot overwrite the
    # outcome of the one that took over).
    OutboundEmail.objects.filter(
        pk=outbound.pk, status=OutboundEmail.Status.SENDING, last_attempt_at=now
    ).update(
        status=status,
        last_error=error,
        subject=subject,
        sent_at=timezone.now() if status == OutboundEmail.Status.SENT else None,
    )
    return status


def outbound_retry_failed() -> int:
    """Enqueue again every email that failed, or was lost in a crash, with attempts left."""
    from core.tasks import send_outbound_email

    stale = timezone.now() - STALE_AFTER
    # Lost in a crash on their last attempt: they will not be tried again, say so.
    OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING,
        last_attempt_at__lt=stale,
        attempts__gte=settings.EMAIL_MAX_ATTEMPTS,
    ).update(
        status=OutboundEmail.Status.FAILED,
        last_error="Interrupted during its last attempt (worker stopped).",
    )
    ids = list(
        OutboundEmail.objects.filter(attempts__lt=settings.EMAIL_MAX_ATTEMPTS)
        .filter(
            Q(status=OutboundEmail.Status.FAILED)
            | Q(status=OutboundEmail.Status.QUEUED, created_at__lt=stale)
            | Q(status=OutboundEmail.Status.SENDING, last_attempt_at__lt=stale)
        )
        .values_list("pk", flat=True)
    )
    for pk in ids:
        send_outbound_email.enqueue(outbound_id=pk)
    return len(ids)


def outbound_forget(*, scope: str, object_id: int) -> int:
    """Remove the address from the outbox rows about an object (erasure of personal data)."""
    return OutboundEmail.objects.filter(scope=scope, object_id=object_id).update(
        to="erased@invalid.invalid", last_error="", dedupe_key=None
    )
