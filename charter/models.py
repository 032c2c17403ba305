"""The charter of the PTCE collective approach: its versions and its signatures.

Signatures are entered in a public ledger (``LedgerEntry``): each entry holds the hash of
the previous one, so that an exported list can be checked against the published digest
(the last hash). Appending locks the ledger's head row (``LedgerHead``): one entry at a
time, in order.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from registry.models import Network, Pole


class CharterVersionQuerySet(models.QuerySet):
    def published(self, *, today=None):
        """The versions published by ``today`` (a version may be entered before its date)."""
        return self.filter(published_on__lte=today or timezone.localdate())

    def in_force(self, *, today=None) -> "CharterVersion | None":
        """The version in force: the last one published; None before the first."""
        return self.published(today=today).order_by("-number").first()


class CharterVersion(models.Model):
    number = models.PositiveSmallIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    published_on = models.DateField(_("published on"))
    summary = models.TextField(_("summary of changes"), blank=True)
    body = models.TextField(_("text (Markdown)"))
    is_placeholder = models.BooleanField(
        _("placeholder text"),
        default=False,
        help_text=_("The text is a stand-in: the real charter's text is not in our sources."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CharterVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


# A signature that was made: signed, or signed then withdrawn. It is public (on the list
# of signatories, in the ledger) and it counts for « one signature per organisation per
# version » (a withdrawn one stays, visible). A list: the constraints below hold it.
MADE_STATUSES = ["signed", "withdrawn"]


class SignatureQuerySet(models.QuerySet):
    def made(self):
        """Signed, or signed then withdrawn: the public ones (pending and expired
        requests are not)."""
        return self.filter(status__in=MADE_STATUSES)

    def in_force(self):
        """Signed and not withdrawn."""
        return self.filter(status=Signature.Status.SIGNED)

    def of_signer(self, *, pole_id=None, network_id=None):
        """The signatures of one organisation (a pole or a network)."""
        return self.filter(pole_id=pole_id, network_id=network_id)


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the email check")
        SIGNED = "signed", _("signed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        EXPIRED = "expired", _("not confirmed")

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        CEREMONY = "ceremony", _("in the room")

    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="signatures")
    pole = models.ForeignKey(
        Pole, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    signatory_name = models.CharField(_("signatory"), max_length=200)
    signatory_mandate = models.CharField(_("mandate"), max_length=200)
    signatory_email = models.EmailField(_("email"), blank=True)
    channel = models.CharField(_("where"), max_length=10, choices=Channel.choices)
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="charter_signatures"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason of the withdrawal"), max_length=300, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(pole__isnull=False) & Q(network__isnull=True))
                | (Q(pole__isnull=True) & Q(network__isnull=False)),
                name="charter_signature_one_signer",
            ),
            # one signature per organisation per version (a withdrawn one stays, visible)
            models.UniqueConstraint(
                fields=["version", "pole"],
                condition=Q(status__in=MADE_STATUSES) & Q(pole__isnull=False),
                name="charter_one_signature_per_pole",
            ),
            models.UniqueConstraint(
                fields=["version", "network"],
                condition=Q(status__in=MADE_STATUSES) & Q(network__isnull=False),
                name="charter_one_signature_per_network",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer} – v{self.version.number}"

    @property
    def signer(self):
        return self.pole or self.network

    @property
    def is_made(self) -> bool:
        """Signed, or signed then withdrawn (public; see ``SignatureQuerySet.made``)."""
        return self.status in MADE_STATUSES

    @property
    def is_in_force(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


class LedgerHead(models.Model):
    """One row: the last entry of the ledger (locked to append)."""

    sequence = models.PositiveIntegerField(default=0)
    digest = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.sequence} {self.digest[:12]}"


class LedgerEntry(models.Model):
    # what an entry records (the action of its payload): a signature or its withdrawal
    SIGNED = "signed"
    WITHDRAWN = "withdrawn"

    sequence = models.PositiveIntegerField(unique=True)
    signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="entries")
    action = models.CharField(max_length=10)  # signed | withdrawn
    payload = models.JSONField()
    previous = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.digest[:12]}"
