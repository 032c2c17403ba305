"""Documents built from an event: ticket PDF, security list PDF, iCalendar.

PDFs embed Roboto (from the font-roboto package: Latin, Greek, Cyrillic and Vietnamese
letters), so that "Łukasz", "Nguyễn" or "Ольга" print right and nothing beyond pip is
needed.
"""

import io
from datetime import datetime

import font_roboto
import segno
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as ICalEvent
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.paragraph import Paragraph

from events.models import Event, Registration
from events.tokens import ticket_token

FONT = "Roboto"
FONT_BOLD = "Roboto-Bold"
pdfmetrics.registerFont(TTFont(FONT, font_roboto.font_files["Roboto"]))
pdfmetrics.registerFont(TTFont(FONT_BOLD, font_roboto.font_files["RobotoBold"]))
registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)

INK = colors.HexColor("#1b2a41")
ACCENT = colors.HexColor("#0b6e4f")


def _local(value: datetime) -> datetime:
    return timezone.localtime(value)


def clock(value: datetime) -> str:
    """A time as its reader writes it: "9 h 30" in French, "9:30" in English."""
    if translation.get_language() == "fr":
        return f"{value.hour}\u00a0h\u00a0{value.minute:02d}"
    return f"{value.hour}:{value.minute:02d}"


def event_when(event: Event) -> str:
    start, end = _local(event.starts_at), _local(event.ends_at)
    day = formats.date_format(start, "l j F Y")
    if start.date() == end.date():
        return _("%(day)s, %(start)s–%(end)s") % {
            "day": day.capitalize(),
            "start": clock(start),
            "end": clock(end),
        }
    end_day = formats.date_format(end, "l j F Y")
    return f"{day.capitalize()} {clock(start)} – {end_day} {clock(end)}"


def event_where(event: Event) -> str:
    parts = [
        event.venue_name,
        event.venue_room,
        event.street,
        f"{event.postal_code} {event.city}".strip(),
    ]
    return ", ".join(p for p in parts if p)


def qr_svg(data: str, *, scale: int = 6, title: str = "") -> str:
    svg = segno.make(data, error="m").svg_inline(scale=scale, dark="#111", light="#fff", border=4)
    if title:
        # the title is text (a device's name may hold "<" or "&"): escaped into the SVG
        svg = svg.replace("<svg ", '<svg role="img" ', 1).replace(
            ">", f"><title>{escape(title)}</title>", 1
        )
    return svg


def draw_qr(pdf: canvas.Canvas, data: str, *, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m")
    matrix = list(qr.matrix_iter(scale=1, border=4))
    cell = size / len(matrix)
    pdf.setFillColor(colors.white)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColor(colors.black)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x + col_index * cell,
                    y + size - (row_index + 1) * cell,
                    cell + 0.05,
                    cell + 0.05,
                    stroke=0,
                    fill=1,
                )


