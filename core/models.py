from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dates import short_moment


class OutboundEmail(models.Model):
    """One email to one recipient: the outbox the organiser can read.

    Services create the row inside their transaction and enqueue the sending task on
    commit; the task renders the message in the recipient's language at send time
    through the renderer registered for ``kind`` (see ``core.mail``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        SKIPPED = "skipped", _("not sent: no longer applies")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=80)
    scope = models.CharField(_("scope"), max_length=80, db_index=True)
    object_id = models.PositiveBigIntegerField(_("object"))
    to = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="fr")
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "attempts"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to} ({self.status})"


class AuditEntry(models.Model):
    """What a service did, by whom, to what: written by services only."""

    action = models.CharField(_("action"), max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    scope = models.CharField(_("scope"), max_length=80, db_index=True)
    object_id = models.PositiveBigIntegerField(_("object"), null=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{short_moment(self.created_at)} — {self.action}"
