"""The receipt of a submitted application, as a PDF: the call, the pole, the project,
the server's time of submission (Europe/Paris), each attachment with its SHA-256, and the
SHA-256 of the whole file. Text goes through ``core.pdftext``: names of every script
(Arabic, Hebrew, Devanagari, Chinese…) shaped and in visual order, every font embedded."""

import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from calls.models import Application, Call
from calls.selectors_apply import PARIS
from core.dates import moment
from core.french import file_size
from core.pdftext import CREATOR, FONT, FONT_BOLD, draw_string, new_canvas, wrap_lines

MONO = FONT  # hashes in the same embedded font (a monospace would be one more file)
INK = colors.HexColor("#1b2a41")
ACCENT = colors.HexColor("#0b6e4f")


def document_author(call: Call) -> str:
    """Who issues the call's documents, as their PDF /Author says it: the granting body,
    else the funders, else ptce."""
    return call.grantor_name or call.funders or CREATOR


def receipt_pdf(application: Application, *, language: str | None = None) -> bytes:
    """The receipt of the application as last submitted, in the active language (which
    its /Lang says, unless told another)."""
    call, pole = application.call, application.pole
    buffer = io.BytesIO()
    pdf = new_canvas(buffer, A4, lang=language)
    pdf.setTitle(_("Receipt of application – %(call)s") % {"call": call.title})
    pdf.setAuthor(document_author(call))
    pdf.setSubject(_("Application of %(pole)s") % {"pole": pole.name})
    width, height = A4
    margin = 20 * mm
    usable = width - 2 * margin

    pdf.setFillColor(ACCENT)
    pdf.rect(0, height - 26 * mm, width, 26 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    draw_string(pdf, margin, height - 16 * mm, _("Receipt of application"), FONT_BOLD, 18)
    y = height - 38 * mm

    def line(text, font=FONT, size=11, gap=5.5):
        nonlocal y
        for part in wrap_lines(pdf, str(text), font, size, usable) or [""]:
            if y < 25 * mm:
                pdf.showPage()
                y = height - 20 * mm
            pdf.setFillColor(INK)
            draw_string(pdf, margin, y, part, font, size)
            y -= gap * mm

    submitted = timezone.localtime(application.submitted_at, PARIS)
    line(call.title, FONT_BOLD, 14, 7)
    line(_("Pole: %(pole)s") % {"pole": pole.name})
    line(_("Project: %(title)s") % {"title": application.project_title}, FONT_BOLD)
    line(
        _("Submitted on %(when)s (Paris time, the server’s clock), by %(who)s")
        % {
            "when": moment(submitted),
            "who": (application.submitted_by.get_full_name() or application.submitted_by.email)
            if application.submitted_by
            else "?",
        }
    )
    line(_("Application number: %(number)s") % {"number": application.pk})
    y -= 4 * mm
    line(_("Attachments"), FONT_BOLD, 12, 6.5)
    attachments = list(application.attachments.order_by("pk"))
    if not attachments:
        line(_("No attachment."))
    for attachment in attachments:
        line(f"{attachment.original_name} ({file_size(attachment.size)})")
        line(f"SHA-256 : {attachment.sha256}", MONO, 8.5, 5)
        y -= 1.5 * mm
    y -= 4 * mm
    line(_("Fingerprint of the whole application (SHA-256)"), FONT_BOLD, 12, 6.5)
    line(application.sha256, MONO, 9.5, 6)
    y -= 2 * mm
    line(
        _(
            "This fingerprint is computed over the application as submitted (its answers and "
            "its attachments’ fingerprints): any later change would change it."
        ),
        FONT,
        9,
        4.5,
    )
    pdf.setFillColor(colors.HexColor("#555555"))
    draw_string(pdf, margin, 12 * mm, settings.SITE_URL, FONT, 8)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
