"""Reads of the accounts app."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import _unicode_ci_compare


def account_username(login: str | None) -> str | None:
    """The username to check a password against, for what a person typed in « identifiant
    ou adresse e-mail »: a username in any case, else the one active account with this
    e-mail address (accounts made by an approved claim are named after the address, in
    lower case). Unknown or ambiguous: what was typed, which then fails as usual."""
    # no account has a longer name or address (150 and 254 characters): no query for more
    if not login or len(login) > 254:
        return login
    users = get_user_model()._default_manager.filter(is_active=True)
    by_name = list(users.filter(username__iexact=login).values_list("username", flat=True)[:2])
    if len(by_name) == 1:
        return by_name[0]
    if "@" in login and not by_name:
        by_email = list(users.filter(email__iexact=login).values_list("username", flat=True)[:2])
        if len(by_email) == 1:
            return by_email[0]
    return login


def active_users_with_email(email: str) -> list:
    """The active accounts whose address is ``email``, compared as Django's password reset
    does (case-folded): an account made by an approved claim with no usable password yet
    included."""
    User = get_user_model()
    field = User.get_email_field_name()
    users = User._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
    return [user for user in users if _unicode_ci_compare(email, getattr(user, field))]


def language_of(user) -> str:
    """The language of the emails to ``user``: the account's, else the site's."""
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
