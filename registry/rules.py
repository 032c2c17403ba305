"""The legal-definition check of a pole: rules R1–R8 of ../shared/data/legal-texts.md.

Each rule is explicit and versioned, has a level (what says so: the law, the State calls,
or the pole's own declaration) and the text it comes from. ``check`` reads a pole and its
members and returns a report: for each rule, its outcome and why, in plain words.

Outcomes: ``holds``; ``fails``; ``declared`` (stated by the pole, to be judged by a person);
a rule that holds may carry warnings (a member outside the territory).

The pole's status follows from the report: laureate of a State call when it was selected;
checked against the law when every rule of the law holds (R1, R2, R3, R6) and its strategy
is declared (R7); otherwise it claims the approach.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registry import geo

RULES_VERSION = "2026-11-27"

LAW = "law"
CALLS = "calls"
DECLARED = "declared"
LEVELS = {
    LAW: _("the law (article 9 of law no. 2014-856)"),
    CALLS: _("State calls for projects (decree no. 2015-431, article 3)"),
    DECLARED: _("declared by the pole, judged by a person"),
}

HOLDS, FAILS, DECLARED_OUTCOME = "holds", "fails", "declared"

ARTICLE_9 = (
    "Les pôles territoriaux de coopération économique sont constitués par le regroupement "
    "sur un même territoire d'entreprises de l'économie sociale et solidaire, au sens de "
    "l'article 1er de la présente loi, qui s'associent à des entreprises, en lien avec des "
    "collectivités territoriales et leurs groupements, des centres de recherche, des "
    "établissements d'enseignement supérieur et de recherche, des organismes de formation "
    "ou toute autre personne physique ou morale pour mettre en œuvre une stratégie commune "
    "et continue de mutualisation, de coopération ou de partenariat au service de projets "
    "économiques et sociaux innovants, socialement ou technologiquement, et porteurs d'un "
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
    "gip",
    "syndicat mixte",
)
STRATEGY_MIN = 40  # characters: a sentence, not a word


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

    @property
    def holds(self) -> bool:
        return self.outcome == HOLDS


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


def r1(subject: Subject, rule: Rule) -> Result:
    ess = [m for m in subject.members if m.ess_status != "not_ess"]
    if ess:
        return Result(
            rule,
            HOLDS,
            str(_("ESS enterprise(s) among the members: %(names)s.")) % {"names": _names(ess)},
        )
    return Result(
        rule,
        FAILS,
        str(
            _(
                "No member is an ESS enterprise (association, cooperative, mutual, "
                "foundation, ESS commercial company or ESUS approved company)."
            )
        ),
    )


def r2(subject: Subject, rule: Rule) -> Result:
    others = [
        m for m in subject.members if m.category == "enterprise" and m.ess_status == "not_ess"
    ]
    if others:
        return Result(
            rule,
            HOLDS,
            str(_("Enterprise(s) outside the ESS: %(names)s.")) % {"names": _names(others)},
        )
    return Result(rule, FAILS, str(_("No member or partner is an enterprise outside the ESS.")))


def r3(subject: Subject, rule: Rule) -> Result:
    partners = [m for m in subject.members if m.category in ESS_CATEGORIES_OTHER]
    if not partners:
        return Result(
            rule,
            FAILS,
            str(
                _(
                    "No local authority, research centre, higher-education body, training "
                    "body or other person is linked to the pole."
                )
            ),
        )
    result = Result(
        rule, HOLDS, str(_("Other article-9 partner(s): %(names)s.")) % {"names": _names(partners)}
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
    text = ngettext(
        "%(n)d legal person among the members (three or more needed).",
        "%(n)d legal persons among the members (three or more needed).",
        count,
    ) % {"n": count}
    return Result(rule, HOLDS if count >= 3 else FAILS, text)


def r5(subject: Subject, rule: Rule) -> Result:
    if not subject.siren:
        return Result(
            rule, FAILS, str(_("The pole has no SIREN: it is not a legal person of its own."))
        )
    form = subject.legal_form.casefold()
    if not form:
        return Result(rule, FAILS, str(_("The pole's legal form is not given.")))
    if any(public in form for public in PUBLIC_FORMS):
        return Result(
            rule,
            FAILS,
            str(_("“%(form)s” is a legal form of public law.")) % {"form": subject.legal_form},
        )
    return Result(
        rule,
        HOLDS,
        str(_("Legal person of private law (%(form)s, SIREN %(siren)s)."))
        % {"form": subject.legal_form, "siren": subject.siren},
    )


def r6(subject: Subject, rule: Rule) -> Result:
    if not subject.territory:
        return Result(
            rule,
            FAILS,
            str(_("The pole has not declared its territory (communes, EPCI or departments).")),
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
        rule, FAILS, str(_("The pole has not described its common strategy and project."))
    )


def r8(subject: Subject, rule: Rule) -> Result:
    if subject.laureate_years:
        years = ", ".join(str(y) for y in subject.laureate_years)
        return Result(
            rule,
            FAILS,
            str(
                _(
                    "Already supported by the State (laureate in %(years)s): not eligible to a "
                    "new PTCE call."
                )
            )
            % {"years": years},
        )
    return Result(rule, HOLDS, str(_("No earlier State support as a PTCE is known.")))


RULES: tuple[tuple[Rule, object], ...] = (
    (
        Rule(
            "R1",
            1,
            LAW,
            _("At least one ESS enterprise"),
            SOURCE_LAW,
            ARTICLE_9,
        ),
        r1,
    ),
    (
        Rule("R2", 1, LAW, _("At least one enterprise outside the ESS"), SOURCE_LAW, ARTICLE_9),
        r2,
    ),
    (
        Rule(
            "R3",
            1,
            LAW,
            _("A local authority, research, education, training body or other person"),
            SOURCE_LAW,
            ARTICLE_9,
        ),
        r3,
    ),
    (
        Rule(
            "R4",
            1,
            CALLS,
            _("Three or more legal persons as members"),
            SOURCE_DECREE,
            "2° Comprend au moins trois personnes morales membres, dont au moins une "
            "entreprise de l'économie sociale et solidaire, une entreprise dont les statuts "
            "ne relèvent pas de l'ESS et une autre personne mentionnée à l'article 9.",
        ),
        r4,
    ),
    (
        Rule(
            "R5",
            1,
            CALLS,
            _("The pole is a legal person of private law"),
            SOURCE_DECREE,
            "1° Est une personne morale de droit privé.",
        ),
        r5,
    ),
    (
        Rule(
            "R6",
            1,
            LAW,
            _("A declared territory"),
            SOURCE_LAW + " ; " + SOURCE_DECREE,
            "« regroupement sur un même territoire » (loi, art. 9) ; 4° Définit son territoire "
            "d'activité et vise un développement local durable (décret, art. 3).",
        ),
        r6,
    ),
    (
        Rule(
            "R7",
            1,
            DECLARED,
            _("A common strategy and an innovative project of sustainable local development"),
            SOURCE_LAW,
            "« pour mettre en œuvre une stratégie commune et continue de mutualisation, de "
            "coopération ou de partenariat au service de projets économiques et sociaux "
            "innovants, socialement ou technologiquement, et porteurs d'un développement local "
            "durable. »",
        ),
        r7,
    ),
    (
        Rule(
            "R8",
            1,
            CALLS,
            _("No earlier State support as a PTCE"),
            SOURCE_DECREE,
            "6° N'a pas déjà bénéficié d'un soutien de l'État au titre d'un précédent appel "
            "à projets PTCE.",
        ),
        r8,
    ),
)

LAW_RULES = ("R1", "R2", "R3", "R6")


@dataclass
class Report:
    results: list[Result]

    def by_id(self) -> dict[str, Result]:
        return {r.rule.id: r for r in self.results}

    @property
    def meets_the_law(self) -> bool:
        results = self.by_id()
        return all(results[i].holds for i in LAW_RULES) and results["R7"].outcome in (
            HOLDS,
            DECLARED_OUTCOME,
        )

    @property
    def eligible_to_calls(self) -> bool:
        return self.meets_the_law and all(r.holds for r in self.results if r.rule.level == CALLS)

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
            "eligible_to_calls": self.eligible_to_calls,
        }


def check(subject: Subject) -> Report:
    return Report([function(subject, rule) for rule, function in RULES])
