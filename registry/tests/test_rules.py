"""The legal check tells three outcomes apart: respected, not shown yet by the directory's
data (neutral, says what to add), contrary to the rule (only when the data proves it).
R8 is a condition of the State calls, never part of the definition."""

import pytest
from django.utils import translation

from registry import rules

ESS = rules.Member("Archer", "initiator", "ess_enterprise", "association", "", False)
FIRM = rules.Member("Chaussures", "member", "enterprise", "not_ess", "", False)
TOWN = rules.Member("Agglo", "member", "local_authority", "not_ess", "", False)
SCHOOL = rules.Member("Lycée", "member", "training", "not_ess", "", False)
COOP = rules.Member("SCOP", "member", "ess_enterprise", "cooperative", "", False)
LAB = rules.Member("Labo", "partner", "research", "not_ess", "", False)
STRATEGY = "Mutualiser des locaux, des emplois et des achats pour développer le territoire."


def subject(**changes) -> rules.Subject:
    data = {
        "siren": "",
        "legal_form": "",
        "strategy": "",
        "territory": (),
        "members": (),
        "laureate_years": (),
    }
    data.update(changes)
    return rules.Subject(**data)


def outcome(rule_id: str, **changes) -> rules.Result:
    return rules.check(subject(**changes)).by_id()[rule_id]


# like Association JADES in the demo: a State laureate known only by its name and territory
JADES = {"territory": ("974",), "laureate_years": (2023,)}


def test_a_laureate_known_only_by_its_name_has_no_failure_and_no_r8():
    report = rules.check(subject(**JADES))
    assert [r.rule.id for r in report.results] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
    assert not [r.rule.id for r in report.results if r.fails]
    assert {r.rule.id for r in report.results if r.missing} == {"R1", "R2", "R3", "R4", "R5", "R7"}
    assert all(r.to_add for r in report.results if r.missing)  # each says what to add
    assert report.meets_the_law is None  # unknown, not False
    assert report.summary()["meets_the_law"] is None and "R8" not in report.summary()["rules"]


@pytest.mark.parametrize(
    ("rule_id", "present", "others"),
    [
        ("R1", ESS, (FIRM, TOWN, SCHOOL)),
        ("R2", FIRM, (ESS, TOWN, SCHOOL)),
        ("R3", TOWN, (ESS, FIRM, COOP)),
    ],
)
def test_member_rules_have_three_outcomes(rule_id, present, others):
    assert outcome(rule_id).outcome == "missing"  # nothing recorded
    assert outcome(rule_id, members=others[:2]).outcome == "missing"  # too few to conclude
    with translation.override("fr"):
        contrary = outcome(rule_id, members=others)  # a recorded grouping without one
    assert contrary.outcome == "fails" and "3 structures renseignées" in contrary.explanation
    assert outcome(rule_id, members=(present,)).outcome == "holds"


def test_r4_counts_members_and_fails_only_when_the_grouping_says_so():
    assert outcome("R4").outcome == "missing"
    assert outcome("R4", members=(ESS, FIRM)).outcome == "missing"
    assert outcome("R4", members=(ESS, FIRM, LAB, LAB)).outcome == "fails"  # partners
    assert outcome("R4", members=(ESS, FIRM, TOWN)).outcome == "holds"


def test_r5_a_declared_association_is_a_legal_person_without_siren():
    with translation.override("fr"):
        result = outcome("R5", legal_form="Association loi 1901")
        assert result.outcome == "holds"
        assert "SIREN non renseigné" in result.explanation
        assert "n’est pas une personne morale" not in result.explanation
        assert result.to_add == "le SIREN du pôle."
        assert outcome("R5").outcome == "missing"
        assert "non renseignés" in outcome("R5").explanation
    assert outcome("R5", siren="732829320").outcome == "missing"  # form unknown
    assert outcome("R5", legal_form="SCIC SAS", siren="732829320").outcome == "holds"
    assert outcome("R5", legal_form="Établissement public").outcome == "fails"
    assert outcome("R5", legal_form="Association non déclarée").outcome == "fails"


def test_r6_and_r7_missing_then_respected():
    assert outcome("R6").outcome == "missing"
    assert outcome("R6", territory=("26",)).outcome == "holds"
    assert outcome("R7", strategy="À venir").outcome == "missing"
    assert outcome("R7", strategy=STRATEGY).outcome == "declared"


def test_meets_the_law_is_tri_state():
    complete = {
        "members": (ESS, FIRM, TOWN),
        "territory": ("26",),
        "strategy": STRATEGY,
    }
    assert rules.check(subject(**complete)).meets_the_law is True
    assert rules.check(subject(**{**complete, "strategy": ""})).meets_the_law is None
    no_ess = {**complete, "members": (FIRM, TOWN, SCHOOL)}
    assert rules.check(subject(**no_ess)).meets_the_law is False
    # R4 and R5 are conditions of the calls: a public form does not decide the definition
    public = {**complete, "legal_form": "Établissement public"}
    assert rules.check(subject(**public)).meets_the_law is True


def test_eligibility_to_calls_holds_r8_apart():
    complete = {
        "members": (ESS, FIRM, TOWN),
        "territory": ("26",),
        "strategy": STRATEGY,
        "legal_form": "Association loi 1901",
        "siren": "732829320",
    }
    assert rules.eligibility(subject(**complete)).eligible is True
    laureate = rules.eligibility(subject(**complete, laureate_years=(2013,)))
    assert laureate.eligible is False and laureate.report.meets_the_law is True
    assert [r.rule.id for r in laureate.results if r.fails] == ["R8"]
    assert rules.eligibility(subject(**JADES)).eligible is False  # R8, not the missing data
    assert rules.eligibility(subject(territory=("26",))).eligible is None