def fit_size(
    pdf: canvas.Canvas, text: str, font: str, size: float, width: float, minimum: float = 8
) -> float:
    """The largest font size ≤ size (and ≥ minimum) at which text fits in width."""
    while size > minimum and pdf.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def ticket_pdf(registration: Registration) -> bytes:
    event = registration.event
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Ticket – %(event)s") % {"event": event.title})
    pdf.setAuthor(event.organiser_name or "ptce")
    width, height = A4
    margin = 20 * mm
    usable = width - 2 * margin

    pdf.setFillColor(ACCENT)
    pdf.rect(0, height - 28 * mm, width, 28 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    size = fit_size(pdf, event.title, FONT_BOLD, 20, usable)
    pdf.setFont(FONT_BOLD, size)
    pdf.drawString(margin, height - 17 * mm, event.title)

    y = height - 42 * mm
    pdf.setFillColor(INK)
    pdf.setFont(FONT, 12)
    for line in (event_when(event), event_where(event)):
        pdf.setFont(FONT, fit_size(pdf, line, FONT, 12, usable))
        pdf.drawString(margin, y, line)
        y -= 7 * mm

    y -= 6 * mm
    name = f"{registration.first_name} {registration.last_name.upper()}"
    size = fit_size(pdf, name, FONT_BOLD, 26, usable, minimum=14)
    pdf.setFont(FONT_BOLD, size)
    for line in wrap_lines(pdf, name, FONT_BOLD, size, usable):  # very long names: two lines
        pdf.drawString(margin, y, line)
        y -= size * 0.45 * mm
    y -= 3 * mm
    pdf.setFont(FONT, 13)
    second = " · ".join(
        p for p in (registration.organisation, registration.get_category_display()) if p
    )
    pdf.setFont(FONT, fit_size(pdf, second, FONT, 13, usable))
    pdf.drawString(margin, y, second)

    qr_size = 80 * mm
    draw_qr(
        pdf,
        ticket_token(registration),
        x=(width - qr_size) / 2,
        y=y - 12 * mm - qr_size,
        size=qr_size,
    )
    y = y - 12 * mm - qr_size - 10 * mm

    pdf.setFont(FONT_BOLD, 12)
    if registration.status == Registration.Status.CONFIRMED:
        status_line = _("Registration confirmed")
    else:
        status_line = registration.get_status_display().capitalize()
    pdf.drawCentredString(width / 2, y, status_line)
    y -= 8 * mm
    if event.id_required:
        pdf.setFont(FONT, 11)
        notice = _(
            "Bring a photo ID: it will be checked at the entrance. "
            "The name on this ticket must match it."
        )
        for line in wrap_lines(pdf, notice, FONT, 11, usable):
            pdf.drawCentredString(width / 2, y, line)
            y -= 5.5 * mm
    pdf.setFont(FONT, 8)
    pdf.setFillColor(colors.HexColor("#555555"))
    pdf.drawString(
        margin, 12 * mm, _("Personal ticket – do not share. %(site)s") % {"site": settings.SITE_URL}
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def wrap_lines(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if pdf.stringWidth(candidate, font, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def security_list_pdf(event: Event, rows: list[Registration]) -> bytes:
    """The host building's list: last name, first name, organisation, sorted by last name."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Security list – %(event)s") % {"event": event.title},
        author=event.organiser_name or "ptce",
    )
    for style in styles.byName.values():
        style.fontName = FONT_BOLD if "Title" in style.name or "Heading" in style.name else FONT
    cell = styles["BodyText"]
    cell.fontSize = 9
    cell.leading = 11
    story = [
        Paragraph(
            _("Security list – %(event)s") % {"event": _escape(event.title)}, styles["Title"]
        ),
        Paragraph(_escape(f"{event_when(event)} · {event_where(event)}"), styles["Normal"]),
        Paragraph(
            _("%(count)d confirmed attendees, names as on their photo ID. Printed %(date)s.")
            % {
                "count": len(rows),
                "date": f"{formats.date_format(timezone.localtime(), 'j F Y')} "
                f"{clock(timezone.localtime())}",
            },
            styles["Normal"],
        ),
    ]
    data = [["#", _("Last name"), _("First name"), _("Organisation")]]
    for index, registration in enumerate(rows, start=1):
        data.append(
            [
                str(index),
                Paragraph(_escape(registration.last_name.upper()), cell),
                Paragraph(_escape(registration.first_name), cell),
                Paragraph(_escape(registration.organisation), cell),
            ]
        )
    table = Table(data, colWidths=[12 * mm, 50 * mm, 45 * mm, 73 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), INK),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#eef2f5")]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c0")),
            ]
        )
    )
    story.append(table)

    def footer(pdf: canvas.Canvas, document) -> None:
        pdf.saveState()
        pdf.setFont(FONT, 8)
        pdf.setFillColor(colors.HexColor("#555555"))
        pdf.drawString(15 * mm, 8 * mm, event.title)
        pdf.drawRightString(A4[0] - 15 * mm, 8 * mm, _("Page %(page)d") % {"page": document.page})
        pdf.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def event_ics(event: Event) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//ptce//Journées PTCE//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    item = ICalEvent()
    item.add("uid", f"event-{event.pk}@ptce")
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("dtstamp", timezone.now())
    item.add("location", event_where(event))
    description = [event.summary]
    if event.id_required:
        description.append(_("Photo ID required at the entrance."))
    description.append(settings.SITE_URL + reverse("events:detail", args=[event.slug]))
    item.add("description", "\n\n".join(d for d in description if d))
    item.add("url", settings.SITE_URL + reverse("events:detail", args=[event.slug]))
    if event.status == Event.Status.CANCELLED:
        item.add("status", "CANCELLED")
    calendar.add_component(item)
    return calendar.to_ical()
