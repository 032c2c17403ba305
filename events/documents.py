"""Documents built from an event: ticket PDF, security list (PDF, CSV), registrations
exports (CSV, Excel), iCalendar.

Text in PDFs goes through ``core.pdftext``: Roboto for Latin, Greek, Cyrillic and
Vietnamese, Noto and WenQuanYi fonts for the other scripts, shaped and in visual order,
every font embedded. The event-wide documents are built in the background
(``events.document_services``); ``register()`` offers them to the organisers.
"""

import io
from collections.abc import Callable
from datetime import datetime
from typing import BinaryIO
from urllib.parse import urlsplit

import phonenumbers
import segno
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from icalendar import Calendar
from icalendar import Event as ICalEvent
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from core.csv import write_csv
from core.dates import clock, long_date
from core.pdftext import (
    CREATOR,
    FONT,
    FONT_BOLD,
    TextBlock,
    draw_string,
    fit_size,
    new_canvas,
    pdf_language,
    wrap_lines,
)
from events import hooks
from events.models import Event, Registration
from events.tokens import ticket_token

Progress = Callable[[int, int], None]

INK = colors.HexColor("#1b2a41")
ACCENT = colors.HexColor("#0b6e4f")


def _local(value: datetime) -> datetime:
    return timezone.localtime(value)


def event_when(event: Event) -> str:
    start, end = _local(event.starts_at), _local(event.ends_at)
    day = long_date(start, weekday=True)
    if start.date() == end.date():
        return _("%(day)s, %(start)s–%(end)s") % {
            "day": capfirst(day),
            "start": clock(start),
            "end": clock(end),
        }
    # « Du jeudi 31 décembre 2026 à 20 h au vendredi 1er janvier 2027 à 3 h », not two
    # dates and times glued by a dash
    return capfirst(
        _("from %(day)s at %(start)s to %(end_day)s at %(end)s")
        % {
            "day": day,
            "start": clock(start),
            "end_day": long_date(end, weekday=True),
            "end": clock(end),
        }
    )


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


def draw_qr(
    pdf: canvas.Canvas, data: str, *, x: float, y: float, size: float, mask: int | None = None
) -> None:
    """The QR code as filled rectangles, one per run of dark modules in a row.

    ``mask`` fixes the QR mask pattern (any of the eight is valid for every reader) and
    spares the choice of the best one, which is most of the encoding time: badges by the
    thousand pass it, a single ticket does not.
    """
    qr = segno.make(data, error="m", mask=mask)
    matrix = list(qr.matrix_iter(scale=1, border=4))
    modules = len(matrix)
    pdf.setFillColor(colors.white)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColor(colors.black)
    pdf.saveState()
    pdf.transform(size / modules, 0, 0, size / modules, x, y)  # one unit = one module
    operators = []
    for row_index, row in enumerate(matrix):
        bottom = modules - row_index - 1
        start = None
        for col_index, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                # a hair taller than a module, so that no light line shows between rows
                operators.append(f"{start} {bottom} {col_index - start} 1.02 re")
                start = None
    operators.append("f")
    pdf.addLiteral("\n".join(operators))
    pdf.restoreState()


def ticket_pdf(registration: Registration) -> bytes:
    """The person's ticket, in the person's language (the email's and the page's)."""
    language = registration.language if registration.language in ("fr", "en") else "fr"
    with translation.override(language):
        return _ticket_pdf(registration, language)


