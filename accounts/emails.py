"""The password reset email, sent through the outbox (core.mail) like every other email:
queued in the request's transaction, rendered and sent after commit, retried on failure.

The link is made when the email is rendered (Django's token: valid for
``PASSWORD_RESET_TIMEOUT``, and void once the password changes or the person signs in)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.mail import register_renderer
from core.models import OutboundEmail

PASSWORD_RESET = "accounts.password_reset"  # noqa: S105 - an email kind, not a password


def _password_reset(outbound: OutboundEmail) -> EmailMessage | None:
    user = get_user_model().objects.filter(pk=outbound.object_id, is_active=True).first()
    if user is None or not user.email:
        return None
    link = settings.SITE_URL + reverse(
        "accounts:password_set",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    context = {
        "user": user,
        "link": link,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
    }
    return EmailMessage(
        subject=_("Choose a new password for the PTCE platform"),
        body=render_to_string("accounts/emails/password_reset.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
    )


def register() -> None:
    register_renderer(PASSWORD_RESET, _password_reset)
