"""A pole's eligibility to a call, from what the registry and the charter know of it."""

from datetime import date, datetime, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from calls import rules, selectors_setup
from calls.models import Call
from registry import services as registry_services
from registry.tests import conftest as registry_fixtures

# the registry's own fixtures: poles built through its services
org, pole, complete_pole = (
    registry_fixtures.org,
    registry_fixtures.pole,
    registry_fixtures.complete_pole,
)

PARIS = selectors_setup.PARIS
pytestmark = pytest.mark.django_db


def make_call(slug="appel", **extra):
    fields = {
        "title": "Appel",
        "slug": slug,
        "opens_at": datetime(2027, 1, 1, 9, tzinfo=PARIS),
        "closes_at": datetime(2027, 12, 31, 23, 30, tzinfo=PARIS),
        "rules": list(rules.STATE_CALL_RULES),
        **extra,
    }
    return Call.objects.create(**fields)


def sign_charter(target, *, number=2, withdrawn=False):
    from charter.models import CharterVersion, Signature

    version, _created = CharterVersion.objects.get_or_create(
        number=number,
        defaults={"title": "Charte", "published_on": date(2021, 6, 1), "body": "# Charte"},
    )
    Signature.objects.create(
        version=version,
        pole=target,
        signatory_name="Christophe Chevalier",
        signatory_mandate="président",
        channel="online",
        status="withdrawn" if withdrawn else "signed",
        signed_at=timezone.now(),
        withdrawn_at=timezone.now() if withdrawn else None,
    )


def test_the_subject_reads_the_registry_check_as_the_registry_kept_it(complete_pole):
    subject = selectors_setup.pole_subject(complete_pole)
    stored = complete_pole.check_report["rules"]
    assert {k: v for k, v in subject.rule_outcomes.items() if k != "R8"} == stored
    assert all(subject.rule_outcomes[r] in ("holds", "declared") for r in ("R1", "R2", "R3"))
    assert subject.rule_outcomes["R8"] == "holds"
    assert subject.rule_to_add == {}
    assert (subject.department_code, subject.region_code) == ("26", "84")
    assert subject.laureate_years == ()
    # no signature in the register: not known (the 2014 paper signatures are not in it)
    assert subject.attestations["charter.signed"] is None


def test_a_complete_pole_is_eligible_to_a_state_call(complete_pole):
    eligibility = selectors_setup.pole_eligibility(make_call(), complete_pole)
    assert [line.condition for line in eligibility.lines] == list(rules.STATE_CALL_RULES)
    assert eligibility.eligible, [line.why for line in eligibility.lines]


def test_a_pole_with_missing_data_is_to_complete_not_failing(pole):
    bare = pole(name="Pôle en devenir")
    call = make_call(charter_signed=True, founded_before=2026)
    eligibility = selectors_setup.pole_eligibility(call, bare)
    assert not eligibility.eligible
    assert eligibility.failures == []
    missing = {line.condition: line for line in eligibility.to_complete}
    assert {"R1", "R2", "R4", "charter", "founded"} <= set(missing)
    assert "à compléter" in missing["R1"].why
    assert missing["R1"].to_add  # what the registry says to add
    assert missing["charter"].why.startswith("À compléter")


def test_a_laureate_pole_fails_r8_and_the_recent_laureate_condition(complete_pole):
    registry_services.laureate_add(
        pole=complete_pole, year=2025, source_url="https://example.org/laureats-2025"
    )
    call = make_call(no_laureate_years=3)
    eligibility = selectors_setup.pole_eligibility(call, complete_pole)
    failing = {line.condition for line in eligibility.failures}
    assert failing == {"R8", "laureate"}
    laureate = next(line for line in eligibility.lines if line.condition == "laureate")
    assert "2025" in laureate.why and "2024" in laureate.why and "2026" in laureate.why


def test_the_call_year_is_the_closing_year_in_paris():
    # 31 December 2027, 23:30 in Paris
    assert selectors_setup.call_year(make_call()) == 2027
    # 1 January 2028 00:30 in Paris is still 2027 in UTC: Paris says 2028
    late = make_call(slug="tard", closes_at=datetime(2028, 1, 1, 0, 30, tzinfo=PARIS))
    assert selectors_setup.call_year(late) == 2028


def test_the_charter_and_the_territory_from_the_registry_and_the_charter(complete_pole):
    call = make_call(charter_min_version=2, departments=["07"], regions=[], rules=[])
    sign_charter(complete_pole, number=2)
    lines = {
        line.condition: line for line in selectors_setup.pole_eligibility(call, complete_pole).lines
    }
    assert lines["charter"].passes
    assert lines["territory"].fails
    assert "26" in lines["territory"].why
    call.departments = ["26"]
    assert selectors_setup.pole_eligibility(call, complete_pole).eligible


def test_a_withdrawn_signature_fails_the_charter_condition(complete_pole):
    sign_charter(complete_pole, withdrawn=True)
    eligibility = selectors_setup.pole_eligibility(
        make_call(charter_signed=True, rules=[]), complete_pole
    )
    assert [line.condition for line in eligibility.failures] == ["charter"]


