"""Writes of the accounts app. Each function owns its transaction."""

from django.db import transaction

from accounts.emails import PASSWORD_RESET
from core.mail import email_queue


def password_reset_queue(*, users, language: str) -> int:
    """Queue the « choose a password » email to each account (through the outbox, sent
    after commit); how many were queued."""
    sent = 0
    with transaction.atomic():
        for user in users:
            email_queue(
                kind=PASSWORD_RESET,
                scope=f"accounts.user:{user.pk}",
                object_id=user.pk,
                to=user.email,
                language=language,
            )
            sent += 1
    return sent
