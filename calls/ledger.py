"""Each call's log: every state change of the call, its applications, assignments, reviews
and decisions, appended as one entry chained to the previous one by hash
(``core.hashchain``, as the charter's signatures).

A service appends with ``record(call, action, obj, actor=...)`` inside its transaction,
after locking the call's row (``Call.objects.select_for_update()``): the lock makes the
sequence gapless. The entry's payload holds the object's kind, id and its state as
``snapshot`` sees it; ``verify`` recomputes the chain and compares each object's last
logged state with its row (the ``verify_calls`` command).
"""

from datetime import UTC
from decimal import Decimal

from django.utils import timezone

from calls.models import Application, Assignment, Call, Decision, LogEntry, Review, Stage
from core.hashchain import GENESIS, chain

ROUND = Decimal("0.0001")


def _time(value):
    # in UTC: a time set in Europe/Paris and the same time read back from the database
    # must give the same state
    return value.astimezone(UTC).isoformat() if value else None


def _number(value):
    return str(Decimal(value).quantize(ROUND)) if value is not None else None


def snapshot(obj, *, removed: bool = False) -> tuple[str, int, dict]:
    """(kind, id, state) of an object the log follows. ``removed``: an assignment about to
    be deleted (record it before ``delete()``, which forgets the row's id)."""
    if obj.pk is None:
        raise ValueError("the calls' log follows saved rows only (record a removal before it)")
    if isinstance(obj, Call):
        return (
            "call",
            obj.pk,
            {
                "opens_at": _time(obj.opens_at),
                "closes_at": _time(obj.closes_at),
                "budget": _number(obj.budget),
                "published_at": _time(obj.published_at),
                "results_published_at": _time(obj.results_published_at),
            },
        )
    if isinstance(obj, Stage):
        return (
            "stage",
            obj.pk,
            {
                "grid_locked_at": _time(obj.grid_locked_at),
                "closed_at": _time(obj.closed_at),
                "criteria": [
                    [c.pk, _number(c.weight), _number(c.eliminatory_min)]
                    for c in obj.criteria.order_by("pk")
                ],
            },
        )
    if isinstance(obj, Application):
        return (
            "application",
            obj.pk,
            {
                "pole": obj.pole_id,
                "status": obj.status,
                "stage": obj.stage_id,
                "sha256": obj.sha256,
                "submitted_at": _time(obj.submitted_at),
                "reopened_until": _time(obj.reopened_until),
            },
        )
    if isinstance(obj, Assignment):
        return (
            "assignment",
            obj.pk,
            {
                "stage": obj.stage_id,
                "application": obj.application_id,
                "juror": obj.juror_id,
                "removed": removed,
            },
        )
    if isinstance(obj, Review):
        return (
            "review",
            obj.pk,
            {
                "assignment": obj.assignment_id,
                "submitted_at": _time(obj.submitted_at),
                "total": _number(obj.total),
                "scores": [[s.criterion_id, _number(s.value)] for s in obj.scores.order_by("pk")],
            },
        )
    if isinstance(obj, Decision):
        return (
            "decision",
            obj.pk,
            {
                "application": obj.application_id,
                "outcome": obj.outcome,
                "amount": _number(obj.amount),
            },
        )
    raise TypeError(f"the calls' log does not follow {type(obj).__name__}")


def record(call: Call, action: str, obj, *, actor=None, removed=False, **data) -> LogEntry:
    """Append an entry to the call's log. Call inside the service's transaction, the
    call's row locked. An assignment taken away: ``record(..., removed=True)`` just before
    deleting it."""
    if removed and not isinstance(obj, Assignment):
        raise TypeError("only an assignment is removed from a call")
    kind, pk, state = snapshot(obj, removed=removed)
    last = LogEntry.objects.filter(call=call).order_by("-sequence").first()
    previous = last.digest if last else GENESIS
    sequence = (last.sequence if last else 0) + 1
    now = timezone.now()
    payload = {
        "sequence": sequence,
        "action": action,
        "kind": kind,
        "id": pk,
        "state": state,
        "at": now.isoformat(),
        "actor": actor.pk if actor is not None and actor.is_authenticated else None,
    }
    if data:
        payload["data"] = data
    return LogEntry.objects.create(
        call=call,
        sequence=sequence,
        action=action,
        payload=payload,
        previous=previous,
        digest=chain(previous, payload),
        actor=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
    )


_MODELS = {
    "call": Call,
    "stage": Stage,
    "application": Application,
    "assignment": Assignment,
    "review": Review,
    "decision": Decision,
}


def verify(call: Call) -> list[str]:
    """What is wrong with a call's log, as sentences (``[]``: the chain holds and every
    row is as its last entry says)."""
    problems = []
    previous = GENESIS
    last_state: dict[tuple[str, int], dict] = {}
    for expected, entry in enumerate(LogEntry.objects.filter(call=call).order_by("sequence"), 1):
        if entry.sequence != expected or entry.payload.get("sequence") != expected:
            problems.append(f"entry {expected}: sequence {entry.sequence} (cut or reordered)")
        if entry.previous != previous:
            problems.append(f"entry {entry.sequence}: does not follow the previous one")
        if chain(entry.previous, entry.payload) != entry.digest:
            problems.append(f"entry {entry.sequence}: altered (its digest does not match)")
        previous = entry.digest
        last_state[(entry.payload.get("kind"), entry.payload.get("id"))] = entry.payload.get(
            "state"
        )
    followed = {
        "call": Call.objects.filter(pk=call.pk),
        # a stage is followed once logged (its grid's lock, its closing)
        "stage": Stage.objects.filter(
            call=call, pk__in=[pk for kind, pk in last_state if kind == "stage"]
        ),
        "application": Application.objects.filter(call=call),
        "assignment": Assignment.objects.filter(stage__call=call),
        "review": Review.objects.filter(assignment__stage__call=call),
        "decision": Decision.objects.filter(application__call=call),
    }
    for kind, rows in followed.items():
        for row in rows:
            logged = last_state.pop((kind, row.pk), None)
            if logged is None:
                problems.append(f"{kind} {row.pk}: not in the log")
            elif kind == "assignment" and logged.get("removed"):
                problems.append(f"{kind} {row.pk}: removed in the log but still in the database")
            elif snapshot(row)[2] != logged:
                problems.append(f"{kind} {row.pk}: differs from its last log entry")
    for (kind, pk), state in last_state.items():
        model = _MODELS.get(kind)
        if kind == "assignment" and state.get("removed"):
            continue
        if model is not None and not model.objects.filter(pk=pk).exists():
            problems.append(f"{kind} {pk}: in the log but gone from the database")
    return problems