def test_the_public_list_keeps_drafts_out_and_groups_by_state():
    now = timezone.now()
    day = timedelta(days=1)
    make_call("brouillon", opens_at=now - day, closes_at=now + day)
    open_call = make_call("ouvert", opens_at=now - day, closes_at=now + day, published_at=now)
    soon = make_call("bientot", opens_at=now + day, closes_at=now + 9 * day, published_at=now)
    past = make_call("clos", opens_at=now - 9 * day, closes_at=now - day, published_at=now)
    groups = selectors_setup.call_list_public()
    assert groups == {"open": [open_call], "upcoming": [soon], "closed": [past]}
    with pytest.raises(Http404):
        selectors_setup.call_get_public(slug="brouillon")
    assert selectors_setup.call_get_public(slug="ouvert") == open_call


def test_the_phase_and_the_results_date_say_only_true_things():
    call = make_call(results_on=date(2028, 3, 12))
    closed = call.closes_at + timedelta(days=1)
    assert selectors_setup.call_phase(call, now=call.opens_at - timedelta(days=1)) == "upcoming"
    assert selectors_setup.call_phase(call, now=call.opens_at) == "open"
    assert selectors_setup.call_phase(call, now=closed) == "review"
    # the results date while it is to come; not once it is past, nor once published
    assert selectors_setup.results_text(call, now=closed) == "12 mars 2028"
    assert selectors_setup.results_text(call, now=datetime(2028, 3, 12, 8, tzinfo=PARIS)) == ""
    call.results_published_at = closed + timedelta(days=2)
    assert selectors_setup.call_phase(call, now=closed) == "review"  # not yet
    later = closed + timedelta(days=3)
    assert selectors_setup.call_phase(call, now=later) == "results"
    assert selectors_setup.results_text(call, now=later) == ""
    assert selectors_setup.results_published_text(call, now=later) == "3 janvier 2028"
    assert selectors_setup.results_text(make_call("sans-date"), now=closed) == ""


def test_approximate_dates_give_no_time_and_no_countdown():
    call = make_call(
        opens_at=datetime(2013, 7, 1, tzinfo=PARIS),
        closes_at=datetime(2014, 1, 10, 12, tzinfo=PARIS),
        dates_approximate=True,
    )
    assert selectors_setup.opens_text(call) == "vers juillet 2013 (date approximative)"
    assert selectors_setup.closes_text(call) == (
        "au plus tard le 10 janvier 2014 (date approximative)"
    )
    assert selectors_setup.dates_line(call) == (
        "Ouvert vers juillet 2013, clos au plus tard le 10 janvier 2014 (dates approximatives)"
    )
    before = datetime(2013, 6, 1, tzinfo=PARIS)
    assert selectors_setup.countdown(call, now=before) == "Ouvre vers juillet 2013"
    assert selectors_setup.countdown(call, now=datetime(2013, 9, 1, tzinfo=PARIS)) == ""
    assert selectors_setup.countdown(call, now=datetime(2015, 1, 1, tzinfo=PARIS)) == ""


def test_the_countdown_is_true_at_the_time_it_is_read():
    call = make_call()
    opens, closes = call.opens_at, call.closes_at
    assert selectors_setup.countdown(call, now=opens - timedelta(hours=1)).startswith("Ouvre le")
    assert selectors_setup.countdown(call, now=closes - timedelta(days=3, hours=2)) == (
        "Clôture dans 3 jours"
    )
    assert selectors_setup.countdown(call, now=closes - timedelta(hours=5)) == (
        "Clôture dans 5 heures"
    )
    assert selectors_setup.countdown(call, now=closes - timedelta(seconds=20)) == (
        "Clôture dans 1 minute"
    )
    assert selectors_setup.countdown(call, now=closes) == (
        "Clos depuis le 31 décembre 2027 à 23\xa0h\xa030"
    )


def test_what_to_add_is_looked_up_only_for_the_rules_the_call_requires(pole):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry import rules as registry_rules

    bare = pole(name="Pôle en devenir")
    with CaptureQueriesContext(connection) as every_rule:
        full = selectors_setup.pole_subject(bare)
    missing = [r for r, o in full.rule_outcomes.items() if o == registry_rules.MISSING]
    assert missing and full.rule_to_add  # a bare pole lacks what the registry checks
    # a call requiring none of the registry's rules: the registry's report is not read
    with CaptureQueriesContext(connection) as no_rule:
        none = selectors_setup.pole_subject(bare, required=())
    assert none.rule_to_add == {} and none.rule_outcomes == full.rule_outcomes
    assert len(no_rule) < len(every_rule)
    # one of them required: what to add for it, as before
    one = selectors_setup.pole_subject(bare, required=[missing[0]])
    assert one.rule_to_add.get(missing[0]) == full.rule_to_add.get(missing[0])
