"""Assignment of jurors to the files of one stage: pure, deterministic, solved as a flow.

No database: the service layer passes plain data and stores the result.

The model (a min-cost flow, solved as a linear programme by HiGHS through SciPy)::

    source ──(cap = need(f))──> file f ──(cap 1, cost)──> juror j ──[lo, hi]──> sink

- ``need(f) = min(k, number of jurors without conflict on f)``. A file with fewer
  eligible jurors than ``k`` gets every one of them and a problem saying why: never a
  silent short assignment.
- A conflicted pair (``forbidden``) has no edge at all, so it can never carry flow.
- The cost of an edge is ``SAME_REGION_COST`` when the juror is from the file's region and 0
  otherwise: among all feasible assignments the solver takes one with the fewest same-region
  pairs (the territorial mix), falling back to same-region jurors only where needed.
- Balance: the total ``T = Σ need(f)`` is split over the ``J`` jurors with
  ``lo = T // J`` and ``hi = lo + 1`` if ``T % J`` else ``lo``. Each juror → sink edge has
  a lower bound ``lo`` and a capacity ``hi``. The lower bound is expressed with node
  demands (the standard reduction: the edge keeps capacity ``hi - lo``, the juror's demand
  grows by ``lo`` and the sink's shrinks by ``lo``). *Proof of balance*: a feasible flow
  sends exactly ``T`` units (all supply leaves the source) and every juror's load ``x_j``
  satisfies ``lo ≤ x_j ≤ hi`` with ``hi - lo ≤ 1``, so any two loads differ by at most
  one; since ``Σ x_j = T``, exactly ``T - J·lo`` jurors carry ``hi``. Conversely every
  assignment giving each file its need with loads at most one apart has loads in
  ``{lo, hi}`` (the only pair of consecutive integers whose mix can sum to ``T``), so the
  flow problem is feasible whenever such an assignment exists.
- When no balanced assignment exists (a juror conflicted with too many files, for
  instance), giving each file its jurors comes first: the loads are then spread as evenly
  as possible with a convex cost per unit of load (the ``i``-th file of a juror costs
  more than the ``i-1``-th, so the solver minimises the sum of the squared loads; the
  territorial mix is then only a tie-break), and a problem says the loads could not be
  balanced and which jurors are the cause (those with fewer files without a conflict than
  the lower bound; failing that, the least loaded ones, e.g. when fixed pairs overload
  someone).
- Fixed pairs (set by hand before the run) are kept: each is a lower bound of 1 on its
  file → juror edge, expressed with demands the same way.
- The solver: OR-Tools' ``SimpleMinCostFlow`` (compiled C++, cost scaling on integer
  capacities, costs and supplies, so the flow it returns is integral). 2,000 files ×
  60 jurors take well under a second where networkx's pure-Python network simplex took
  about nine. (SciPy's ``linprog`` with HiGHS on the same flow, written as a linear
  programme, is integral too — the node–arc incidence matrix is totally unimodular — but
  took over a minute at that size, its simplex stalling on the degenerate vertices.)
- Determinism: nodes and edges are inserted in sorted order and the solver is a
  deterministic algorithm (serial, no time limit), so the same input gives the same output.

``check_assignment`` checks a hand-edited assignment against the same rules and returns the
broken ones as sentences (empty when the change is acceptable).
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ortools.graph.python import min_cost_flow

SAME_REGION_COST = 1
# in the fallback, the cost of a juror's i-th file is LOAD_COST * i * i: large enough that
# evening out the loads always beats the territorial mix
LOAD_COST_FACTOR = 1000

FileId = Hashable
JurorId = Hashable

_SOURCE = ("source",)
_SINK = ("sink",)


@dataclass(frozen=True)
class Problem:
    """A rule the assignment could not follow. ``code`` is stable, ``message`` is for people."""

    # "too_few_jurors" | "unbalanced_loads" | "fixed_pair_conflicted" | "fixed_pair_unknown"
    code: str
    message: str
    file: FileId | None = None
    juror: JurorId | None = None


@dataclass(frozen=True)
class AssignmentResult:
    assignment: dict  # {file: [juror, ...]} (jurors sorted), every file present
    problems: list  # [Problem, ...], empty when every rule holds
    loads: dict  # {juror: number of files}


def _key(value):
    """A sort key that orders mixed ids (ints and strings) deterministically."""
    return (type(value).__name__, value)


def _file_node(file):
    return ("file", file)


def _juror_node(juror):
    return ("juror", juror)


def assign(
    files: Mapping[FileId, str | None],
    jurors: Mapping[JurorId, str | None],
    forbidden: Iterable[tuple[JurorId, FileId]],
    k: int,
    fixed: Iterable[tuple[JurorId, FileId]] = (),
) -> AssignmentResult:
    """Assign ``k`` jurors to each file.

    ``files`` and ``jurors`` map ids to their region (``None`` for no region: never counted
    as the same region). ``forbidden`` holds the conflicted ``(juror, file)`` pairs; ``fixed``
    the pairs already set by hand, kept as they are.
    """
    if k < 0:
        raise ValueError("k must be positive or zero")
    forbidden = set(forbidden)
    file_ids = sorted(files, key=_key)
    juror_ids = sorted(jurors, key=_key)
    problems: list[Problem] = []

    fixed_pairs: set[tuple] = set()
    for juror, file in sorted(set(fixed), key=lambda p: (_key(p[1]), _key(p[0]))):
        if file not in files or juror not in jurors:
            problems.append(
                Problem(
                    "fixed_pair_unknown",
                    _("A pair set by hand names a file or a juror that is not in this stage."),
                    file=file,
                    juror=juror,
                )
            )
        elif (juror, file) in forbidden:
            problems.append(
                Problem(
                    "fixed_pair_conflicted",
                    _("A pair set by hand is a conflict of interest: it was not kept."),
                    file=file,
                    juror=juror,
                )
            )
        else:
            fixed_pairs.add((juror, file))

    eligible = {f: [j for j in juror_ids if (j, f) not in forbidden] for f in file_ids}
    fixed_per_file = dict.fromkeys(file_ids, 0)
    for _juror, file in fixed_pairs:
        fixed_per_file[file] += 1

    need = {}
    for f in file_ids:
        count = len(eligible[f])
        # fixed pairs beyond k are kept: they were set by hand (check_assignment refuses them)
        need[f] = max(min(k, count), fixed_per_file[f])
        if count < k:
            problems.append(
                Problem(
                    "too_few_jurors",
                    ngettext(
                        "only %(count)d juror without a conflict for this file, %(k)d needed",
                        "only %(count)d jurors without a conflict for this file, %(k)d needed",
                        count,
                    )
                    % {"count": count, "k": k},
                    file=f,
                )
            )

    total = sum(need.values())
    if not juror_ids or total == 0:
        return AssignmentResult({f: [] for f in file_ids}, problems, dict.fromkeys(juror_ids, 0))

    lo, rest = divmod(total, len(juror_ids))
    hi = lo + (1 if rest else 0)
    try:
        flow = _solve(files, jurors, file_ids, juror_ids, eligible, need, fixed_pairs, lo, hi)
    except _Infeasible:
        flow = _solve_convex(files, jurors, file_ids, juror_ids, eligible, need, fixed_pairs)
        balanced = False
    else:
        balanced = True

    assignment = {f: [] for f in file_ids}
    loads = dict.fromkeys(juror_ids, 0)
    for f in file_ids:
        for j in eligible[f]:
            if (j, f) in fixed_pairs or flow.get((_file_node(f), _juror_node(j)), 0):
                assignment[f].append(j)
                loads[j] += 1

    if not balanced:
        low = min(loads.values())
        short = [j for j in juror_ids if loads[j] == low]
        # jurors who could not reach the lower bound: too few files without a conflict
        available = dict.fromkeys(juror_ids, 0)
        for f in file_ids:
            for j in eligible[f]:
                available[j] += 1
        causes = [j for j in juror_ids if available[j] < lo] or short
        problems.append(
            Problem(
                "unbalanced_loads",
                ngettext(
                    "The loads cannot be kept within one of each other (from %(low)d to "
                    "%(high)d files): %(count)d juror has too few files without a conflict.",
                    "The loads cannot be kept within one of each other (from %(low)d to "
                    "%(high)d files): %(count)d jurors have too few files without a conflict.",
                    len(causes),
                )
                % {"low": low, "high": max(loads.values()), "count": len(causes)},
            )
        )
        for j in causes:
            problems.append(
                Problem(
                    "unbalanced_loads",
                    ngettext(
                        "this juror can take only %(count)d file of this stage",
                        "this juror can take only %(count)d files of this stage",
                        available[j],
                    )
                    % {"count": available[j]},
                    juror=j,
                )
            )
    return AssignmentResult(assignment, problems, loads)


class _Infeasible(Exception):
    """No flow meets every demand within the capacities."""


class _FlowNetwork:
    """A directed network with node demands (inflow − outflow) and parallel edges allowed."""

    def __init__(self):
        self.demand: dict = {}
        self.edges: list = []  # (tail, head, capacity, cost), in insertion order

    def add_node(self, node, demand=0):
        self.demand[node] = demand

    def add_edge(self, tail, head, *, capacity, cost):
        self.edges.append((tail, head, capacity, cost))

    def solve(self) -> dict:
        """A min-cost flow as ``{(tail, head): units}`` (edges carrying none left out).

        Raises ``_Infeasible`` when the demands cannot be met.
        """
        index = {node: i for i, node in enumerate(self.demand)}
        count = len(self.edges)
        solver = min_cost_flow.SimpleMinCostFlow()
        if count:
            solver.add_arcs_with_capacity_and_unit_cost(
                np.fromiter((index[e[0]] for e in self.edges), dtype=np.int32, count=count),
                np.fromiter((index[e[1]] for e in self.edges), dtype=np.int32, count=count),
                np.fromiter((e[2] for e in self.edges), dtype=np.int64, count=count),
                np.fromiter((e[3] for e in self.edges), dtype=np.int64, count=count),
            )
        # OR-Tools speaks of supplies (outflow − inflow): the opposite of a demand
        solver.set_nodes_supplies(
            np.arange(len(index), dtype=np.int32),
            np.fromiter((-d for d in self.demand.values()), dtype=np.int64, count=len(index)),
        )
        status = solver.solve()
        if status in (solver.INFEASIBLE, solver.UNBALANCED):
            raise _Infeasible
        if status != solver.OPTIMAL:  # pragma: no cover - integers, no overflow at our sizes
            raise RuntimeError(f"min-cost flow: solver status {status}")
        if not count:
            return {}
        units = solver.flows(np.arange(count, dtype=np.int32))
        flow: dict = {}
        for i in np.flatnonzero(units):
            tail, head = self.edges[i][0], self.edges[i][1]
            flow[(tail, head)] = flow.get((tail, head), 0) + int(units[i])
        return flow


def _network(files, jurors, file_ids, juror_ids, eligible, need, fixed_pairs):
    network = _FlowNetwork()
    total = sum(need.values())
    network.add_node(_SOURCE, demand=-total)
    for f in file_ids:
        network.add_node(_file_node(f), demand=0)
    for j in juror_ids:
        network.add_node(_juror_node(j), demand=0)
    network.add_node(_SINK, demand=total)
    for f in file_ids:
        network.add_edge(_SOURCE, _file_node(f), capacity=need[f], cost=0)
        region = files[f]
        for j in eligible[f]:
            if (j, f) in fixed_pairs:
                # lower bound 1 on a capacity-1 edge: no edge left, one unit forced through
                network.demand[_file_node(f)] += 1
                network.demand[_juror_node(j)] -= 1
                continue
            same = region is not None and jurors[j] == region
            network.add_edge(
                _file_node(f),
                _juror_node(j),
                capacity=1,
                cost=SAME_REGION_COST if same else 0,
            )
    return network


def _solve(files, jurors, file_ids, juror_ids, eligible, need, fixed_pairs, lo, hi):
    network = _network(files, jurors, file_ids, juror_ids, eligible, need, fixed_pairs)
    for j in juror_ids:
        # lower bound lo on juror → sink, by demands
        network.demand[_juror_node(j)] += lo
        network.demand[_SINK] -= lo
        network.add_edge(_juror_node(j), _SINK, capacity=hi - lo, cost=0)
    return network.solve()


def _solve_convex(files, jurors, file_ids, juror_ids, eligible, need, fixed_pairs):
    """Every file gets its need; loads as even as possible (convex cost per unit of load)."""
    network = _network(files, jurors, file_ids, juror_ids, eligible, need, fixed_pairs)
    for j in juror_ids:
        capacity = sum(1 for f in file_ids if j in eligible[f])
        # one parallel edge per unit of load: the i-th unit costs LOAD_COST_FACTOR * (2i - 1),
        # so a load of n costs LOAD_COST_FACTOR * n² in total (convex)
        for i in range(1, capacity + 1):
            network.add_edge(_juror_node(j), _SINK, capacity=1, cost=LOAD_COST_FACTOR * (2 * i - 1))
    return network.solve()


def check_assignment(
    assignment: Mapping[FileId, Iterable[JurorId]],
    jurors: Iterable[JurorId],
    forbidden: Iterable[tuple[JurorId, FileId]],
    k: int,
) -> list[str]:
    """The rules a hand-edited assignment breaks, as sentences; empty when it is acceptable.

    Refused: a conflicted pair, a juror twice on a file, a file with more than ``k`` jurors,
    loads (over every juror of the stage, a juror without files counting 0) more than one
    apart. A file with fewer than ``k`` jurors is accepted here (the manager may be in the
    middle of a change; ``assign`` reports it).
    """
    forbidden = set(forbidden)
    juror_ids = sorted(set(jurors), key=_key)
    loads = dict.fromkeys(juror_ids, 0)
    errors = []
    for file in sorted(assignment, key=_key):
        chosen = list(assignment[file])
        for juror in sorted(set(chosen), key=_key):
            if (juror, file) in forbidden:
                errors.append(
                    _("Juror %(juror)s has a conflict of interest with file %(file)s.")
                    % {"juror": juror, "file": file}
                )
            if chosen.count(juror) > 1:
                errors.append(
                    _("Juror %(juror)s is assigned twice to file %(file)s.")
                    % {"juror": juror, "file": file}
                )
            if juror not in loads:
                errors.append(_("Juror %(juror)s is not a juror of this stage.") % {"juror": juror})
            else:
                loads[juror] += 1
        if len(chosen) > k:
            errors.append(
                _("File %(file)s has %(count)d jurors, at most %(k)d.")
                % {"file": file, "count": len(chosen), "k": k}
            )
    if loads:
        low, high = min(loads.values()), max(loads.values())
        if high - low > 1:
            heavy = [j for j in juror_ids if loads[j] == high]
            light = [j for j in juror_ids if loads[j] == low]
            errors.append(
                _(
                    "The loads are more than one apart: %(high)d files for %(heavy)s, "
                    "%(low)d for %(light)s."
                )
                % {
                    "high": high,
                    "heavy": ", ".join(map(str, heavy)),
                    "low": low,
                    "light": ", ".join(map(str, light)),
                }
            )
    return errors
