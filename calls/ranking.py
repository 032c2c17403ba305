"""Scoring and ranking of the files of one stage: pure functions, no database.

Choices (each one explicit, so the committee can be told why a file is where it is):

- **Weighted total** of one juror's review: ``Σ weight·score / Σ weight``, on the grid's
  own 0–N scale (so the cut-off and the eliminatory minima read on the same scale).
- **Raw score** of a file: the mean of its jurors' weighted totals.
- **Normalised score** of a file: each juror's totals are turned into z-scores over that
  juror's own files, then mapped back onto the scale with the mean and the (population)
  standard deviation of *all* totals of the stage; the file's normalised score is the mean
  over its jurors. A harsh juror (low totals everywhere) therefore does not sink their
  files. Special cases: a juror with a **single file** keeps their raw total (one score
  says nothing of a juror's harshness); a juror with **zero variance** over several files
  (the same total everywhere) maps to the stage mean (they did not tell their files
  apart, only their level is corrected). If all totals of the stage are equal, the
  normalised score equals the raw one. The normalised score is not clipped to 0–N.
- **Eliminatory minimum**: a file is flagged on a criterion when the *mean* of that
  criterion over its jurors is below the minimum (not when one juror alone scores below
  it: one juror cannot eliminate a file by themself; the flag is for the committee).
- **Cut-off**: on the raw score (the scale the jurors scored on), flagged when below.
- **Spread**: the highest minus the lowest weighted total of a file's jurors, flagged for
  discussion when above the threshold.
- **Ranking**: files with no eliminatory flag and not below the cut-off first, then the
  others; within each group by normalised score (high first), then raw score (high
  first), then fewer eliminatory flags, then file id (ascending). Scores are compared
  rounded to 9 decimals, so two equal means computed in a different order tie. Positions
  are 1..n without gaps; ``tied`` marks every file of a tie: it shares both scores (and
  its side of the cut-off) with at least one other file, so their order among themselves
  was decided by the later rules.

Bad input raises ``ScoringError`` (a ``ValueError``) carrying a stable ``code``
(``score_out_of_scale``, ``score_missing``, ``unknown_criterion``, ``invalid_grid``), its
``params`` and a translated ``message``: the service layer maps the code to its declared
``DomainError`` (``calls.score_out_of_scale``…) without parsing the text.
"""

import math
import operator
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.translation import gettext as _

from core.text import fold

FileId = Hashable
JurorId = Hashable
ROUND = 9


class ScoringError(ValueError):
    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Criterion:
    id: Hashable
    label: str
    weight: float
    eliminatory_min: float | None = None


@dataclass(frozen=True)
class Grid:
    criteria: Sequence[Criterion]
    scale_max: float  # scores go from 0 to scale_max
    cutoff: float | None = None

    def __post_init__(self):
        if not self.criteria or any(c.weight <= 0 for c in self.criteria):
            raise ScoringError(
                "invalid_grid", _("Every criterion needs a weight greater than zero.")
            )
        if self.scale_max <= 0:
            raise ScoringError("invalid_grid", _("The scale must go above zero."))


@dataclass
class FileResult:
    file: FileId
    raw: float
    normalised: float
    criterion_means: dict
    jurors: int
    eliminated_on: list = field(default_factory=list)  # criterion ids below their minimum
    below_cutoff: bool = False
    spread: float = 0.0
    spread_flag: bool = False
    position: int = 0
    tied: bool = False

    @property
    def passes(self) -> bool:
        return not self.eliminated_on and not self.below_cutoff


