"""Applying, for a pole's managers: start (eligibility first), save the draft (with a
version check, so that two co-managers never silently overwrite each other), attach and
remove files, submit (frozen, hashed, receipt), withdraw; a call manager may reopen a
submitted file once.

Every write locks the call's row first (``Call.objects.select_for_update()``), then the
application's, re-checks, writes, and appends to the call's log. The time is always the
server's (a form opened before the deadline and sent after it is refused).
"""

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.selectors import language_of
from calls import errors, files, ledger, permissions, selectors_apply
from calls.models import Application, Attachment, Call, Decision, Question
from core.dates import moment
from core.errors import DomainError
from core.french import file_size
from core.input import clean_text
from core.mail import email_queue

TITLE_MAX = 200
SUMMARY_MAX = 5000
TEXT_MAX = 20_000
RECEIPT = "calls.application.receipt"
REOPENED = "calls.application.reopened"


# --- what the call allows, when ------------------------------------------------------------


def call_is_open(call: Call, now=None) -> bool:
    now = now or timezone.now()
    return (
        call.published_at is not None
        and call.published_at <= now
        and call.opens_at <= now < call.closes_at
    )


def deadline_of(application: Application) -> "timezone.datetime":
    """Until when the file can be changed and submitted: the call's closing time, or the
    date a call manager reopened it until."""
    closes = application.call.closes_at
    if application.reopened_until and application.reopened_until > closes:
        return application.reopened_until
    return closes


def _lock(application: Application) -> tuple[Call, Application]:
    call = Call.objects.select_for_update().get(pk=application.call_id)
    locked = Application.objects.select_for_update().select_related("pole").get(pk=application.pk)
    locked.call = call
    return call, locked


def _check_manager(actor, application: Application) -> None:
    if not permissions.can_apply_for(actor, application.pole):
        raise DomainError(errors.NOT_POLE_MANAGER)


def _check_editable(application: Application, now) -> None:
    if application.status == Application.Status.SUBMITTED:
        raise DomainError(
            errors.ALREADY_SUBMITTED,
            who=_who(application.submitted_by),
            when=moment(application.submitted_at),
        )
    if application.status != Application.Status.DRAFT:
        raise DomainError(errors.NOT_A_DRAFT)
    deadline = deadline_of(application)
    if now >= deadline:
        raise DomainError(errors.CALL_CLOSED, closes=moment(deadline))


def _who(user) -> str:
    if user is None:
        return "?"
    return user.get_full_name() or user.get_username()


def _eligibility_error(eligibility) -> DomainError:
    blocking = [line for line in eligibility.lines if not line.passes]
    reasons = " ; ".join(line.why for line in blocking)
    error = DomainError(errors.NOT_ELIGIBLE, reasons=reasons)
    error.eligibility = eligibility
    return error


# --- start -----------------------------------------------------------------------------------


def application_start(*, call: Call, pole, actor) -> Application:
    """A draft for the pole: its manager, the call open, the pole eligible, no other live
    application of the pole to the call (a constraint holds it too)."""
    if not permissions.can_apply_for(actor, pole):
        raise DomainError(errors.NOT_POLE_MANAGER)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if not call_is_open(call):
            raise DomainError(errors.CALL_NOT_OPEN)
        eligibility = selectors_apply.eligibility_for(call, pole)
        if not eligibility.eligible:
            raise _eligibility_error(eligibility)
        if selectors_apply.live_application(call, pole) is not None:
            raise DomainError(errors.ALREADY_APPLYING)
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    call=call, pole=pole, created_by=actor, updated_by=actor
                )
        except IntegrityError:
            raise DomainError(errors.ALREADY_APPLYING) from None
        ledger.record(call, "calls.application.started", application, actor=actor)
    return application


# --- the draft -------------------------------------------------------------------------------


def count_words(text: str) -> int:
    """Words as a person counts them: what whitespace separates."""
    return len(text.split())


def _text(value, *, label: str, field: str, max_length: int, multiline: bool = True) -> str:
    try:
        return clean_text(value, max_length=10**6, multiline=multiline)
    except ValidationError as exc:
        raise DomainError(
            errors.BAD_TEXT, field=field, label=label, reason=exc.messages[0]
        ) from None


def _limit(text: str, *, label: str, field: str, max_chars=None, max_words=None) -> None:
    if max_chars is not None and len(text) > max_chars:
        raise DomainError(
            errors.TOO_MANY_CHARS, field=field, label=label, max=max_chars, n=len(text)
        )
    words = count_words(text)
    if max_words is not None and words > max_words:
        raise DomainError(errors.TOO_MANY_WORDS, field=field, label=label, max=max_words, n=words)


