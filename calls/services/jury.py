"""The jury: invitations, the declaration of interests, conflicts of interest, the
assignment of jurors to files.

The links between jurors and poles are read from the registry by
``calls.selectors_conflicts`` (the one reader: the detection, the access checks, the demo
and the scale bench).
"""

import uuid
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.selectors import active_users_with_email, language_of
from accounts.services import password_reset_queue
from calls import assignment as solver
from calls import conflicts as pure
from calls import errors, ledger
from calls.models import Application, Assignment, Call, Conflict, Juror, Review, Stage
from calls.selectors_conflicts import conflict_jurors, conflict_poles
from calls.tokens import juror_from_invitation
from core.errors import DomainError
from core.input import clean_text
from core.mail import email_queue
from core.text import normalise_email

JUROR_INVITED = "calls.juror.invited"


def blocking_q(prefix: str = "") -> Q:
    """The conflicts that keep a juror away from a file (``Conflict.blocks``), as a filter."""
    return ~Q(**{f"{prefix}status": Conflict.Status.DISMISSED}) & (
        Q(**{f"{prefix}level": Conflict.Level.CONFLICT})
        | Q(**{f"{prefix}status": Conflict.Status.CONFIRMED})
    )


def blocked_pairs(*, call_id: int, jurors) -> set[tuple[int, int]]:
    """The (juror, file) pairs a blocking conflict keeps apart, for ``jurors`` of the call:
    a conflict belongs to the person, so one recorded on any seat of the same account in
    the call (a regional cell's, say) blocks every seat of that account on that file."""
    pairs, apps_of_user = set(), defaultdict(set)
    for juror_id, user_id, application_id in (
        Conflict.objects.filter(application__call_id=call_id)
        .filter(blocking_q())
        .values_list("juror_id", "juror__user_id", "application_id")
    ):
        pairs.add((juror_id, application_id))
        if user_id is not None:
            apps_of_user[user_id].add(application_id)
    for j in jurors:
        if j.user_id is not None:
            pairs |= {(j.pk, a) for a in apps_of_user.get(j.user_id, ())}
    return pairs


def live_conflicts(juror: Juror, application: Application) -> list:
    """The registry's conflict-level links between this juror and the file's pole, read now
    (one juror × one pole), less those the call manager dismissed: the access checks do not
    wait for ``conflicts_detect`` to have been run."""
    juror_links = conflict_jurors([juror])[0]
    pole_links = conflict_poles({application.pole_id})
    if not pole_links:
        return []
    found = [c for c in pure.conflicts(juror_links, pole_links[0]) if c.level == pure.CONFLICT]
    if not found:
        return []
    dismissed = set(
        Conflict.objects.filter(
            juror=juror, application=application, status=Conflict.Status.DISMISSED
        ).values_list("reason", "subject")
    )
    return [c for c in found if ((c.message_key or c.reason), c.subject) not in dismissed]


def live_blocked_files(seats) -> set[tuple[int, int]]:
    """The (seat, file) pairs of these seats' assignments that a conflict-level registry
    link keeps apart now (not dismissed): ``live_conflicts`` for a list of seats, in a few
    queries (the seats carry their ``files``, as ``selectors_jury.jury_home`` gives them)."""
    pairs = [(seat, a.application) for seat in seats for a in getattr(seat, "files", [])]
    if not pairs:
        return set()
    links = {j.id: j for j in conflict_jurors(list(seats))}
    poles = {p.id: p for p in conflict_poles({a.pole_id for _s, a in pairs})}
    dismissed = set(
        Conflict.objects.filter(
            juror__in=[s.pk for s in seats], status=Conflict.Status.DISMISSED
        ).values_list("juror_id", "application_id", "reason", "subject")
    )
    blocked = set()
    for seat, application in pairs:
        pole = poles.get(application.pole_id)
        if pole is None:
            continue
        for c in pure.conflicts(links[seat.pk], pole):
            key = (seat.pk, application.pk, c.message_key or c.reason, c.subject)
            if c.level == pure.CONFLICT and key not in dismissed:
                blocked.add((seat.pk, application.pk))
    return blocked


def _lock_call(call_id: int) -> Call:
    return Call.objects.select_for_update().get(pk=call_id)


