"""Reads of the registry: the directory (search, facets, pages), pole and organisation
pages."""

import re
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Avg, Count, F, Max, Min, Prefetch, Q, QuerySet
from django.db.models.functions import Floor
from django.utils.translation import gettext as _

from core.input import clean_query, parse_int
from core.text import fold
from registry import geo, rules
from registry.models import (
    Activity,
    ImportBatch,
    Laureate,
    Membership,
    Network,
    Organisation,
    Pole,
    PoleClaim,
    PoleRevision,
    Suggestion,
)

PAGE_SIZE = 20
PAGE_MAX = 100_000
QUERY_MAX = 100

# The directory's filters, in the order shown: name in the URL → what it filters.
FACETS = ("region", "department", "activity", "status", "category", "network")


@dataclass
class Filters:
    """What the directory's URL asks for (unknown values are dropped, not errors: a
    shared link to a facet that no longer exists still opens the directory)."""

    q: str = ""
    region: str = ""
    department: str = ""
    activity: str = ""
    status: str = ""
    category: str = ""
    network: str = ""
    page: int = 1
    dropped: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params) -> "Filters":
        filters = cls(q=clean_query(params.get("q"), max_length=QUERY_MAX))
        checks = {
            "region": lambda v: v in geo.regions(),
            "department": lambda v: v in geo.departments(),
            "activity": lambda v: Activity.objects.filter(slug=v).exists(),
            "status": lambda v: v in Pole.Status.values,
            "category": lambda v: v in Organisation.Category.values,
            "network": lambda v: Network.objects.filter(slug=v).exists(),
        }
        for name, valid in checks.items():
            value = clean_query(params.get(name), max_length=100)
            if value and valid(value):
                setattr(filters, name, value)
            elif value:
                filters.dropped.append(name)
        filters.page = parse_int(params.get("page"), default=1, minimum=1, maximum=PAGE_MAX)
        return filters

    def as_params(self, **change) -> dict[str, str]:
        """The URL parameters of these filters, with ``change`` applied (a value of ""
        removes a filter); the page goes back to 1 unless given."""
        values = {name: getattr(self, name) for name in ("q", *FACETS)}
        values.update(change)
        values["page"] = change.get("page", 1)
        return {k: str(v) for k, v in values.items() if v and not (k == "page" and v == 1)}

    @property
    def active(self) -> bool:
        return bool(self.q or any(getattr(self, name) for name in FACETS))


def _filtered(filters: Filters, *, skip: str | None = None) -> QuerySet[Pole]:
    poles = Pole.objects.all()
    for word in fold(filters.q).split():
        poles = poles.filter(search_text__contains=word)
    if filters.region and skip != "region":
        poles = poles.filter(region_code=filters.region)
    if filters.department and skip != "department":
        poles = poles.filter(department_code=filters.department)
    if filters.status and skip != "status":
        poles = poles.filter(status=filters.status)
    if filters.activity and skip != "activity":
        poles = poles.filter(activities__slug=filters.activity)
    if filters.network and skip != "network":
        poles = poles.filter(networks__slug=filters.network)
    if filters.category and skip != "category":
        poles = poles.filter(member_categories__contains=f" {filters.category} ")
    return poles


def _counts(queryset: QuerySet, column: str) -> dict[str, int]:
    return {
        row[column]: row["n"]
        for row in queryset.order_by().values(column).annotate(n=Count("pk", distinct=True))
        if row[column]
    }


def directory(filters: Filters) -> dict:
    """One page of poles and the facets' counts. Each facet counts the poles matching
    every *other* filter, so that its values say what choosing them would give."""
    poles = _filtered(filters)
    results = (
        poles.order_by("name", "pk")
        .only(
            "name",
            "slug",
            "status",
            "commune_name",
            "department_code",
            "region_code",
            "is_demo",
            "description",
        )
        .prefetch_related("activities")
    )
    page = Paginator(results, PAGE_SIZE).get_page(filters.page)
    return {"page": page, "total": page.paginator.count, "facets": facets(filters)}


