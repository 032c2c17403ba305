"""Email renderers of deciding: each applying pole's managers told the committee's
decision (registered with core.mail; rendered in the recipient's language)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from calls.models import Decision
from core.mail import register_renderer
from core.models import OutboundEmail


def _decision(outbound: OutboundEmail) -> EmailMessage | None:
    decision = (
        Decision.objects.select_related("application__pole", "application__call")
        .filter(pk=outbound.object_id)
        .first()
    )
    if decision is None:
        return None
    call = decision.application.call
    application = decision.application
    # the file as the pole's managers see it (its receipt): an address of the platform
    link = settings.SITE_URL + reverse("calls:apply_receipt", args=[call.slug, application.pk])
    context = {"decision": decision, "call": call, "pole": application.pole, "link": link}
    return EmailMessage(
        subject=_("%(call)s: the decision on your application") % {"call": call.title},
        body=render_to_string("calls/emails/decision_notified.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
    )


def register() -> None:
    register_renderer("calls.decision.notified", _decision)