def _text(value, *, field: str, max_length: int, required=False, multiline=False) -> str:
    try:
        return clean_text(value, max_length=max_length, required=required, multiline=multiline)
    except ValidationError as exc:
        if exc.code == "required":
            raise DomainError(errors.TEXT_REQUIRED, field=field, label=field) from exc
        raise DomainError(errors.TEXT_TOO_LONG, exc.messages[0], field=field) from exc


# --- invitations and declarations ------------------------------------------------------------


def _invitation_language(email: str) -> str:
    """The language of an invitation to ``email``: the account's, when one account (or
    several of one language) has this address; else — an address with no account yet —
    the inviting manager's active language, the best guess we have for a stranger."""
    languages = {language_of(user) for user in active_users_with_email(email)}
    if len(languages) == 1:
        return languages.pop()
    return _active_language()


def _active_language() -> str:
    """The request's active language when it is one of the site's, else the site's."""
    language = (translation.get_language() or "").split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def juror_invite(
    *, stage: Stage, name: str, email: str, organisation=None, region_code: str = "", actor
) -> Juror:
    """A seat in the stage's jury, and the signed invitation link sent to ``email``."""
    try:
        name = clean_text(name, max_length=200, required=True)
    except ValidationError as exc:
        raise DomainError(errors.TEXT_REQUIRED, _("Give the juror’s name."), field="name") from exc
    email = normalise_email(email or "")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(errors.JUROR_EMAIL_INVALID, field="email") from exc
    region_code = (region_code or "").strip()[:3]
    with transaction.atomic():
        call = _lock_call(stage.call_id)
        stage = Stage.objects.get(pk=stage.pk)
        if stage.closed_at is not None:
            raise DomainError(errors.STAGE_CLOSED)
        if Juror.objects.filter(stage=stage, email__iexact=email).exists():
            raise DomainError(errors.JUROR_EXISTS, field="email")
        juror = Juror.objects.create(
            stage=stage,
            name=name,
            email=email,
            organisation=organisation,
            region_code=region_code,
            invited_at=timezone.now(),
        )
        ledger.record(call, "calls.juror.invited", stage, actor=actor, juror=juror.pk)
        email_queue(
            kind=JUROR_INVITED,
            scope=f"calls.call:{call.pk}",
            object_id=juror.pk,
            to=email,
            language=_invitation_language(email),
        )
    return juror


def juror_reinvite(*, juror: Juror, actor) -> Juror:
    """Send a fresh invitation link to a seat not accepted yet: the previous link stops
    working (its nonce is rotated)."""
    with transaction.atomic():
        call = _lock_call(juror.stage.call_id)
        juror = Juror.objects.select_for_update().select_related("stage").get(pk=juror.pk)
        if juror.accepted_at is not None:
            raise DomainError(errors.INVITATION_USED)
        if juror.stage.closed_at is not None:
            raise DomainError(errors.STAGE_CLOSED)
        juror.invitation_nonce = uuid.uuid4()
        juror.invited_at = timezone.now()
        juror.save(update_fields=["invitation_nonce", "invited_at"])
        ledger.record(call, "calls.juror.reinvited", juror.stage, actor=actor, juror=juror.pk)
        email_queue(
            kind=JUROR_INVITED,
            scope=f"calls.call:{call.pk}",
            object_id=juror.pk,
            to=juror.email,
            language=_invitation_language(juror.email),
        )
    return juror


def juror_accept(*, token: str, user=None) -> Juror:
    """Link the seat a valid invitation opens to ``user`` (signed in); without one, to a
    new account made with the invitation's address, whose password is chosen through the
    accounts' « choose a password » email. The link is then used up (its nonce rotated)."""
    juror = juror_from_invitation(token)
    with transaction.atomic():
        call = _lock_call(juror.stage.call_id)
        juror = juror_from_invitation(token, for_update=True)
        signed_in = user is not None and user.is_authenticated
        if not signed_in:
            users = get_user_model().objects
            if users.filter(email__iexact=juror.email).exists():
                raise DomainError(errors.INVITATION_ACCOUNT_EXISTS)
            username, n = juror.email.casefold()[:140], 1
            while users.filter(username=username).exists():
                n += 1
                username = f"{juror.email.casefold()[:140]}-{n}"
            user = users.create_user(username=username, email=juror.email, password=None)
            user.first_name = juror.name[:150]
            # the new account speaks the language of the page its juror accepted from
            user.language = _active_language()
            user.save(update_fields=["first_name", "language"])
            password_reset_queue(users=[user], language=language_of(user))
        if Juror.objects.filter(stage=juror.stage_id, user=user).exclude(pk=juror.pk).exists():
            raise DomainError(errors.SEAT_TAKEN)
        juror.user = user
        juror.accepted_at = timezone.now()
        juror.invitation_nonce = uuid.uuid4()
        # the link may be opened by another account than the one invited: kept for the
        # manager to see (« accepted with the account … »)
        juror.accepted_email = normalise_email(user.email or "")
        juror.save(update_fields=["user", "accepted_at", "invitation_nonce", "accepted_email"])
        ledger.record(call, "calls.juror.accepted", juror.stage, actor=user, juror=juror.pk)
        # the account is known only now: its links with the applying poles too
        added, removed = _detect(call, juror.stage, juror=juror)
        if added or removed:
            ledger.record(
                call,
                "calls.conflicts.detected",
                juror.stage,
                actor=user,
                added=added,
                dropped=removed,
                juror=juror.pk,
            )
    return juror


