"""Reads for deciding: a stage's ranking (with its balance tables and score chart), the
call's decisions and budget, the public laureates and the awards as open data.

Each read runs a fixed number of queries whatever the number of files.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import FloatField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from calls import ranking
from calls.models import (
    Application,
    Assignment,
    Call,
    Decision,
    Juror,
    LogEntry,
    Score,
    Stage,
)
from calls.services.jury import blocked_pairs
from core.chart import bar_chart
from core.input import parse_int
from core.text import fold
from registry import geo
from registry.models import Membership, Organisation


def final_stage(call: Call, stages=None) -> Stage | None:
    """The call's last stage (the one whose files are decided)."""
    stages = list(stages if stages is not None else call.stages.all())
    return max(stages, key=lambda s: (s.position, s.pk)) if stages else None


def next_stage(stage: Stage) -> Stage | None:
    return (
        Stage.objects.filter(call_id=stage.call_id)
        .filter(Q(position__gt=stage.position) | Q(position=stage.position, pk__gt=stage.pk))
        .order_by("position", "pk")
        .first()
    )


def grid_for(stage: Stage, criteria) -> ranking.Grid:
    return ranking.Grid(
        criteria=[
            ranking.Criterion(
                id=c.pk,
                label=c.label,
                weight=float(c.weight),
                eliminatory_min=None if c.eliminatory_min is None else float(c.eliminatory_min),
            )
            for c in criteria
        ],
        scale_max=float(stage.scale_max),
        cutoff=None if stage.cutoff is None else float(stage.cutoff),
    )


class Scored(NamedTuple):
    """A scored file's place and figures (``ranking.FileResult`` without its criterion
    means): a tuple, so that 2,000 of them leave the cache in a few milliseconds."""

    position: int
    tied: bool
    raw: float
    normalised: float
    jurors: int
    eliminated_on: tuple
    below_cutoff: bool
    spread: float
    spread_flag: bool

    @property
    def passes(self) -> bool:
        return not self.eliminated_on and not self.below_cutoff


class Placed(NamedTuple):
    """One file in a stage's standing: ids, numbers and registry names only."""

    application_id: int
    result: Scored | None  # None: not scored
    region: str  # the pole's region (its name, from the registry), "" when unknown
    category: str  # the initiator's Organisation.Category value, "" when none is known
    eliminated_labels: tuple = ()
    passed_on: bool = False
    line_before: str = ""  # "quota", "cutoff": the page draws the line above this file


class CriterionLine(NamedTuple):
    label: str
    weight: Decimal
    eliminatory_min: Decimal | None


@dataclass
class Standing:
    """A stage's ranking as every manager of the call sees it, computed on all its files:
    ids, numbers, codes and names from the database, no model instance, no user's and no
    language's text, so that one computation serves every viewer in every language
    (``cached_standing``)."""

    stage_id: int
    criteria: list  # [CriterionLine]
    ranked: list  # [Placed], in ranking order
    unscored: list  # [Placed] of the files without any complete submitted review
    regions: list  # [(region name or None, applications, proposed)]
    categories: list  # [(category value or None, applications, proposed)]
    chart: dict
    is_final: bool
    next_stage_id: int | None
    next_stage_name: str
    proposed: frozenset  # the files the balance tables count as proposed (or laureates)

    @property
    def entries(self) -> list:
        return self.ranked + self.unscored

    def ranked_ids(self) -> set:
        return {p.application_id for p in self.ranked}


def _files(stage: Stage) -> list[tuple]:
    """(id, pole id, stage id, region code, decision outcome, category of the pole's first
    initiator) of the submitted files reviewed in this stage, or in it now; by id."""
    initiator = (
        Membership.objects.filter(pole_id=OuterRef("pole_id"), role=Membership.Role.INITIATOR)
        .order_by("pk")
        .values("organisation__category")[:1]
    )
    return list(
        Application.objects.filter(status=Application.Status.SUBMITTED, call_id=stage.call_id)
        .filter(
            Q(stage=stage)
            | Q(pk__in=Assignment.objects.filter(stage=stage).values("application_id"))
        )
        .order_by("pk")
        .values_list(
            "pk",
            "pole_id",
            "stage_id",
            "pole__region_code",
            "decision__outcome",
            Subquery(initiator),
        )
    )


