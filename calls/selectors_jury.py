"""Reads of the jury's pages: a juror's seats and files (never a file a conflict blocks),
the scoring grid of one file, and the manager's view of a stage's jury."""

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404

from calls import ranking as pure
from calls.models import (
    Application,
    Assignment,
    Attachment,
    Conflict,
    Juror,
    Message,
    Question,
    Review,
    Score,
)
from calls.permissions import juror_seats
from calls.services.jury import blocking_q, conflict_message, live_blocked_files
from calls.services.reviews import grid_of


def _blocked():
    """A blocking conflict of this seat, or of another seat of the same account in the call
    (a conflict follows the person from stage to stage)."""
    return Exists(
        Conflict.objects.filter(application_id=OuterRef("application_id"))
        .filter(
            Q(juror_id=OuterRef("juror_id"))
            | Q(
                juror__user_id=OuterRef("juror__user_id"),
                juror__stage__call_id=OuterRef("stage__call_id"),
            )
        )
        .filter(blocking_q())
    )


def visible_assignments():
    """Assignments that no conflict blocks."""
    return Assignment.objects.annotate(blocked=_blocked()).filter(blocked=False)


def jury_home(*, user) -> list[Juror]:
    """The user's seats, each with ``files``: its assignments no conflict blocks (with the
    file, its pole and the juror's review)."""
    files = (
        visible_assignments()
        .select_related("application__pole", "review")
        .order_by("application__project_title", "pk")
    )
    seats = list(
        juror_seats(user)
        .select_related("stage__call", "organisation")
        .prefetch_related(Prefetch("assignments", queryset=files, to_attr="files"))
        .order_by("-stage__call__opens_at", "stage__position", "pk")
    )
    # a registry link that appeared since the last detection hides the file too
    blocked = live_blocked_files(seats)
    if blocked:
        for seat in seats:
            seat.files = [a for a in seat.files if (seat.pk, a.application_id) not in blocked]
    return seats


def review_of(assignment: Assignment) -> Review | None:
    return (
        Review.objects.filter(assignment=assignment)
        .prefetch_related(Prefetch("scores", queryset=Score.objects.order_by("criterion_id")))
        .first()
    )


def _answer(question: Question, value):
    """One stored answer as the template shows it: ``kind`` says how; never raw HTML."""
    if value in (None, ""):
        return {"kind": "none"}
    if question.kind == Question.Kind.YES_NO:
        if value in (True, "yes"):
            return {"kind": "yes"}
        if value in (False, "no"):
            return {"kind": "no"}
    if question.kind == Question.Kind.AMOUNT:
        try:
            return {"kind": "amount", "value": Decimal(str(value))}
        except InvalidOperation:
            pass
    return {"kind": "text", "value": str(value)}


def file_content(application, attachments=None) -> list[dict]:
    """The submitted file, read-only: each section with its questions and the answers
    (attachment questions list their files)."""
    questions = (
        Question.objects.filter(section__call_id=application.call_id)
        .select_related("section")
        .order_by("section__position", "section__pk", "position", "pk")
    )
    files = defaultdict(list)
    if attachments is None:
        attachments = Attachment.objects.filter(application=application)
    for item in attachments:
        files[item.question_id].append(item)
    sections = []
    for question in questions:
        if not sections or sections[-1]["section"].pk != question.section_id:
            sections.append({"section": question.section, "questions": []})
        if question.kind == Question.Kind.ATTACHMENT:
            answer = {"kind": "files", "files": files.get(question.pk, [])}
        else:
            answer = _answer(question, (application.answers or {}).get(str(question.pk)))
        sections[-1]["questions"].append({"question": question, "answer": answer})
    return sections


def grid_page(*, assignment: Assignment) -> dict:
    """What the scoring grid shows: the criteria with this juror's scores, the file's
    attachments, the other jurors' submitted reviews (only once this juror submitted
    theirs; never a conflicted juror's), the spread flag and the discussion."""
    stage = assignment.stage
    criteria = list(stage.criteria.all())
    review = review_of(assignment)
    mine = {s.criterion_id: s for s in review.scores.all()} if review else {}
    rows = [{"criterion": c, "score": mine.get(c.pk)} for c in criteria]
    submitted = review is not None and review.submitted_at is not None
    others, spread = [], None
    colleagues = (
        visible_assignments()
        .filter(application=assignment.application, stage=stage)
        .exclude(pk=assignment.pk)
        .select_related("juror")
    )
    if submitted:
        reviews = (
            Review.objects.filter(
                assignment__in=colleagues.values("pk"), submitted_at__isnull=False
            )
            .select_related("assignment__juror")
            .prefetch_related("scores")
            .order_by("assignment__juror__name", "pk")
        )
        for other in reviews:
            scores = {s.criterion_id: s for s in other.scores.all()}
            others.append(
                {
                    "juror": other.assignment.juror,
                    "total": other.total,
                    "scores": [scores.get(c.pk) for c in criteria],
                }
            )
        by_juror = {
            r["juror"].pk: {c.pk: float(r["scores"][i].value) for i, c in enumerate(criteria)}
            for r in others
            if all(r["scores"])
        }
        by_juror[assignment.juror_id] = {c.pk: float(mine[c.pk].value) for c in criteria}
        threshold = stage.spread_threshold
        results = pure.rank(
            {assignment.application_id: by_juror},
            grid_of(stage, criteria),
            spread_threshold=float(threshold) if threshold is not None else None,
        )
        if results and len(by_juror) > 1:
            spread = results[0]
    thread = list(
        Message.objects.filter(application=assignment.application, stage=stage)
        .filter(author__in=[assignment.juror_id, *colleagues.values_list("juror_id", flat=True)])
        .select_related("author")
    )
    attachments = list(Attachment.objects.filter(application=assignment.application))
    return {
        "rows": rows,
        "review": review,
        "submitted": submitted,
        "others": others,
        "spread": spread,
        "thread": thread,
        "attachments": attachments,
        "sections": file_content(assignment.application, attachments),
        "weights": {c.pk: c.weight for c in criteria},
    }


