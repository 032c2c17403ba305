"""The legal check of poles (registry.rules): run on every write that touches a pole,
its outcome (status, summary, member categories) kept on the pole."""

from django.db import transaction
from django.utils import timezone

from registry import rules, selectors
from registry.models import (
    Pole,
)

# --- the legal check -----------------------------------------------------------------------


def status_for(report: rules.Report, subject: rules.Subject) -> str:
    """A State laureate was checked by the State; otherwise the three outcomes of the
    check: the data shows the definition met, does not show it yet, or contradicts it."""
    if subject.laureate_years:
        return Pole.Status.LAUREATE
    meets = report.meets_the_law
    if meets:
        return Pole.Status.CHECKED
    if meets is False:
        return Pole.Status.CONTRARY
    return Pole.Status.INCOMPLETE


def _check_outcome(pole: Pole, now) -> tuple[rules.Report, bool]:
    """Run the check and set its outcome on the pole (in memory); True when it changed."""
    subject = selectors.subject_of(pole)
    report = rules.check(subject)
    status = status_for(report, subject)
    summary = report.summary()
    categories = member_categories_text(m.category for m in subject.members)
    if (
        pole.status != status
        or pole.check_report != summary
        or pole.member_categories != categories
        or pole.checked_at is None
    ):
        pole.status = status
        pole.check_report = summary
        pole.member_categories = categories
        pole.checked_at = now or timezone.now()
        return report, True
    return report, False


CHECK_WRITTEN = ["status", "check_report", "member_categories", "checked_at"]


def pole_check(pole: Pole, *, now=None) -> rules.Report:
    """Run the check and keep its outcome on the pole (status badge, summary)."""
    report, changed = _check_outcome(pole, now)
    if changed:
        Pole.objects.filter(pk=pole.pk).update(**{f: getattr(pole, f) for f in CHECK_WRITTEN})
    return report


def poles_check(pole_ids, *, batch: int = 500) -> None:
    """The check of many poles (an import): read in batches with what the check needs,
    each batch written in one bulk update."""
    now = timezone.now()
    ids = sorted(set(pole_ids))
    for start in range(0, len(ids), batch):
        poles = selectors.poles_for_check().filter(pk__in=ids[start : start + batch])
        changed = [pole for pole in poles if _check_outcome(pole, now)[1]]
        Pole.objects.bulk_update(changed, CHECK_WRITTEN)


def member_categories_text(categories) -> str:
    """ " a b c " (sorted, each once, spaces around: a LIKE '% a %' finds one exactly)."""
    found = sorted(set(categories))
    return f" {' '.join(found)} " if found else ""


def check_all(*, batch: int = 500) -> dict[str, int]:
    """The check of the whole registry, in batches (constant memory). Returns counts by
    status."""
    counts: dict[str, int] = {}
    now = timezone.now()
    last = 0
    while True:
        poles = list(selectors.poles_for_check().filter(pk__gt=last).order_by("pk")[:batch])
        if not poles:
            break
        with transaction.atomic():
            for pole in poles:
                pole_check(pole, now=now)
                counts[pole.status] = counts.get(pole.status, 0) + 1
        last = poles[-1].pk
    return counts