def juror_declare(*, juror: Juror, declaration: str, signed: bool, actor) -> Juror:
    """The juror signs the declaration of interests (once), before seeing any file."""
    declaration = _text(
        declaration, field="declaration", max_length=5000, multiline=True, required=False
    )
    with transaction.atomic():
        call = _lock_call(juror.stage.call_id)
        juror = Juror.objects.select_for_update().get(pk=juror.pk)
        if juror.user_id is None or juror.user_id != actor.pk:
            raise DomainError(errors.NOT_ASSIGNED)
        if juror.declared_at is not None:
            raise DomainError(errors.ALREADY_DECLARED)
        if not signed:
            raise DomainError(errors.DECLARATION_REQUIRED, field="signed")
        juror.declaration = declaration
        juror.declared_at = timezone.now()
        juror.save(update_fields=["declaration", "declared_at"])
        ledger.record(call, "calls.juror.declared", juror.stage, actor=actor, juror=juror.pk)
    return juror


# --- conflicts of interest -------------------------------------------------------------------


def _detect(call: Call, stage: Stage, *, juror: Juror | None = None) -> tuple[int, int]:
    """Store the registry's conflicts of the stage (or of one juror of it), the call row
    being locked by the caller: new ones added, open ones following the registry, decided
    ones never touched; those of files no longer in the stage are left as they are.
    Returns (added, removed)."""
    jurors = Juror.objects.filter(stage=stage).select_related("organisation")
    if juror is not None:
        jurors = jurors.filter(pk=juror.pk)
    jurors = list(jurors)
    applications = list(
        Application.objects.filter(stage=stage, status=Application.Status.SUBMITTED)
    )
    apps_of_pole = defaultdict(list)
    for a in applications:
        apps_of_pole[a.pole_id].append(a)
    matrix = pure.conflict_matrix(conflict_jurors(jurors), conflict_poles(set(apps_of_pole)))
    found = {}
    for (juror_id, pole_id), items in matrix.items():
        for c in items:
            for a in apps_of_pole[pole_id]:
                # the territory's scale is kept in the reason (« same_territory_region »)
                found[(juror_id, a.pk, c.message_key or c.reason, c.subject)] = c
    stored = Conflict.objects.filter(
        juror__in=[j.pk for j in jurors], source=Conflict.Source.REGISTRY
    )
    existing = {
        (c.juror_id, c.application_id, c.reason, c.subject): c for c in stored.select_for_update()
    }
    added = removed = 0
    for key, c in found.items():
        row = existing.get(key)
        if row is None:
            Conflict.objects.create(
                juror_id=key[0],
                application_id=key[1],
                level=c.level,
                reason=key[2],
                subject=c.subject,
                source=Conflict.Source.REGISTRY,
            )
            added += 1
        elif row.status == Conflict.Status.OPEN and row.level != c.level:
            row.level = c.level
            row.save(update_fields=["level"])
    files = {a.pk for a in applications}
    for key, row in existing.items():
        # a file passed on to the next stage (or withdrawn) keeps its conflicts: they still
        # keep the same person away from it there (``blocked_pairs``)
        if key not in found and row.status == Conflict.Status.OPEN and key[1] in files:
            row.delete()
            removed += 1
    return added, removed