def parse_amount(value, *, label: str, field: str) -> Decimal | None:
    text = "".join(str(value or "").split()).replace("\u202f", "").replace(",", ".")
    text = text.removesuffix("€")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DomainError(errors.BAD_AMOUNT, field=field, label=label) from None
    if (
        not amount.is_finite()
        or amount < 0
        or amount.as_tuple().exponent < -2
        or amount >= Decimal("1e10")
    ):
        raise DomainError(errors.BAD_AMOUNT, field=field, label=label)
    return amount.quantize(Decimal("0.01"))


def answer_field(question: Question) -> str:
    return f"q{question.pk}"


def clean_answer(question: Question, value) -> str:
    """An answer as stored ("" when not given); limits enforced always."""
    field = answer_field(question)
    label = question.label
    kind = question.kind
    if kind == Question.Kind.TEXT:
        text = _text(value, label=label, field=field, max_length=TEXT_MAX)
        _limit(
            text,
            label=label,
            field=field,
            max_chars=question.max_chars or TEXT_MAX,
            max_words=question.max_words,
        )
        return text
    if kind == Question.Kind.AMOUNT:
        amount = parse_amount(value, label=label, field=field)
        return "" if amount is None else str(amount)
    if kind == Question.Kind.CHOICE:
        text = str(value or "").strip()
        if text and text not in [str(c) for c in question.choices or []]:
            raise DomainError(errors.BAD_CHOICE, field=field, label=label)
        return text
    if kind == Question.Kind.YES_NO:
        text = str(value or "").strip()
        if text and text not in ("yes", "no"):
            raise DomainError(errors.BAD_CHOICE, field=field, label=label)
        return text
    return ""  # attachments: their own rows


@dataclass
class Cleaned:
    project_title: str
    summary: str
    amount_requested: Decimal | None
    answers: dict


def clean_draft(call: Call, data) -> Cleaned:
    """The fixed fields and the answers as they will be stored; a draft may be incomplete,
    limits are enforced always."""
    title = _text(
        data.get("project_title"),
        label=_("Project title"),
        field="project_title",
        max_length=TITLE_MAX,
        multiline=False,
    )
    summary = _text(
        data.get("summary"), label=_("Summary"), field="summary", max_length=SUMMARY_MAX
    )
    for field, text, most in (
        ("project_title", title, TITLE_MAX),
        ("summary", summary, SUMMARY_MAX),
    ):
        if len(text) > most:
            raise DomainError(errors.TEXT_TOO_LONG, field=field, max=most, n=len(text))
    amount = parse_amount(
        data.get("amount_requested"), label=_("Amount requested"), field="amount_requested"
    )
    answers = {}
    for question in selectors_apply.questions_of(call):
        if question.kind == Question.Kind.ATTACHMENT:
            continue
        value = clean_answer(question, data.get(answer_field(question)))
        if value != "":
            answers[str(question.pk)] = value
    return Cleaned(title, summary, amount, answers)


def _changes(application: Application, cleaned: Cleaned, call: Call) -> list[dict]:
    """What differs between the stored draft and what was sent: shown when a stale save is
    refused, so that nothing typed is lost."""
    changed = []

    def add(field, label, stored, sent):
        if (stored or "") != (sent or ""):
            changed.append({"field": field, "label": str(label), "stored": stored, "sent": sent})

    add("project_title", _("Project title"), application.project_title, cleaned.project_title)
    add("summary", _("Summary"), application.summary, cleaned.summary)
    add(
        "amount_requested",
        _("Amount requested"),
        str(application.amount_requested) if application.amount_requested is not None else "",
        str(cleaned.amount_requested) if cleaned.amount_requested is not None else "",
    )
    for question in selectors_apply.questions_of(call):
        key = str(question.pk)
        add(
            answer_field(question),
            question.label,
            application.answers.get(key, ""),
            cleaned.answers.get(key, ""),
        )
    return changed


