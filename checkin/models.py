"""The door: devices, door staff, admissions and every scan.

One admission per ticket is a database constraint (``checkin_one_admission_per_ticket``);
a scan carries a device nonce, unique per device, so that a replayed sync batch is
recognised and answered the same way without being counted twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import clock
from events.models import Event, Registration


class DoorRole(models.Model):
    """Who works at the door of an event. Organisers (event managers) manage both roles."""

    class Role(models.TextChoices):
        AGENT = "agent", _("door agent")
        SUPERVISOR = "supervisor", _("supervisor")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="door_roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="door_roles"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        verbose_name = _("door role")
        verbose_name_plural = _("door roles")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="checkin_one_role_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class Device(models.Model):
    """A phone enrolled for one event. Its secret is shown once, at enrolment; only its
    hash is kept. A revoked device's scans are refused."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="devices")
    name = models.CharField(_("name"), max_length=80)
    secret_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    enrolment_nonce = models.CharField(max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="checkin_device_name_per_event")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.enrolled_at is not None and self.revoked_at is None


class Verdict(models.TextChoices):
    ADMITTED = "admitted", _("admitted")
    ALREADY_ADMITTED = "already_admitted", _("already admitted")
    CANCELLED = "cancelled", _("registration cancelled")
    WAITING = "waiting", _("on the waiting list")
    UNKNOWN = "unknown", _("unknown or forged ticket")
    OTHER_EVENT = "other_event", _("ticket of another event")
    DEVICE_REVOKED = "device_revoked", _("device revoked")
    ID_NOT_CHECKED = "id_not_checked", _("photo ID not checked")


class Admission(models.Model):
    """A person let in: at most one per registration, the earliest scan kept."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="admissions")
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="admission"
    )
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="admissions")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scanned_at = models.DateTimeField(_("admitted at"))
    received_at = models.DateTimeField(_("received"))
    id_checked = models.BooleanField(_("photo ID checked"))
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        ordering = ["scanned_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(id_checked=True), name="checkin_admission_needs_id_check"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} — {clock(self.scanned_at, seconds=True)}"


class Scan(models.Model):
    """Every scan a device reports, with the verdict it got: the door's log.

    (device, nonce) is unique: the same scan sent twice is the same row.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="scans")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="scans")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nonce = models.CharField(max_length=64)
    registration = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="scans"
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    received_at = models.DateTimeField(_("received"))
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    offline = models.BooleanField(_("decided offline"), default=False)
    conflict = models.BooleanField(
        _("conflict"),
        default=False,
        help_text=_("Admitted offline on this device, but another device admitted first."),
    )

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-scanned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "nonce"], name="checkin_scan_nonce_per_device"
            )
        ]
        indexes = [models.Index(fields=["event", "conflict"])]

    def __str__(self) -> str:
        return f"{self.device} {self.nonce} {self.verdict}"