def facets(filters: Filters) -> list[dict]:
    """The directory's filters with their counts (the directory and the map show them)."""
    regions = _counts(_filtered(filters, skip="region"), "region_code")
    departments = _counts(_filtered(filters, skip="department"), "department_code")
    statuses = _counts(_filtered(filters, skip="status"), "status")
    activities = _counts(_filtered(filters, skip="activity"), "activities__slug")
    networks = _counts(_filtered(filters, skip="network"), "networks__slug")
    # one pass over the poles, no join: the categories are kept on each pole by the check
    counted = _filtered(filters, skip="category").aggregate(
        **{
            value: Count("pk", distinct=True, filter=Q(member_categories__contains=f" {value} "))
            for value in Organisation.Category.values
        }
    )
    categories = {value: n for value, n in counted.items() if n}
    activity_names = dict(Activity.objects.values_list("slug", "name"))
    network_names = dict(Network.objects.values_list("slug", "name"))
    status_labels = dict(Pole.Status.choices)
    category_labels = dict(Organisation.Category.choices)

    def facet(name, label, counts, names, *, sort_by_label=True):
        values = [
            {"value": value, "label": names.get(value, value), "count": n}
            for value, n in counts.items()
            if value in names
        ]
        if getattr(filters, name) and getattr(filters, name) not in counts:
            current = getattr(filters, name)
            values.append({"value": current, "label": names.get(current, current), "count": 0})
        key = (lambda v: fold(str(v["label"]))) if sort_by_label else (lambda v: -v["count"])
        return {"name": name, "label": label, "values": sorted(values, key=key)}

    department_names = {
        code: f"{name} ({code})" for code, (name, _region) in geo.departments().items()
    }
    return [
        facet("status", _("Status"), statuses, status_labels),
        facet("region", _("Region"), regions, geo.regions()),
        facet("department", _("Department"), departments, department_names),
        facet("activity", _("Activity"), activities, activity_names),
        facet("category", _("Members"), categories, category_labels),
        facet("network", _("Network"), networks, network_names),
    ]


def pole_detail(slug: str) -> Pole:
    return (
        Pole.objects.prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            ),
            "territory",
            Prefetch("laureates", queryset=Laureate.objects.order_by("year")),
            "activities",
            "networks",
        )
        .filter(slug=slug)
        .first()
    )


def members_by_category(pole: Pole) -> list[dict]:
    labels = dict(Organisation.Category.choices)
    groups: dict[str, list[Membership]] = {}
    for membership in pole.memberships.all():
        groups.setdefault(membership.organisation.category, []).append(membership)
    return [
        {"category": category, "label": labels[category], "memberships": groups[category]}
        for category in Organisation.Category.values
        if category in groups
    ]


def organisation_detail(slug: str) -> Organisation | None:
    return (
        Organisation.objects.prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("pole"))
        )
        .filter(slug=slug)
        .first()
    )


def organisation_by_slug(slug: str) -> Organisation | None:
    """The organisation alone (no memberships), or None."""
    return Organisation.objects.filter(slug=slug).first()


def network_detail(slug: str) -> Network | None:
    return (
        Network.objects.prefetch_related(Prefetch("poles", queryset=Pole.objects.order_by("name")))
        .filter(slug=slug)
        .first()
    )


def networks() -> QuerySet[Network]:
    return Network.objects.annotate(pole_count=Count("poles")).order_by(
        "-is_source_partner", "name"
    )


# --- the map ---------------------------------------------------------------------------------

CLUSTER_CELL_PX = 64  # the clusters' grid, in screen pixels (tiles are 256 px)
CLUSTER_UNTIL_ZOOM = 13  # closer than this, every pole is shown on its own
MAP_MAX_POINTS = 2000  # more single poles than this in view: they are clustered anyway


_DECIMAL = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,12})?", re.ASCII)


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, value: str) -> "BBox | None":
        """Four decimal numbers in ASCII (float() would also take « ١٢ », « nan », « 1_0 »)."""
        parts = str(value or "")[:200].split(",")
        if len(parts) != 4 or not all(_DECIMAL.fullmatch(p.strip()) for p in parts):
            return None
        west, south, east, north = (float(p) for p in parts)
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south < north <= 90):
            return None
        return cls(west, south, east, north)


def map_points(filters: Filters, *, zoom: int, bbox: BBox | None) -> dict:
    """The poles in view, grouped on a grid of CLUSTER_CELL_PX pixels at this zoom (in the
    database: one GROUP BY, whatever the number of poles); a cell of one pole is the pole."""
    poles = _filtered(filters).filter(latitude__isnull=False, longitude__isnull=False)
    if bbox is not None:
        poles = poles.filter(latitude__gte=bbox.south, latitude__lte=bbox.north)
        if bbox.west <= bbox.east:
            poles = poles.filter(longitude__gte=bbox.west, longitude__lte=bbox.east)
        else:  # across the antimeridian
            poles = poles.exclude(longitude__gt=bbox.east, longitude__lt=bbox.west)
    zoom = max(0, min(zoom, 20))
    # degrees of longitude per cell (a plain grid in degrees: near enough at French
    # latitudes, and the same cells for every request at this zoom)
    cell = 360 / (2**zoom) * CLUSTER_CELL_PX / 256
    singles: list[int] = []
    clusters = []
    if zoom < CLUSTER_UNTIL_ZOOM or poles.count() > MAP_MAX_POINTS:
        cells = (
            poles.order_by()
            .annotate(gx=Floor(F("longitude") / cell), gy=Floor(F("latitude") / cell))
            .values("gx", "gy")
            .annotate(
                n=Count("pk", distinct=True),
                lat=Avg("latitude"),
                lon=Avg("longitude"),
                first=Min("pk"),
                last=Max("pk"),
            )
        )
        for row in cells:
            if row["n"] == 1:
                singles.append(row["first"])
            else:
                clusters.append(
                    {"lat": round(row["lat"], 5), "lon": round(row["lon"], 5), "count": row["n"]}
                )
        shown = Pole.objects.filter(pk__in=singles)
    else:
        shown = poles
    points = [
        {
            "lat": pole.latitude,
            "lon": pole.longitude,
            "name": pole.name,
            "slug": pole.slug,
            "status": pole.status,
            "approximate": pole.located_by not in ("", "commune"),
        }
        for pole in shown.order_by().only(
            "latitude", "longitude", "name", "slug", "status", "located_by"
        )
    ]
    return {
        "clusters": clusters,
        "poles": points,
        "total": sum(c["count"] for c in clusters) + len(points),
    }


