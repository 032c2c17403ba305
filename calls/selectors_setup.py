"""Reads for the call's public pages and its set-up: the public list and page, the
countdown, the calls a person manages, and the eligibility of a pole to a call, built from
what the registry already knows (its stored legal check, its laureates, its place) and the
attestations other apps give through the registry's slot (the charter)."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calls import permissions, rules
from calls.models import Call, CallDocument, Question, Stage
from core.dates import long_date, moment
from registry import geo
from registry import hooks as registry_hooks
from registry import rules as registry_rules
from registry import selectors as registry_selectors
from registry.models import Pole

PARIS = ZoneInfo("Europe/Paris")
UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


# --- the public pages ------------------------------------------------------------------


def call_state(call: Call, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if now < call.opens_at:
        return UPCOMING
    if now < call.closes_at:
        return OPEN
    return CLOSED


def published_calls(*, now: datetime | None = None):
    now = now or timezone.now()
    return Call.objects.filter(published_at__isnull=False, published_at__lte=now)


def call_list_public(*, now: datetime | None = None) -> dict[str, list[Call]]:
    """The published calls, in three groups: open (closing first), upcoming (opening
    first), closed (latest first)."""
    now = now or timezone.now()
    calls = list(published_calls(now=now).order_by("-closes_at"))
    groups = {OPEN: [], UPCOMING: [], CLOSED: []}
    for call in calls:
        groups[call_state(call, now=now)].append(call)
    groups[OPEN].sort(key=lambda c: c.closes_at)
    groups[UPCOMING].sort(key=lambda c: c.opens_at)
    return groups


def call_get_public(*, slug: str) -> Call:
    """A published call with its documents and stages; 404 for a draft."""
    call = (
        published_calls()
        .prefetch_related(
            Prefetch("documents", queryset=CallDocument.objects.order_by("position", "pk")),
            Prefetch("stages", queryset=Stage.objects.order_by("position", "pk")),
        )
        .filter(slug=slug)
        .first()
    )
    if call is None:
        raise Http404
    return call


def call_with_public_results(*, slug: str) -> Call:
    """A published call whose results are public; 404 otherwise."""
    call = Call.objects.filter(slug=slug).first()
    if call is None or call.results_published_at is None or call.published_at is None:
        raise Http404
    return call


def document_get_public(*, slug: str, document_id: int) -> CallDocument:
    document = (
        CallDocument.objects.select_related("call")
        .filter(
            pk=document_id,
            call__slug=slug,
            call__published_at__isnull=False,
            call__published_at__lte=timezone.now(),
        )
        .first()
    )
    if document is None:
        raise Http404
    return document


REVIEW, RESULTS = "review", "results"


def call_phase(call: Call, *, now: datetime | None = None) -> str:
    """Where the call stands for its public: upcoming, open, closed with its files under
    review, or its results published."""
    now = now or timezone.now()
    if call.results_published_at is not None and call.results_published_at <= now:
        return RESULTS
    state = call_state(call, now=now)
    return REVIEW if state == CLOSED else state


def _month(value: datetime) -> str:
    """« juillet 2013 », "July 2013": what an approximate date keeps."""
    return formats.date_format(timezone.localtime(value, PARIS), "F Y")


def countdown(call: Call, *, now: datetime | None = None) -> str:
    """« Clôture dans 3 jours », « Clos depuis le … », « Ouvre le … »: true at ``now``.
    A call with approximate dates has no countdown, only « Ouvre vers juillet 2013 »."""
    now = now or timezone.now()
    state = call_state(call, now=now)
    if call.dates_approximate:
        if state == UPCOMING:
            return _("Opens around %(month)s") % {"month": _month(call.opens_at)}
        return ""
    if state == UPCOMING:
        return _("Opens on %(when)s") % {"when": moment(call.opens_at)}
    if state == CLOSED:
        return _("Closed since %(when)s") % {"when": moment(call.closes_at)}
    left = call.closes_at - now
    days = left.days
    if days >= 1:
        return ngettext("Closes in %(n)d day", "Closes in %(n)d days", days) % {"n": days}
    hours = left.seconds // 3600
    if hours >= 1:
        return ngettext("Closes in %(n)d hour", "Closes in %(n)d hours", hours) % {"n": hours}
    minutes = max(1, left.seconds // 60)
    return ngettext("Closes in %(n)d minute", "Closes in %(n)d minutes", minutes) % {"n": minutes}


def conditions_text(call: Call) -> list[str]:
    """The call's eligibility conditions in plain French, one sentence each."""
    lines = []
    for rule_id in call.rules:
        rule = rules.REGISTRY_RULES.get(rule_id)
        if rule is not None:
            lines.append(
                _("%(rule)s — %(title)s (rules of the directory).")
                % {"rule": rule_id, "title": rule.title}
            )
    if call.charter_min_version:
        lines.append(
            _("Have signed version %(version)s of the PTCE charter, or a later one.")
            % {"version": call.charter_min_version}
        )
    elif call.charter_signed:
        lines.append(_("Have signed the PTCE charter."))
    places = [_region_name(code) for code in call.regions] + [
        _department_name(code) for code in call.departments
    ]
    if places:
        lines.append(_("Be based in: %(places)s.") % {"places": ", ".join(places)})
    if call.no_laureate_years:
        lines.append(
            ngettext(
                "Not have been a State laureate in the year before the call.",
                "Not have been a State laureate in the %(n)d years before the call.",
                call.no_laureate_years,
            )
            % {"n": call.no_laureate_years}
        )
    if call.founded_before:
        lines.append(_("Have been founded before %(year)s.") % {"year": call.founded_before})
    return lines


