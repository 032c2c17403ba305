"""Named predicates for the charter."""

from events.permissions import can_manage_event


def can_sign_for(user, signer) -> bool:
    """Only the managers of a pole or network (their claim was approved) sign for it."""
    if not user.is_authenticated or not user.is_active:
        return False
    return signer.managers.filter(pk=user.pk).exists()


def can_record_ceremony(user, event) -> bool:
    """The organisers of the event record the signatures made in the room."""
    return can_manage_event(user, event)
