import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.references import grouped, new_reference

_ORIGIN_RE = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")


def validate_origins(value: str) -> None:
    """One web origin per line (scheme://host[:port]): no path, wildcard or separator."""
    for line in value.splitlines():
        origin = line.strip()
        if origin and not _ORIGIN_RE.match(origin):
            raise ValidationError(
                _("“%(origin)s” is not an origin such as https://www.example.org"),
                params={"origin": origin[:80]},
                code="invalid_origin",
            )


def new_secret() -> str:
    """An unguessable token (128 bits of randomness, URL-safe)."""
    return secrets.token_urlsafe(16)


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("event status", "draft")
        PUBLISHED = "published", pgettext_lazy("event status", "published")
        CANCELLED = "cancelled", pgettext_lazy("event status", "cancelled")

    slug = models.SlugField(_("address (slug)"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_room = models.CharField(_("room"), max_length=200, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    access = models.TextField(
        _("public transport access"), blank=True, help_text=_("One line per mode.")
    )

    capacity = models.PositiveIntegerField(_("capacity"))
    confirmed_count = models.PositiveIntegerField(_("confirmed registrations"), default=0)
    registration_required = models.BooleanField(_("registration required"), default=True)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    waiting_list_enabled = models.BooleanField(_("waiting list"), default=True)
    id_required = models.BooleanField(_("photo ID required at the door"), default=True)
    walk_ins_allowed = models.BooleanField(
        _("walk-in registration at the door"),
        default=False,
        help_text=_("Supervisors may register people at the door while places remain."),
    )
    entry_notice = models.CharField(
        _("entry notice"), max_length=200, blank=True, help_text=_("e.g. free entry.")
    )

    organiser_name = models.CharField(_("organiser"), max_length=200, blank=True)
    organiser_url = models.URLField(_("organiser's website"), blank=True)
    press_contact_name = models.CharField(_("press contact"), max_length=200, blank=True)
    press_contact_phone = models.CharField(_("press contact phone"), max_length=40, blank=True)
    press_contact_email = models.EmailField(_("press contact email"), blank=True)

    embed_origins = models.TextField(
        _("origins allowed to embed the form"),
        blank=True,
        validators=[validate_origins],
        help_text=_("One origin per line, e.g. https://www.lelabo-ess.org"),
    )
    retention_days = models.PositiveIntegerField(
        _("personal data kept (days after the event)"), default=90
    )
    personal_data_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_events",
        verbose_name=_("organisers"),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    # Changes with the event and with its programme, speakers or partners: the public
    # page's cached fragments are keyed on it.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_count__lte=F("capacity")),
                name="event_confirmed_within_capacity",
                violation_error_message=_("Capacity would be exceeded."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "updated_at" not in update_fields:
            # auto_now is only written when listed: a partial save is a change too
            kwargs["update_fields"] = [*update_fields, "updated_at"]
        super().save(*args, **kwargs)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def retention_until(self):
        return self.ends_at + timedelta(days=self.retention_days)

    @property
    def access_lines(self) -> list[str]:
        return [line.strip() for line in self.access.splitlines() if line.strip()]

    @property
    def allowed_embed_origins(self) -> list[str]:
        return [line.strip() for line in self.embed_origins.splitlines() if line.strip()]

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()


class Partner(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("website"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="partner_unique_per_event")
        ]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("invented for the demo"), default=False)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def validate_link(value: str) -> None:
    """A page of this site (« /charte/ ») or a web address (https://…)."""
    if value.startswith("/") and not value.startswith("//") and " " not in value:
        return
    URLValidator(schemes=["http", "https"])(value)


class Session(models.Model):
    class Kind(models.TextChoices):
        WELCOME = "welcome", _("welcome")
        TESTIMONIES = "testimonies", _("testimonies")
        ROUND_TABLE = "round_table", _("round table and debate")
        CHARTER_SIGNING = "charter_signing", _("signing of the charter")
        BREAK = "break", _("break")
        CLOSING = "closing", _("closing")
        OTHER = "other", _("other")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    speakers = models.ManyToManyField(
        Speaker, blank=True, related_name="sessions", verbose_name=_("speakers")
    )
    link_url = models.CharField(
        _("link"),
        max_length=300,
        blank=True,
        validators=[validate_link],
        help_text=_("A page of this site (e.g. /charte/) or a web address, shown with the item."),
    )
    link_label = models.CharField(
        _("link text"),
        max_length=120,
        blank=True,
        help_text=_("What the link leads to; “Learn more” when left empty."),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("programme")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    class Source(models.TextChoices):
        ONLINE = "online", _("online")
        WALK_IN = "walk_in", _("at the desk")

    class Category(models.TextChoices):
        PTCE_MEMBER = "ptce_member", _("PTCE member")
        NETWORK = "network", _("partner network")
        LOCAL_AUTHORITY = "local_authority", _("local authority")
        STATE = "state", _("State or institution")
        PRESS = "press", _("press")
        SPEAKER = "speaker", _("speaker")
        STAFF = "staff", _("organising staff")
        OTHER = "other", _("other")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), max_length=254)
    email_key = models.CharField(max_length=254, editable=False)
    search_text = models.TextField(editable=False)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # Where the person registered: online, or at the desk on the day (a walk-in).
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ONLINE, editable=False
    )

    ticket_secret = models.CharField(max_length=40, unique=True, default=new_secret, editable=False)
    # SHA-256 of the ticket's code (events.tokens.ticket_hash_of), written with the secret:
    # the door finds a person found by name on a phone (which keeps only these hashes) in
    # one indexed lookup.
    ticket_hash = models.CharField(max_length=64, db_index=True, editable=False, default="")
    link_secret = models.CharField(max_length=40, unique=True, default=new_secret, editable=False)
    # A code a person can type (events.references): on the ticket, the PDF, the email and
    # the personal page; the door and the organiser's search take it. Unique per event.
    reference = models.CharField(
        _("reference"), max_length=10, default=new_reference, editable=False
    )

    consent_at = models.DateTimeField(_("privacy notice accepted"))
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    is_demo = models.BooleanField(_("invented for the demo"), default=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "reference"], name="registration_reference_per_event"
            ),
            models.UniqueConstraint(
                fields=["event", "email_key"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_email",
                violation_error_message=_("This email is already registered."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waiting", "cancelled"]),
                name="registration_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="registration_confirmed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    def save(self, *args, **kwargs):
        from events.tokens import ticket_hash_of  # tokens imports this module

        self.ticket_hash = ticket_hash_of(self.ticket_secret)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "ticket_secret" in update_fields:
            kwargs["update_fields"] = [*update_fields, "ticket_hash"]
        super().save(*args, **kwargs)

    @property
    def grouped_reference(self) -> str:
        """The reference as a person reads it: « K7MX-Q4TR »."""
        return grouped(self.reference)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_editable(self) -> bool:
        """Whether the person may still correct or cancel (the services enforce it too)."""
        return self.status != self.Status.CANCELLED and not self.event.is_past


class EventDocument(models.Model):
    """A document about a whole event (badges, security list, exports), built in the
    background and kept for a while in private storage, one per event and kind.

    The kinds are registered by the apps that build them (``events.hooks``). The file
    holds personal data: it is served only to the event's organisers, expires, is
    replaced by the next build and is refused once any registration was erased after the
    build began (``events.document_services``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("document status", "waiting")
        RUNNING = "running", pgettext_lazy("document status", "in progress")
        READY = "ready", pgettext_lazy("document status", "ready")
        FAILED = "failed", pgettext_lazy("document status", "failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # A new value for every build: a build that finds another one in the row has been
    # replaced and throws its file away.
    build_token = models.CharField(max_length=40, default=new_secret, editable=False)
    file_name = models.CharField(max_length=255, blank=True, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    language = models.CharField(_("language"), max_length=8, default="fr")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("event document")
        verbose_name_plural = _("event documents")
        ordering = ["event", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="event_document_one_per_kind"),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="event_document_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.kind} ({self.status})"
