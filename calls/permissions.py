"""Named predicates (who may do what with a call) and access helpers (fetch a protected
object and check the right to it in one call, refusing in one place: 404 when the object
does not exist or must not be known, 403 when it exists and the user may not).

Who:
- a call manager: listed in ``Call.managers``, or staff with ``calls.change_call`` (every
  call);
- a pole's managers (registry ``Pole.managers``) apply for their pole;
- a juror: a ``Juror`` seat of a stage linked to the account, who signed the declaration
  of interests; sees only the files assigned to them that no conflict blocks.
"""

from django.db.models import Q

from calls.models import Application, Call, Conflict, Juror


def can_manage_calls(user) -> bool:
    """Staff who manage every call (and create new ones)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("calls.change_call")
    )


def can_manage_call(user, call: Call) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return can_manage_calls(user) or call.managers.filter(pk=user.pk).exists()


def can_apply_for(user, pole) -> bool:
    """The managers of a pole (their claim was approved) apply for it."""
    if not user.is_authenticated or not user.is_active:
        return False
    return pole.managers.filter(pk=user.pk).exists()


def can_see_application(user, application: Application) -> bool:
    """The applying pole's managers, and the call's managers."""
    return can_apply_for(user, application.pole) or can_manage_call(user, application.call)


def juror_seats(user):
    """The user's seats in juries (accepted invitations)."""
    if not user.is_authenticated or not user.is_active:
        return Juror.objects.none()
    return Juror.objects.filter(user=user, accepted_at__isnull=False)


def is_blocked(juror: Juror, application: Application) -> bool:
    """A conflict keeps this juror away from this file (``Conflict.blocks``): one stored on
    this seat or on any seat of the same account in the call (a conflict follows the person
    from stage to stage), or a conflict-level link the registry shows now (read live, so
    that access never waits for a detection) unless the manager dismissed it."""
    from calls.services.jury import blocking_q, live_conflicts

    seats = Q(juror=juror)
    if juror.user_id is not None:
        seats |= Q(juror__user_id=juror.user_id, juror__stage__call_id=application.call_id)
    if Conflict.objects.filter(seats, application=application).filter(blocking_q()).exists():
        return True
    return bool(live_conflicts(juror, application))


def can_review(juror: Juror, application: Application) -> bool:
    """An assigned juror who signed the declaration and is not conflicted on the file."""
    return (
        juror.declared_at is not None
        and juror.assignments.filter(application=application).exists()
        and not is_blocked(juror, application)
    )


# jury ----------------------------------------------------------------------------------------
# The access helpers of the jury's pages (calls.views.jury) and of the manager's jury pages
# (calls.views.jury_manage). A file a conflict blocks is answered 404, like a file that does
# not exist: a conflicted juror never learns anything of it.


def access_seat_for_juror(request, pk: int) -> Juror:
    """The user's own accepted seat (404 for any other)."""
    from django.http import Http404

    seat = juror_seats(request.user).select_related("stage__call").filter(pk=pk).first()
    if seat is None:
        raise Http404
    return seat


def access_assignment_for_juror(request, pk: int):
    """An assignment of the user's, on a file no conflict keeps them from (404 otherwise).
    The caller sends a juror who has not declared yet to the declaration."""
    from django.http import Http404

    from calls.models import Assignment

    assignment = (
        Assignment.objects.select_related("juror", "stage__call", "application__pole")
        .filter(pk=pk, juror__in=juror_seats(request.user))
        .first()
    )
    if assignment is None or is_blocked(assignment.juror, assignment.application):
        raise Http404
    return assignment


def access_attachment_for_juror(request, pk: int):
    """An attachment of a file the user may review (``can_review``), else 404."""
    from django.http import Http404

    from calls.models import Attachment

    attachment = Attachment.objects.select_related("application").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    for seat in juror_seats(request.user):
        if can_review(seat, attachment.application):
            return attachment
    raise Http404


def access_stage_for_manager(request, pk: int):
    """A stage of a call the user manages: 404 when there is none, 403 when not theirs."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from calls.models import Stage

    stage = Stage.objects.select_related("call").filter(pk=pk).first()
    if stage is None:
        raise Http404
    if not can_manage_call(request.user, stage.call):
        raise PermissionDenied
    return stage


# decide ---------------------------------------------------------------------------------


def access_call_for_decisions(user, slug: str) -> Call:
    """The call whose ranking, decisions and results the user manages: 404 when there is
    no such call, 403 when the user is not one of its managers."""
    return _managed_call(user, slug)


# --- applying (access helpers) --------------------------------------------------------------


def access_application_for_applicant(user, *, slug: str, pk: int) -> Application:
    """An application of the call ``slug``, for its pole's managers (and the call's
    managers): 404 for anyone else, the file's existence is not told."""
    from django.http import Http404

    application = (
        Application.objects.select_related("call", "pole", "submitted_by")
        .filter(call__slug=slug, pk=pk)
        .first()
    )
    if application is None or not can_see_application(user, application):
        raise Http404
    return application


def access_attachment(user, *, slug: str, pk: int, attachment_pk: int):
    """An attachment, for who may see its application (404 for anyone else)."""
    from calls.models import Attachment

    application = access_application_for_applicant(user, slug=slug, pk=pk)
    attachment = Attachment.objects.filter(application=application, pk=attachment_pk).first()
    if attachment is None:
        from django.http import Http404

        raise Http404
    return attachment


# --- the call and its set-up (access helpers) ----------------------------------------------


def access_call_for_manager(request, slug: str) -> Call:
    """The call named by ``slug`` if the user manages it: 404 when there is no such call,
    403 when there is one and the user may not manage it."""
    return _managed_call(request.user, slug)


def _managed_call(user, slug: str) -> Call:
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import get_object_or_404

    call = get_object_or_404(Call, slug=slug)
    if not can_manage_call(user, call):
        raise PermissionDenied
    return call
