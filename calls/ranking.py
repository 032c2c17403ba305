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
  are 1..n without gaps; ``tied`` says the file equals the previous one on both scores
  (its place was decided by the later rules).

Bad input raises ``ScoringError`` (a ``ValueError``) carrying a stable ``code``
(``score_out_of_scale``, ``score_missing``, ``unknown_criterion``, ``invalid_grid``), its
``params`` and a translated ``message``: the service layer maps the code to its declared
``DomainError`` (``calls.score_out_of_scale``…) without parsing the text.
"""

import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

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


def _normalised_totals(totals: Mapping[tuple, float]) -> dict:
    """{(juror, file): normalised total} — see the module's docstring for the rules."""
    values = list(totals.values())
    overall_mean = statistics.fmean(values)
    overall_std = statistics.pstdev(values)
    by_juror: dict = {}
    for (juror, file), total in totals.items():
        by_juror.setdefault(juror, {})[file] = total
    result = {}
    for juror, own in by_juror.items():
        own_values = list(own.values())
        if overall_std == 0 or len(own_values) == 1:
            for file, total in own.items():
                result[(juror, file)] = total
            continue
        mean = statistics.fmean(own_values)
        std = statistics.pstdev(own_values)
        for file, total in own.items():
            z = 0.0 if std == 0 else (total - mean) / std
            result[(juror, file)] = overall_mean + z * overall_std
    return result


def rank(
    reviews: Mapping[FileId, Mapping[JurorId, Mapping[Hashable, float]]],
    grid: Grid,
    *,
    spread_threshold: float | None = None,
) -> list[FileResult]:
    """Rank the files of a stage from ``{file: {juror: {criterion: score}}}``.

    A file without any review is left out (the service lists it as « not scored »).
    Returns the files in ranking order, with their position, scores and flags.
    """
    totals = {}
    for file, by_juror in reviews.items():
        for juror, scores in by_juror.items():
            totals[(juror, file)] = weighted_total(scores, grid)
    if not totals:
        return []
    normalised = _normalised_totals(totals)

    results = []
    for file, by_juror in reviews.items():
        if not by_juror:
            continue
        jurors = list(by_juror)
        file_totals = [totals[(j, file)] for j in jurors]
        means = {c.id: statistics.fmean(by_juror[j][c.id] for j in jurors) for c in grid.criteria}
        result = FileResult(
            file=file,
            raw=statistics.fmean(file_totals),
            normalised=statistics.fmean(normalised[(j, file)] for j in jurors),
            criterion_means=means,
            jurors=len(jurors),
            eliminated_on=[
                c.id
                for c in grid.criteria
                if c.eliminatory_min is not None and round(means[c.id], ROUND) < c.eliminatory_min
            ],
            spread=max(file_totals) - min(file_totals),
        )
        result.below_cutoff = grid.cutoff is not None and round(result.raw, ROUND) < grid.cutoff
        result.spread_flag = (
            spread_threshold is not None and round(result.spread, ROUND) > spread_threshold
        )
        results.append(result)

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
    previous = None
    for position, r in enumerate(results, start=1):
        r.position = position
        r.tied = previous is not None and (
            round(previous.normalised, ROUND) == round(r.normalised, ROUND)
            and round(previous.raw, ROUND) == round(r.raw, ROUND)
        )
        previous = r
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
    ordered = sorted(counts, key=lambda r: (r is None, r or ""))
    return [BalanceRow(r, counts[r][0], counts[r][1]) for r in ordered]