def conflicts_detect(*, stage: Stage, actor=None) -> dict:
    """Find the conflicts between the stage's jurors and its submitted files in the
    registry and store them: new ones are added (to decide), open ones follow the registry
    (a link gone from it removes its open conflict), decided ones are never touched.
    Returns {"added": n, "removed": n}. Also run by ``assignment_run`` and ``juror_accept``."""
    with transaction.atomic():
        call = _lock_call(stage.call_id)
        added, removed = _detect(call, stage)
        ledger.record(
            call, "calls.conflicts.detected", stage, actor=actor, added=added, dropped=removed
        )
    return {"added": added, "removed": removed}


def conflict_message(conflict: Conflict) -> str:
    """The conflict's reason in plain words (``calls.conflicts`` texts)."""
    if conflict.source == Conflict.Source.JUROR:
        return _("Declared by the juror: %(note)s") % {"note": conflict.note}
    if conflict.reason not in pure.MESSAGES:
        return conflict.note or conflict.reason
    return pure.Conflict(0, 0, conflict.level, conflict.reason, conflict.subject).message


def _take_off_conflicted(call: Call, juror: Juror, application: Application, actor) -> list[str]:
    """A conflict now keeps this person away from this file: their assignments to it (on
    any of their seats in the call) are taken off, each logged before it goes. One already
    scored stays (its review is kept; the ranking leaves it out). Returns the names of the
    jurors taken off, for the call manager."""
    seats = Q(juror=juror)
    if juror.user_id is not None:
        seats |= Q(juror__user_id=juror.user_id, juror__stage__call_id=call.pk)
    taken_off = []
    for assignment in (
        Assignment.objects.filter(seats, application=application)
        .select_related("juror")
        .order_by("pk")
    ):
        if _has_review(assignment):
            continue
        ledger.record(
            call,
            "calls.assignment.removed",
            assignment,
            actor=actor,
            removed=True,
            reason="conflict",
        )
        taken_off.append(assignment.juror.name)
        assignment.delete()
    return taken_off


def conflict_decide(*, conflict: Conflict, decision: str, reason: str, actor) -> Conflict:
    """The call manager confirms (the juror stays away from the file) or dismisses (the
    link is not a conflict) a conflict still to decide; the reason is required."""
    reason = _text(reason, field="reason", max_length=2000, multiline=True)
    if not reason:
        raise DomainError(errors.CONFLICT_REASON_REQUIRED, field="reason")
    if decision not in ("confirm", "dismiss"):
        raise DomainError(errors.CONFLICT_REASON_REQUIRED, field="decision")
    with transaction.atomic():
        call = _lock_call(conflict.application.call_id)
        conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.status != Conflict.Status.OPEN:
            raise DomainError(errors.CONFLICT_DECIDED)
        conflict.status = (
            Conflict.Status.CONFIRMED if decision == "confirm" else Conflict.Status.DISMISSED
        )
        conflict.decision_reason = reason
        conflict.decided_by = actor
        conflict.decided_at = timezone.now()
        conflict.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        ledger.record(
            call,
            f"calls.conflict.{conflict.status}",
            conflict.application,
            actor=actor,
            juror=conflict.juror_id,
            reason=conflict.reason,
        )
        conflict.taken_off = (
            _take_off_conflicted(call, conflict.juror, conflict.application, actor)
            if conflict.status == Conflict.Status.CONFIRMED
            else []
        )
    return conflict


def conflict_declare(*, juror: Juror, application: Application, note: str, actor) -> Conflict:
    """A juror declares a link with one of their files: confirmed at once, it keeps them
    away from the file (its scores, its discussion, its rank)."""
    note = _text(note, field="note", max_length=2000, multiline=True)
    if not note:
        raise DomainError(errors.CONFLICT_NOTE_REQUIRED, field="note")
    with transaction.atomic():
        call = _lock_call(application.call_id)
        if juror.user_id is None or juror.user_id != actor.pk:
            raise DomainError(errors.NOT_ASSIGNED)
        if not juror.assignments.filter(application=application).exists():
            raise DomainError(errors.NOT_ASSIGNED)
        conflict, created = Conflict.objects.get_or_create(
            juror=juror,
            application=application,
            reason="declared",
            subject="",
            defaults={
                "level": Conflict.Level.CONFLICT,
                "note": note,
                "source": Conflict.Source.JUROR,
                "status": Conflict.Status.CONFIRMED,
                "decided_at": timezone.now(),
            },
        )
        if created:
            ledger.record(call, "calls.conflict.declared", application, actor=actor, juror=juror.pk)
        conflict.taken_off = _take_off_conflicted(call, juror, application, actor)
    return conflict