def _ticket_pdf(registration: Registration, language: str) -> bytes:
    event = registration.event
    buffer = io.BytesIO()
    pdf = new_canvas(buffer, A4, lang=language)
    pdf.setTitle(_("Ticket – %(event)s") % {"event": event.title})
    pdf.setAuthor(event.organiser_name or CREATOR)
    pdf.setSubject(
        _("Ticket for %(event)s, %(when)s – %(name)s")
        % {"name": registration.full_name, "event": event.title, "when": event_when(event)}
    )
    width, height = A4
    margin = 20 * mm
    usable = width - 2 * margin

    pdf.setFillColor(ACCENT)
    pdf.rect(0, height - 28 * mm, width, 28 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    size = fit_size(pdf, event.title, FONT_BOLD, 20, usable)
    draw_string(pdf, margin, height - 17 * mm, event.title, FONT_BOLD, size)

    y = height - 42 * mm
    pdf.setFillColor(INK)
    for line in (event_when(event), event_where(event)):
        draw_string(pdf, margin, y, line, FONT, fit_size(pdf, line, FONT, 12, usable))
        y -= 7 * mm

    y -= 6 * mm
    name = f"{registration.first_name} {registration.last_name.upper()}"
    size = fit_size(pdf, name, FONT_BOLD, 26, usable, minimum=14)
    for line in wrap_lines(pdf, name, FONT_BOLD, size, usable):  # very long names: two lines
        draw_string(pdf, margin, y, line, FONT_BOLD, size)
        y -= size * 0.45 * mm
    y -= 3 * mm
    second = " · ".join(
        p for p in (registration.organisation, registration.get_category_display()) if p
    )
    draw_string(pdf, margin, y, second, FONT, fit_size(pdf, second, FONT, 13, usable))

    qr_size = 80 * mm
    draw_qr(
        pdf,
        ticket_token(registration),
        x=(width - qr_size) / 2,
        y=y - 12 * mm - qr_size,
        size=qr_size,
    )
    y = y - 12 * mm - qr_size - 8 * mm
    reference = _("Reference: %(reference)s") % {"reference": registration.grouped_reference}
    draw_string(pdf, width / 2, y, reference, FONT_BOLD, 14, align="centre")
    y -= 10 * mm

    if registration.status == Registration.Status.CONFIRMED:
        status_line = _("Registration confirmed")
    else:
        status_line = registration.get_status_display().capitalize()
    draw_string(pdf, width / 2, y, status_line, FONT_BOLD, 12, align="centre")
    y -= 8 * mm
    if event.id_required:
        notice = _(
            "Bring a photo ID: it will be checked at the entrance. "
            "The name on this ticket must match it."
        )
        for line in wrap_lines(pdf, notice, FONT, 11, usable):
            draw_string(pdf, width / 2, y, line, FONT, 11, align="centre")
            y -= 5.5 * mm
    pdf.setFillColor(colors.HexColor("#555555"))
    footer = _("Personal ticket – do not share. %(site)s") % {"site": settings.SITE_URL}
    draw_string(pdf, margin, 12 * mm, footer, FONT, 8)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


SECURITY_ROWS_PER_TABLE = 40


def security_list_pdf(
    event: Event,
    rows: list[Registration],
    out: BinaryIO | None = None,
    progress: Progress | None = None,
) -> bytes | None:
    """The host building's list: last name, first name, organisation, sorted by last name.

    Written to ``out`` when given (then returns None), else returned. The table is cut in
    short tables with the header repeated, so that the time grows linearly with the list.
    """
    buffer = out if out is not None else io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Security list – %(event)s") % {"event": event.title},
        author=event.organiser_name or CREATOR,
        subject=_("Confirmed attendees of %(event)s for the host building, %(when)s")
        % {"event": event.title, "when": event_when(event)},
        creator=CREATOR,
        lang=pdf_language(),
        initialFontName=FONT,
    )
    printed = timezone.localtime()
    story = [
        TextBlock(_("Security list – %(event)s") % {"event": event.title}, FONT_BOLD, 16, 20),
        Spacer(0, 3 * mm),
        TextBlock(f"{event_when(event)} · {event_where(event)}", FONT, 10, 13),
        TextBlock(
            ngettext(
                "%(count)s confirmed attendee, name as on their photo ID. "
                "Printed on %(day)s at %(time)s.",
                "%(count)s confirmed attendees, names as on their photo ID. "
                "Printed on %(day)s at %(time)s.",
                len(rows),
            )
            % {
                "count": formats.number_format(len(rows), force_grouping=True),
                "day": long_date(printed),
                "time": clock(printed),
            },
            FONT,
            10,
            13,
        ),
        Spacer(0, 4 * mm),
    ]
    header = ["#", _("Last name"), _("First name"), _("Organisation")]
    style = TableStyle(
        [
            ("BACKGROUND", (0, 0), (-1, 0), INK),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#eef2f5")]),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c0")),
        ]
    )
    for start in range(0, len(rows), SECURITY_ROWS_PER_TABLE):
        data = [header]
        for index, registration in enumerate(
            rows[start : start + SECURITY_ROWS_PER_TABLE], start=start + 1
        ):
            data.append(
                [
                    str(index),
                    TextBlock(registration.last_name.upper()),
                    TextBlock(registration.first_name),
                    TextBlock(registration.organisation),
                ]
            )
        table = Table(data, colWidths=[12 * mm, 50 * mm, 45 * mm, 73 * mm], repeatRows=1)
        table.setStyle(style)
        story.append(table)
    pages_guess = max(1, len(rows) // 50 + 1)

    def footer(pdf: canvas.Canvas, document) -> None:
        pdf.saveState()
        pdf.setFillColor(colors.HexColor("#555555"))
        draw_string(pdf, 15 * mm, 8 * mm, event.title, FONT, 8)
        page = _("Page %(page)d") % {"page": document.page}
        draw_string(pdf, A4[0] - 15 * mm, 8 * mm, page, FONT, 8, align="right")
        pdf.restoreState()
        if progress is not None:
            progress(min(document.page, pages_guess), pages_guess)

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return None if out is not None else buffer.getvalue()


def ics_sequence(event: Event) -> int:
    """The event's SEQUENCE (RFC 5545 §3.8.7.4): the seconds between its creation and its
    last change. Every change of the event, its programme or its capacity moves
    ``updated_at`` forward, so the number only grows and a calendar replaces its old
    copy; the same event gives the same number on every download."""
    return max(0, int((event.updated_at - event.created_at).total_seconds()))


def event_ics(event: Event) -> bytes:
    """The event as an iCalendar object that publishes nothing but itself: no METHOD
    (RFC 5546 asks for an ORGANIZER with PUBLISH), one UID per deployment, SEQUENCE and
    LAST-MODIFIED so that an updated event replaces the old one; empty facts left out."""
    calendar = Calendar()
    calendar.add("prodid", "-//ptce//Journées PTCE//FR")
    calendar.add("version", "2.0")
    item = ICalEvent()
    host = urlsplit(settings.SITE_URL).hostname or "ptce.invalid"
    item.add("uid", f"event-{event.pk}@{host}")
    item.add("sequence", ics_sequence(event))
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    # Without METHOD, DTSTAMP is the time the information was last revised (§3.8.7.2).
    item.add("dtstamp", event.updated_at)
    item.add("last-modified", event.updated_at)
    where = event_where(event)
    if where:
        item.add("location", where)
    page = settings.SITE_URL + reverse("events:detail", args=[event.slug])
    description = [event.summary]
    if event.id_required:
        description.append(_("Photo ID required at the entrance."))
    description.append(page)
    item.add("description", "\n\n".join(d for d in description if d))
    item.add("url", page)
    if event.status == Event.Status.CANCELLED:
        item.add("status", "CANCELLED")
    calendar.add_component(item)
    return calendar.to_ical()


# --- Event-wide documents, built in the background (events.document_services) ----------


# Country codes dialled from France in national form (« 0262 … » for La Réunion): France
# and its overseas departments.
_NATIONAL_CODES = {33, 262, 590, 594, 596}


def phone_for_people(phone: str) -> str:
    """A stored phone number (E.164) as an organiser in France dials it: French numbers in
    national form (« 06 12 34 56 78 »), others in international form (« +44 20 7946 0958 »);
    a value that does not parse, as it is."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, "FR")
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_valid_number(number):
        return phone
    if number.country_code in _NATIONAL_CODES:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def registration_header() -> list[str]:
    return [
        _("Last name"),
        _("First name"),
        _("Email"),
        _("Organisation"),
        _("Category"),
        _("Phone"),
        _("Status"),
        _("Registered"),
    ]


def registration_rows(event: Event, progress: Progress | None = None):
    """Every registration of the event (erased ones left out), by last name: one query,
    read in chunks, the labels looked up once."""
    from events.selectors import registration_search

    registrations = registration_search(event=event)
    total = registrations.count() if progress is not None else 0
    categories = {value: str(label) for value, label in Registration.Category.choices}
    statuses = {value: str(label) for value, label in Registration.Status.choices}
    zone = timezone.get_current_timezone()
    fields = (
        "last_name",
        "first_name",
        "email",
        "organisation",
        "category",
        "phone",
        "status",
        "created_at",
    )
    rows = registrations.values_list(*fields).iterator(chunk_size=2000)
    for done, (last, first, email, organisation, category, phone, status, created) in enumerate(
        rows, start=1
    ):
        yield [
            last,
            first,
            email,
            organisation,
            categories.get(category, category),
            phone_for_people(phone),
            statuses.get(status, status),
            created.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        ]
        if progress is not None and done % 250 == 0:
            progress(done, total)


def build_registrations_csv(event: Event, out: BinaryIO, progress: Progress) -> int:
    return write_csv(out, registration_header(), registration_rows(event, progress))


def build_registrations_xlsx(event: Event, out: BinaryIO, progress: Progress) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Registrations")[:31])
    sheet.append(registration_header())
    count = 0
    for row in registration_rows(event, progress):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # always text, never a formula ("=…" stays as typed)
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def security_rows(event: Event) -> list[Registration]:
    from events.selectors import security_list

    return security_list(event=event)


def build_security_csv(event: Event, out: BinaryIO, progress: Progress) -> int:
    rows = ([r.last_name.upper(), r.first_name, r.organisation] for r in security_rows(event))
    return write_csv(out, [_("Last name"), _("First name"), _("Organisation")], rows)


def build_security_pdf(event: Event, out: BinaryIO, progress: Progress) -> int:
    rows = security_rows(event)
    security_list_pdf(event, rows, out=out, progress=progress)
    return len(rows)


def register() -> None:
    """Offer the event's documents on the organiser's pages (see events.hooks)."""
    for order, (key, label, extension, content_type, filename, build) in enumerate(
        [
            (
                "security_pdf",
                gettext_lazy("Security list (PDF)"),
                "pdf",
                "application/pdf",
                lambda event: f"liste-securite-{event.slug}",
                build_security_pdf,
            ),
            (
                "security_csv",
                gettext_lazy("Security list (CSV)"),
                "csv",
                "text/csv; charset=utf-8",
                lambda event: f"liste-securite-{event.slug}",
                build_security_csv,
            ),
            (
                "registrations_csv",
                gettext_lazy("Registrations (CSV)"),
                "csv",
                "text/csv; charset=utf-8",
                lambda event: f"inscriptions-{event.slug}",
                build_registrations_csv,
            ),
            (
                "registrations_xlsx",
                gettext_lazy("Registrations (Excel)"),
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                lambda event: f"inscriptions-{event.slug}",
                build_registrations_xlsx,
            ),
        ],
        start=1,
    ):
        hooks.document_kinds.register(
            hooks.DocumentKind(
                key=key,
                label=label,
                extension=extension,
                content_type=content_type,
                filename=filename,
                build=build,
                section="registrations",
                order=order * 10,
            )
        )
