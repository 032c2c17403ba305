"""Reads for deciding: a stage's ranking (with its balance tables and score chart), the
call's decisions and budget, the public laureates and the awards as open data.

Each read runs a fixed number of queries whatever the number of files.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from calls import ranking
from calls.models import Application, Call, Decision, Juror, Score, Stage
from calls.services.jury import blocked_pairs
from core.chart import bar_chart
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


@dataclass
class Row:
    application: Application
    result: ranking.FileResult | None  # None: not scored
    region: str
    category: str
    eliminated_labels: list = field(default_factory=list)
    passed_on: bool = False


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


def _files(stage: Stage) -> list[Application]:
    """The submitted files reviewed in this stage, or in it now."""
    return list(
        Application.objects.filter(status=Application.Status.SUBMITTED, call_id=stage.call_id)
        .filter(Q(stage=stage) | Q(assignments__stage=stage))
        .distinct()
        .select_related("pole", "decision")
        .order_by("pk")
    )


def _reviews(stage: Stage, criteria) -> dict:
    """{file: {juror: {criterion: score}}} from the submitted reviews with a score on
    every criterion of the grid."""
    wanted = {c.pk for c in criteria}
    reviews: dict = {}
    rows = Score.objects.filter(
        review__assignment__stage=stage, review__submitted_at__isnull=False
    ).values_list(
        "review__assignment__application_id",
        "review__assignment__juror_id",
        "criterion_id",
        "value",
    )
    # a juror found conflicted on a file after scoring it no longer weighs on its rank
    blocked = blocked_pairs(
        call_id=stage.call_id, jurors=Juror.objects.filter(stage=stage).only("pk", "user_id")
    )
    for file, juror, criterion, value in rows:
        if (juror, file) in blocked:
            continue
        reviews.setdefault(file, {}).setdefault(juror, {})[criterion] = float(value)
    complete: dict = {}
    for file, by_juror in reviews.items():
        kept = {j: s for j, s in by_juror.items() if set(s) == wanted}
        if kept:
            complete[file] = kept
    return complete


def _lead_categories(pole_ids) -> dict:
    """{pole id: category of its initiator (the first one)}."""
    categories: dict = {}
    rows = (
        Membership.objects.filter(pole_id__in=pole_ids, role=Membership.Role.INITIATOR)
        .order_by("pk")
        .values_list("pole_id", "organisation__category")
    )
    for pole_id, category in rows:
        categories.setdefault(pole_id, category)
    return categories


def _distribution(results, scale_max: int) -> dict:
    """The raw scores counted by unit of the scale (the last bin holds the maximum)."""
    counts = [0] * scale_max
    for r in results:
        counts[min(int(r.raw), scale_max - 1)] += 1
    points = [(f"{i}–{i + 1}", n) for i, n in enumerate(counts)]
    # as wide as its bars (48 each): the labels at both ends then sit under the first and
    # the last bar
    return bar_chart(points, width=48 * len(points), height=160)


def ranking_for_stage(stage: Stage) -> StageRanking:
    stages = list(Stage.objects.filter(call_id=stage.call_id).order_by("position", "pk"))
    criteria = list(stage.criteria.all())
    files = _files(stage)
    reviews = _reviews(stage, criteria)
    categories = _lead_categories({a.pole_id for a in files})
    jurors = list(Juror.objects.filter(stage=stage).order_by("name", "pk"))
    final = final_stage(stage.call, stages)
    is_final = final is not None and final.pk == stage.pk
    following = [s for s in stages if (s.position, s.pk) > (stage.position, stage.pk)]

    results = ranking.rank(
        {f.pk: reviews[f.pk] for f in files if f.pk in reviews},
        grid_for(stage, criteria),
        spread_threshold=None if stage.spread_threshold is None else float(stage.spread_threshold),
    )
    by_pk = {f.pk: f for f in files}
    labels = {c.pk: c.label for c in criteria}
    category_names = dict(Organisation.Category.choices)

    def row(application, result):
        return Row(
            application=application,
            result=result,
            region=geo.region_name(application.pole.region_code) or "",
            category=categories.get(application.pole_id, ""),
            eliminated_labels=[labels[c] for c in result.eliminated_on] if result else [],
            passed_on=application.stage_id is not None and application.stage_id != stage.pk,
        )

    rows = [row(by_pk[r.file], r) for r in results]
    unscored = [row(f, None) for f in files if f.pk not in reviews]
    everyone = rows + unscored

    if is_final:
        proposed = {
            r.application.pk
            for r in everyone
            if getattr(r.application, "decision", None) is not None
            and r.application.decision.outcome == Decision.Outcome.LAUREATE
        }
    elif stage.closed_at is not None:
        proposed = {r.application.pk for r in everyone if r.passed_on}
    else:
        # before the stage closes: the best files that pass its minima, up to passes_on
        passing = [r.application.pk for r in rows if r.result.passes]
        proposed = set(passing[: stage.passes_on] if stage.passes_on is not None else passing)
    regions = ranking.territorial_balance(
        {r.application.pk: r.region or None for r in everyone}, proposed
    )
    by_category = ranking.territorial_balance(
        {r.application.pk: r.category or None for r in everyone}, proposed
    )
    return StageRanking(
        stage=stage,
        criteria=criteria,
        rows=rows,
        unscored=unscored,
        regions=[(b.region or _("no region"), b.applications, b.proposed) for b in regions],
        categories=[
            (category_names.get(b.region, _("no initiator known")), b.applications, b.proposed)
            for b in by_category
        ],
        chart=_distribution(results, stage.scale_max),
        is_final=is_final,
        next_stage=following[0] if following else None,
        jurors=jurors,
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
    return list(
        Decision.objects.filter(application__call=call, outcome=Decision.Outcome.LAUREATE)
        .select_related("application__pole")
        .order_by("application__pole__name", "pk")
    )


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
