"""Eligibility of a pole to a call for projects: plain functions over frozen data, no
database.

A ``Subject`` holds what the call needs to know of a pole: the outcome of each registry
rule (``registry.rules``: R1–R8, outcomes ``holds``, ``declared``, ``missing``, ``fails``),
its territory, its year of foundation, the years it was a State laureate and its
attestations (machine-readable facts given by other apps through the registry's
``pole_attestations`` slot, e.g. ``{"charter.signed": True, "charter.version": 2}``).
``Conditions`` holds what a call asks. ``eligibility`` returns one line per condition.

Three outcomes per condition, never mixed up:

- ``passes``: the condition is met;
- ``missing``: the data does not tell yet; the line says what to add. Missing data is
  never worded as a failure;
- ``fails``: the recorded data proves the condition is not met.

Decision: a missing condition blocks. A pole is shown eligible only when every condition
passes; a pole with missing data is not eligible *yet*: its lines read "to complete", with
what to add, not "fails" (``Eligibility.to_complete`` against ``Eligibility.failures``).

"Founded before" is a year: a pole founded in year Y passes when Y < the limit year.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from registry import rules as registry_rules

PASSES, MISSING, FAILS = "passes", "missing", "fails"

# Registry outcome → call outcome.
_FROM_REGISTRY = {
    registry_rules.HOLDS: PASSES,
    registry_rules.DECLARED_OUTCOME: PASSES,
    registry_rules.MISSING: MISSING,
    registry_rules.FAILS: FAILS,
}
REGISTRY_RULES = {rule.id: rule for rule, _function in registry_rules.RULES} | {
    registry_rules.R8_RULE.id: registry_rules.R8_RULE
}
# What State calls ask (decree no. 2015-431, article 3; issue 12).
STATE_CALL_RULES = ("R1", "R2", "R3", "R4", "R5", "R8")

CHARTER_SIGNED = "charter.signed"
CHARTER_VERSION = "charter.version"


@dataclass(frozen=True)
class Subject:
    """What the eligibility needs to know of a pole (built by a selector)."""

    rule_outcomes: Mapping[str, str] = field(default_factory=dict)  # "R1" → "holds"…
    rule_to_add: Mapping[str, str] = field(default_factory=dict)  # "R1" → what to add
    region_code: str = ""
    department_code: str = ""
    year_founded: int | None = None
    laureate_years: tuple[int, ...] | None = ()  # None: not known
    attestations: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Conditions:
    """What a call asks of a pole. An empty or None field asks nothing."""

    rules: tuple[str, ...] = ()
    charter_signed: bool = False
    charter_min_version: int | None = None
    regions: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    no_laureate_years: int | None = None  # not a laureate in the N years before the call
    founded_before: int | None = None  # a year

    def __post_init__(self):
        unknown = [r for r in self.rules if r not in REGISTRY_RULES]
        if unknown:
            raise ValueError(f"Unknown registry rules: {', '.join(unknown)}")


@dataclass(frozen=True)
class Line:
    """One condition: its outcome, why (plain French), and what to add when missing."""

    condition: str  # "R1"… "charter", "territory", "laureate", "founded"
    outcome: str
    why: str
    to_add: str = ""

    @property
    def passes(self) -> bool:
        return self.outcome == PASSES

    @property
    def missing(self) -> bool:
        return self.outcome == MISSING

    @property
    def fails(self) -> bool:
        return self.outcome == FAILS


@dataclass(frozen=True)
class Eligibility:
    lines: tuple[Line, ...]

    @property
    def eligible(self) -> bool:
        """Every condition passes: missing data blocks (shown as to complete)."""
        return all(line.passes for line in self.lines)

    @property
    def failures(self) -> list[Line]:
        return [line for line in self.lines if line.fails]

    @property
    def to_complete(self) -> list[Line]:
        return [line for line in self.lines if line.missing]


def _rule_line(subject: Subject, rule_id: str) -> Line:
    rule = REGISTRY_RULES[rule_id]
    params = {"rule": rule_id, "title": rule.title}
    registry_outcome = subject.rule_outcomes.get(rule_id)
    outcome = _FROM_REGISTRY.get(registry_outcome, MISSING)
    if registry_outcome == registry_rules.DECLARED_OUTCOME:
        return Line(rule_id, PASSES, str(_("%(rule)s — %(title)s: declared by the pole.") % params))
    if outcome == PASSES:
        return Line(rule_id, PASSES, str(_("%(rule)s — %(title)s: respected.") % params))
    if outcome == FAILS:
        return Line(rule_id, FAILS, str(_("%(rule)s — %(title)s: contrary to the rule.") % params))
    if registry_outcome is None:
        why = _("%(rule)s — %(title)s: to complete, the directory has not checked it yet.")
    else:
        why = _("%(rule)s — %(title)s: to complete, the directory does not show it yet.")
    to_add = subject.rule_to_add.get(rule_id) or _("the pole's entry in the directory.")
    return Line(rule_id, MISSING, str(why % params), str(to_add))


def _charter_line(subject: Subject, conditions: Conditions) -> Line:
    signed = subject.attestations.get(CHARTER_SIGNED)
    version = subject.attestations.get(CHARTER_VERSION)
    required = conditions.charter_min_version
    if signed is None:
        return Line(
            "charter",
            MISSING,
            str(_("To complete: whether the pole signed the charter is not known.")),
            str(_("the pole's signature of the charter.")),
        )
    if not signed:
        return Line(
            "charter",
            FAILS,
            str(_("The pole has not signed the charter.")),
            str(_("the pole's signature of the charter.")),
        )
    if required is not None:
        if version is None:
            return Line(
                "charter",
                MISSING,
                str(_("To complete: the version of the charter signed is not known.")),
                str(_("the version of the charter the pole signed.")),
            )
        if int(version) < required:
            return Line(
                "charter",
                FAILS,
                str(
                    _(
                        "The pole signed version %(version)s of the charter; the call asks "
                        "for version %(required)s or later."
                    )
                    % {"version": version, "required": required}
                ),
                str(_("the pole's signature of the charter in force.")),
            )
    if version is None:
        return Line("charter", PASSES, str(_("The pole signed the charter.")))
    return Line(
        "charter",
        PASSES,
        str(_("The pole signed version %(version)s of the charter.") % {"version": version}),
    )


def _territory_line(subject: Subject, conditions: Conditions) -> Line:
    checks = []  # (allowed set, the pole's code)
    if conditions.departments:
        checks.append((conditions.departments, subject.department_code))
    if conditions.regions:
        checks.append((conditions.regions, subject.region_code))
    allowed = ", ".join(sorted(conditions.departments | conditions.regions))
    place = subject.department_code or subject.region_code
    if any(code and code in codes for codes, code in checks):
        return Line(
            "territory",
            PASSES,
            str(_("%(place)s: within the call's territory.") % {"place": place}),
        )
    if all(code for _codes, code in checks):
        return Line(
            "territory",
            FAILS,
            str(
                _("%(place)s: outside the call's territory (%(allowed)s).")
                % {"place": place, "allowed": allowed}
            ),
        )
    return Line(
        "territory",
        MISSING,
        str(_("To complete: the pole's department or region is not recorded.")),
        str(_("the pole's territory (its department).")),
    )


def _laureate_line(subject: Subject, conditions: Conditions, call_year: int) -> Line:
    n = conditions.no_laureate_years
    first, last = call_year - n, call_year - 1
    params = {"n": n, "first": first, "last": last, "call_year": call_year}
    if subject.laureate_years is None:
        return Line(
            "laureate",
            MISSING,
            str(_("To complete: the years the pole was a State laureate are not known.")),
            str(_("the State calls the pole was a laureate of.")),
        )
    recent = sorted(y for y in subject.laureate_years if first <= y <= last)
    if recent:
        years = ", ".join(str(y) for y in recent)
        return Line(
            "laureate",
            FAILS,
            str(
                _(
                    "State laureate in %(years)s: the call excludes laureates of "
                    "%(first)s to %(last)s."
                )
                % {**params, "years": years}
            ),
        )
    return Line(
        "laureate",
        PASSES,
        str(_("Not a State laureate from %(first)s to %(last)s.") % params),
    )


def _founded_line(subject: Subject, conditions: Conditions) -> Line:
    limit = conditions.founded_before
    if subject.year_founded is None:
        return Line(
            "founded",
            MISSING,
            str(_("To complete: the year the pole was founded is not recorded.")),
            str(_("the pole's year of foundation.")),
        )
    params = {"year": subject.year_founded, "limit": limit}
    if subject.year_founded < limit:
        return Line("founded", PASSES, str(_("Founded in %(year)s, before %(limit)s.") % params))
    return Line(
        "founded",
        FAILS,
        str(_("Founded in %(year)s: the call asks for a pole founded before %(limit)s.") % params),
    )


def eligibility(subject: Subject, conditions: Conditions, *, call_year: int) -> Eligibility:
    """One line per condition the call sets, in a fixed order: the registry rules in the
    call's order, then the charter, the territory, earlier laureates, the foundation."""
    lines = [_rule_line(subject, rule_id) for rule_id in conditions.rules]
    if conditions.charter_signed or conditions.charter_min_version is not None:
        lines.append(_charter_line(subject, conditions))
    if conditions.regions or conditions.departments:
        lines.append(_territory_line(subject, conditions))
    if conditions.no_laureate_years:
        lines.append(_laureate_line(subject, conditions, call_year))
    if conditions.founded_before is not None:
        lines.append(_founded_line(subject, conditions))
    return Eligibility(tuple(lines))
