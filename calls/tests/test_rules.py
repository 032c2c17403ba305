"""Eligibility to a call: each condition passes, fails (the data proves it) or is missing
(to complete, says what to add); a missing condition blocks but never reads as a failure."""

import pytest
from django.utils import translation

from calls import rules
from calls.rules import FAILS, MISSING, PASSES, Conditions, Subject

ALL_HOLD = dict.fromkeys(rules.STATE_CALL_RULES, "holds")
GOOD = Subject(
    rule_outcomes=ALL_HOLD,
    region_code="84",
    department_code="26",
    year_founded=2010,
    laureate_years=(2015,),
    attestations={"charter.signed": True, "charter.version": 2},
)
STATE_CALL = Conditions(
    rules=rules.STATE_CALL_RULES,
    charter_signed=True,
    charter_min_version=2,
    regions=frozenset({"84"}),
    no_laureate_years=5,
    founded_before=2024,
)


def lines(subject=GOOD, conditions=STATE_CALL, call_year=2025):
    return {
        line.condition: line
        for line in rules.eligibility(subject, conditions, call_year=call_year).lines
    }


def line(condition, subject=GOOD, conditions=STATE_CALL, call_year=2025, language="fr"):
    with translation.override(language):
        return lines(subject, conditions, call_year)[condition]


def with_(**changes):
    data = {
        "rule_outcomes": GOOD.rule_outcomes,
        "region_code": GOOD.region_code,
        "department_code": GOOD.department_code,
        "year_founded": GOOD.year_founded,
        "laureate_years": GOOD.laureate_years,
        "attestations": GOOD.attestations,
    }
    data.update(changes)
    return Subject(**data)


def test_a_pole_meeting_every_condition_is_eligible_with_one_line_per_condition():
    result = rules.eligibility(GOOD, STATE_CALL, call_year=2025)
    assert result.eligible is True
    assert [line.condition for line in result.lines] == [
        *rules.STATE_CALL_RULES,
        "charter",
        "territory",
        "laureate",
        "founded",
    ]
    assert all(line.outcome == PASSES for line in result.lines)
    assert result.failures == [] and result.to_complete == []


def test_a_call_without_conditions_asks_nothing():
    result = rules.eligibility(Subject(), Conditions(), call_year=2025)
    assert result.lines == () and result.eligible is True


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="R9"):
        Conditions(rules=("R1", "R9"))


# Registry rules


def test_a_rule_that_holds_passes():
    assert line("R1").outcome == PASSES
    assert line("R1").why == "R1 — Au moins une entreprise de l’ESS\xa0: respectée."


def test_a_declared_rule_passes_as_declared():
    subject = with_(rule_outcomes={**ALL_HOLD, "R3": "declared"})
    result = line("R3", subject)
    assert result.outcome == PASSES
    assert result.why.endswith(": déclarée par le pôle.")


def test_a_failing_rule_fails_and_blocks():
    subject = with_(rule_outcomes={**ALL_HOLD, "R5": "fails"})
    result = line("R5", subject)
    assert result.outcome == FAILS and result.fails
    assert result.why.endswith(": contraire à la règle.")
    assert rules.eligibility(subject, STATE_CALL, call_year=2025).eligible is False


def test_a_missing_rule_blocks_but_reads_to_complete_with_what_to_add():
    subject = with_(
        rule_outcomes={**ALL_HOLD, "R2": "missing"},
        rule_to_add={"R2": "les entreprises hors ESS parmi les membres du pôle."},
    )
    result = rules.eligibility(subject, STATE_CALL, call_year=2025)
    assert result.eligible is False
    assert result.failures == []
    [missing] = result.to_complete
    assert missing.condition == "R2" and missing.outcome == MISSING
    with translation.override("fr"):
        missing = line("R2", subject)
    assert "à compléter" in missing.why and "contraire" not in missing.why
    assert missing.to_add == "les entreprises hors ESS parmi les membres du pôle."


def test_a_rule_not_checked_by_the_registry_is_missing_with_a_default_to_add():
    subject = with_(rule_outcomes={k: v for k, v in ALL_HOLD.items() if k != "R8"})
    result = line("R8", subject)
    assert result.outcome == MISSING
    assert "pas encore été vérifiée" in result.why
    assert result.to_add == "la fiche du pôle dans l’annuaire."


