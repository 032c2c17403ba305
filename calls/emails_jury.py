"""The jury's emails: the invitation (its signed link made when the email is rendered)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from calls.models import Juror
from calls.services.jury import JUROR_INVITED
from calls.tokens import INVITATION_MAX_AGE, invitation_token
from core.mail import register_renderer
from core.models import OutboundEmail


def _invited(outbound: OutboundEmail) -> EmailMessage | None:
    juror = Juror.objects.select_related("stage__call").filter(pk=outbound.object_id).first()
    if juror is None or juror.accepted_at is not None:
        return None
    link = settings.SITE_URL + reverse("calls_jury:accept", args=[invitation_token(juror)])
    context = {"juror": juror, "link": link, "days": INVITATION_MAX_AGE.days}
    return EmailMessage(
        subject=_("Invitation to the jury of « %(call)s »") % {"call": juror.stage.call.title},
        body=render_to_string("calls/emails/juror_invited.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
    )


def register() -> None:
    register_renderer(JUROR_INVITED, _invited)