def application_save_draft(*, application: Application, data, version: int, actor) -> Application:
    """Save the draft as sent, when the sender had the latest version; else refuse with
    what changed meanwhile (``error.changes``)."""
    with transaction.atomic():
        call, application = _lock(application)
        _check_manager(actor, application)
        _check_editable(application, timezone.now())
        cleaned = clean_draft(call, data)
        if int(version) != application.version:
            error = DomainError(
                errors.STALE_VERSION, current=application.version, yours=int(version)
            )
            error.changes = _changes(application, cleaned, call)
            error.current_version = application.version
            raise error
        application.project_title = cleaned.project_title
        application.summary = cleaned.summary
        application.amount_requested = cleaned.amount_requested
        application.answers = cleaned.answers
        application.version += 1
        application.updated_by = actor
        application.save()
    return application


# --- attachments -----------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    try:
        name = get_valid_filename(name)
    except Exception:  # noqa: BLE001 - a name made only of forbidden characters
        name = ""
    return (name or "piece")[-150:]


def _digest(fileobj) -> str:
    sha = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        sha.update(chunk)
    fileobj.seek(0)
    return sha.hexdigest()


MAX_ATTACHMENTS = 20  # per application: each one is stored, hashed and sent to the jury


def attachment_add(
    *, application: Application, upload, actor, question: Question | None = None
) -> Attachment:
    """Attach a file: its type read from its content, its size within the call's limits,
    its SHA-256 kept."""
    if upload is None or not getattr(upload, "size", 0):
        raise DomainError(errors.FILE_EMPTY, field="file")
    name = _safe_name(getattr(upload, "name", ""))
    with transaction.atomic():
        call, application = _lock(application)
        _check_manager(actor, application)
        _check_editable(application, timezone.now())
        if question is not None and (
            question.section.call_id != call.pk or question.kind != Question.Kind.ATTACHMENT
        ):
            question = None
        if upload.size > call.max_file_size:
            raise DomainError(
                errors.FILE_TOO_LARGE,
                field="file",
                name=name,
                size=file_size(upload.size),
                max=file_size(call.max_file_size),
            )
        attached = list(application.attachments.all())
        if len(attached) >= MAX_ATTACHMENTS:
            raise DomainError(errors.TOO_MANY_ATTACHMENTS, field="file", max=MAX_ATTACHMENTS)
        total = sum(a.size for a in attached) + upload.size
        if total > call.max_total_size:
            raise DomainError(
                errors.APPLICATION_TOO_LARGE,
                field="file",
                name=name,
                size=file_size(total),
                max=file_size(call.max_total_size),
            )
        content_type = files.sniff(upload)
        if content_type is None:
            raise DomainError(errors.FILE_TYPE_REFUSED, field="file", name=name)
        attachment = Attachment(
            application=application,
            question=question,
            original_name=name,
            content_type=content_type,
            size=upload.size,
            sha256=_digest(upload),
            uploaded_by=actor,
        )
        attachment.file.save(name, upload, save=False)
        stored = attachment.file.name
        storage = attachment.file.storage
        try:
            attachment.save()
        except Exception:
            storage.delete(stored)
            raise
        Application.objects.filter(pk=application.pk).update(version=application.version + 1)
        application.version += 1
    return attachment


def attachment_remove(*, attachment: Attachment, actor) -> None:
    with transaction.atomic():
        call, application = _lock(attachment.application)
        _check_manager(actor, application)
        _check_editable(application, timezone.now())
        stored, storage = attachment.file.name, attachment.file.storage
        Attachment.objects.filter(pk=attachment.pk).delete()
        Application.objects.filter(pk=application.pk).update(version=application.version + 1)
        transaction.on_commit(lambda: storage.delete(stored))


# --- submit ----------------------------------------------------------------------------------


def missing_answers(application: Application) -> list[tuple[str, str]]:
    """(field, label) of what a submission still needs."""
    missing = []
    if not application.project_title:
        missing.append(("project_title", str(_("Project title"))))
    if not application.summary:
        missing.append(("summary", str(_("Summary"))))
    if application.amount_requested is None:
        missing.append(("amount_requested", str(_("Amount requested"))))
    attached = {a.question_id for a in application.attachments.all()}
    for question in selectors_apply.questions_of(application.call):
        if not question.required:
            continue
        if question.kind == Question.Kind.ATTACHMENT:
            if question.pk not in attached:
                missing.append((answer_field(question), question.label))
        elif not application.answers.get(str(question.pk)):
            missing.append((answer_field(question), question.label))
    return missing