def _region_name(code: str) -> str:
    return geo.region_name(code) or code


def _department_name(code: str) -> str:
    name = geo.department_name(code)
    return f"{name} ({code})" if name else code


def closes_text(call: Call) -> str:
    if call.dates_approximate:
        # what is kept is a bound (the 2013 call: the announcement of its laureates)
        return _("by %(date)s at the latest (approximate date)") % {
            "date": long_date(timezone.localtime(call.closes_at, PARIS))
        }
    return _("%(when)s (Paris time)") % {"when": moment(timezone.localtime(call.closes_at, PARIS))}


def opens_text(call: Call) -> str:
    if call.dates_approximate:
        return _("around %(month)s (approximate date)") % {"month": _month(call.opens_at)}
    return moment(timezone.localtime(call.opens_at, PARIS))


def dates_line(call: Call) -> str:
    """The call's dates in one sentence, for its card in the list."""
    if call.dates_approximate:
        return _(
            "Opens around %(opens)s, closes by %(closes)s at the latest (approximate dates)"
        ) % {
            "opens": _month(call.opens_at),
            "closes": long_date(timezone.localtime(call.closes_at, PARIS)),
        }
    return _("Opens on %(opens)s, closes on %(closes)s") % {
        "opens": moment(call.opens_at),
        "closes": moment(call.closes_at),
    }


def results_text(call: Call, *, now: datetime | None = None) -> str:
    """The day the results are expected, only while it is still to come and they are not
    published (a past date would no longer be true)."""
    now = now or timezone.now()
    if call.results_on is None or call_phase(call, now=now) == RESULTS:
        return ""
    if call.results_on <= timezone.localtime(now, PARIS).date():
        return ""
    return long_date(call.results_on)


def results_published_text(call: Call, *, now: datetime | None = None) -> str:
    if call_phase(call, now=now) != RESULTS:
        return ""
    return long_date(timezone.localtime(call.results_published_at, PARIS))


# --- the managers' pages ---------------------------------------------------------------


def calls_managed_by(*, user):
    """The calls this person manages (every call for the staff who manage calls)."""
    if not user.is_authenticated or not user.is_active:
        return Call.objects.none()
    calls = Call.objects.all()
    if not permissions.can_manage_calls(user):
        calls = calls.filter(managers=user)
    return calls.order_by("-opens_at", "pk")


