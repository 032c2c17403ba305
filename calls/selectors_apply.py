"""Reads for applying: a pole's eligibility to a call, the user's applications, the
draft's form."""

from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from calls import rules
from calls.models import Application, Call, Question, Stage
from registry import hooks
from registry import rules as registry_rules
from registry.models import Laureate, Pole

PARIS = ZoneInfo("Europe/Paris")


def call_year(call: Call) -> int:
    return timezone.localtime(call.closes_at, PARIS).year


def subject_for(pole: Pole) -> rules.Subject:
    """What the eligibility reads of a pole: the outcome of its stored legal check, its
    territory and foundation, its State laureate years and the other apps' attestations."""
    outcomes = dict((pole.check_report or {}).get("rules", {}))
    laureate_years = tuple(
        sorted(Laureate.objects.filter(pole=pole).values_list("year", flat=True))
    )
    # R8 (no earlier State support) is never in the stored check: it reads the laureates
    outcomes["R8"] = registry_rules.FAILS if laureate_years else registry_rules.HOLDS
    return rules.Subject(
        rule_outcomes=outcomes,
        region_code=pole.region_code,
        department_code=pole.department_code,
        year_founded=pole.year_founded,
        laureate_years=laureate_years,
        attestations=hooks.attestations_for(pole),
    )


def conditions_for(call: Call) -> rules.Conditions:
    return rules.Conditions(
        rules=tuple(call.rules or ()),
        charter_signed=call.charter_signed,
        charter_min_version=call.charter_min_version,
        regions=frozenset(call.regions or ()),
        departments=frozenset(call.departments or ()),
        no_laureate_years=call.no_laureate_years,
        founded_before=call.founded_before,
    )


def eligibility_for(call: Call, pole: Pole) -> rules.Eligibility:
    return rules.eligibility(subject_for(pole), conditions_for(call), call_year=call_year(call))


def questions_of(call: Call) -> list[Question]:
    return list(
        Question.objects.filter(section__call=call)
        .select_related("section")
        .order_by("section__position", "section__pk", "position", "pk")
    )


def first_stage_for(call: Call, pole: Pole) -> Stage | None:
    """The stage a submitted file enters: the regional stage of the pole's region when
    the call has regional stages, else the first national one."""
    stages = list(Stage.objects.filter(call=call).order_by("position", "pk"))
    regional = [s for s in stages if s.kind == Stage.Kind.REGIONAL]
    if regional:
        for stage in regional:
            if pole.region_code and pole.region_code in (stage.region_codes or []):
                return stage
    national = [s for s in stages if s.kind == Stage.Kind.NATIONAL]
    return national[0] if national else (stages[0] if stages else None)


def live_application(call: Call, pole: Pole) -> Application | None:
    return (
        Application.objects.filter(call=call, pole=pole)
        .exclude(status=Application.Status.WITHDRAWN)
        .first()
    )


def applications_of_user(*, user) -> list[Application]:
    """The applications of the poles the user manages (« Mes candidatures »)."""
    if not user.is_authenticated:
        return []
    return list(
        Application.objects.filter(pole__managers=user)
        .select_related("call", "pole")
        .order_by("-call__closes_at", "pole__name", "pk")
        .distinct()
    )


def open_calls_for_user(*, user, now=None) -> list[Call]:
    """The open calls, for the user who manages a pole (a link to apply)."""
    now = now or timezone.now()
    if not user.is_authenticated or not user.managed_poles.exists():
        return []
    return list(
        Call.objects.filter(
            Q(published_at__isnull=False, published_at__lte=now),
            opens_at__lte=now,
            closes_at__gt=now,
        ).order_by("closes_at")
    )