def canonical(application: Application) -> bytes:
    """The submitted file, serialised in one way only (keys sorted, no spaces, UTF-8):
    what its SHA-256 is computed over."""
    document = {
        "call": application.call.slug,
        "pole": application.pole_id,
        "submitted_at": application.submitted_at.isoformat(),
        "project_title": application.project_title,
        "summary": application.summary,
        "amount_requested": str(application.amount_requested),
        "answers": {k: application.answers[k] for k in sorted(application.answers, key=int)},
        "attachments": [
            {
                "name": a.original_name,
                "question": a.question_id,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in sorted(application.attachments.all(), key=lambda a: a.pk)
        ],
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def application_submit(*, application: Application, version: int, actor) -> Application:
    """Freeze the draft: the window checked with the server's time, the pole still
    eligible, every required answer given; hashed, logged, receipt emailed."""
    with transaction.atomic():
        call, application = _lock(application)
        _check_manager(actor, application)
        now = timezone.now()
        _check_editable(application, now)
        if int(version) != application.version:
            error = DomainError(
                errors.STALE_VERSION, current=application.version, yours=int(version)
            )
            error.changes = []
            error.current_version = application.version
            raise error
        eligibility = selectors_apply.eligibility_for(call, application.pole)
        if not eligibility.eligible:
            raise _eligibility_error(eligibility)
        # read once for both the check and the fingerprint
        prefetch_related_objects([application], "attachments")
        missing = missing_answers(application)
        if missing:
            field, label = missing[0]
            raise DomainError(errors.ANSWER_REQUIRED, field=field, label=label)
        application.status = Application.Status.SUBMITTED
        application.submitted_at = now
        application.submitted_by = actor
        application.stage = selectors_apply.first_stage_for(call, application.pole)
        application.sha256 = hashlib.sha256(canonical(application)).hexdigest()
        application.updated_by = actor
        application.save()
        ledger.record(
            call, "calls.application.submitted", application, actor=actor, sha256=application.sha256
        )
        if actor.email:
            email_queue(
                kind=RECEIPT,
                scope="calls.application",
                object_id=application.pk,
                to=actor.email,
                language=language_of(actor),
                dedupe_key=f"{RECEIPT}:{application.pk}:{application.sha256}",
            )
    return application


# --- withdraw, reopen ------------------------------------------------------------------------


def application_withdraw(*, application: Application, actor) -> Application:
    """A pole's manager withdraws the application, before the call closes."""
    with transaction.atomic():
        call, application = _lock(application)
        _check_manager(actor, application)
        if application.status == Application.Status.WITHDRAWN:
            raise DomainError(errors.NOT_A_DRAFT)
        now = timezone.now()
        if now >= deadline_of(application):
            raise DomainError(errors.NOT_WITHDRAWABLE)
        application.status = Application.Status.WITHDRAWN
        application.withdrawn_at = now
        application.updated_by = actor
        application.save()
        ledger.record(call, "calls.application.withdrawn", application, actor=actor)
    return application


def application_reopen(*, application: Application, reason: str, until, actor) -> Application:
    """A call manager reopens a submitted file for correction, once, until a date: it is a
    draft again, to be submitted again by then (a new SHA-256 and receipt)."""
    with transaction.atomic():
        call, application = _lock(application)
        if not permissions.can_manage_call(actor, call):
            raise DomainError(errors.NOT_CALL_MANAGER)
        if application.reopened_at is not None:
            raise DomainError(errors.ALREADY_REOPENED)
        if application.status != Application.Status.SUBMITTED:
            raise DomainError(errors.NOT_REOPENABLE)
        # a decided file stays as decided (its decision, the laureates page, the directory)
        if (
            call.results_published_at is not None
            or Decision.objects.filter(application=application).exists()
        ):
            raise DomainError(errors.DECIDED_NOT_REOPENABLE)
        reason = _text(reason, label=_("Reason"), field="reason", max_length=2000)
        if not reason:
            raise DomainError(errors.TEXT_REQUIRED, field="reason", label=_("reason"))
        now = timezone.now()
        if until is None or until <= now:
            raise DomainError(errors.REOPEN_UNTIL_PAST, field="until")
        application.status = Application.Status.DRAFT
        application.reopened_at = now
        application.reopened_until = until
        application.reopen_reason = reason
        application.reopened_by = actor
        application.version += 1
        application.save()
        ledger.record(call, "calls.application.reopened", application, actor=actor, reason=reason)
        # the pole's managers are told, each in their language, after the commit
        for manager in application.pole.managers.filter(is_active=True).exclude(email=""):
            email_queue(
                kind=REOPENED,
                scope="calls.application",
                object_id=application.pk,
                to=manager.email,
                language=language_of(manager),
                dedupe_key=f"{REOPENED}:{application.pk}:{manager.pk}",
            )
    return application