def validate_scores(scores: Mapping[Hashable, float], grid: Grid) -> None:
    """Raise ``ScoringError`` for a missing, unknown or out-of-scale score."""
    known = {c.id for c in grid.criteria}
    for criterion_id in scores:
        if criterion_id not in known:
            raise ScoringError(
                "unknown_criterion",
                _("The criterion “%(criterion)s” is not in this grid.")
                % {"criterion": criterion_id},
                criterion=criterion_id,
            )
    for c in grid.criteria:
        if c.id not in scores or scores[c.id] is None:
            raise ScoringError(
                "score_missing",
                _("The criterion “%(criterion)s” has no score.") % {"criterion": c.label},
                criterion=c.id,
            )
        value = scores[c.id]
        if not 0 <= value <= grid.scale_max:
            raise ScoringError(
                "score_out_of_scale",
                _("The score of “%(criterion)s” must be between 0 and %(max)s.")
                % {"criterion": c.label, "max": _number(grid.scale_max)},
                criterion=c.id,
                value=value,
                max=grid.scale_max,
            )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def weighted_total(scores: Mapping[Hashable, float], grid: Grid) -> float:
    """``Σ weight·score / Σ weight`` on the grid's 0–N scale, after validation."""
    validate_scores(scores, grid)
    weights = sum(c.weight for c in grid.criteria)
    return sum(c.weight * scores[c.id] for c in grid.criteria) / weights


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and population standard deviation, with ``math.fsum`` (as ``statistics.fmean``
    and ``statistics.pstdev`` give them to the last bits, at a fraction of their cost).
    Equal values have a deviation of exactly zero, as with ``pstdev``: the rounding of
    their mean must not make it a tiny non-zero one."""
    n = len(values)
    mean = math.fsum(values) / n
    if min(values) == max(values):
        return mean, 0.0
    return mean, math.sqrt(math.fsum([(v - mean) ** 2 for v in values]) / n)


def rank(
    reviews: Mapping[FileId, Mapping[JurorId, Mapping[Hashable, float]]],
    grid: Grid,
    *,
    spread_threshold: float | None = None,
) -> list[FileResult]:
    """Rank the files of a stage from ``{file: {juror: {criterion: score}}}``.

    A file without any review is left out (the service lists it as « not scored »).
    Returns the files in ranking order, with their position, scores and flags.

    One pass over the reviews into flat lists (a juror's totals, a file's totals and
    columns of scores), then sums: a few milliseconds for 2,000 files × 3 jurors.
    """
    ids = [c.id for c in grid.criteria]
    known = set(ids)
    weights = [c.weight for c in grid.criteria]
    weight_sum = sum(weights)
    top = grid.scale_max

    # [(file, jurors, totals, score columns)], and each juror's [(file index, total)]
    files: list = []
    of_juror: dict = {}
    every_total: list[float] = []
    for file, by_juror in reviews.items():
        if not by_juror:
            continue
        index = len(files)
        jurors, totals, rows = [], [], []
        for juror, scores in by_juror.items():
            values = [scores.get(i) for i in ids] if scores.keys() == known else None
            if values is None or None in values or not all(0 <= v <= top for v in values):
                validate_scores(scores, grid)  # raises the precise error
            total = sum(map(operator.mul, weights, values)) / weight_sum
            jurors.append(juror)
            totals.append(total)
            rows.append(values)
            of_juror.setdefault(juror, []).append((index, len(totals) - 1, total))
            every_total.append(total)
        files.append((file, jurors, totals, rows))
    if not files:
        return []

    # normalised totals, in the same shape as ``totals`` (see the module's docstring)
    normalised = [[0.0] * len(f[2]) for f in files]
    overall_mean, overall_std = _mean_std(every_total)
    for own in of_juror.values():
        if overall_std == 0 or len(own) == 1:
            for index, slot, total in own:
                normalised[index][slot] = total
            continue
        mean, std = _mean_std([total for _i, _s, total in own])
        for index, slot, total in own:
            z = 0.0 if std == 0 else (total - mean) / std
            normalised[index][slot] = overall_mean + z * overall_std

    results = []
    minima = [(i, c.eliminatory_min) for i, c in enumerate(grid.criteria)]
    for (file, jurors, totals, rows), norm in zip(files, normalised, strict=True):
        n = len(jurors)
        columns = [math.fsum(column) / n for column in zip(*rows, strict=True)]
        raw = math.fsum(totals) / n
        spread = max(totals) - min(totals)
        results.append(
            FileResult(
                file=file,
                raw=raw,
                normalised=math.fsum(norm) / n,
                criterion_means=dict(zip(ids, columns, strict=True)),
                jurors=n,
                eliminated_on=[
                    ids[i]
                    for i, minimum in minima
                    if minimum is not None and round(columns[i], ROUND) < minimum
                ],
                below_cutoff=grid.cutoff is not None and round(raw, ROUND) < grid.cutoff,
                spread=spread,
                spread_flag=spread_threshold is not None
                and round(spread, ROUND) > spread_threshold,
            )
        )

    def order(r: FileResult):
        return (
            not r.passes,
            -round(r.normalised, ROUND),
            -round(r.raw, ROUND),
            len(r.eliminated_on),
            type(r.file).__name__,
            r.file,
        )

    results.sort(key=order)

    def scores(r: FileResult):
        return (r.passes, round(r.normalised, ROUND), round(r.raw, ROUND))

    for position, r in enumerate(results, start=1):
        r.position = position
    # every file of a tie is marked, the first as well as the others (sorted: ties adjoin)
    for before, after in pairwise(results):
        if scores(before) == scores(after):
            before.tied = after.tied = True
    return results


@dataclass(frozen=True)
class BalanceRow:
    region: str | None
    applications: int
    proposed: int


def territorial_balance(
    regions: Mapping[FileId, str | None], proposed: Iterable[FileId]
) -> list[BalanceRow]:
    """Applications and proposed laureates per region, regions sorted, ``None`` (no region)
    last; a proposed file not in ``regions`` raises ``ValueError``."""
    proposed = set(proposed)
    unknown = proposed - set(regions)
    if unknown:
        raise ValueError(f"proposed files not among the applications: {sorted(map(str, unknown))}")
    counts: dict = {}
    for file, region in regions.items():
        applications, chosen = counts.get(region, (0, 0))
        counts[region] = (applications + 1, chosen + (file in proposed))
    # in French alphabetical order: « Île-de-France » among the I, not after « Provence »
    ordered = sorted(counts, key=lambda r: (r is None, fold(r or ""), r or ""))
    return [BalanceRow(r, counts[r][0], counts[r][1]) for r in ordered]
