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
    """A conflict keeps this juror away from this file (``Conflict.blocks``)."""
    return any(c.blocks for c in Conflict.objects.filter(juror=juror, application=application))


def can_review(juror: Juror, application: Application) -> bool:
    """An assigned juror who signed the declaration and is not conflicted on the file."""
    return (
        juror.declared_at is not None
        and juror.assignments.filter(application=application).exists()
        and not is_blocked(juror, application)
    )


# --- the call and its set-up (access helpers) ----------------------------------------------


def access_call_for_manager(request, slug: str) -> Call:
    """The call named by ``slug`` if the user manages it: 404 when there is no such call,
    403 when there is one and the user may not manage it."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import get_object_or_404

    call = get_object_or_404(Call, slug=slug)
    if not can_manage_call(request.user, call):
        raise PermissionDenied
    return call
