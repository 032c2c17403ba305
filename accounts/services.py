"""Writes of the accounts app. Each function owns its transaction."""

from django.conf import settings
from django.contrib.auth import get_user_model
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


def user_language_set(*, user, language: str, only_if_empty: bool = False) -> bool:
    """Keep ``language`` as the account's (one of the site's languages, else nothing is
    stored); with ``only_if_empty``, only for an account that has none yet. Whether it
    was stored."""
    language = (language or "").split("-")[0]
    if language not in dict(settings.LANGUAGES) or not user.pk:
        return False
    with transaction.atomic():
        users = get_user_model()._default_manager.filter(pk=user.pk)
        if only_if_empty:
            users = users.filter(language="")
        stored = users.exclude(language=language).update(language=language) > 0
    if stored:
        user.language = language
    return stored
