"""Email renderers of the charter (registered in CharterConfig.ready)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core.mail import register_renderer
from core.models import OutboundEmail


def _confirm(outbound: OutboundEmail) -> EmailMessage | None:
    from charter.models import Signature
    from charter.services import confirmation_token

    signature = Signature.objects.select_related("version").filter(pk=outbound.object_id).first()
    if signature is None or signature.status != Signature.Status.PENDING:
        return None
    link = reverse("charter:confirm", args=[confirmation_token(signature)])
    return EmailMessage(
        subject=_("Confirm the signature of the PTCE charter – %(signer)s")
        % {"signer": signature.signer.name},
        body=render_to_string(
            "charter/emails/confirm.txt",
            {"signature": signature, "link": settings.SITE_URL + link},
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
    )


def _invitation(outbound: OutboundEmail) -> EmailMessage | None:
    from charter.models import CharterVersion, Signature

    signature = Signature.objects.select_related("version").filter(pk=outbound.object_id).first()
    version = CharterVersion.objects.in_force()
    if signature is None or version is None or version.number <= signature.version.number:
        return None
    if (
        Signature.objects.made()
        .of_signer(pole_id=signature.pole_id, network_id=signature.network_id)
        .filter(version=version)
        .exists()
    ):
        return None  # already signed the new one meanwhile
    return EmailMessage(
        subject=_("A new version of the PTCE charter – %(signer)s")
        % {"signer": signature.signer.name},
        body=render_to_string(
            "charter/emails/invitation.txt",
            {
                "signature": signature,
                "version": version,
                "charter_url": settings.SITE_URL + reverse("charter:home"),
                "diff_url": settings.SITE_URL
                + reverse("charter:diff", args=[signature.version.number, version.number]),
                "sign_url": settings.SITE_URL + reverse("charter:sign"),
            },
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
    )


def register() -> None:
    register_renderer("charter.signature.confirm", _confirm)
    register_renderer("charter.invitation", _invitation)
