"""The call and its set-up: the call itself, its application form (sections and
questions), its stages and their grids, its documents, its publication.

Each service takes keyword-only arguments and the acting user, owns its transaction, locks
the call's row, checks, writes and logs (``calls.ledger``). A refusal is a
``DomainError`` naming the field, and nothing is kept.

Times: ``opens_at`` and ``closes_at`` are read as Europe/Paris wall-clock times when naive
(what a manager types in the form), kept as aware datetimes.

The grid locks at the first score: once ``Stage.grid_locked_at`` is set or any score
exists in a stage, its criteria, scale and cut-off no longer change.
"""

import hashlib
import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from calls import errors, files, ledger
from calls.models import (
    Application,
    Call,
    CallDocument,
    Criterion,
    Question,
    Score,
    Section,
    Stage,
)
from calls.rules import REGISTRY_RULES
from calls.uploads import upload_cap
from core.errors import DomainError
from core.french import file_size, number
from core.input import clean_text
from registry import geo

PARIS = ZoneInfo("Europe/Paris")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOCUMENT_MAX_SIZE = 20 * 1024**2
MAX_FILE_SIZE = 100 * 1024**2  # what a manager may allow per attachment

# --- cleaning (each raises a DomainError on its field) -----------------------------------


def _text(data, name, *, max_length, multiline=False, required=False) -> str:
    try:
        return clean_text(
            data.get(name), max_length=max_length, multiline=multiline, required=required
        )
    except ValidationError as exc:
        raise DomainError(errors.FIELD_INVALID, exc.messages[0], field=name) from exc


def _int(data, name, *, minimum, maximum, required=False) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise DomainError(errors.NUMBER_INVALID, field=name, min=minimum, max=maximum)
        return None
    try:
        value = int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(errors.NUMBER_INVALID, field=name, min=minimum, max=maximum) from exc
    if not minimum <= value <= maximum:
        raise DomainError(errors.NUMBER_INVALID, field=name, min=minimum, max=maximum)
    return value


def _decimal(data, name) -> Decimal | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        value = Decimal(re.sub(r"[\s\u202f\u00a0]", "", str(value)).replace(",", "."))
    except InvalidOperation as exc:
        raise DomainError(errors.FIELD_INVALID, field=name) from exc
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise DomainError(errors.FIELD_INVALID, field=name)
    return value.quantize(Decimal("0.01"))


def _budget(data) -> Decimal | None:
    """An amount in euros as the manager types it (« 500 000 », « 500 000,00 € »)."""
    from calls.services.applications import parse_amount

    text = str(data.get("budget") or "").strip()
    if text.startswith(("-", "\u2212")):
        raise DomainError(errors.BUDGET_NEGATIVE, field="budget")
    return parse_amount(text, label=_("Budget"), field="budget")


#: the years a call's dates may fall in (the first call was in 2013); beyond them a date is
#: a slip, and year 1 would not even convert to UTC (OverflowError)
YEARS = (1990, 2100)


def _paris(value, name) -> datetime:
    if not isinstance(value, datetime):
        raise DomainError(errors.DATE_REQUIRED, field=name)
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise DomainError(errors.DATE_OUT_OF_RANGE, field=name, min=YEARS[0], max=YEARS[1])
    if timezone.is_naive(value):
        value = timezone.make_aware(value, PARIS)
    # kept in UTC, as the database gives it back (the log compares the two)
    return value.astimezone(UTC)


def _codes(values, name, known) -> list[str]:
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    found = []
    for code in values or []:
        code = str(code).strip().upper()
        if code not in known:
            raise DomainError(errors.PLACE_CODE_INVALID, field=name, code=code)
        if code not in found:
            found.append(code)
    return found


