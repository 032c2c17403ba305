"""Named predicates (who may do what with the registry) and access helpers (fetch a
protected object and check the right to it in one call, refusing in one place)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from core.errors import DomainError
from registry import errors, selectors
from registry.models import ImportBatch, Pole, PoleClaim, Suggestion


def can_import(user) -> bool:
    """Staff allowed to add poles and organisations (the platform's editors)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perms(["registry.add_organisation", "registry.add_pole"])
    )


def can_moderate(user) -> bool:
    """Editors: decide claims and suggestions, see likely duplicates, edit any pole."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("registry.change_pole")
    )


def can_edit_pole(user, pole) -> bool:
    """A pole's own managers (their claim was approved) and the editors."""
    if not user.is_authenticated or not user.is_active:
        return False
    return can_moderate(user) or pole.managers.filter(pk=user.pk).exists()


# --- access helpers ---------------------------------------------------------------------------


def require_importer(request) -> None:
    """403 unless the user may import files."""
    if not can_import(request.user):
        raise PermissionDenied


def require_moderator(request) -> None:
    """403 unless the user is an editor."""
    if not can_moderate(request.user):
        raise PermissionDenied


def access_pole_for_editor(request, slug: str) -> Pole:
    """The pole named by ``slug`` if the user may edit its entry: 404 when there is no
    such pole, 403 when there is one and the user may not edit it."""
    pole = selectors.pole_by_slug(slug)
    if pole is None:
        raise Http404(_("No pole at this address."))
    if not can_edit_pole(request.user, pole):
        raise PermissionDenied
    return pole


def access_import_for_importer(request, pk: int) -> ImportBatch:
    """An import the user started: 403 for who may not import, 404 for anyone else's."""
    require_importer(request)
    batch = selectors.import_batch_of(pk, user=request.user)
    if batch is None:
        raise Http404(_("No such import."))
    return batch


def access_claim_for_moderator(request, claim_id: int | None) -> PoleClaim:
    """A claim to decide: 403 for who is not an editor, ``registry.unknown_claim`` (the
    moderation page's message) when it no longer exists."""
    require_moderator(request)
    claim = selectors.claim(claim_id)
    if claim is None:
        raise DomainError(errors.UNKNOWN_CLAIM)
    return claim


def access_suggestion_for_moderator(request, suggestion_id: int | None) -> Suggestion:
    """A suggestion to decide: 403 for who is not an editor,
    ``registry.unknown_suggestion`` when it no longer exists."""
    require_moderator(request)
    suggestion = selectors.suggestion(suggestion_id)
    if suggestion is None:
        raise DomainError(errors.UNKNOWN_SUGGESTION)
    return suggestion
