"""Email renderers of applying: the receipt of a submission, with its PDF; a file
reopened for correction, told to the pole's managers."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dates import moment
from core.mail import register_renderer
from core.models import OutboundEmail

PARIS = ZoneInfo("Europe/Paris")


def _receipt(outbound: OutboundEmail) -> EmailMessage | None:
    from calls.models import Application
    from calls.receipts_apply import receipt_pdf

    application = (
        Application.objects.select_related("call", "pole", "submitted_by")
        .filter(pk=outbound.object_id)
        .first()
    )
    if application is None or application.status != Application.Status.SUBMITTED:
        return None
    if outbound.dedupe_key and not outbound.dedupe_key.endswith(application.sha256):
        return None  # reopened and submitted again: that submission has its own receipt
    language = translation.get_language() or "fr"
    link = reverse("calls:apply_receipt", args=[application.call.slug, application.pk])
    message = EmailMessage(
        subject=_("Application submitted – %(call)s") % {"call": application.call.title},
        body=render_to_string(
            "calls/emails/receipt.txt",
            {"application": application, "link": settings.SITE_URL + link},
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
    )
    message.attach(
        _("receipt-%(number)s.pdf") % {"number": application.pk},
        receipt_pdf(application, language=language.split("-")[0]),
        "application/pdf",
    )
    return message


def _reopened(outbound: OutboundEmail) -> EmailMessage | None:
    from calls.models import Application

    application = (
        Application.objects.select_related("call", "pole").filter(pk=outbound.object_id).first()
    )
    if (
        application is None
        or application.reopened_until is None
        or application.status != Application.Status.DRAFT
    ):
        return None  # submitted again (or withdrawn) before the email left: nothing to say
    link = reverse("calls:apply_draft", args=[application.call.slug, application.pk])
    return EmailMessage(
        subject=_("Application reopened for correction – %(call)s")
        % {"call": application.call.title},
        body=render_to_string(
            "calls/emails/reopened.txt",
            {
                "application": application,
                "until": moment(timezone.localtime(application.reopened_until, PARIS)),
                "link": settings.SITE_URL + link,
            },
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
    )


def register() -> None:
    register_renderer("calls.application.receipt", _receipt)
    register_renderer("calls.application.reopened", _reopened)