def call_for_setup(call: Call) -> Call:
    return (
        Call.objects.prefetch_related(
            "sections__questions",
            "stages__criteria",
            "documents",
        )
        .filter(pk=call.pk)
        .get()
    )


def question_for_setup(*, call: Call, pk: int) -> Question:
    """A question of the call's form (404 for another call's)."""
    return get_object_or_404(Question, pk=pk, section__call=call)


def stage_for_setup(*, call: Call, pk: int) -> Stage:
    """A stage of the call (404 for another call's)."""
    return get_object_or_404(Stage, pk=pk, call=call)


# --- eligibility -------------------------------------------------------------------------


def _r8_outcome(laureate_years: tuple[int, ...]) -> str:
    """R8 as the registry words it (``registry.rules.r8``), from the laureate years."""
    subject = registry_rules.Subject(
        siren="",
        legal_form="",
        strategy="",
        territory=(),
        members=(),
        laureate_years=laureate_years,
    )
    return registry_rules.r8(subject, registry_rules.R8_RULE).outcome


def pole_subject(pole: Pole, required=None) -> rules.Subject:
    """What the call's eligibility needs to know of a pole: the outcomes of the registry's
    legal check as the registry keeps them (``Pole.check_report``), R8 from its laureate
    rows, its place, its year of foundation and the attestations of the registry's slot.

    ``required``: the rules the call requires (all when ``None``); what to add is looked
    up only for those of them that are missing (the registry's report costs a few
    queries, on every submission under the call's lock)."""
    laureate_years = tuple(sorted(pole.laureates.values_list("year", flat=True)))
    outcomes = dict((pole.check_report or {}).get("rules") or {})
    outcomes["R8"] = _r8_outcome(laureate_years)
    to_add = {}
    wanted = outcomes if required is None else [r for r in required if r in outcomes]
    if any(outcomes[rule] == registry_rules.MISSING for rule in wanted):
        # what to add is not kept with the outcome: the registry's own report says it
        report = registry_selectors.pole_check_report(pole)
        to_add = {r.rule.id: r.to_add for r in report.results if r.missing and r.to_add}
    return rules.Subject(
        rule_outcomes=outcomes,
        rule_to_add=to_add,
        region_code=pole.region_code,
        department_code=pole.department_code,
        year_founded=pole.year_founded,
        laureate_years=laureate_years,
        attestations=registry_hooks.attestations_for(pole),
    )


def call_conditions(call: Call) -> rules.Conditions:
    return rules.Conditions(
        rules=tuple(call.rules),
        charter_signed=call.charter_signed,
        charter_min_version=call.charter_min_version,
        regions=frozenset(call.regions),
        departments=frozenset(call.departments),
        no_laureate_years=call.no_laureate_years,
        founded_before=call.founded_before,
    )


def call_year(call: Call) -> int:
    return timezone.localtime(call.closes_at, PARIS).year


def pole_eligibility(call: Call, pole: Pole) -> rules.Eligibility:
    return rules.eligibility(
        pole_subject(pole, required=call.rules), call_conditions(call), call_year=call_year(call)
    )


@dataclass(frozen=True)
class PoleEligibility:
    pole: Pole
    eligibility: rules.Eligibility


def managed_poles_eligibility(*, call: Call, user) -> list[PoleEligibility]:
    """For a pole manager: the eligibility of each pole they manage to this call."""
    if not user.is_authenticated or not user.is_active:
        return []
    poles = Pole.objects.filter(managers=user).order_by("name")
    return [PoleEligibility(pole, pole_eligibility(call, pole)) for pole in poles]


def manages_calls(*, user) -> bool:
    """Whether the calls' management list has something for this person."""
    return permissions.can_manage_calls(user) or calls_managed_by(user=user).exists()
