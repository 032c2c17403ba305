"""Email renderers of the registry (registered with core.mail in RegistryConfig.ready)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.mail import register_renderer
from core.models import OutboundEmail
from registry.models import PoleClaim


def _claim(outbound: OutboundEmail, status: str) -> EmailMessage | None:
    claim = PoleClaim.objects.select_related("pole", "user").filter(pk=outbound.object_id).first()
    if claim is None or claim.status != status:
        return None
    # back to where the claim started (signing the charter), once signed in
    then = f"?{urlencode({'next': claim.return_to})}" if claim.return_to else ""
    context = {
        "claim": claim,
        "pole_url": settings.SITE_URL + reverse("registry:pole", args=[claim.pole.slug]),
        "edit_url": settings.SITE_URL
        + reverse("registry_manage:pole_edit", args=[claim.pole.slug]),
        "login_url": settings.SITE_URL + reverse("accounts:login") + then,
        "password_url": "",
    }
    user = claim.user
    # a password link only for the account this approval made (never for an existing one)
    if user is not None and claim.new_account and not user.has_usable_password():
        context["password_url"] = (
            settings.SITE_URL
            + reverse(
                "accounts:password_set",
                args=[
                    urlsafe_base64_encode(force_bytes(user.pk)),
                    default_token_generator.make_token(user),
                ],
            )
            + then
        )
    subject = (
        _("You manage the entry of %(pole)s")
        if status == PoleClaim.Status.APPROVED
        else _("Your request about %(pole)s")
    ) % {"pole": claim.pole.name}
    return EmailMessage(
        subject=subject,
        body=render_to_string(f"registry/emails/claim_{status}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
    )


def register() -> None:
    register_renderer("registry.claim.approved", lambda o: _claim(o, PoleClaim.Status.APPROVED))
    register_renderer("registry.claim.rejected", lambda o: _claim(o, PoleClaim.Status.REJECTED))