def _reviews(stage: Stage, criteria) -> dict:
    """{file: {juror: {criterion: score}}} from the submitted reviews with a score on
    every criterion of the grid."""
    wanted = {c.pk for c in criteria}
    reviews: dict = {}
    scores = Score.objects.filter(
        review__assignment__stage=stage, review__submitted_at__isnull=False
    ).values_list(
        "review__assignment__application_id",
        "review__assignment__juror_id",
        "criterion_id",
        Cast("value", FloatField()),
    )
    # 3 rows a review: read as the driver gives them (numbers already), without the ORM's
    # conversion of each row
    sql, params = scores.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # a juror found conflicted on a file after scoring it no longer weighs on its rank
    blocked = blocked_pairs(
        call_id=stage.call_id, jurors=Juror.objects.filter(stage=stage).only("pk", "user_id")
    )
    for file, juror, criterion, value in rows:
        if blocked and (juror, file) in blocked:
            continue
        by_juror = reviews.get(file)
        if by_juror is None:
            by_juror = reviews[file] = {}
        scores = by_juror.get(juror)
        if scores is None:
            scores = by_juror[juror] = {}
        scores[criterion] = value
    complete: dict = {}
    for file, by_juror in reviews.items():
        kept = {j: s for j, s in by_juror.items() if s.keys() == wanted}
        if kept:
            complete[file] = kept
    return complete


def _distribution(results, scale_max: int) -> dict:
    """The raw scores counted by unit of the scale (the last bin holds the maximum)."""
    counts = [0] * scale_max
    for r in results:
        counts[min(int(r.raw), scale_max - 1)] += 1
    points = [(f"{i}–{i + 1}", n) for i, n in enumerate(counts)]
    # as wide as its bars (48 each): the labels at both ends then sit under the first and
    # the last bar
    return bar_chart(points, width=48 * len(points), height=160)


def compute_standing(stage: Stage, *, stages=None, criteria=None) -> Standing:
    """The stage's standing, read now from the database (six queries whatever the number
    of files; fewer when ``stages`` and ``criteria`` are given)."""
    if stages is None:
        stages = list(Stage.objects.filter(call_id=stage.call_id).order_by("position", "pk"))
    if criteria is None:
        criteria = list(stage.criteria.all())
    files = _files(stage)
    reviews = _reviews(stage, criteria)
    final = final_stage(None, stages)
    is_final = final is not None and final.pk == stage.pk
    following = [s for s in stages if (s.position, s.pk) > (stage.position, stage.pk)]
    results = ranking.rank(
        {f[0]: reviews[f[0]] for f in files if f[0] in reviews},
        grid_for(stage, criteria),
        spread_threshold=None if stage.spread_threshold is None else float(stage.spread_threshold),
    )
    by_pk = {f[0]: f for f in files}
    labels = {c.pk: c.label for c in criteria}

    def placed(file, result, line=""):
        pk, _pole_id, stage_id, region_code, _outcome, category = file
        return Placed(
            application_id=pk,
            result=None
            if result is None
            else Scored(
                position=result.position,
                tied=result.tied,
                raw=result.raw,
                normalised=result.normalised,
                jurors=result.jurors,
                eliminated_on=tuple(result.eliminated_on),
                below_cutoff=result.below_cutoff,
                spread=result.spread,
                spread_flag=result.spread_flag,
            ),
            region=(geo.region_name(region_code) if region_code else "") or "",
            category=category or "",
            eliminated_labels=tuple(labels[c] for c in result.eliminated_on) if result else (),
            passed_on=stage_id is not None and stage_id != stage.pk,
            line_before=line,
        )

    if is_final:
        proposed = {f[0] for f in files if f[4] == Decision.Outcome.LAUREATE}
    elif stage.closed_at is not None:
        proposed = {f[0] for f in files if f[2] is not None and f[2] != stage.pk}
    else:
        # before the stage closes: the best files that pass its minima, up to passes_on
        passing = [r.file for r in results if r.passes]
        proposed = set(passing[: stage.passes_on] if stage.passes_on is not None else passing)
    # where the page draws a line: after the files that pass on (an open stage with a
    # quota), and above the first file under the cut-off or a minimum
    quota = (
        stage.passes_on
        if not is_final and stage.closed_at is None and stage.passes_on is not None
        else None
    )
    ranked = []
    for index, r in enumerate(results):
        line = ""
        if not r.passes and (index == 0 or results[index - 1].passes):
            line = "cutoff"
        elif quota is not None and index == quota and r.passes:
            line = "quota"
        ranked.append(placed(by_pk[r.file], r, line))
    unscored = [placed(f, None) for f in files if f[0] not in reviews]
    everyone = ranked + unscored
    regions = ranking.territorial_balance(
        {p.application_id: p.region or None for p in everyone}, proposed
    )
    by_category = ranking.territorial_balance(
        {p.application_id: p.category or None for p in everyone}, proposed
    )
    return Standing(
        stage_id=stage.pk,
        criteria=[CriterionLine(c.label, c.weight, c.eliminatory_min) for c in criteria],
        ranked=ranked,
        unscored=unscored,
        regions=[(b.region, b.applications, b.proposed) for b in regions],
        categories=[(b.region, b.applications, b.proposed) for b in by_category],
        chart=_distribution(results, stage.scale_max),
        is_final=is_final,
        next_stage_id=following[0].pk if following else None,
        next_stage_name=following[0].name if following else "",
        proposed=frozenset(proposed),
    )


