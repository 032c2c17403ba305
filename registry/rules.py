"""The legal-definition check of a pole: rules R1–R7 of ../shared/data/legal-texts.md,
and the eligibility to State calls (R4, R5 and R8), kept apart.

Each rule is explicit and versioned, has a level (what says so: the law, the State calls,
or the pole's own declaration) and the text it comes from. ``check`` reads a pole and its
members and returns a report: for each rule, its outcome and why, in plain words.

Three outcomes, never mixed up:

- ``holds`` (or ``declared``: stated by the pole, to be judged by a person): respected;
- ``missing``: the directory's data does not show it yet; the result says what to add.
  Missing data is never read as a failure: a pole with no member recorded is not a pole
  without ESS enterprise;
- ``fails``: contrary to the rule, only when the recorded data proves it: a legal form of
  public law or an association that is not declared (R5), or a recorded grouping (three
  organisations or more, read as the pole's composition) with none of the members the rule
  asks for (R1–R4).

A rule that holds may carry warnings (a member outside the territory) and a note of what
is still to add (a SIREN).

``meets_the_law`` is tri-state: True when every rule of the law is respected (R1, R2, R3,
R6 and R7 declared), False when the data contradicts one of them, None when the data does
not tell yet. R8 (no earlier State support) is a condition of the calls, not of the
definition: it lives in ``eligibility``, for the calls, never in ``check``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registry import geo

RULES_VERSION = "2026-12-01"

LAW = "law"
CALLS = "calls"
DECLARED = "declared"
LEVELS = {
    LAW: _("the law (article 9 of law no. 2014-856)"),
    CALLS: _("State calls for projects (decree no. 2015-431, article 3)"),
    DECLARED: _("declared by the pole, judged by a person"),
}

HOLDS, DECLARED_OUTCOME, MISSING, FAILS = "holds", "declared", "missing", "fails"
RESPECTED = (HOLDS, DECLARED_OUTCOME)

ARTICLE_9 = (
    "Les pôles territoriaux de coopération économique sont constitués par le regroupement "
    "sur un même territoire d’entreprises de l’économie sociale et solidaire, au sens de "
    "l’article 1er de la présente loi, qui s’associent à des entreprises, en lien avec des "
    "collectivités territoriales et leurs groupements, des centres de recherche, des "
    "établissements d’enseignement supérieur et de recherche, des organismes de formation "
    "ou toute autre personne physique ou morale pour mettre en œuvre une stratégie commune "
    "et continue de mutualisation, de coopération ou de partenariat au service de projets "
    "économiques et sociaux innovants, socialement ou technologiquement, et porteurs d’un "
    "développement local durable."
)
SOURCE_LAW = "Loi n° 2014-856 du 31 juillet 2014, article 9, I"
SOURCE_DECREE = "Décret n° 2015-431 du 15 avril 2015, article 3 (en substance)"

# Legal forms of public law: a pole with one of them is not "a legal person of private law".
PUBLIC_FORMS = (
    "établissement public",
    "etablissement public",
    "collectivité",
    "collectivite",
    "commune",
    "groupement d'intérêt public",
    "groupement d’intérêt public",
    "gip",
    "syndicat mixte",
)
# An association that is not declared has no legal personality (loi du 1er juillet 1901,
# articles 2 and 5): the form itself says the pole is not a legal person.
NOT_LEGAL_PERSONS = (
    "non déclarée",
    "non declaree",
    "association de fait",
)
STRATEGY_MIN = 40  # characters: a sentence, not a word
# From three recorded organisations on, the list is read as the pole's composition (three
# legal persons is the calls' minimum for a grouping): a category none of them belongs to
# is then contrary to the rule; below that, the list is taken as not yet complete.
GROUPING_MIN = 3


@dataclass(frozen=True)
class Member:
    """What the rules need to know of a member (built from a Membership)."""

    name: str
    role: str  # initiator | member | partner
    category: str
    ess_status: str
    commune_code: str
    has_siren: bool


@dataclass(frozen=True)
class Subject:
    """What the rules need to know of a pole."""

    siren: str
    legal_form: str
    strategy: str
    territory: tuple[str, ...]
    members: tuple[Member, ...]
    laureate_years: tuple[int, ...]


@dataclass
class Result:
    rule: "Rule"
    outcome: str
    explanation: str
    warnings: list[str] = field(default_factory=list)
    to_add: str = ""  # what the entry still needs, in plain words

    @property
    def holds(self) -> bool:
        return self.outcome in RESPECTED

    @property
    def missing(self) -> bool:
        return self.outcome == MISSING

    @property
    def fails(self) -> bool:
        return self.outcome == FAILS


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    level: str
    title: str
    source: str
    text: str

    def level_label(self) -> str:
        return str(LEVELS[self.level])


def _names(members: Iterable[Member], limit: int = 5) -> str:
    names = [m.name for m in members]
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += " " + str(_("and %(n)d more") % {"n": len(names) - limit})
    return shown


ESS_CATEGORIES_OTHER = ("local_authority", "research", "higher_education", "training", "other")


def _absent(subject: Subject, rule: Rule, *, contrary: str, to_add: str) -> Result:
    """None of the recorded organisations is what the rule asks for: contrary to the rule
    once the recorded list is a grouping, missing data before."""
    count = len(subject.members)
    if count >= GROUPING_MIN:
        return Result(rule, FAILS, contrary % {"n": count}, to_add=to_add)
    if count == 0:
        explanation = str(_("No member of the pole is recorded in the directory yet."))
    else:
        explanation = ngettext(
            "Only %(n)d organisation is recorded for this pole: too few to conclude.",
            "Only %(n)d organisations are recorded for this pole: too few to conclude.",
            count,
        ) % {"n": count}
    return Result(rule, MISSING, explanation, to_add=to_add)


def r1(subject: Subject, rule: Rule) -> Result:
    ess = [m for m in subject.members if m.ess_status != "not_ess"]
    if ess:
        return Result(
            rule,
            HOLDS,
            ngettext(
                "ESS enterprise among the members: %(names)s.",
                "ESS enterprises among the members: %(names)s.",
                len(ess),
            )
            % {"names": _names(ess)},
        )
    return _absent(
        subject,
        rule,
        contrary=str(
            _(
                "None of the %(n)d organisations recorded is an ESS enterprise (association, "
                "cooperative, mutual, foundation, ESS commercial company or ESUS approved "
                "company)."
            )
        ),
        to_add=str(_("the ESS enterprises among the pole's members.")),
    )


def r2(subject: Subject, rule: Rule) -> Result:
    others = [
        m for m in subject.members if m.category == "enterprise" and m.ess_status == "not_ess"
    ]
    if others:
        return Result(
            rule,
            HOLDS,
            ngettext(
                "Enterprise outside the ESS: %(names)s.",
                "Enterprises outside the ESS: %(names)s.",
                len(others),
            )
            % {"names": _names(others)},
        )
    return _absent(
        subject,
        rule,
        contrary=str(
            _("None of the %(n)d organisations recorded is an enterprise outside the ESS.")
        ),
        to_add=str(_("the enterprises outside the ESS the pole brings together.")),
    )


def r3(subject: Subject, rule: Rule) -> Result:
    partners = [m for m in subject.members if m.category in ESS_CATEGORIES_OTHER]
    if not partners:
        return _absent(
            subject,
            rule,
            contrary=str(
                _(
                    "None of the %(n)d organisations recorded is a local authority or "
                    "grouping, a research centre, a higher-education and research body, a "
                    "training body or another person."
                )
            ),
            to_add=str(
                _(
                    "the local authorities, research centres, higher-education and research "
                    "bodies, training bodies or other persons the pole works with."
                )
            ),
        )
    result = Result(
        rule,
        HOLDS,
        ngettext(
            "Other person named in article 9: %(names)s.",
            "Other persons named in article 9: %(names)s.",
            len(partners),
        )
        % {"names": _names(partners)},
    )
    if all(m.role == "partner" for m in partners):
        result.warnings.append(
            str(
                _(
                    "They are partners, not members: the law asks for a link, State calls ask "
                    "for a member."
                )
            )
        )
    return result


def r4(subject: Subject, rule: Rule) -> Result:
    members = [m for m in subject.members if m.role != "partner"]
    count = len(members)
    if count >= 3:
        return Result(
            rule,
            HOLDS,
            str(_("%(n)d members recorded (State calls ask for three legal persons or more)."))
            % {"n": count},
        )
    text = ngettext(
        "%(n)d member recorded; State calls ask for three legal persons or more.",
        "%(n)d members recorded; State calls ask for three legal persons or more.",
        count,
    ) % {"n": count}
    if not subject.members:
        return Result(
            rule,
            MISSING,
            str(_("No member of the pole is recorded in the directory yet.")),
            to_add=str(_("the pole's members.")),
        )
    to_add = str(_("the pole's other members."))
    if len(subject.members) >= GROUPING_MIN:  # the others recorded are partners
        return Result(rule, FAILS, text, to_add=to_add)
    return Result(rule, MISSING, text, to_add=to_add)


def r5(subject: Subject, rule: Rule) -> Result:
    form = subject.legal_form.casefold().replace("’", "'")
    if not form:
        if subject.siren:
            return Result(
                rule,
                MISSING,
                str(_("SIREN %(siren)s; legal form not given.")) % {"siren": subject.siren},
                to_add=str(_("the pole's legal form (it says whether it is of private law).")),
            )
        return Result(
            rule,
            MISSING,
            str(_("Legal form and SIREN not given.")),
            to_add=str(_("the pole's legal form (association, SCIC…) and its SIREN.")),
        )
    if any(public in form for public in PUBLIC_FORMS):
        return Result(
            rule,
            FAILS,
            str(_("“%(form)s” is a legal form of public law.")) % {"form": subject.legal_form},
        )
    if any(words in form for words in NOT_LEGAL_PERSONS):
        return Result(
            rule,
            FAILS,
            str(_("“%(form)s”: an association that is not declared is not a legal person."))
            % {"form": subject.legal_form},
        )
    if subject.siren:
        return Result(
            rule,
            HOLDS,
            str(_("Legal person of private law (%(form)s, SIREN %(siren)s)."))
            % {"form": subject.legal_form, "siren": subject.siren},
        )
    return Result(
        rule,
        HOLDS,
        str(_("Legal person of private law (%(form)s); SIREN not given."))
        % {"form": subject.legal_form},
        to_add=str(_("the pole's SIREN.")),
    )


def r6(subject: Subject, rule: Rule) -> Result:
    if not subject.territory:
        return Result(
            rule,
            MISSING,
            str(_("The pole's territory is not given yet.")),
            to_add=str(_("the codes of its communes, EPCI or departments.")),
        )
    names = ", ".join(geo.area_name(code) for code in subject.territory[:6])
    if len(subject.territory) > 6:
        names += " …"
    result = Result(rule, HOLDS, str(_("Declared territory: %(areas)s.")) % {"areas": names})
    for member in subject.members:
        if not member.commune_code:
            continue
        if not any(geo.in_area(member.commune_code, code) for code in subject.territory):
            place = geo.commune(member.commune_code)
            result.warnings.append(
                str(_("%(name)s lies outside the territory (%(place)s)."))
                % {"name": member.name, "place": place.name if place else member.commune_code}
            )
    return result


def r7(subject: Subject, rule: Rule) -> Result:
    if len(subject.strategy.strip()) >= STRATEGY_MIN:
        return Result(
            rule,
            DECLARED_OUTCOME,
            str(_("Strategy declared by the pole; whether it holds is for a person to judge.")),
        )
    return Result(
        rule,
        MISSING,
        str(_("The pole's common strategy and project are not described yet.")),
        to_add=str(
            _(
                "a few sentences on its common strategy of pooling, cooperation or "
                "partnership, and on its project."
            )
        ),
    )


def r8(subject: Subject, rule: Rule) -> Result:
    """A condition of the State calls (eligibility), not of the legal definition."""
    if subject.laureate_years:
        years = ", ".join(str(y) for y in subject.laureate_years)
        return Result(
            rule,
            FAILS,
            str(
                _(
                    "Already supported by the State (laureate in %(years)s): cannot apply to a "
                    "new PTCE call for projects."
                )
            )
            % {"years": years},
        )
    return Result(rule, HOLDS, str(_("No earlier State support as a PTCE is known.")))


RULES: tuple[tuple[Rule, object], ...] = (
    (Rule("R1", 2, LAW, _("At least one ESS enterprise"), SOURCE_LAW, ARTICLE_9), r1),
    (
        Rule("R2", 2, LAW, _("At least one enterprise outside the ESS"), SOURCE_LAW, ARTICLE_9),
        r2,
    ),
    (
        Rule(
            "R3",
            2,
            LAW,
            _(
                "A link with a local authority, a research, higher-education or training body, "
                "or another person"
            ),
            SOURCE_LAW,
            ARTICLE_9,
        ),
        r3,
    ),
    (
        Rule(
            "R4",
            2,
            CALLS,
            _("Three or more legal persons as members"),
            SOURCE_DECREE,
            "En substance, 2° : comprendre au moins trois personnes morales membres, dont au "
            "moins une entreprise de l’économie sociale et solidaire, une entreprise dont les "
            "statuts ne relèvent pas de l’économie sociale et solidaire (ou un groupement "
            "d’entreprises majoritairement hors ESS) et une autre personne mentionnée à "
            "l’article 9 de la loi.",
        ),
        r4,
    ),
    (
        Rule(
            "R5",
            2,
            CALLS,
            _("The pole is a legal person of private law"),
            SOURCE_DECREE,
            "En substance, 1° : être une personne morale de droit privé.",
        ),
        r5,
    ),
    (
        Rule(
            "R6",
            2,
            LAW,
            _("A declared territory"),
            SOURCE_LAW + " ; " + SOURCE_DECREE,
            "« regroupement sur un même territoire » (loi, art. 9) ; en substance, 4° : définir "
            "son territoire d’activité et viser un développement local durable (décret, art. 3).",
        ),
        r6,
    ),
    (
        Rule(
            "R7",
            2,
            DECLARED,
            _("A common strategy and an innovative project of sustainable local development"),
            SOURCE_LAW + " ; " + SOURCE_DECREE,
            "« pour mettre en œuvre une stratégie commune et continue de mutualisation, de "
            "coopération ou de partenariat au service de projets économiques et sociaux "
            "innovants, socialement ou technologiquement, et porteurs d’un développement local "
            "durable » (loi, art. 9) ; en substance, 3° : servir, par sa stratégie de "
            "coopération, un projet innovant socialement ou technologiquement (décret, art. 3).",
        ),
        r7,
    ),
)

# The eligibility to State calls: conditions of the calls, not of the definition. A future
# calls app reads it; the pole's page and status never count R8.
R8_RULE = Rule(
    "R8",
    2,
    CALLS,
    _("No earlier State support as a PTCE"),
    SOURCE_DECREE,
    "En substance, 6° : ne pas avoir déjà bénéficié d’un soutien de l’État au titre d’un "
    "précédent appel à projets PTCE.",
)
CALL_RULES = ("R4", "R5")  # shown with the check, as the calls' conditions on structure
LAW_RULES = ("R1", "R2", "R3", "R6", "R7")


def _tri_state(results: Iterable[Result]) -> bool | None:
    """True when all are respected, False when one is contrary, None when data is
    missing."""
    results = list(results)
    if any(r.fails for r in results):
        return False
    if all(r.holds for r in results):
        return True
    return None


@dataclass
class Report:
    """The check of the legal definition (R1–R7; R4 and R5 are the calls' conditions on
    the pole's structure, shown with it but not counted in ``meets_the_law``)."""

    results: list[Result]

    def by_id(self) -> dict[str, Result]:
        return {r.rule.id: r for r in self.results}

    @property
    def law(self) -> list[Result]:
        return [r for r in self.results if r.rule.id in LAW_RULES]

    @property
    def calls(self) -> list[Result]:
        return [r for r in self.results if r.rule.id in CALL_RULES]

    @property
    def meets_the_law(self) -> bool | None:
        """True, False (the data contradicts a rule of the law) or None (not shown yet)."""
        return _tri_state(self.law)

    @property
    def to_complete(self) -> list[Result]:
        return [r for r in self.results if r.missing]

    @property
    def warnings(self) -> list[str]:
        return [w for r in self.results for w in r.warnings]

    def summary(self) -> dict:
        """What is kept on the pole (and published in open data)."""
        return {
            "version": RULES_VERSION,
            "rules": {r.rule.id: r.outcome for r in self.results},
            "warnings": len(self.warnings),
            "meets_the_law": self.meets_the_law,
        }


@dataclass
class Eligibility:
    """Whether a pole may apply to a State call: the definition, the calls' conditions on
    structure (R4, R5) and no earlier State support (R8)."""

    report: Report
    results: list[Result]

    @property
    def eligible(self) -> bool | None:
        meets = self.report.meets_the_law
        others = _tri_state(self.results)
        if meets is False or others is False:
            return False
        if meets and others:
            return True
        return None


def check(subject: Subject) -> Report:
    """The legal definition: R1–R7, never R8."""
    return Report([function(subject, rule) for rule, function in RULES])


def eligibility(subject: Subject, report: Report | None = None) -> Eligibility:
    """The eligibility to a State call for projects (décret 2015-431, article 3)."""
    report = report or check(subject)
    by_id = report.by_id()
    return Eligibility(report, [by_id["R4"], by_id["R5"], r8(subject, R8_RULE)])
