"""Badges to print: A6, or four A6 on an A4 sheet with cut marks, one per person; the
attendance by category (CSV) and the attendance certificate.

The name is fitted to the badge's width (first name, then the last name in capitals on a
line of its own, each as large as fits, long names wrapped on two lines), with the
organisation, the category's colour band and the ticket's QR code, in any script
(``core.pdftext``). Printing a badge is not an entry. Badges for the whole event and the
attendance CSV are built in the background (``register()``, ``events.document_services``).
"""

import io
from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from checkin.categories import category_colour
from core.csv import write_csv
from core.pdftext import FONT, FONT_BOLD, draw_string
from events import hooks
from events.documents import (
    CREATOR,
    INK,
    Progress,
    clock,
    draw_qr,
    event_when,
    event_where,
    fit_size,
    long_date,
    new_canvas,
    wrap_lines,
)
from events.models import Event, Registration
from events.tokens import ticket_token

LAYOUTS = ("a6", "a4x4")
BADGE_QR_MASK = 2  # a fixed mask: encoding 3,000 codes without trying all eight


def _badge(
    pdf: canvas.Canvas, event: Event, registration: Registration, x: float, y: float
) -> None:
    """Draw one A6 badge with its lower-left corner at (x, y)."""
    width, height = A6
    margin = 8 * mm
    usable = width - 2 * margin
    band = colors.HexColor(category_colour(registration.category))

    pdf.setFillColor(band)
    pdf.rect(x, y + height - 18 * mm, width, 18 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    title_size = fit_size(pdf, event.title, FONT_BOLD, 12, usable)
    draw_string(pdf, x + margin, y + height - 11 * mm, event.title, FONT_BOLD, title_size)

    top = y + height - 32 * mm
    pdf.setFillColor(INK)
    first = registration.first_name
    last = registration.last_name.upper()
    for text, font, biggest in ((first, FONT, 24), (last, FONT_BOLD, 30)):
        size = fit_size(pdf, text, font, biggest, usable, minimum=14)
        for line in wrap_lines(pdf, text, font, size, usable)[:2]:
            draw_string(pdf, x + margin, top, line, font, size)
            top -= size * 1.15
        top -= 1 * mm

    if registration.organisation:
        size = fit_size(pdf, registration.organisation, FONT, 13, usable, minimum=8)
        for line in wrap_lines(pdf, registration.organisation, FONT, size, usable)[:2]:
            draw_string(pdf, x + margin, top, line, FONT, size)
            top -= size * 1.2

    qr_size = 30 * mm
    draw_qr(
        pdf,
        ticket_token(registration),
        x=x + width - margin - qr_size,
        y=y + 10 * mm,
        size=qr_size,
        mask=BADGE_QR_MASK,
    )
    pdf.setFillColor(band)
    pdf.rect(x, y, width, 7 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    category = registration.get_category_display().upper()
    draw_string(pdf, x + margin, y + 2.3 * mm, category, FONT_BOLD, 10)


def _cut_marks(pdf: canvas.Canvas) -> None:
    width, height = A4
    pdf.setStrokeColor(colors.HexColor("#9ca3af"))
    pdf.setLineWidth(0.3)
    pdf.setDash(2, 2)
    pdf.line(width / 2, 0, width / 2, height)
    pdf.line(0, height / 2, width, height / 2)
    pdf.setDash()


def badges_pdf(
    event: Event,
    registrations: list[Registration],
    *,
    layout: str = "a6",
    out: BinaryIO | None = None,
    progress: Progress | None = None,
) -> bytes | None:
    """The badges, written to ``out`` when given (then returns None), else returned."""
    if layout not in LAYOUTS:
        raise ValueError(layout)
    buffer = out if out is not None else io.BytesIO()
    pdf = new_canvas(buffer, A6 if layout == "a6" else A4)
    pdf.setTitle(_("Badges – %(event)s") % {"event": event.title})
    pdf.setAuthor(event.organiser_name or CREATOR)
    pdf.setSubject(
        _("Badges of the participants – %(event)s, %(date)s")
        % {"event": event.title, "date": long_date(event.starts_at)}
    )
    total = len(registrations)
    if layout == "a6":
        for done, registration in enumerate(registrations, start=1):
            _badge(pdf, event, registration, 0, 0)
            pdf.showPage()
            if progress is not None and done % 20 == 0:
                progress(done, total)
    else:
        w, h = A6
        slots = [(0, h), (w, h), (0, 0), (w, 0)]
        for start in range(0, total, 4):
            for registration, (x, y) in zip(registrations[start : start + 4], slots, strict=False):
                _badge(pdf, event, registration, x, y)
            _cut_marks(pdf)
            pdf.showPage()
            if progress is not None and start % 80 == 0:
                progress(start, total)
    if not registrations:
        draw_string(pdf, 20 * mm, 20 * mm, _("No confirmed registration."), FONT, 12)
        pdf.showPage()
    pdf.save()
    return None if out is not None else buffer.getvalue()


def attendance_certificate_pdf(admission) -> bytes:
    """A one-page certificate that the person attended (from their personal link)."""

    registration = admission.registration
    event = registration.event
    buffer = io.BytesIO()
    pdf = new_canvas(buffer, A4)
    pdf.setTitle(_("Attendance certificate – %(event)s") % {"event": event.title})
    pdf.setAuthor(event.organiser_name or CREATOR)
    pdf.setSubject(
        _("Attendance of %(name)s – %(event)s, %(date)s")
        % {"name": registration.full_name, "event": event.title, "date": long_date(event.starts_at)}
    )
    width, height = A4
    margin = 25 * mm
    usable = width - 2 * margin
    pdf.setFillColor(colors.HexColor("#0b6e4f"))
    pdf.rect(0, height - 30 * mm, width, 30 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    draw_string(pdf, margin, height - 19 * mm, _("Attendance certificate"), FONT_BOLD, 22)
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
            % {"event": event.title, "time": clock(admitted)},
        ),
        (FONT, 12, event_when(event)),
        (FONT, 12, event_where(event)),
    ]
    for font, size, text in paragraphs:
        if not text:
            continue
        for line in wrap_lines(pdf, text, font, size, usable):
            draw_string(pdf, margin, y, line, font, size)
            y -= size * 0.5 * mm
        y -= 4 * mm
    issued = _("Issued on %(date)s by %(organiser)s.") % {
        "date": long_date(timezone.localdate()),
        "organiser": event.organiser_name or "ptce",
    }
    draw_string(pdf, margin, 30 * mm, issued, FONT, 10)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _confirmed(event: Event) -> list[Registration]:
    from events.selectors import security_list

    return security_list(event=event, with_tickets=True)


def build_badges_a6(event: Event, out: BinaryIO, progress: Progress) -> int:
    people = _confirmed(event)
    badges_pdf(event, people, layout="a6", out=out, progress=progress)
    return len(people)


def build_badges_a4x4(event: Event, out: BinaryIO, progress: Progress) -> int:
    people = _confirmed(event)
    badges_pdf(event, people, layout="a4x4", out=out, progress=progress)
    return len(people)


def build_attendance_csv(event: Event, out: BinaryIO, progress: Progress) -> int:
    """Attendance by category, for after the event: confirmed, admitted, no-shows."""
    from checkin.selectors import door_counts

    counts = door_counts(event=event)
    rows = [
        [row["label"], row["expected"], row["admitted"], row["expected"] - row["admitted"]]
        for row in counts["by_category"]
    ]
    rows.append([_("Total"), counts["expected"], counts["admitted"], counts["still_expected"]])
    write_csv(out, [_("Category"), _("Confirmed"), _("Admitted"), _("No-shows")], rows)
    return counts["expected"]


def register() -> None:
    """Offer the door's documents on the organiser's pages (see events.hooks)."""
    kinds = [
        ("badges_a6", gettext_lazy("Badges, one per A6 page (PDF)"), "pdf", build_badges_a6),
        ("badges_a4x4", gettext_lazy("Badges, 4 per A4 page (PDF)"), "pdf", build_badges_a4x4),
        (
            "attendance_csv",
            gettext_lazy("Attendance by category (CSV)"),
            "csv",
            build_attendance_csv,
        ),
    ]
    names = {"badges_a6": "badges-a6", "badges_a4x4": "badges-a4", "attendance_csv": "presence"}
    types = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
    for order, (key, label, extension, build) in enumerate(kinds, start=1):
        hooks.document_kinds.register(
            hooks.DocumentKind(
                key=key,
                label=label,
                extension=extension,
                content_type=types[extension],
                filename=lambda event, stem=names[key]: f"{stem}-{event.slug}",
                build=build,
                section="door",
                order=100 + order * 10,
            )
        )
