"""Calls for projects: the call and its stages, applications, the jury and its reviews,
decisions, and the call's hash-chained log.

Writes go through ``calls.services``; every rule the services check has a database
constraint behind it where the database can hold it (one live application per pole and
call, one assignment per juror and file, one score per criterion and review, weights
above zero, amounts not negative, closes after opens).
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import F, Q
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.models import Organisation, Pole


class _CallsStorage(LazyObject):
    """``STORAGES["calls"]``, looked up when first used rather than when the models are
    imported (a ``FileField`` calls its storage callable once, at import): the setting
    decides (local folder or S3-compatible bucket), also when a test changes it."""

    def _setup(self):
        self._wrapped = storages["calls"]


_calls_storage = _CallsStorage()


def _reset_calls_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _calls_storage._wrapped = empty


setting_changed.connect(_reset_calls_storage)


def calls_storage():
    """Private files (``STORAGES["calls"]``): never served from a guessable URL."""
    return _calls_storage


class Call(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address (slug)"), max_length=100, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    funders = models.CharField(_("funders"), max_length=300, blank=True)
    budget = models.DecimalField(
        _("budget (euros)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    results_on = models.DateField(_("results expected"), null=True, blank=True)
    # a call of the past whose sources give no precise dates (the 2013 call: the month of
    # its launch, no closing date): its page says « vers … », never a time or a countdown
    dates_approximate = models.BooleanField(_("approximate dates"), default=False)
    specifications = models.TextField(_("specifications (Markdown)"), blank=True)
    faq = models.TextField(_("questions and answers (Markdown)"), blank=True)
    # eligibility: registry rules (R1–R8) and the call's own conditions (calls.rules)
    rules = models.JSONField(_("registry rules required"), default=list, blank=True)
    charter_signed = models.BooleanField(_("charter signed"), default=False)
    charter_min_version = models.PositiveSmallIntegerField(
        _("charter version at least"), null=True, blank=True
    )
    regions = models.JSONField(_("regions (INSEE codes)"), default=list, blank=True)
    departments = models.JSONField(_("departments (INSEE codes)"), default=list, blank=True)
    no_laureate_years = models.PositiveSmallIntegerField(
        _("not a laureate in the previous N years"), null=True, blank=True
    )
    founded_before = models.PositiveSmallIntegerField(
        _("pole founded before (year)"), null=True, blank=True
    )
    # attachments
    max_file_size = models.PositiveIntegerField(_("largest file (bytes)"), default=10 * 1024**2)
    max_total_size = models.PositiveIntegerField(
        _("largest application (bytes)"), default=30 * 1024**2
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    # historical applications and laureates counted outside this platform (the 2013 call)
    reported_applications = models.PositiveIntegerField(
        _("applications (reported)"), null=True, blank=True
    )
    reported_laureates = models.PositiveIntegerField(
        _("laureates (reported)"), null=True, blank=True
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="managed_calls", blank=True
    )
    # the awards as open data (SCDL « Subventions »): who grants, and when the money is paid
    grantor_name = models.CharField(_("granting body"), max_length=200, blank=True)
    grantor_siret = models.CharField(_("SIRET of the granting body"), max_length=14, blank=True)
    payments_from = models.DateField(_("payments from"), null=True, blank=True)
    payments_until = models.DateField(_("payments until"), null=True, blank=True)
    is_demo = models.BooleanField(_("invented for the demo"), default=False)
    source_url = models.URLField(_("source"), blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="calls_call_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="calls_call_budget_not_negative",
            ),
        ]

    def __str__(self):
        return self.title


class CallDocument(models.Model):
    """A document attached to the call itself (public: the specifications, a model)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="documents/", storage=calls_storage)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Section(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        AMOUNT = "amount", _("amount")
        CHOICE = "choice", _("choice")
        YES_NO = "yes_no", _("yes or no")
        ATTACHMENT = "attachment", _("attachment")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=300)
    help_text = models.TextField(_("help"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=True)
    max_words = models.PositiveIntegerField(_("at most (words)"), null=True, blank=True)
    max_chars = models.PositiveIntegerField(_("at most (characters)"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["section__position", "position", "pk"]

    def __str__(self):
        return self.label


class Stage(models.Model):
    """A round of review: regional cells, then a national cell (2025), or one national
    stage. Each has its jury, its grid and how many files it passes on."""

    class Kind(models.TextChoices):
        REGIONAL = "regional", _("regional")
        NATIONAL = "national", _("national")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # a regional stage reviews the files of the poles in these regions
    region_codes = models.JSONField(_("regions (INSEE codes)"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    jurors_per_file = models.PositiveSmallIntegerField(_("jurors per file"), default=3)
    passes_on = models.PositiveIntegerField(
        _("files passed on to the next stage"), null=True, blank=True
    )
    scale_max = models.PositiveSmallIntegerField(_("scores from 0 to"), default=5)
    cutoff = models.DecimalField(
        _("cut-off score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    spread_threshold = models.DecimalField(
        _("spread flagged above"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    grid_locked_at = models.DateTimeField(_("grid locked"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["call", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(jurors_per_file__gte=1), name="calls_stage_jurors_per_file"
            ),
            models.CheckConstraint(condition=Q(scale_max__gte=1), name="calls_stage_scale"),
        ]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    eliminatory_min = models.DecimalField(
        _("eliminatory minimum"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="calls_criterion_weight"),
            models.CheckConstraint(
                condition=Q(eliminatory_min__isnull=True) | Q(eliminatory_min__gte=0),
                name="calls_criterion_minimum",
            ),
        ]

    def __str__(self):
        return self.label


class Juror(models.Model):
    """A member of a stage's jury: invited by email, then linked to an account."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="jurors")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="juror_seats",
    )
    # None: a qualified person, in no organisation of the registry
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("region (INSEE code)"), max_length=3, blank=True)
    invitation_nonce = models.UUIDField(default=uuid.uuid4, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_email = models.EmailField(_("email of the accepting account"), blank=True)
    declaration = models.TextField(_("declaration of interests"), blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("invented for the demo"), default=False)

    class Meta:
        ordering = ["stage", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "email"], name="calls_juror_once_by_email"),
            models.UniqueConstraint(
                fields=["stage", "user"],
                condition=Q(user__isnull=False),
                name="calls_juror_once_by_account",
            ),
        ]

    def __str__(self):
        return self.name


class Application(models.Model):
    class Status(models.TextChoices):
        # the application (« la candidature ») is feminine in French
        DRAFT = "draft", pgettext_lazy("application status", "draft")
        SUBMITTED = "submitted", pgettext_lazy("application status", "submitted")
        WITHDRAWN = "withdrawn", pgettext_lazy("application status", "withdrawn")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    pole = models.ForeignKey(Pole, on_delete=models.PROTECT, related_name="call_applications")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # the stage the file is in now (the first stage once submitted; the next one once passed)
    stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # fixed fields
    project_title = models.CharField(_("project title"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    amount_requested = models.DecimalField(
        _("amount requested (euros)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    answers = models.JSONField(default=dict, blank=True)  # {question id (str): value}
    version = models.PositiveIntegerField(default=1)  # bumped by every save of the draft
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sha256 = models.CharField(max_length=64, blank=True)  # of the submitted file
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # a call manager may reopen one submitted file for correction, once, until a date
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_until = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("invented for the demo"), default=False)

    class Meta:
        ordering = ["call", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "pole"],
                condition=~Q(status="withdrawn"),
                name="calls_one_live_application_per_pole",
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gte=0),
                name="calls_application_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="calls_application_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["call", "status"], name="calls_app_call_status")]

    def __str__(self):
        return self.project_title or str(self.pole)


def _attachment_path(instance, filename):
    # never the person's file name: an unguessable name, served only through a view
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to=_attachment_path, storage=calls_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class Conflict(models.Model):
    """A conflict of interest between a juror and a file: found in the registry,
    declared by the juror, or added by the call manager."""

    class Level(models.TextChoices):
        CONFLICT = "conflict", _("conflict of interest")
        REVIEW = "review", _("to review")

    class Source(models.TextChoices):
        REGISTRY = "registry", _("found in the directory")
        JUROR = "juror", _("declared by the juror")
        MANAGER = "manager", _("added by the call manager")

    class Status(models.TextChoices):
        OPEN = "open", _("to decide")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")

    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="conflicts")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    level = models.CharField(max_length=10, choices=Level.choices)
    reason = models.CharField(max_length=30)  # calls.conflicts reasons, or "declared"
    subject = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)  # what the juror declared
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "application", "reason", "subject"],
                name="calls_conflict_once",
            ),
        ]

    def __str__(self):
        return f"{self.juror} / {self.application} ({self.reason})"

    @property
    def blocks(self) -> bool:
        """A conflict keeps the juror away from the file unless dismissed; a « to review »
        one only once confirmed."""
        if self.status == self.Status.DISMISSED:
            return False
        return self.level == self.Level.CONFLICT or self.status == self.Status.CONFIRMED


class Assignment(models.Model):
    class Source(models.TextChoices):
        SOLVER = "solver", _("computed")
        HAND = "hand", _("set by hand")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="assignments")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="assignments")
    source = models.CharField(max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["juror", "application"], name="calls_assignment_once"),
        ]

    def __str__(self):
        return f"{self.juror} → {self.application}"


class Review(models.Model):
    """A juror's scores on one file (a draft until submitted)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="review")
    total = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"review {self.pk}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(max_digits=6, decimal_places=2)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="calls_score_once"),
            models.CheckConstraint(condition=Q(value__gte=0), name="calls_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class Message(models.Model):
    """The discussion of a file by its non-conflicted jurors, in one stage."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Juror, on_delete=models.PROTECT, related_name="messages")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"message {self.pk}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        LAUREATE = "laureate", _("laureate")
        WAITING = "waiting", _("waiting list")
        REFUSED = "refused", _("refused")

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0, outcome="laureate"),
                name="calls_decision_amount_for_laureates",
            ),
        ]

    def __str__(self):
        return f"{self.application}: {self.outcome}"


class LogEntry(models.Model):
    """The call's log: every state change, each entry chained to the previous one by hash
    (``calls.ledger``; the charter's ledger works the same way)."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="log")
    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=60)
    payload = models.JSONField()
    previous = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["call", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["call", "sequence"], name="calls_log_sequence"),
        ]

    def __str__(self):
        return f"{self.call_id}#{self.sequence} {self.action}"