# The charter (an attestation given through the registry's slot)


def test_a_signed_charter_of_the_required_version_passes():
    result = line("charter")
    assert result.outcome == PASSES
    assert result.why == "Le pôle a signé la version 2 de la charte."


def test_a_signed_charter_without_version_passes_when_no_version_is_asked():
    subject = with_(attestations={"charter.signed": True})
    result = line("charter", subject, Conditions(charter_signed=True))
    assert result.outcome == PASSES and result.why == "Le pôle a signé la charte."


def test_an_unsigned_charter_fails():
    result = line("charter", with_(attestations={"charter.signed": False}))
    assert result.outcome == FAILS
    assert result.why == "Le pôle n’a pas signé la charte."


def test_an_older_version_of_the_charter_fails():
    subject = with_(attestations={"charter.signed": True, "charter.version": 1})
    result = line("charter", subject)
    assert result.outcome == FAILS
    assert result.why == (
        "Le pôle a signé la version 1 de la charte\xa0; l’appel demande la version 2 ou une "
        "version ultérieure."
    )


def test_an_unknown_signature_is_missing_not_a_failure():
    result = line("charter", with_(attestations={}))
    assert result.outcome == MISSING
    assert result.why.startswith("À compléter")
    assert result.to_add == "la signature de la charte par le pôle."


def test_an_unknown_version_is_missing_when_a_version_is_asked():
    result = line("charter", with_(attestations={"charter.signed": True}))
    assert result.outcome == MISSING
    assert result.to_add == "la version de la charte signée par le pôle."


# The territory


def test_a_pole_in_an_allowed_region_or_department_passes():
    assert line("territory").outcome == PASSES
    assert line("territory").why == "26\xa0: dans le territoire de l’appel."
    by_department = Conditions(departments=frozenset({"26"}), regions=frozenset({"11"}))
    assert line("territory", conditions=by_department).outcome == PASSES


def test_a_pole_outside_the_territory_fails():
    conditions = Conditions(regions=frozenset({"11", "93"}))
    result = line("territory", conditions=conditions)
    assert result.outcome == FAILS
    assert result.why == "26\xa0: hors du territoire de l’appel (11, 93)."


def test_a_pole_without_territory_is_missing():
    result = line("territory", with_(region_code="", department_code=""))
    assert result.outcome == MISSING
    assert result.to_add == "le territoire du pôle (son département)."


def test_a_department_condition_with_an_unknown_department_is_missing_not_failing():
    conditions = Conditions(departments=frozenset({"07"}))
    assert line("territory", with_(department_code=""), conditions).outcome == MISSING


# Earlier laureates


def test_a_laureate_before_the_window_passes():
    result = line("laureate")
    assert result.outcome == PASSES
    assert result.why == "Pas lauréat de l’État de 2020 à 2024."


def test_a_laureate_within_the_window_fails():
    result = line("laureate", with_(laureate_years=(2015, 2021, 2023)))
    assert result.outcome == FAILS
    assert result.why == (
        "Lauréat de l’État en 2021, 2023\xa0: l’appel exclut les lauréats de 2020 à 2024."
    )


def test_the_call_year_itself_is_not_in_the_window():
    assert line("laureate", with_(laureate_years=(2025, 2019))).outcome == PASSES


def test_unknown_laureate_years_are_missing():
    result = line("laureate", with_(laureate_years=None))
    assert result.outcome == MISSING
    assert result.to_add == "les appels de l’État dont le pôle a été lauréat."


# The foundation


def test_a_pole_founded_before_the_limit_passes():
    result = line("founded")
    assert result.outcome == PASSES
    assert result.why == "Fondé en 2010, avant 2024."


def test_a_pole_founded_in_or_after_the_limit_year_fails():
    result = line("founded", with_(year_founded=2024))
    assert result.outcome == FAILS
    assert result.why == "Fondé en 2024\xa0: l’appel demande un pôle fondé avant 2024."


def test_an_unknown_foundation_year_is_missing():
    result = line("founded", with_(year_founded=None))
    assert result.outcome == MISSING
    assert result.why.startswith("À compléter")
    assert result.to_add == "l’année de création du pôle."


def test_english_sentences_stay_in_english():
    assert line("founded", language="en").why == "Founded in 2010, before 2024."