# --- moderation ------------------------------------------------------------------------------

SIMILAR = 0.85  # difflib ratio of the names' keys (registry.names), within one commune
# the newest rows compared with the others of their commune, and the most pairs read and
# compared on one load of the moderation page: the work is bounded whatever the size of
# the registry (rows and pairs come from indexes, and the query stops at these limits)
DUPLICATE_RECENT = 5000
DUPLICATE_CANDIDATES = 5_000
# letters of a name key compared (the comparison costs their square)
DUPLICATE_KEY_CHARS = 48


def _candidate_pairs(model, *, recent: int, candidates: int) -> list[tuple]:
    """Pairs (newer, older) of rows of the same commune whose names may be the same: the
    ``recent`` newest rows, each with the older rows of its commune and name block (the
    (commune_code, name_block) index), of a length that a ratio of SIMILAR allows; on
    PostgreSQL, pg_trgm's ``%`` (similar trigrams) keeps only the likely ones in the
    database."""
    from django.db import connection

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ("id", "name", "commune_code", "slug", "name_key")
    inner = ", ".join(quote(n) for n in (*names, "name_block"))
    columns = ", ".join(f"{side}.{quote(n)}" for side in ("a", "b") for n in names)
    # 2·matches / (len_a + len_b) >= 0.85 needs min/max >= 0.85 / 1.15
    lengths = (
        "115 * LENGTH(b.name_key) >= 85 * LENGTH(a.name_key)"
        " AND 115 * LENGTH(a.name_key) >= 85 * LENGTH(b.name_key)"
    )
    trigrams = " AND b.name_key %% a.name_key" if connection.vendor == "postgresql" else ""
    sql = (
        f"SELECT {columns} FROM (SELECT {inner} FROM {table}"  # noqa: S608 - names only
        " WHERE commune_code <> '' AND name_key <> '' ORDER BY id DESC LIMIT %s) a"
        f" JOIN {table} b ON b.commune_code = a.commune_code AND b.name_block = a.name_block"
        f" AND b.id < a.id AND {lengths}{trigrams} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [recent, candidates])
        return cursor.fetchall()


def similar_names(
    model,
    *,
    limit: int = 100,
    recent: int = DUPLICATE_RECENT,
    candidates: int = DUPLICATE_CANDIDATES,
) -> list:
    """At most ``limit`` pairs ((pk, name, commune, slug), (pk, name, commune, slug)) of
    poles or organisations of the same commune with similar names (newest first): one
    query, at most ``candidates`` pairs compared."""
    from difflib import SequenceMatcher

    pairs = []
    for row in _candidate_pairs(model, recent=recent, candidates=candidates):
        a, b = row[:5], row[5:]
        # the cost of a comparison grows with the square of the names' length: compared
        # on their first DUPLICATE_KEY_CHARS letters (a name is told apart long before),
        # after the cheap upper bounds
        matcher = SequenceMatcher(
            None, a[4][:DUPLICATE_KEY_CHARS], b[4][:DUPLICATE_KEY_CHARS], autojunk=False
        )
        if (
            matcher.real_quick_ratio() >= SIMILAR
            and matcher.quick_ratio() >= SIMILAR
            and matcher.ratio() >= SIMILAR
        ):
            pairs.append((a[:4], b[:4]))
            if len(pairs) >= limit:
                break
    return pairs


def likely_duplicates(*, limit: int = 100) -> dict:
    """Organisations sharing a SIREN, and poles or organisations with similar names in
    the same commune: at most ``limit`` of each, in a fixed number of queries."""
    same_siren = list(
        Organisation.objects.exclude(siren="")
        .values("siren")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("siren")
        .values_list("siren", flat=True)[:limit]
    )
    items: dict[str, list[Organisation]] = {}
    for organisation in (
        Organisation.objects.filter(siren__in=same_siren)
        .only("name", "slug", "siren")
        .order_by("siren", "name", "pk")
    ):
        items.setdefault(organisation.siren, []).append(organisation)
    return {
        "same_siren": [{"siren": siren, "items": items.get(siren, [])} for siren in same_siren],
        "similar_poles": similar_names(Pole, limit=limit),
        "similar_organisations": similar_names(Organisation, limit=limit),
    }


MODERATION_LIST = 50  # claims and suggestions shown at once (the oldest first)


def pending_claims(*, limit: int = MODERATION_LIST) -> dict:
    """The oldest pending claims, at most ``limit``, and how many are pending."""
    pending = PoleClaim.objects.filter(status=PoleClaim.Status.PENDING)
    return {
        "items": list(pending.select_related("pole").order_by("created_at", "pk")[:limit]),
        "total": pending.count(),
    }


def pending_suggestions(*, limit: int = MODERATION_LIST) -> dict:
    """The oldest pending suggestions, at most ``limit``, and how many are pending."""
    pending = Suggestion.objects.filter(status=Suggestion.Status.PENDING)
    return {
        "items": list(pending.select_related("pole").order_by("created_at", "pk")[:limit]),
        "total": pending.count(),
    }


def claim(claim_id: int | None) -> PoleClaim | None:
    return PoleClaim.objects.filter(pk=claim_id).first() if claim_id else None


def suggestion(suggestion_id: int | None) -> Suggestion | None:
    return Suggestion.objects.filter(pk=suggestion_id).first() if suggestion_id else None


# --- the pages of a pole's managers and of the editors ---------------------------------------


def pole_by_slug(slug: str) -> Pole | None:
    """The pole itself, nothing joined (the forms about a pole, its edit page)."""
    return Pole.objects.filter(slug=slug).first()


def import_batch_of(pk: int, *, user) -> ImportBatch | None:
    """An import this person started (its file left aside)."""
    return ImportBatch.objects.defer("raw").filter(pk=pk, created_by=user).first()


def activities() -> list[Activity]:
    return list(Activity.objects.all())


def pole_revisions(pole: Pole, *, limit: int = 50) -> list[PoleRevision]:
    """A pole's latest changes, with who made them."""
    return list(pole.revisions.select_related("user")[:limit])


# --- panels of the pages that join the apps (portal: home, account space) ---------------


def directory_summary() -> dict:
    """The home page's directory panel: how many poles and networks (two queries)."""
    return {"poles": Pole.objects.count(), "networks": Network.objects.count()}


def poles_managed_by(*, user) -> list[Pole]:
    """The poles whose entry this person manages (their claim was approved)."""
    if not user.is_authenticated:
        return []
    return list(Pole.objects.filter(managers=user).order_by("name").only("name", "slug"))


def networks_managed_by(*, user) -> list[Network]:
    """The networks whose entry this person manages."""
    if not user.is_authenticated:
        return []
    return list(Network.objects.filter(managers=user).order_by("name").only("name", "slug"))


def claims_pending_for(*, user) -> list[PoleClaim]:
    """This person's requests to manage an entry that an editor has not decided yet (the
    request carries the address typed, the account's address here)."""
    if not user.is_authenticated or not user.email:
        return []
    return list(
        PoleClaim.objects.filter(email__iexact=user.email, status=PoleClaim.Status.PENDING)
        .select_related("pole")
        .order_by("created_at")
    )


# --- the legal check (reads: nothing is written) ------------------------------------------


def subject_of(pole: Pole) -> rules.Subject:
    """The rules' view of a pole (uses prefetched memberships, territory and laureates
    when present)."""
    memberships = pole.memberships.all()
    return rules.Subject(
        siren=pole.siren,
        legal_form=pole.legal_form,
        strategy=pole.strategy,
        territory=tuple(area.code for area in pole.territory.all()),
        members=tuple(
            rules.Member(
                name=m.organisation.name,
                role=m.role,
                category=m.organisation.category,
                ess_status=m.organisation.ess_status,
                commune_code=m.organisation.commune_code,
                has_siren=bool(m.organisation.siren),
            )
            for m in sorted(memberships, key=lambda m: m.organisation.name)
        ),
        laureate_years=tuple(sorted(la.year for la in pole.laureates.all())),
    )


def pole_check_report(pole: Pole) -> rules.Report:
    """The report of the check, for reading (nothing is written)."""
    return rules.check(subject_of(pole))


def pole_eligibility(pole: Pole) -> rules.Eligibility:
    """Whether the pole may apply to a State call (R8 included), for the calls."""
    return rules.eligibility(subject_of(pole))


def poles_for_check():
    return Pole.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("organisation")),
        "territory",
        "laureates",
    )