def _clean_call(data: dict) -> dict:
    slug = str(data.get("slug") or "").strip()
    if not SLUG_RE.match(slug) or len(slug) > 100:
        raise DomainError(errors.SLUG_INVALID, field="slug")
    opens_at = _paris(data.get("opens_at"), "opens_at")
    closes_at = _paris(data.get("closes_at"), "closes_at")
    if closes_at <= opens_at:
        raise DomainError(errors.CLOSES_BEFORE_OPENS, field="closes_at")
    budget = _budget(data)
    results_on = data.get("results_on") or None
    if results_on is not None and not isinstance(results_on, date):
        raise DomainError(errors.FIELD_INVALID, field="results_on")
    rules = []
    for rule in data.get("rules") or []:
        if rule not in REGISTRY_RULES:
            raise DomainError(errors.RULE_UNKNOWN, field="rules", rule=rule)
        if rule not in rules:
            rules.append(rule)
    rules.sort(key=lambda r: int(r[1:]))
    year = timezone.now().year
    max_file = _int(data, "max_file_size", minimum=1, maximum=MAX_FILE_SIZE // 1024**2)
    max_total = _int(data, "max_total_size", minimum=1, maximum=5 * MAX_FILE_SIZE // 1024**2)
    max_file = (max_file or 10) * 1024**2
    max_total = (max_total or 30) * 1024**2
    if max_total < max_file:
        raise DomainError(
            errors.NUMBER_INVALID,
            field="max_total_size",
            min=max_file // 1024**2,
            max=5 * MAX_FILE_SIZE // 1024**2,
        )
    return {
        "title": _text(data, "title", max_length=200, required=True),
        "slug": slug,
        "summary": _text(data, "summary", max_length=2000, multiline=True),
        "funders": _text(data, "funders", max_length=300),
        "budget": budget,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "results_on": results_on,
        "specifications": _text(data, "specifications", max_length=100_000, multiline=True),
        "faq": _text(data, "faq", max_length=50_000, multiline=True),
        "rules": rules,
        "charter_signed": bool(data.get("charter_signed")),
        "charter_min_version": _int(data, "charter_min_version", minimum=1, maximum=99),
        "regions": _codes(data.get("regions"), "regions", geo.regions()),
        "departments": _codes(data.get("departments"), "departments", geo.departments()),
        "no_laureate_years": _int(data, "no_laureate_years", minimum=1, maximum=50),
        "founded_before": _int(data, "founded_before", minimum=1900, maximum=year + 10),
        "max_file_size": max_file,
        "max_total_size": max_total,
    }


def _locked_call(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


# --- the call --------------------------------------------------------------------------


def call_create(*, actor, data: dict) -> Call:
    """A new call (a draft: not public until published); its creator manages it."""
    fields = _clean_call(data)
    try:
        with transaction.atomic():
            call = Call.objects.create(**fields)
            if actor is not None and actor.is_authenticated:
                call.managers.add(actor)
            ledger.record(call, "calls.call.created", call, actor=actor)
    except IntegrityError as exc:
        raise DomainError(errors.SLUG_TAKEN, field="slug") from exc
    return call


def call_update(*, call: Call, actor, data: dict) -> Call:
    fields = _clean_call(data)
    try:
        with transaction.atomic():
            call = _locked_call(call)
            if Call.objects.filter(slug=fields["slug"]).exclude(pk=call.pk).exists():
                raise DomainError(errors.SLUG_TAKEN, field="slug")
            for name, value in fields.items():
                setattr(call, name, value)
            call.save()
            ledger.record(call, "calls.call.updated", call, actor=actor)
    except IntegrityError as exc:
        raise DomainError(errors.SLUG_TAKEN, field="slug") from exc
    return call


def publish_missing(call: Call) -> list[str]:
    """What the call still lacks before it can be published (French sentences)."""
    from django.utils.translation import gettext as _

    missing = []
    if not call.summary:
        missing.append(_("a summary"))
    stages = list(call.stages.prefetch_related("criteria"))
    if not stages:
        missing.append(_("a review stage"))
    elif any(not stage.criteria.all() for stage in stages):
        missing.append(_("criteria in every stage"))
    if not Section.objects.filter(call=call, questions__isnull=False).exists():
        missing.append(_("at least one question in the application form"))
    return missing


def call_publish(*, call: Call, actor) -> Call:
    """The call's page becomes public (its dates say whether it is open)."""
    with transaction.atomic():
        call = _locked_call(call)
        if call.published_at is not None:
            raise DomainError(errors.ALREADY_PUBLISHED)
        missing = publish_missing(call)
        if missing:
            raise DomainError(errors.PUBLISH_INCOMPLETE, missing=", ".join(missing) + ".")
        call.published_at = timezone.now()
        call.save(update_fields=["published_at"])
        ledger.record(call, "calls.call.published", call, actor=actor)
    return call


# --- the application form: sections and questions ---------------------------------------


def _form_open(call: Call) -> None:
    if Application.objects.filter(call=call, submitted_at__isnull=False).exists():
        raise DomainError(errors.FORM_LOCKED)


def _next_position(queryset) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


def section_add(*, call: Call, actor, data: dict) -> Section:
    title = _text(data, "title", max_length=200, required=True)
    with transaction.atomic():
        call = _locked_call(call)
        _form_open(call)
        section = Section.objects.create(
            call=call, title=title, position=_next_position(call.sections)
        )
        ledger.record(call, "calls.form.section_added", call, actor=actor, section=section.pk)
    return section


def _own(rows):
    """The one row of this call that the form names, else « not in this call »."""
    row = rows.first()
    if row is None:
        raise DomainError(errors.NOT_IN_CALL)
    return row


def _own_section(call, section_id) -> Section:
    return _own(Section.objects.filter(pk=section_id, call=call))


def section_update(*, call: Call, section_id: int, actor, data: dict) -> Section:
    title = _text(data, "title", max_length=200, required=True)
    with transaction.atomic():
        call = _locked_call(call)
        _form_open(call)
        section = _own_section(call, section_id)
        section.title = title
        section.save(update_fields=["title"])
        ledger.record(call, "calls.form.section_changed", call, actor=actor, section=section.pk)
    return section


def section_remove(*, call: Call, section_id: int, actor) -> None:
    with transaction.atomic():
        call = _locked_call(call)
        _form_open(call)
        section = _own_section(call, section_id)
        ledger.record(call, "calls.form.section_removed", call, actor=actor, section=section.pk)
        section.delete()


def _move(items: list, item, direction: int) -> None:
    index = items.index(item)
    other = index + direction
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, row in enumerate(items, 1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


def section_move(*, call: Call, section_id: int, actor, up: bool) -> None:
    with transaction.atomic():
        call = _locked_call(call)
        _form_open(call)
        section = _own_section(call, section_id)
        sections = list(call.sections.order_by("position", "pk"))
        _move(sections, next(s for s in sections if s.pk == section.pk), -1 if up else 1)
        ledger.record(call, "calls.form.reordered", call, actor=actor, section=section.pk)


def _clean_question(data: dict) -> dict:
    kind = data.get("kind")
    if kind not in Question.Kind.values:
        raise DomainError(errors.FIELD_INVALID, field="kind")
    max_words = _int(data, "max_words", minimum=1, maximum=20_000)
    max_chars = _int(data, "max_chars", minimum=1, maximum=100_000)
    if kind != Question.Kind.TEXT and (max_words or max_chars):
        raise DomainError(errors.QUESTION_LIMIT_INVALID, field="max_words")
    choices = data.get("choices") or []
    if isinstance(choices, str):
        choices = choices.splitlines()
    cleaned = []
    for choice in choices:
        try:
            choice = clean_text(choice, max_length=200)
        except ValidationError as exc:
            raise DomainError(errors.FIELD_INVALID, exc.messages[0], field="choices") from exc
        if choice and choice not in cleaned:
            cleaned.append(choice)
    if kind == Question.Kind.CHOICE and len(cleaned) < 2:
        raise DomainError(errors.CHOICES_REQUIRED, field="choices")
    if kind != Question.Kind.CHOICE:
        cleaned = []
    return {
        "label": _text(data, "label", max_length=300, required=True),
        "help_text": _text(data, "help_text", max_length=2000, multiline=True),
        "kind": kind,
        "required": bool(data.get("required")),
        "max_words": max_words,
        "max_chars": max_chars,
        "choices": cleaned,
    }


def question_add(*, call: Call, section_id: int, actor, data: dict) -> Question:
    fields = _clean_question(data)
    with transaction.atomic():
        call = _locked_call(call)
        _form_open(call)
        section = _own_section(call, section_id)
        question = Question.objects.create(
            section=section, position=_next_position(section.questions), **fields
        )
        ledger.record(call, "calls.form.question_added", call, actor=actor, question=question.pk)
    return question


def _own_question(call, question_id) -> Question:
    return _own(Question.objects.filter(pk=question_id, section__call=call))


def question_update(*, call: Call, question_id: int, actor, data: dict) -> Question:
    fields = _clean_question(data)
    with transaction.atomic():
        call = _locked_call(call)
        _form_open(call)
        question = _own_question(call, question_id)
        for name, value in fields.items():
            setattr(question, name, value)
        question.save()
        ledger.record(call, "calls.form.question_changed", call, actor=actor, question=question.pk)
    return question


def question_remove(*, call: Call, question_id: int, actor) -> None:
    with transaction.atomic():
        call = _locked_call(call)
        _form_open(call)
        question = _own_question(call, question_id)
        ledger.record(call, "calls.form.question_removed", call, actor=actor, question=question.pk)
        question.delete()


def question_move(*, call: Call, question_id: int, actor, up: bool) -> None:
    with transaction.atomic():
        call = _locked_call(call)
        _form_open(call)
        question = _own_question(call, question_id)
        questions = list(question.section.questions.order_by("position", "pk"))
        _move(questions, next(q for q in questions if q.pk == question.pk), -1 if up else 1)
        ledger.record(call, "calls.form.reordered", call, actor=actor, question=question.pk)


# --- stages and their grids ------------------------------------------------------------


def grid_locked(stage: Stage) -> bool:
    """Scoring has started in this stage (or its grid was locked by hand)."""
    return (
        stage.grid_locked_at is not None
        or Score.objects.filter(criterion__stage_id=stage.pk).exists()
    )


def _check_grid_open(stage: Stage) -> None:
    if grid_locked(stage):
        raise DomainError(errors.GRID_LOCKED)


def _check_stages(stages: list[Stage]) -> None:
    """One national stage, the last; regional stages before it, each with regions."""
    national = [s for s in stages if s.kind == Stage.Kind.NATIONAL]
    if len(national) > 1 or (national and stages[-1].kind != Stage.Kind.NATIONAL):
        raise DomainError(errors.STAGES_ORDER, field="kind")
    seen: set[str] = set()
    for stage in stages:
        if stage.kind == Stage.Kind.REGIONAL:
            if not stage.region_codes:
                raise DomainError(errors.REGIONS_REQUIRED, field="region_codes")
            overlap = seen & set(stage.region_codes)
            if overlap:
                raise DomainError(
                    errors.PLACE_CODE_INVALID, field="region_codes", code=sorted(overlap)[0]
                )
            seen |= set(stage.region_codes)


def _clean_stage(data: dict) -> dict:
    kind = data.get("kind")
    if kind not in Stage.Kind.values:
        raise DomainError(errors.FIELD_INVALID, field="kind")
    scale_max = _int(data, "scale_max", minimum=1, maximum=100, required=True)
    fields = {
        "name": _text(data, "name", max_length=200, required=True),
        "kind": kind,
        "region_codes": (
            _codes(data.get("region_codes"), "region_codes", geo.regions())
            if kind == Stage.Kind.REGIONAL
            else []
        ),
        "jurors_per_file": _int(data, "jurors_per_file", minimum=1, maximum=20, required=True),
        "passes_on": _int(data, "passes_on", minimum=1, maximum=100_000),
        "scale_max": scale_max,
    }
    for name in ("cutoff", "spread_threshold"):
        value = _decimal(data, name)
        if value is not None and not 0 <= value <= scale_max:
            raise DomainError(errors.SCORE_OUT_OF_SCALE, field=name, max=scale_max)
        fields[name] = value
    return fields


GRID_FIELDS = ("scale_max", "cutoff")


def stage_add(*, call: Call, actor, data: dict) -> Stage:
    fields = _clean_stage(data)
    with transaction.atomic():
        call = _locked_call(call)
        stages = list(call.stages.order_by("position", "pk"))
        stage = Stage(call=call, position=len(stages) + 1, **fields)
        _check_stages([*stages, stage])
        stage.save()
        ledger.record(call, "calls.stage.added", stage, actor=actor)
    return stage


def _own_stage(call, stage_id) -> Stage:
    return _own(Stage.objects.filter(pk=stage_id, call=call))


def stage_update(*, call: Call, stage_id: int, actor, data: dict) -> Stage:
    fields = _clean_stage(data)
    with transaction.atomic():
        call = _locked_call(call)
        stage = _own_stage(call, stage_id)
        changes_grid = any(getattr(stage, name) != fields[name] for name in GRID_FIELDS)
        if changes_grid:
            _check_grid_open(stage)
        for name, value in fields.items():
            setattr(stage, name, value)
        if changes_grid:
            for criterion in stage.criteria.all():
                if (
                    criterion.eliminatory_min is not None
                    and criterion.eliminatory_min > stage.scale_max
                ):
                    raise DomainError(
                        errors.SCORE_OUT_OF_SCALE, field="scale_max", max=stage.scale_max
                    )
        stages = [stage if s.pk == stage.pk else s for s in call.stages.order_by("position")]
        _check_stages(stages)
        stage.save()
        action = "calls.stage.grid_changed" if changes_grid else "calls.stage.changed"
        ledger.record(call, action, stage, actor=actor)
    return stage


def stage_remove(*, call: Call, stage_id: int, actor) -> None:
    with transaction.atomic():
        call = _locked_call(call)
        stage = _own_stage(call, stage_id)
        _check_grid_open(stage)
        if stage.applications.exists() or stage.jurors.exists():
            raise DomainError(errors.GRID_LOCKED)
        stages = [s for s in call.stages.order_by("position", "pk") if s.pk != stage.pk]
        ledger.record(call, "calls.stage.removed", stage, actor=actor)
        stage.delete()
        for position, row in enumerate(stages, 1):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])


WEIGHT_LIMIT = Decimal(10_000)


def _clean_criterion(data: dict, stage: Stage) -> dict:
    weight = _decimal(data, "weight")
    if weight is None or weight <= 0:
        raise DomainError(errors.WEIGHT_NOT_POSITIVE, field="weight")
    if weight >= WEIGHT_LIMIT:  # the column holds 9 999,99 at most
        raise DomainError(errors.WEIGHT_TOO_LARGE, field="weight", max=number(WEIGHT_LIMIT))
    minimum = _decimal(data, "eliminatory_min")
    if minimum is not None and not 0 <= minimum <= stage.scale_max:
        raise DomainError(errors.SCORE_OUT_OF_SCALE, field="eliminatory_min", max=stage.scale_max)
    return {
        "label": _text(data, "label", max_length=200, required=True),
        "description": _text(data, "description", max_length=2000, multiline=True),
        "weight": weight,
        "eliminatory_min": minimum,
    }


def _locked_stage(call, stage_id) -> tuple[Call, Stage]:
    call = _locked_call(call)
    stage = _own_stage(call, stage_id)
    _check_grid_open(stage)
    return call, stage


def criterion_add(*, call: Call, stage_id: int, actor, data: dict) -> Criterion:
    with transaction.atomic():
        call, stage = _locked_stage(call, stage_id)
        fields = _clean_criterion(data, stage)
        criterion = Criterion.objects.create(
            stage=stage, position=_next_position(stage.criteria), **fields
        )
        ledger.record(call, "calls.stage.grid_changed", stage, actor=actor)
    return criterion


def _own_criterion(stage, criterion_id) -> Criterion:
    return _own(Criterion.objects.filter(pk=criterion_id, stage=stage))


def criterion_update(
    *, call: Call, stage_id: int, criterion_id: int, actor, data: dict
) -> Criterion:
    with transaction.atomic():
        call, stage = _locked_stage(call, stage_id)
        criterion = _own_criterion(stage, criterion_id)
        for name, value in _clean_criterion(data, stage).items():
            setattr(criterion, name, value)
        criterion.save()
        ledger.record(call, "calls.stage.grid_changed", stage, actor=actor)
    return criterion


def criterion_remove(*, call: Call, stage_id: int, criterion_id: int, actor) -> None:
    with transaction.atomic():
        call, stage = _locked_stage(call, stage_id)
        _own_criterion(stage, criterion_id).delete()
        ledger.record(call, "calls.stage.grid_changed", stage, actor=actor)


def criterion_move(*, call: Call, stage_id: int, criterion_id: int, actor, up: bool) -> None:
    with transaction.atomic():
        call, stage = _locked_stage(call, stage_id)
        criterion = _own_criterion(stage, criterion_id)
        criteria = list(stage.criteria.order_by("position", "pk"))
        _move(criteria, next(c for c in criteria if c.pk == criterion.pk), -1 if up else 1)
        ledger.record(call, "calls.stage.grid_changed", stage, actor=actor)


# --- the call's documents --------------------------------------------------------------


def calldocument_add(*, call: Call, actor, title: str, upload) -> CallDocument:
    """A document shown on the call's page, checked by its content."""
    title = _text({"title": title}, "title", max_length=200, required=True)
    if upload is None:
        raise DomainError(errors.DOCUMENT_REQUIRED, field="file")
    limit = upload_cap(DOCUMENT_MAX_SIZE)  # never above the global cap of the uploads
    if upload.size > limit:
        raise DomainError(errors.DOCUMENT_TOO_LARGE, field="file", max=file_size(limit))
    content_type = files.sniff(upload)
    if content_type is None:
        raise DomainError(
            errors.DOCUMENT_TYPE, field="file", types=", ".join(map(str, files.ALLOWED.values()))
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        call = _locked_call(call)
        document = CallDocument(
            call=call,
            title=title,
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            position=_next_position(call.documents),
        )
        document.file.save(uuid.uuid4().hex, upload, save=False)
        try:
            document.save()
            ledger.record(
                call,
                "calls.document.added",
                call,
                actor=actor,
                document=document.pk,
                sha256=document.sha256,
            )
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def calldocument_remove(*, call: Call, document_id: int, actor) -> None:
    with transaction.atomic():
        call = _locked_call(call)
        document = CallDocument.objects.filter(pk=document_id, call=call).first()
        if document is None:
            raise DomainError(errors.NOT_IN_CALL)
        ledger.record(call, "calls.document.removed", call, actor=actor, document=document.pk)
        name = document.file.name
        document.delete()
        transaction.on_commit(lambda: CallDocument.file.field.storage.delete(name))
