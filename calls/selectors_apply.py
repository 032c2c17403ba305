"""Reads for applying: a pole's eligibility to a call, the user's applications, the
draft's form."""

from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from calls import rules, selectors_setup
from calls.models import Application, Call, Question, Stage
from registry.models import Pole

PARIS = ZoneInfo("Europe/Paris")


def call_for_applying(*, slug: str) -> Call:
    """The call to apply to, by the public page's rule: published and not under embargo
    (``published_at`` in the future); 404 otherwise."""
    call = selectors_setup.published_calls().filter(slug=slug).first()
    if call is None:
        raise Http404
    return call


def managed_poles(*, user) -> list[Pole]:
    """The poles the user manages, by name (those they may apply for)."""
    return list(user.managed_poles.order_by("name"))


def max_file_size(*, slug: str) -> int | None:
    """The call's largest attachment, in bytes; None when there is no such call."""
    return Call.objects.filter(slug=slug).values_list("max_file_size", flat=True).first()


def question_of_call(*, call: Call, pk: int | None) -> Question | None:
    """A question of the call's form (with its section), or None."""
    if not pk:
        return None
    return Question.objects.select_related("section").filter(pk=pk, section__call=call).first()


def applications_for_manager(*, call: Call):
    """Every application to the call, with its pole and stage, by pole (the manager's list)."""
    return (
        Application.objects.filter(call=call)
        .select_related("pole", "stage")
        .order_by("pole__name", "pk")
    )


def application_for_manager(*, call: Call, pk: int) -> Application:
    """An application to the call (404 for another call's)."""
    return get_object_or_404(Application, call=call, pk=pk)


def eligibility_for(call: Call, pole: Pole) -> rules.Eligibility:
    """The pole's eligibility to the call (``selectors_setup.pole_eligibility``: one
    builder of what the registry knows of a pole)."""
    return selectors_setup.pole_eligibility(call, pole)


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


def live_applications(*, call: Call, poles) -> dict[int, Application]:
    """{pole id: its live (not withdrawn) application to the call}, in one query."""
    if not poles:
        return {}
    rows = Application.objects.filter(call=call, pole__in=poles).exclude(
        status=Application.Status.WITHDRAWN
    )
    return {row.pole_id: row for row in rows}


def applications_of_user(*, user) -> list[Application]:
    """The applications of the poles the user manages (« Mes candidatures »)."""
    if not user.is_authenticated:
        return []
    return list(
        Application.objects.filter(pole__managers=user)
        .select_related("call", "pole", "decision")
        .order_by("-call__closes_at", "pole__name", "pk")
        .distinct()
    )


def open_calls_for_user(*, user, now=None) -> list[Call]:
    """The open calls, for the user who manages a pole (a link to apply): those where at
    least one of the user's poles holds no application yet (a withdrawn one does not count,
    the pole may start again); the others are under « My applications »."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return []
    poles = set(user.managed_poles.values_list("pk", flat=True))
    if not poles:
        return []
    calls = list(
        Call.objects.filter(
            Q(published_at__isnull=False, published_at__lte=now),
            opens_at__lte=now,
            closes_at__gt=now,
        ).order_by("closes_at")
    )
    held: dict = {}
    for call_id, pole_id in (
        Application.objects.filter(call__in=calls, pole_id__in=poles)
        .exclude(status=Application.Status.WITHDRAWN)
        .values_list("call_id", "pole_id")
    ):
        held.setdefault(call_id, set()).add(pole_id)
    return [call for call in calls if poles - held.get(call.pk, set())]
