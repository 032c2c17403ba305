"""Scoring and discussion of a file by its jurors.

A review is a draft until submitted; once submitted it is frozen (it cannot change, even
before the stage closes: the other jurors see the scores of a submitted review, and the
ranking reads them). The first score given in a stage locks its grid
(``Stage.grid_locked_at``): the criteria and weights can no longer change.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from calls import errors, ledger
from calls import ranking as pure
from calls.models import Application, Assignment, Juror, Message, Review, Score, Stage
from calls.permissions import is_blocked
from calls.services.jury import _lock_call, _text
from core.errors import DomainError
from core.input import clean_text

_SCORING_ERRORS = {
    "score_out_of_scale": errors.SCORE_OUT_OF_SCALE,
    "score_missing": errors.SCORE_MISSING,
    "unknown_criterion": errors.UNKNOWN_CRITERION,
    "invalid_grid": errors.UNKNOWN_CRITERION,
}


def grid_of(stage: Stage, criteria=None) -> pure.Grid:
    criteria = list(stage.criteria.all()) if criteria is None else criteria
    return pure.Grid(
        criteria=[
            pure.Criterion(c.pk, c.label, float(c.weight), c.eliminatory_min) for c in criteria
        ],
        scale_max=float(stage.scale_max),
    )


def parse_score(value, criterion) -> Decimal | None:
    """A typed score as a Decimal with at most two decimals (« 3,5 » too); None when blank."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number.as_tuple().exponent < -2:
        raise DomainError(
            errors.SCORE_INVALID, field=f"score_{criterion.pk}", criterion=criterion.label
        )
    return number


def _check_juror(assignment: Assignment, actor) -> None:
    juror = assignment.juror
    if juror.user_id is None or juror.user_id != actor.pk or juror.accepted_at is None:
        raise DomainError(errors.NOT_ASSIGNED)
    if juror.declared_at is None:
        raise DomainError(errors.NOT_DECLARED)
    if is_blocked(juror, assignment.application):
        # a conflict found or confirmed after the assignment keeps the juror away too
        raise DomainError(errors.NOT_ASSIGNED)


def review_save(
    *, assignment: Assignment, scores: dict, comments: dict, submit: bool, actor
) -> Review | None:
    """Save the juror's scores (``{criterion id: typed value}``) and comments on one file;
    with ``submit``, every criterion needs a score and the review is then frozen.
    Returns the review (None when a draft holds nothing yet)."""
    with transaction.atomic():
        call = _lock_call(assignment.stage.call_id)
        assignment = Assignment.objects.select_related("juror", "stage", "application").get(
            pk=assignment.pk
        )
        _check_juror(assignment, actor)
        stage = assignment.stage
        if stage.closed_at is not None:
            raise DomainError(errors.STAGE_CLOSED)
        review = Review.objects.select_for_update().filter(assignment=assignment).first()
        if review is not None and review.submitted_at is not None:
            raise DomainError(errors.REVIEW_SUBMITTED)
        criteria = list(stage.criteria.all())
        known = {c.pk for c in criteria}
        unknown = [k for k in [*scores, *comments] if k not in known]
        if unknown:
            raise DomainError(errors.UNKNOWN_CRITERION)
        values = {}
        for c in criteria:
            value = parse_score(scores.get(c.pk), c)
            if value is not None:
                values[c.pk] = value
        texts = {}
        for c in criteria:
            try:
                texts[c.pk] = clean_text(comments.get(c.pk, ""), max_length=4000, multiline=True)
            except ValidationError as exc:
                raise DomainError(
                    errors.TEXT_TOO_LONG, exc.messages[0], field=f"comment_{c.pk}"
                ) from exc
        grid = grid_of(stage, criteria)
        try:
            if submit:
                pure.validate_scores({k: float(v) for k, v in values.items()}, grid)
            else:  # a draft may leave scores blank; the given ones are checked
                pure.validate_scores({c.pk: float(values.get(c.pk, 0)) for c in criteria}, grid)
        except pure.ScoringError as exc:
            raise DomainError(
                _SCORING_ERRORS[exc.code],
                exc.message,
                field=f"score_{exc.params['criterion']}" if "criterion" in exc.params else None,
            ) from exc
        if review is None and not values and not any(texts.values()) and not submit:
            return None
        if values and stage.grid_locked_at is None:
            stage.grid_locked_at = timezone.now()
            stage.save(update_fields=["grid_locked_at"])
            ledger.record(call, "calls.stage.grid_locked", stage, actor=actor)
        if review is None:
            review = Review.objects.create(assignment=assignment)
        Score.objects.filter(review=review).exclude(criterion_id__in=list(values)).delete()
        for c in criteria:
            if c.pk in values:
                Score.objects.update_or_create(
                    review=review,
                    criterion=c,
                    defaults={"value": values[c.pk], "comment": texts[c.pk]},
                )
        complete = len(values) == len(criteria)
        review.total = (
            Decimal(
                str(round(pure.weighted_total({k: float(v) for k, v in values.items()}, grid), 4))
            )
            if complete
            else None
        )
        if submit:
            review.submitted_at = timezone.now()
        review.save()
        ledger.record(
            call,
            "calls.review.submitted" if submit else "calls.review.saved",
            review,
            actor=actor,
        )
    return review


def message_post(*, application: Application, juror: Juror, body: str, actor) -> Message:
    """A message in the discussion of a file, by one of its assigned, non-conflicted
    jurors."""
    body = _text(body, field="body", max_length=4000, multiline=True)
    if not body:
        raise DomainError(errors.MESSAGE_REQUIRED, field="body")
    with transaction.atomic():
        _lock_call(application.call_id)
        juror = Juror.objects.get(pk=juror.pk)
        assignment = (
            Assignment.objects.select_related("juror", "application", "stage")
            .filter(juror=juror, application=application)
            .first()
        )
        if assignment is None:
            raise DomainError(errors.NOT_ASSIGNED)
        _check_juror(assignment, actor)
        return Message.objects.create(
            application=application, stage=assignment.stage, author=juror, body=body
        )
