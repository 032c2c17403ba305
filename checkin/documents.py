"""Badges to print: A6, or four A6 on an A4 sheet with cut marks, one per person.

The name is fitted to the badge's width (first name, then the last name in capitals on a
line of its own, each as large as fits, long names wrapped on two lines), with the
organisation, the category's colour band and the ticket's QR code. Printing a badge is
not an entry.
"""

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from events.documents import (
    FONT,
    FONT_BOLD,
    INK,
    draw_qr,
    event_when,
    event_where,
    fit_size,
    wrap_lines,
)
from events.models import Event, Registration
from events.tokens import ticket_token

CATEGORY_COLOURS = {
    "ptce_member": "#0b6e4f",
    "network": "#1f5fa8",
    "local_authority": "#6b3fa0",
    "state": "#1b2a41",
    "press": "#b0306a",
    "speaker": "#0e7490",
    "staff": "#c2410c",
    "other": "#6b7280",
}
LAYOUTS = ("a6", "a4x4")


def _badge(
    pdf: canvas.Canvas, event: Event, registration: Registration, x: float, y: float
) -> None:
    """Draw one A6 badge with its lower-left corner at (x, y)."""
    width, height = A6
    margin = 8 * mm
    usable = width - 2 * margin
    band = colors.HexColor(CATEGORY_COLOURS.get(registration.category, "#6b7280"))

    pdf.setFillColor(band)
    pdf.rect(x, y + height - 18 * mm, width, 18 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    title_size = fit_size(pdf, event.title, FONT_BOLD, 12, usable)
    pdf.setFont(FONT_BOLD, title_size)
    pdf.drawString(x + margin, y + height - 11 * mm, event.title)

    top = y + height - 32 * mm
    pdf.setFillColor(INK)
    first = registration.first_name
    last = registration.last_name.upper()
    for text, font, biggest in ((first, FONT, 24), (last, FONT_BOLD, 30)):
        size = fit_size(pdf, text, font, biggest, usable, minimum=14)
        pdf.setFont(font, size)
        for line in wrap_lines(pdf, text, font, size, usable)[:2]:
            pdf.drawString(x + margin, top, line)
            top -= size * 1.15
        top -= 1 * mm

    if registration.organisation:
        size = fit_size(pdf, registration.organisation, FONT, 13, usable, minimum=8)
        pdf.setFont(FONT, size)
        for line in wrap_lines(pdf, registration.organisation, FONT, size, usable)[:2]:
            pdf.drawString(x + margin, top, line)
            top -= size * 1.2

    qr_size = 30 * mm
    draw_qr(
        pdf, ticket_token(registration), x=x + width - margin - qr_size, y=y + 10 * mm, size=qr_size
    )
    pdf.setFillColor(band)
    pdf.rect(x, y, width, 7 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(FONT_BOLD, 10)
    pdf.drawString(x + margin, y + 2.3 * mm, registration.get_category_display().upper())


def _cut_marks(pdf: canvas.Canvas) -> None:
    width, height = A4
    pdf.setStrokeColor(colors.HexColor("#9ca3af"))
    pdf.setLineWidth(0.3)
    pdf.setDash(2, 2)
    pdf.line(width / 2, 0, width / 2, height)
    pdf.line(0, height / 2, width, height / 2)
    pdf.setDash()


def badges_pdf(event: Event, registrations: list[Registration], *, layout: str = "a6") -> bytes:
    if layout not in LAYOUTS:
        raise ValueError(layout)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A6 if layout == "a6" else A4, pageCompression=1)
    pdf.setTitle(_("Badges – %(event)s") % {"event": event.title})
    if layout == "a6":
        for registration in registrations:
            _badge(pdf, event, registration, 0, 0)
            pdf.showPage()
    else:
        w, h = A6
        slots = [(0, h), (w, h), (0, 0), (w, 0)]
        for start in range(0, len(registrations), 4):
            for registration, (x, y) in zip(registrations[start : start + 4], slots, strict=False):
                _badge(pdf, event, registration, x, y)
            _cut_marks(pdf)
            pdf.showPage()
    if not registrations:
        pdf.setFont(FONT, 12)
        pdf.drawString(20 * mm, 20 * mm, _("No confirmed registration."))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def attendance_certificate_pdf(admission) -> bytes:
    """A one-page certificate that the person attended (from their personal link)."""

    registration = admission.registration
    event = registration.event
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Attendance certificate – %(event)s") % {"event": event.title})
    width, height = A4
    margin = 25 * mm
    usable = width - 2 * margin
    pdf.setFillColor(colors.HexColor("#0b6e4f"))
    pdf.rect(0, height - 30 * mm, width, 30 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(FONT_BOLD, 22)
    pdf.drawString(margin, height - 19 * mm, _("Attendance certificate"))
    pdf.setFillColor(INK)
    y = height - 55 * mm
    name = f"{registration.first_name} {registration.last_name.upper()}"
    admitted = timezone.localtime(admission.scanned_at)
    paragraphs = [
        (FONT, 13, _("The organisers of the event below certify that")),
        (FONT_BOLD, fit_size(pdf, name, FONT_BOLD, 24, usable, minimum=14), name),
        (FONT, 13, registration.organisation or ""),
        (
            FONT,
            13,
            _("attended “%(event)s”, entering at %(time)s, after a check of their photo ID.")
            % {"event": event.title, "time": f"{admitted:%H:%M}"},
        ),
        (FONT, 12, event_when(event)),
        (FONT, 12, event_where(event)),
    ]
    for font, size, text in paragraphs:
        if not text:
            continue
        pdf.setFont(font, size)
        for line in wrap_lines(pdf, text, font, size, usable):
            pdf.drawString(margin, y, line)
            y -= size * 0.5 * mm
        y -= 4 * mm
    pdf.setFont(FONT, 10)
    pdf.drawString(
        margin,
        30 * mm,
        _("Issued on %(date)s by %(organiser)s.")
        % {
            "date": formats.date_format(timezone.localdate(), "j F Y"),
            "organiser": event.organiser_name or "ptce",
        },
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
