"""Signed one-time invitation links for jurors.

The link carries the seat's id and its ``invitation_nonce``, signed (salted, timestamped):
it cannot be forged or guessed, it expires after ``INVITATION_MAX_AGE``, and accepting the
invitation rotates the nonce, so the same link never opens the seat twice.
"""

from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare

from calls import errors
from calls.models import Juror
from core.errors import DomainError

_SALT = "ptce.calls.juror-invitation.v1"
INVITATION_MAX_AGE = timedelta(days=30)


def invitation_token(juror: Juror) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{juror.pk}:{juror.invitation_nonce.hex}")


def juror_from_invitation(token: str, *, for_update: bool = False) -> Juror:
    """The seat a link opens, or a DomainError: forged or unknown (``invitation_invalid``),
    too old (``invitation_expired``), already used (``invitation_used``)."""
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(
            str(token or "").strip(), max_age=INVITATION_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise DomainError(errors.INVITATION_EXPIRED) from exc
    except signing.BadSignature as exc:
        raise DomainError(errors.INVITATION_INVALID) from exc
    pk, _sep, nonce = value.partition(":")
    queryset = Juror.objects.select_related("stage__call")
    if for_update:
        queryset = queryset.select_for_update()
    juror = queryset.filter(pk=int(pk) if pk.isdigit() else 0).first()
    if juror is None:
        raise DomainError(errors.INVITATION_INVALID)
    if not constant_time_compare(juror.invitation_nonce.hex, nonce):
        if juror.accepted_at is not None:
            raise DomainError(errors.INVITATION_USED)
        raise DomainError(errors.INVITATION_INVALID)
    return juror