def conflict_add(*, juror: Juror, application: Application, reason: str, actor) -> Conflict:
    """The call manager records by hand a link the directory does not show between a juror
    and a file of the stage: confirmed at once, it keeps the juror away from the file (its
    scores, its discussion, its rank). The reason is required; once per juror and file."""
    from calls.permissions import can_manage_call

    reason = _text(reason, field="reason", max_length=2000, multiline=True)
    if not reason:
        raise DomainError(errors.CONFLICT_ADD_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        call = _lock_call(juror.stage.call_id)
        if not can_manage_call(actor, call):
            raise DomainError(errors.NOT_CALL_MANAGER)
        stage = Stage.objects.get(pk=juror.stage_id)
        if stage.closed_at is not None:
            raise DomainError(errors.STAGE_CLOSED)
        application = Application.objects.get(pk=application.pk)
        if application.stage_id != stage.pk or application.status != Application.Status.SUBMITTED:
            raise DomainError(errors.NOT_A_FILE_OF_STAGE, field="application")
        conflict, created = Conflict.objects.get_or_create(
            juror=juror,
            application=application,
            reason="manager",
            subject="",
            defaults={
                "level": Conflict.Level.CONFLICT,
                "note": reason,
                "source": Conflict.Source.MANAGER,
                "status": Conflict.Status.CONFIRMED,
                "decision_reason": reason,
                "decided_by": actor,
                "decided_at": timezone.now(),
            },
        )
        if not created:
            raise DomainError(errors.CONFLICT_EXISTS)
        ledger.record(call, "calls.conflict.added", application, actor=actor, juror=juror.pk)
        conflict.taken_off = _take_off_conflicted(call, juror, application, actor)
    return conflict


# --- assignment ------------------------------------------------------------------------------


def _stage_state(stage: Stage):
    """(files, jurors, forbidden, assignments) of a stage, as the pure module takes them."""
    applications = list(
        Application.objects.filter(stage=stage, status=Application.Status.SUBMITTED)
        .select_related("pole")
        .order_by("pk")
    )
    jurors = list(
        Juror.objects.filter(stage=stage, declared_at__isnull=False)
        .select_related("organisation")
        .order_by("pk")
    )
    forbidden = blocked_pairs(call_id=stage.call_id, jurors=jurors)
    assignments = list(
        Assignment.objects.filter(stage=stage).select_related("review").order_by("pk")
    )
    return applications, jurors, forbidden, assignments


def _labels(applications, jurors):
    def unique(items, text):
        seen = defaultdict(int)
        for item in items:
            seen[text(item)] += 1
        return {
            item.pk: text(item) if seen[text(item)] == 1 else f"{text(item)} (n° {item.pk})"
            for item in items
        }

    return (
        unique(applications, lambda a: a.project_title or a.pole.name),
        unique(jurors, lambda j: j.name),
    )


def _has_review(assignment: Assignment) -> bool:
    try:
        return assignment.review is not None
    except Review.DoesNotExist:
        return False


def assignment_run(*, stage: Stage, actor) -> list[str]:
    """Assign ``jurors_per_file`` jurors (who declared) to each submitted file of the stage,
    never a conflicted pair, loads within one: the computed assignments are replaced; those
    set by hand and those already scored are kept. Returns the problems, in words."""
    with transaction.atomic():
        call = _lock_call(stage.call_id)
        stage = Stage.objects.get(pk=stage.pk)
        if stage.closed_at is not None:
            raise DomainError(errors.STAGE_CLOSED)
        # the registry first: a link not detected yet must not let a pair through
        added, removed = _detect(call, stage)
        ledger.record(
            call, "calls.conflicts.detected", stage, actor=actor, added=added, dropped=removed
        )
        applications, jurors, forbidden, assignments = _stage_state(stage)
        file_labels, juror_labels = _labels(applications, jurors)
        kept = [a for a in assignments if a.source == Assignment.Source.HAND or _has_review(a)]
        result = solver.assign(
            {a.pk: a.pole.region_code or None for a in applications},
            {
                j.pk: j.region_code
                or (j.organisation.region_code if j.organisation else "")
                or None
                for j in jurors
            },
            forbidden,
            k=stage.jurors_per_file,
            fixed=[(a.juror_id, a.application_id) for a in kept],
        )
        wanted = {(j, f) for f, js in result.assignment.items() for j in js}
        have = {(a.juror_id, a.application_id): a for a in assignments}
        for pair, a in have.items():
            if a.source == Assignment.Source.SOLVER and not _has_review(a) and pair not in wanted:
                ledger.record(call, "calls.assignment.removed", a, actor=actor, removed=True)
                a.delete()
        for juror_id, file_id in sorted(wanted - set(have)):
            a = Assignment.objects.create(
                stage=stage,
                application_id=file_id,
                juror_id=juror_id,
                source=Assignment.Source.SOLVER,
            )
            ledger.record(call, "calls.assignment.computed", a, actor=actor)
        problems = []
        for p in result.problems:
            who = []
            if p.file is not None:
                who.append(file_labels.get(p.file, str(p.file)))
            if p.juror is not None:
                who.append(juror_labels.get(p.juror, str(p.juror)))
            problems.append(f"{' – '.join(who)} : {p.message}" if who else p.message)
    return problems


def _check(stage, pairs, applications, jurors, forbidden) -> list[str]:
    file_labels, juror_labels = _labels(applications, jurors)
    by_file = {file_labels[a.pk]: [] for a in applications}
    for juror_id, file_id in pairs:
        by_file.setdefault(file_labels.get(file_id, str(file_id)), []).append(
            juror_labels.get(juror_id, str(juror_id))
        )
    return solver.check_assignment(
        by_file,
        [juror_labels[j.pk] for j in jurors],
        {(juror_labels.get(j, str(j)), file_labels.get(f, str(f))) for j, f in forbidden},
        stage.jurors_per_file,
    )


def _refuse_new_breaks(stage, before_pairs, after_pairs, applications, jurors, forbidden):
    before = set(_check(stage, before_pairs, applications, jurors, forbidden))
    new = [
        e for e in _check(stage, after_pairs, applications, jurors, forbidden) if e not in before
    ]
    if new:
        raise DomainError(errors.ASSIGNMENT_BREAKS_RULE, rules=" ".join(new))


def assignment_set(*, stage: Stage, application: Application, juror: Juror, actor) -> Assignment:
    """Assign a juror to a file by hand: refused when it breaks a rule of the assignment
    (a conflict, more than ``jurors_per_file`` jurors, loads more than one apart)."""
    with transaction.atomic():
        call = _lock_call(stage.call_id)
        stage = Stage.objects.get(pk=stage.pk)
        if stage.closed_at is not None:
            raise DomainError(errors.STAGE_CLOSED)
        applications, jurors, forbidden, assignments = _stage_state(stage)
        if application.pk not in {a.pk for a in applications}:
            raise DomainError(errors.NOT_A_FILE_OF_STAGE)
        if juror.pk not in {j.pk for j in jurors}:
            raise DomainError(errors.NOT_DECLARED)
        pairs = [(a.juror_id, a.application_id) for a in assignments]
        if (juror.pk, application.pk) in pairs:
            raise DomainError(errors.ASSIGNMENT_EXISTS)
        _refuse_new_breaks(
            stage, pairs, [*pairs, (juror.pk, application.pk)], applications, jurors, forbidden
        )
        try:
            with transaction.atomic():
                a = Assignment.objects.create(
                    stage=stage,
                    application=application,
                    juror=juror,
                    source=Assignment.Source.HAND,
                )
        except IntegrityError as exc:
            raise DomainError(errors.ASSIGNMENT_EXISTS) from exc
        ledger.record(call, "calls.assignment.set", a, actor=actor)
    return a


def assignment_remove(*, assignment: Assignment, actor) -> None:
    """Take a juror off a file by hand: refused once the juror has scored it, or when the
    loads would end more than one apart."""
    with transaction.atomic():
        call = _lock_call(assignment.stage.call_id)
        assignment = Assignment.objects.select_related("stage").get(pk=assignment.pk)
        stage = assignment.stage
        if stage.closed_at is not None:
            raise DomainError(errors.STAGE_CLOSED)
        if Review.objects.filter(assignment=assignment).exists():
            raise DomainError(errors.ASSIGNMENT_REVIEWED)
        applications, jurors, forbidden, assignments = _stage_state(stage)
        pairs = [(a.juror_id, a.application_id) for a in assignments]
        pair = (assignment.juror_id, assignment.application_id)
        _refuse_new_breaks(
            stage, pairs, [p for p in pairs if p != pair], applications, jurors, forbidden
        )
        ledger.record(call, "calls.assignment.removed", assignment, actor=actor, removed=True)
        assignment.delete()
