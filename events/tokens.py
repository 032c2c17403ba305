"""Signed tokens for tickets (QR codes) and personal links.

Neither carries a database id: each signs a random secret stored on the registration.
The ticket token never expires (it is checked at the door); the personal link does.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from events import errors
from events.models import Registration, new_secret

_TICKET_SALT = "ptce.events.ticket.v1"
_LINK_SALT = "ptce.events.personal-link.v1"


def ticket_token(registration: Registration) -> str:
    return signing.Signer(salt=_TICKET_SALT).sign(registration.ticket_secret)


def ticket_hash_of(secret: str) -> str:
    """SHA-256 of the ticket's code: what the door's phones keep instead of the code, and
    what ``Registration.ticket_hash`` holds (written with the secret)."""
    return hashlib.sha256(signing.Signer(salt=_TICKET_SALT).sign(secret).encode()).hexdigest()


def ticket_secret_from_token(token: str) -> str:
    """The secret inside a ticket token, or DomainError ``events.ticket_invalid``."""
    try:
        return signing.Signer(salt=_TICKET_SALT).unsign(token.strip())
    except signing.BadSignature as exc:
        raise DomainError(errors.TICKET_INVALID) from exc


def personal_link_token(registration: Registration) -> str:
    return signing.TimestampSigner(salt=_LINK_SALT).sign(registration.link_secret)


def registration_from_link_token(token: str) -> Registration:
    """The registration a personal link opens, or a DomainError saying why not."""
    max_age = timedelta(days=settings.PTCE_PERSONAL_LINK_MAX_AGE_DAYS)
    try:
        secret = signing.TimestampSigner(salt=_LINK_SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise DomainError(errors.LINK_EXPIRED) from exc
    except signing.BadSignature as exc:
        raise DomainError(errors.LINK_INVALID) from exc
    registration = Registration.objects.select_related("event").filter(link_secret=secret).first()
    if registration is None or registration.erased_at is not None:
        raise DomainError(
            errors.LINK_INVALID, _("This link is no longer valid: the registration was erased.")
        )
    return registration


def new_secret_pair() -> tuple[str, str]:
    """Fresh ticket and link secrets: the old QR code and personal link stop working."""
    return new_secret(), new_secret()
