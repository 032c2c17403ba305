"""Named predicates for the charter, and access helpers (fetch a protected object and
check the right to it in one call, refusing in one place)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from charter import errors
from charter.models import Signature
from charter.selectors import signer_from
from core.errors import DomainError
from events.permissions import access_event_for_manager


def can_sign_for(user, signer) -> bool:
    """Only the managers of a pole or network (their claim was approved) sign for it."""
    if not user.is_authenticated or not user.is_active:
        return False
    return signer.managers.filter(pk=user.pk).exists()


def access_event_for_ceremony(request, slug: str):
    """The event whose signatures in the room this user records: the organisers of the
    event record them (404 when there is no such event, 403 when the user does not manage
    it)."""
    return access_event_for_manager(request, slug)


def access_signature_for_signer(request, pk: int) -> Signature:
    """A signature in force that this user may withdraw, as a manager of the signing pole
    or network: 404 when there is no signature in force with this id, 403 when the user
    does not manage its signer."""
    signature = get_object_or_404(
        Signature.objects.in_force().select_related("pole", "network"), pk=pk
    )
    if not can_sign_for(request.user, signature.signer):
        raise PermissionDenied
    return signature


def access_signer_for_signing(user, value):
    """The pole or network of a form's « pole:12 » / « network:3 » choice, if this user
    may sign for it; DomainError (the sign form's refusal) otherwise."""
    signer = signer_from(value)
    if signer is None or not can_sign_for(user, signer):
        raise DomainError(errors.NO_MANDATE)
    return signer
