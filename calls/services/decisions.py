"""Deciding and publishing: passing files on to the next stage, the committee's decisions
(within the call's budget), notifying the applicants, publishing the results.

Each service locks the call's row first: two decisions recorded at the same moment are
checked against the budget one after the other, never both against the same total.
"""

import re
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import language_of
from calls import errors, ledger
from calls.models import Application, Call, Decision, Stage
from calls.selectors_decide import final_stage, laureates_total, ranking_for_stage
from core.errors import DomainError
from core.input import clean_text
from core.mail import email_queue

REASON_MAX = 2000


def _lock(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _euros(value: Decimal) -> str:
    """12 345,50 in French (a narrow no-break space between thousands)."""
    whole, _dot, cents = f"{value:,.2f}".partition(".")
    whole = whole.replace(",", "\u202f")
    return whole if cents == "00" else f"{whole},{cents}"


# --- passing files on ----------------------------------------------------------------------


def stage_pass_on(*, stage: Stage, application_ids, actor) -> list[Application]:
    """Move the chosen files (at most ``stage.passes_on``, scored in this stage's ranking)
    to the next stage, and close this one."""
    ids = []
    for value in application_ids:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DomainError(errors.PASS_ON_NOT_RANKED, field="applications") from None
        if number not in ids:
            ids.append(number)
    with transaction.atomic():
        call = _lock(stage.call)
        stage = Stage.objects.get(pk=stage.pk)
        if stage.closed_at is not None:
            raise DomainError(errors.STAGE_CLOSED)
        standing = ranking_for_stage(stage)
        if stage.passes_on is None or standing.next_stage is None:
            raise DomainError(errors.NO_NEXT_STAGE)
        if not ids:
            raise DomainError(errors.PASS_ON_NONE, field="applications")
        if len(ids) > stage.passes_on:
            raise DomainError(
                errors.PASS_ON_TOO_MANY, field="applications", max=stage.passes_on, n=len(ids)
            )
        if not set(ids) <= standing.ranked_ids():
            raise DomainError(errors.PASS_ON_NOT_RANKED, field="applications")
        moved = list(Application.objects.filter(pk__in=ids).order_by("pk"))
        for application in moved:
            application.stage = standing.next_stage
            application.save(update_fields=["stage", "updated_at"])
            ledger.record(call, "application.passed_on", application, actor=actor)
        stage.closed_at = timezone.now()
        stage.save(update_fields=["closed_at"])
        ledger.record(call, "stage.closed", stage, actor=actor)
    return moved


# --- decisions -----------------------------------------------------------------------------


def _amount(value) -> Decimal | None:
    """The amount as the applying side reads it (``parse_amount``): bounded before any
    rounding (« 1e30 » is refused, not a 500), at most two decimals (« 1234,567 » is
    refused, not rounded)."""
    from calls.services.applications import parse_amount

    return parse_amount(value, label=_("Amount"), field="amount")


def decision_record(
    *, application: Application, outcome: str, amount=None, reason: str, actor
) -> Decision:
    """Record (or change) the committee's decision on a file of the final stage. A
    laureate's amount is above zero, and the laureates' amounts together never exceed
    the call's budget."""
    if outcome not in Decision.Outcome.values:
        raise DomainError(errors.OUTCOME_UNKNOWN, field="outcome")
    try:
        reason = clean_text(reason, max_length=REASON_MAX, multiline=True, required=True)
    except ValidationError as exc:
        if exc.code == "required":
            raise DomainError(errors.REASON_REQUIRED, field="reason") from None
        raise DomainError(errors.REASON_REQUIRED, exc.messages[0], field="reason") from None
    amount = _amount(amount)
    if outcome == Decision.Outcome.LAUREATE:
        if amount is None or amount <= 0:
            raise DomainError(errors.AMOUNT_REQUIRED, field="amount")
    elif amount is not None:
        raise DomainError(errors.AMOUNT_NOT_LAUREATE, field="amount")

    with transaction.atomic():
        call = _lock(application.call)
        application = Application.objects.select_related("pole").get(pk=application.pk)
        if call.results_published_at is not None:
            raise DomainError(errors.RESULTS_PUBLISHED)
        last = final_stage(call)
        if (
            application.status != Application.Status.SUBMITTED
            or last is None
            or application.stage_id != last.pk
        ):
            raise DomainError(errors.NOT_FINAL_STAGE)
        if outcome == Decision.Outcome.LAUREATE:
            if call.budget is None:
                raise DomainError(errors.BUDGET_MISSING, field="amount")
            granted = laureates_total(call)
            previous = Decision.objects.filter(
                application=application, outcome=Decision.Outcome.LAUREATE
            ).first()
            if previous is not None:
                granted -= previous.amount or 0
            if granted + amount > call.budget:
                raise DomainError(
                    errors.BUDGET_EXCEEDED,
                    field="amount",
                    amount=_euros(amount),
                    total=_euros(granted + amount),
                    budget=_euros(call.budget),
                    granted=_euros(granted),
                    left=_euros(call.budget - granted),
                )
        decision, _created = Decision.objects.update_or_create(
            application=application,
            defaults={
                "outcome": outcome,
                "amount": amount,
                "reason": reason,
                "decided_by": actor if actor is not None and actor.is_authenticated else None,
                "decided_at": timezone.now(),
                "notified_at": None,
            },
        )
        ledger.record(call, "decision.recorded", decision, actor=actor)
    return decision


# --- notifying and publishing --------------------------------------------------------------


def results_notify(*, call: Call, actor) -> int:
    """Email each applying pole's managers its decision (the decisions not notified
    yet); returns how many decisions were notified."""
    with transaction.atomic():
        call = _lock(call)
        decisions = list(
            Decision.objects.filter(application__call=call, notified_at__isnull=True)
            .select_related("application__pole")
            .prefetch_related("application__pole__managers")
            .order_by("pk")
        )
        if not decisions and not Decision.objects.filter(application__call=call).exists():
            raise DomainError(errors.NOTHING_DECIDED)
        now = timezone.now()
        for decision in decisions:
            for manager in decision.application.pole.managers.all():
                if not manager.email or not manager.is_active:
                    continue
                email_queue(
                    kind="calls.decision.notified",
                    scope=f"calls.call:{call.pk}",
                    object_id=decision.pk,
                    to=manager.email,
                    language=language_of(manager),
                    dedupe_key=(
                        f"calls.decision.{decision.pk}.{manager.pk}."
                        f"{decision.decided_at.timestamp():.0f}"
                    ),
                )
            decision.notified_at = now
            decision.save(update_fields=["notified_at"])
        if decisions:
            ledger.record(call, "results.notified", call, actor=actor, decisions=len(decisions))
    return len(decisions)


SIRET = re.compile(r"\d{14}")


def laureates_url(call: Call) -> str:
    return settings.SITE_URL + reverse("calls:laureates", args=[call.slug])


def results_publish(
    *,
    call: Call,
    actor,
    grantor_name: str,
    grantor_siret: str,
    payments_from: date | None,
    payments_until: date | None,
) -> Call:
    """Publish the results (once: publishing again changes nothing but the directory's
    laureates, brought up to date): the public laureates page, the awards as open data,
    and each laureate in the directory (``registry.services.laureate_add``)."""
    from registry.services import laureate_add

    try:
        grantor_name = clean_text(grantor_name, max_length=200, required=True)
    except ValidationError as exc:
        if exc.code == "required":
            raise DomainError(
                errors.TEXT_REQUIRED, field="grantor_name", label=_("name of the granting body")
            ) from None
        raise DomainError(errors.TEXT_REQUIRED, exc.messages[0], field="grantor_name") from None
    grantor_siret = "".join((grantor_siret or "").split())
    if not SIRET.fullmatch(grantor_siret):
        raise DomainError(errors.GRANTOR_SIRET, field="grantor_siret")
    if payments_from is None or payments_until is None or payments_until < payments_from:
        raise DomainError(errors.PAYMENT_PERIOD, field="payments_from")
    with transaction.atomic():
        call = _lock(call)
        if not Decision.objects.filter(application__call=call).exists():
            raise DomainError(errors.NOTHING_DECIDED)
        call.grantor_name = grantor_name
        call.grantor_siret = grantor_siret
        call.payments_from = payments_from
        call.payments_until = payments_until
        first = call.results_published_at is None
        if first:
            call.results_published_at = timezone.now()
        call.save(
            update_fields=[
                "grantor_name",
                "grantor_siret",
                "payments_from",
                "payments_until",
                "results_published_at",
            ]
        )
        laureates = Decision.objects.filter(
            application__call=call, outcome=Decision.Outcome.LAUREATE
        ).select_related("application__pole")
        for decision in laureates:
            laureate_add(
                pole=decision.application.pole,
                year=call.opens_at.year,
                call=call.title,
                source_url=laureates_url(call),
                actor=actor,
            )
        if first:
            ledger.record(call, "results.published", call, actor=actor)
    return call