# --- the cached standing --------------------------------------------------------------------

#: A standing is recomputed at the call's next logged change; this bounds how long a
#: change made outside the call (a pole's region or initiator in the registry) waits.
STANDING_CACHE_SECONDS = 10 * 60
_CACHE_FORMAT = 1  # bumped when ``Standing`` changes shape: old entries are then ignored


def standing_key(call: Call, stage: Stage) -> str:
    """The cache key of the stage's standing as of now: the head of the call's log. Every
    state change a ranking reads (a review submitted, a conflict found or decided, an
    assignment, a decision, the grid, the stages, a file submitted, withdrawn, reopened or
    passed on) is logged by its service (``calls.ledger.record``), inside its transaction:
    a new entry, a new key, the old standing is never read again. One query."""
    head = (
        LogEntry.objects.filter(call_id=call.pk)
        .order_by("-sequence")
        .values_list("sequence", "digest")
        .first()
    )
    sequence, digest = head if head is not None else (0, "")
    # the call's creation time and the digest tell a database restored or rebuilt apart
    # from the one the cache was filled from (ids and sequences start over there)
    born = int(call.created_at.timestamp() * 1_000_000) if call.created_at else 0
    return f"calls:standing:{_CACHE_FORMAT}:{call.pk}:{born}:{stage.pk}:{sequence}:{digest[:16]}"


def cached_standing(call: Call, stage: Stage) -> Standing:
    """``compute_standing`` through the cache (``standing_key``). What is cached is the same
    for every viewer: the views check who may see it before they ask for it."""
    key = standing_key(call, stage)
    standing = cache.get(key)
    if standing is None:
        standing = compute_standing(stage)
        cache.set(key, standing, STANDING_CACHE_SECONDS)
    return standing


def region_label(name) -> str:
    return name or _("no region")


def _named_regions(regions) -> list:
    """The region rows with « no region » in the reader's language, by name, that one last."""
    return [(region_label(name), n, k) for name, n, k in regions]


def category_label(value) -> str:
    return dict(Organisation.Category.choices).get(value) or _("no initiator known")


# --- the ranking page: one page of the standing, with its files --------------------------

RANKING_PAGE_SIZE = 50


@dataclass
class Row:
    application: Application
    result: ranking.FileResult | None  # None: not scored
    region: str
    category: str
    eliminated_labels: list = field(default_factory=list)
    passed_on: bool = False
    line_before: str = ""


def _rows(entries, applications: dict) -> list[Row]:
    category_names = dict(Organisation.Category.choices)
    return [
        Row(
            application=applications[p.application_id],
            result=p.result,
            region=p.region,
            category=category_names.get(p.category, "") if p.category else "",
            eliminated_labels=list(p.eliminated_labels),
            passed_on=p.passed_on,
            line_before=p.line_before,
        )
        for p in entries
        if p.application_id in applications
    ]


def _applications(ids) -> dict:
    return Application.objects.select_related("pole", "decision").in_bulk(list(ids))


class NextStage(NamedTuple):
    pk: int
    name: str


@dataclass
class RankingPage:
    standing: Standing
    page: Page  # of the standing's entries (ranked, then unscored)
    rows: list  # [Row] of this page
    regions: list  # [(region name, applications, proposed)]
    categories: list  # [(category label, applications, proposed)]
    line_pages: list  # [(kind, page number)]: where the lines are

    @property
    def criteria(self) -> list:
        return self.standing.criteria

    @property
    def chart(self) -> dict:
        return self.standing.chart

    @property
    def is_final(self) -> bool:
        return self.standing.is_final

    @property
    def next_stage(self) -> NextStage | None:
        s = self.standing
        return None if s.next_stage_id is None else NextStage(s.next_stage_id, s.next_stage_name)


def page_of(standing: Standing, application_id: int, size: int = RANKING_PAGE_SIZE) -> int | None:
    """The page number that shows this file, None when it is not in the standing."""
    for index, p in enumerate(standing.entries):
        if p.application_id == application_id:
            return index // size + 1
    return None


def find_in_standing(call: Call, standing: Standing, query: str) -> int | None:
    """The id of the file a manager looks for on the ranking page: its rank (a number), or
    a part of its pole's name or project title (the best ranked of the files that match);
    None when nothing matches."""
    entries = standing.entries
    rank = parse_int(query, minimum=0)  # ASCII digits only: « ² » or « ① » is a name to look for
    if rank is not None:
        ranked = standing.ranked
        return ranked[rank - 1].application_id if 1 <= rank <= len(ranked) else None
    matching = set(
        Application.objects.filter(call=call)
        .filter(Q(pole__name__icontains=query) | Q(project_title__icontains=query))
        .values_list("pk", flat=True)
    )
    return next((p.application_id for p in entries if p.application_id in matching), None)


