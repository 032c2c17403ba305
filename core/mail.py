"""The outbox: queue an email inside a transaction, send it after commit.

Each app registers a renderer per email ``kind`` (in its ``AppConfig.ready``). A
renderer receives the outbox row and returns a ``django.core.mail.EmailMessage`` (or
``EmailMultiAlternatives``) built in the recipient's language; it may return ``None``
when the email no longer applies (the object was erased), which marks it sent-skipped.
"""

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from core.models import OutboundEmail

Renderer = Callable[[OutboundEmail], EmailMessage | None]
_renderers: dict[str, Renderer] = {}


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

    With ``dedupe_key``, a second call with the same key queues nothing (reminders).
    """
    if kind not in _renderers:
        raise LookupError(f"No email renderer registered for {kind!r}")
    if dedupe_key is not None:
        outbound, created = OutboundEmail.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults={
                "kind": kind,
                "scope": scope,
                "object_id": object_id,
                "to": to,
                "language": language,
            },
        )
        if not created:
            return None
    else:
        outbound = OutboundEmail.objects.create(
            kind=kind, scope=scope, object_id=object_id, to=to, language=language
        )
    from core.tasks import send_outbound_email

    transaction.on_commit(partial(send_outbound_email.enqueue, outbound_id=outbound.pk))
    return outbound


def outbound_send(*, outbound_id: int) -> OutboundEmail.Status | None:
    """Send one queued email; idempotent (a sent email is never sent twice).

    The row is locked while sending so two workers cannot both send it. A failure is
    recorded on the row (attempts, last error) and never touches the object it is about.
    """
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().filter(pk=outbound_id).first()
        if outbound is None or outbound.status == OutboundEmail.Status.SENT:
            return None
        if outbound.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            return outbound.status
        now = timezone.now()
        try:
            renderer = _renderers[outbound.kind]
            with translation.override(outbound.language):
                message = renderer(outbound)
            if message is not None:
                message.to = [outbound.to]
                outbound.subject = str(message.subject)[:255]
                message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded, never lost
            OutboundEmail.objects.filter(pk=outbound.pk).update(
                status=OutboundEmail.Status.FAILED,
                attempts=F("attempts") + 1,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                last_attempt_at=now,
                subject=outbound.subject,
            )
            return OutboundEmail.Status.FAILED
        OutboundEmail.objects.filter(pk=outbound.pk).update(
            status=OutboundEmail.Status.SENT,
            attempts=F("attempts") + 1,
            last_error="",
            sent_at=now,
            last_attempt_at=now,
            subject=outbound.subject,
        )
        return OutboundEmail.Status.SENT


def outbound_retry_failed() -> int:
    """Enqueue again every failed email that has attempts left. Returns how many."""
    from core.tasks import send_outbound_email

    ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.FAILED, attempts__lt=settings.EMAIL_MAX_ATTEMPTS
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        send_outbound_email.enqueue(outbound_id=pk)
    return len(ids)
