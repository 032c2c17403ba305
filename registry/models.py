"""The registry: poles, their member organisations, partner networks, State laureates.

Places are INSEE codes of the COG (registry.geo, vintage ``cog_year``); department,
region and position are copied from the commune on every save (services), so that the
directory's facets and map are plain indexed columns.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.dates import moment
from registry.names import name_block, name_key


class Place(models.Model):
    """Where something is: an INSEE commune and what follows from it."""

    address = models.CharField(_("address"), max_length=250, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    commune_code = models.CharField(_("commune (INSEE code)"), max_length=5, blank=True)
    cog_year = models.PositiveSmallIntegerField(_("COG vintage"), null=True, blank=True)
    commune_name = models.CharField(_("commune"), max_length=120, blank=True, editable=False)
    department_code = models.CharField(
        _("department"), max_length=3, blank=True, editable=False, db_index=True
    )
    # 2 digits for the regions, 3 for the overseas collectivities (975–989)
    region_code = models.CharField(
        _("region"), max_length=3, blank=True, editable=False, db_index=True
    )
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    located_by = models.CharField(
        _("position from"),
        max_length=12,
        blank=True,
        editable=False,
        help_text=_("commune, or an estimate: EPCI, department or region centre"),
    )

    class Meta:
        abstract = True


class NamedForDuplicates(models.Model):
    """A name kept with its normalised key and block (registry.names), for the likely
    duplicates of the moderation page: written on every save (``bulk_create`` callers set
    them with ``set_name_key``)."""

    name_key = models.CharField(max_length=200, blank=True, default="", editable=False)
    name_block = models.CharField(max_length=8, blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.set_name_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key", "name_block"}
        super().save(*args, **kwargs)

    def set_name_key(self) -> None:
        self.name_key = name_key(self.name)
        self.name_block = name_block(self.name_key)


class Network(models.Model):
    """A network of poles or of the ESS (the six partner networks of the 2014 day, and
    others)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("address (slug)"), max_length=80, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_source_partner = models.BooleanField(
        _("partner of the 2014 national day"),
        default=False,
        help_text=_("One of the six networks named in the press release of 30 July 2014."),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_networks",
        verbose_name=_("managers"),
    )

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(NamedForDuplicates, Place):
    """A legal person (or a person) that is a member or partner of a pole."""

    class EssStatus(models.TextChoices):
        ASSOCIATION = "association", _("association")
        COOPERATIVE = "cooperative", _("cooperative")
        MUTUAL = "mutual", _("mutual")
        FOUNDATION = "foundation", _("foundation")
        ESS_COMPANY = "ess_company", _("ESS commercial company")
        ESUS = "esus", _("ESUS approved company")
        NOT_ESS = "not_ess", _("not ESS")

    class Category(models.TextChoices):
        """Article 9 of the 2014 law: who a pole brings together."""

        ESS_ENTERPRISE = "ess_enterprise", _("ESS enterprise")
        ENTERPRISE = "enterprise", _("other enterprise")
        LOCAL_AUTHORITY = "local_authority", _("local authority or grouping")
        RESEARCH = "research", _("research centre")
        HIGHER_EDUCATION = "higher_education", _("higher-education and research body")
        TRAINING = "training", _("training body")
        OTHER = "other", _("other person")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address (slug)"), max_length=100, unique=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=120, blank=True)
    ess_status = models.CharField(_("ESS status"), max_length=20, choices=EssStatus.choices)
    category = models.CharField(_("category (article 9)"), max_length=20, choices=Category.choices)
    website = models.URLField(_("website"), blank=True)
    search_text = models.TextField(editable=False, blank=True)
    is_demo = models.BooleanField(_("invented for the demo"), default=False)
    source_url = models.URLField(_("source"), blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=~Q(siret=""), name="registry_organisation_siret"
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__startswith=models.F("siren")),
                name="registry_organisation_siret_has_siren",
            ),
        ]
        indexes = [
            models.Index(fields=["commune_code", "name_block"], name="registry_org_name_block")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ess(self) -> bool:
        return self.ess_status != self.EssStatus.NOT_ESS


class Activity(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Pole(NamedForDuplicates, Place):
    class Status(models.TextChoices):
        """Follows from the legal check (registry.rules): a State laureate was checked by
        the State at its selection; otherwise the directory's data shows the definition
        met, does not show it yet, or contradicts it."""

        LAUREATE = "laureate", pgettext_lazy("pole status", "State laureate")
        CHECKED = "checked", pgettext_lazy("pole status", "meets the legal definition")
        INCOMPLETE = "incomplete", pgettext_lazy("pole status", "to be completed")
        CONTRARY = "contrary", pgettext_lazy("pole status", "does not meet the definition")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address (slug)"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    legal_form = models.CharField(_("legal form"), max_length=120, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    year_founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    jobs = models.PositiveIntegerField(_("jobs"), null=True, blank=True)
    strategy = models.TextField(
        _("common strategy"),
        blank=True,
        help_text=_(
            "The common and continuing strategy of pooling, cooperation or partnership, and "
            "the innovative project of sustainable local development (article 9)."
        ),
    )
    website = models.URLField(_("website"), blank=True)
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="poles", verbose_name=_("activities")
    )
    networks = models.ManyToManyField(
        Network, blank=True, related_name="poles", verbose_name=_("networks")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INCOMPLETE, db_index=True
    )
    check_report = models.JSONField(_("legal check"), default=dict, blank=True, editable=False)
    # " enterprise ess_enterprise … ": its members' categories (article 9), kept with the
    # check, so that the directory filters and counts them without joining memberships
    member_categories = models.CharField(max_length=200, blank=True, default="", editable=False)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_poles",
        verbose_name=_("managers"),
    )
    is_demo = models.BooleanField(_("invented for the demo"), default=False)
    source_url = models.URLField(_("source"), blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pole")
        verbose_name_plural = _("poles")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["commune_code", "name_block"], name="registry_pole_name_block")
        ]

    def __str__(self) -> str:
        return self.name