def stage_jury(*, stage) -> dict:
    """The manager's page of a stage's jury: jurors with their loads, conflicts with their
    reasons, the assignment table."""
    jurors = list(stage.jurors.select_related("organisation", "user").order_by("name", "pk"))
    conflicts = list(
        Conflict.objects.filter(juror__stage=stage)
        .select_related("juror", "application__pole", "decided_by")
        .order_by("status", "application__project_title", "juror__name", "pk")
    )
    pairs = {}
    for c in conflicts:
        c.message = conflict_message(c)
        pairs.setdefault((c.juror_id, c.application_id), []).append(c)
    assignments = list(
        Assignment.objects.filter(stage=stage)
        .select_related("juror", "application__pole", "review")
        .order_by("application__project_title", "application_id", "juror__name")
    )
    loads = defaultdict(int)
    by_file = {}
    for a in assignments:
        loads[a.juror_id] += 1
        by_file.setdefault(a.application, []).append(a)
    for j in jurors:
        j.load = loads[j.pk]
    # once files are assigned: those with fewer jurors than the stage wants (a conflict
    # confirmed or declared after the assignment took a juror off, say)
    short_files = []
    if assignments:
        counts = defaultdict(int)
        for a in assignments:
            counts[a.application_id] += 1
        short_files = [
            (application, counts[application.pk])
            for application in Application.objects.filter(
                stage=stage, status=Application.Status.SUBMITTED
            )
            .select_related("pole")
            .order_by("project_title", "pk")
            if counts[application.pk] < stage.jurors_per_file
        ]
    return {
        "short_files": short_files,
        "jurors": jurors,
        "conflicts": conflicts,
        # one line per juror × file, with all its reasons
        "conflict_pairs": [
            (items[0].juror, items[0].application, items) for items in pairs.values()
        ],
        "open_conflicts": sum(1 for c in conflicts if c.status == Conflict.Status.OPEN),
        "by_file": list(by_file.items()),
    }


def submitted_files(*, stage):
    """The stage's submitted files, with their pole (the manager's choice lists)."""
    return Application.objects.filter(
        stage=stage, status=Application.Status.SUBMITTED
    ).select_related("pole")


def file_of_stage(*, stage, pk: int | None) -> Application | None:
    """A file of the stage (any status), or None: the id comes from a form."""
    return Application.objects.filter(pk=pk, stage=stage).first()


def juror_of_stage(*, stage, pk: int | None) -> Juror | None:
    """A seat of the stage's jury, or None: the id comes from a form."""
    return Juror.objects.filter(pk=pk, stage=stage).first()


def seat_of_stage(*, stage, pk: int) -> Juror:
    """A seat of the stage's jury named in the address (404 for another stage's)."""
    return get_object_or_404(Juror, pk=pk, stage=stage)


def conflict_of_stage(*, stage, pk: int) -> Conflict:
    return get_object_or_404(Conflict, pk=pk, juror__stage=stage)


def assignment_of_stage(*, stage, pk: int) -> Assignment:
    return get_object_or_404(Assignment, pk=pk, stage=stage)


def assignment_outcome(*, stage) -> str:
    """What the assignment's run left: ``"no_declaration"`` when no juror has signed
    their declaration yet, ``"none"`` when no file is assigned, else ``"assigned"``."""
    if not stage.jurors.filter(declared_at__isnull=False).exists():
        return "no_declaration"
    if not Assignment.objects.filter(stage=stage).exists():
        return "none"
    return "assigned"


# --- wiring: the portal's « My space » ------------------------------------------------------


def jury_summary(*, user) -> dict | None:
    """For « My space »: None without a juror seat; else the number of seats and of files
    waiting for this juror's score (assigned, not blocked, in a stage still open, with no
    submitted review)."""
    seats = juror_seats(user)
    if not seats.exists():
        return None
    waiting = (
        visible_assignments()
        .filter(juror__in=seats, stage__closed_at__isnull=True)
        .exclude(review__submitted_at__isnull=False)
        .count()
    )
    return {"seats": seats.count(), "waiting": waiting}