def ranking_page(call: Call, stage: Stage, *, page=1, size: int = RANKING_PAGE_SIZE):
    """One page of the stage's ranking for its managers: the cached standing, then the files
    of this page only. Two queries when the standing is cached (the head of the call's
    log, this page's files), eight when it is computed, whatever the number of files."""
    standing = cached_standing(call, stage)
    current = Paginator(standing.entries, size, allow_empty_first_page=True).get_page(page)
    applications = (
        Application.objects.select_related("pole")
        .only("pk", "project_title", "pole__name", "pole__slug")
        .in_bulk([p.application_id for p in current.object_list])
    )
    return RankingPage(
        standing=standing,
        page=current,
        rows=_rows(current.object_list, applications),
        regions=_named_regions(standing.regions),
        categories=[(category_label(value), n, k) for value, n, k in standing.categories],
        line_pages=[
            (p.line_before, index // size + 1)
            for index, p in enumerate(standing.ranked)
            if p.line_before
        ],
    )


# --- the whole ranking, for the services, the decisions page and the minutes ---------------


@dataclass
class StageRanking:
    stage: Stage
    criteria: list
    rows: list  # ranked, in order
    unscored: list  # rows of files without any submitted review
    regions: list  # [(region name, applications, proposed)]
    categories: list  # [(category label, applications, proposed)]
    chart: dict
    is_final: bool
    next_stage: Stage | None
    jurors: list

    def ranked_ids(self) -> set:
        return {row.application.pk for row in self.rows}


def ranking_for_stage(stage: Stage) -> StageRanking:
    """The stage's whole ranking, read now (never from the cache: the services decide on
    it), with every file's application and pole."""
    stages = list(Stage.objects.filter(call_id=stage.call_id).order_by("position", "pk"))
    criteria = list(stage.criteria.all())
    standing = compute_standing(stage, stages=stages, criteria=criteria)
    applications = _applications(p.application_id for p in standing.entries)
    following = [s for s in stages if s.pk == standing.next_stage_id]
    return StageRanking(
        stage=stage,
        criteria=criteria,
        rows=_rows(standing.ranked, applications),
        unscored=_rows(standing.unscored, applications),
        regions=_named_regions(standing.regions),
        categories=[(category_label(value), n, k) for value, n, k in standing.categories],
        chart=standing.chart,
        is_final=standing.is_final,
        next_stage=following[0] if following else None,
        jurors=list(Juror.objects.filter(stage=stage).order_by("name", "pk")),
    )


# --- the call's decisions and budget -------------------------------------------------------


@dataclass
class Budget:
    budget: Decimal | None
    granted: Decimal
    laureates: int

    @property
    def left(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.granted


def laureates_total(call: Call) -> Decimal:
    total = Decision.objects.filter(
        application__call=call, outcome=Decision.Outcome.LAUREATE
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0")


def budget_for(call: Call) -> Budget:
    laureates = Decision.objects.filter(application__call=call, outcome=Decision.Outcome.LAUREATE)
    return Budget(
        budget=call.budget,
        granted=laureates.aggregate(total=Sum("amount"))["total"] or Decimal("0"),
        laureates=laureates.count(),
    )


def decisions_for(call: Call) -> list[Decision]:
    return list(
        Decision.objects.filter(application__call=call)
        .select_related("application__pole")
        .order_by("outcome", "application__pole__name", "pk")
    )


# --- public: the laureates and the awards ----------------------------------------------------


def published_laureates(call: Call) -> list[Decision]:
    """The call's laureates in French alphabetical order of their pole (« Pôle des
    Alpilles » before « Pôle Sud Archer », whatever the database's collation)."""
    decisions = Decision.objects.filter(
        application__call=call, outcome=Decision.Outcome.LAUREATE
    ).select_related("application__pole")
    return sorted(decisions, key=lambda d: (fold(d.application.pole.name), d.pk))


def awards() -> list[Decision]:
    """Every laureate decision of the calls whose results are published."""
    return list(
        Decision.objects.filter(
            outcome=Decision.Outcome.LAUREATE,
            application__call__results_published_at__isnull=False,
        )
        .select_related("application__pole", "application__call")
        .order_by("application__call__results_published_at", "application__pole__name", "pk")
    )


def pole_calls(pole) -> list[Application]:
    """The pole's submitted applications to calls whose results are public."""
    return list(
        Application.objects.filter(
            pole=pole,
            status=Application.Status.SUBMITTED,
            call__results_published_at__isnull=False,
        )
        .select_related("call", "decision")
        .order_by("-call__opens_at", "pk")
    )