class TerritoryArea(models.Model):
    """One code of a pole's declared territory: an INSEE commune, an EPCI (its SIREN) or a
    department."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("commune")
        EPCI = "epci", _("EPCI")
        DEPARTMENT = "department", _("department")

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="territory")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=9)

    class Meta:
        verbose_name = _("territory area")
        verbose_name_plural = _("territory")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["pole", "code"], name="registry_territory_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"


class Membership(models.Model):
    class Role(models.TextChoices):
        INITIATOR = "initiator", _("initiator")
        MEMBER = "member", _("member")
        PARTNER = "partner", _("partner")

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    since = models.PositiveSmallIntegerField(_("since (year)"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["pole", "organisation"], name="registry_one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.pole}"


class Laureate(models.Model):
    """A pole selected by a State call for projects."""

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="laureates")
    year = models.PositiveSmallIntegerField(_("year"))
    call = models.CharField(_("call for projects"), max_length=200, blank=True)
    source_url = models.URLField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("laureate")
        verbose_name_plural = _("laureates")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["pole", "year"], name="registry_laureate_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.pole} ({self.year})"


class PoleClaim(models.Model):
    """Someone says they run a pole and asks to edit its entry; an editor decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="claims")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    role = models.CharField(_("role in the pole"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # the approval made this account: only then is a link to choose a password sent
    new_account = models.BooleanField(default=False, editable=False)
    # the page of this site the person came from to claim (signing the charter): the
    # approval email's links lead back there
    return_to = models.CharField(max_length=200, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pole", "email"],
                condition=Q(status="pending"),
                name="registry_one_pending_claim",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.pole}"


class PoleRevision(models.Model):
    """One change of a pole's entry: who, when, from where, and each field before/after."""

    class Source(models.TextChoices):
        EDIT = "edit", _("edited by a manager")
        IMPORT = "import", _("import")
        EDITOR = "editor", _("editor")

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="revisions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    changes = models.JSONField(_("changes"))  # {field: [before, after]}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pole} — {moment(self.created_at)}"


class Suggestion(models.Model):
    """A correction proposed by anyone, from the pole's public page: to moderation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="suggestions")
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    message = models.TextField(_("suggested correction"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.pole}: {self.message[:40]}"


class ImportBatch(models.Model):
    """A CSV file checked by the dry run, kept on the server until it is applied (the
    confirmation names this row, not the file: a 5 MB file is not posted back), then
    applied by a background task whose progress the import's status page shows."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("checked, waiting for confirmation")
        QUEUED = "queued", _("waiting for the worker")
        CHECKING = "checking", _("checking the rows again")
        WRITING = "writing", _("writing")
        DONE = "done", _("imported")
        FAILED = "failed", _("not imported")

    kind = models.CharField(_("kind"), max_length=20)
    sha256 = models.CharField(max_length=64, db_index=True)
    raw = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:12]} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.WRITING)
