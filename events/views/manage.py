"""Organiser face of the events app: counts, search, exports, security list, outbox."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from core.errors import DomainError
from core.input import clean_query, parse_int
from core.text import spreadsheet_safe
from events import hooks, selectors, services
from events.chart import bar_chart
from events.documents import security_list_pdf
from events.models import Event, Registration
from events.permissions import can_manage_event, can_see_manage_area


def event_for_manager(request, slug: str) -> Event:
    """Fetch the event and check the user may manage it, in one call."""
    event = get_object_or_404(Event, slug=slug)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    return event


def _page_number(request) -> int:
    """The page asked for in the query string (the first one when it is not a number)."""
    return parse_int(request.GET.get("page"), default=1, minimum=1)


@login_required
def dashboard(request):
    if not can_see_manage_area(request.user):
        raise PermissionDenied
    events = Event.objects.all() if request.user.is_superuser else request.user.managed_events.all()
    return render(
        request, "events/manage/dashboard.html", {"events": events.order_by("-starts_at")}
    )


@login_required
def event_overview(request, slug: str):
    event = event_for_manager(request, slug)
    query = clean_query(request.GET.get("q"), max_length=100)
    status = clean_query(request.GET.get("status"), max_length=20)
    registrations = selectors.registration_search(event=event, query=query, status=status)
    page = Paginator(registrations, 50).get_page(_page_number(request))
    embed_url = request.build_absolute_uri(reverse("events:embed", args=[event.slug]))
    per_day = selectors.registrations_per_day(event=event)
    chart = bar_chart([(formats.date_format(d["day"], "j M"), d["count"]) for d in per_day])
    return render(
        request,
        "events/manage/event.html",
        {
            "event": event,
            "counts": selectors.event_counts(event=event),
            "extra_links": [
                {"label": link.label, "url": link.url(event)} for link in hooks.manage_links
            ],
            "chart": chart,
            "per_day": per_day,
            "page": page,
            "query": query,
            "status": status,
            "statuses": Registration.Status.choices,
            "embed_snippet": format_html(
                '<iframe src="{}" title="{}" style="width:100%;min-height:70rem;border:0" '
                'loading="lazy"></iframe>',
                embed_url,
                f"{_('Registration')} – {event.title}",
            ),
        },
    )


@login_required
def event_outbox(request, slug: str):
    event = event_for_manager(request, slug)
    page = Paginator(selectors.outbox_for_event(event=event), 100).get_page(_page_number(request))
    return render(request, "events/manage/outbox.html", {"event": event, "page": page})


@login_required
@require_POST
def event_reminders(request, slug: str):
    event = event_for_manager(request, slug)
    try:
        count = services.event_send_reminders(event=event, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(count)d reminder(s) queued.") % {"count": count})
    return redirect("events_manage:event", slug=event.slug)


def _registration_rows(event: Event):
    header = [
        _("Last name"),
        _("First name"),
        _("Email"),
        _("Organisation"),
        _("Category"),
        _("Phone"),
        _("Status"),
        _("Registered"),
    ]
    rows = []
    for r in selectors.registration_search(event=event):
        rows.append(
            [
                r.last_name,
                r.first_name,
                r.email,
                r.organisation,
                r.get_category_display(),
                r.phone,
                r.get_status_display(),
                formats.date_format(timezone.localtime(r.created_at), "Y-m-d H:i"),
            ]
        )
    return header, rows


def csv_response(filename: str, header: list, rows: list) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that spreadsheets read UTF-8
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel(request, slug: str, pk: int):
    """An organiser cancels a registration (the person is told by email; next one promoted).

    GET asks for confirmation; POST cancels.
    """
    event = event_for_manager(request, slug)
    registration = get_object_or_404(Registration, pk=pk, event=event, erased_at__isnull=True)
    if request.method == "GET":
        return render(
            request,
            "events/manage/registration_cancel.html",
            {"event": event, "registration": registration},
        )
    try:
        promoted = services.registration_cancel(registration=registration, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Registration of %(name)s cancelled; "
                "%(count)d person(s) promoted from the waiting list."
            )
            % {"name": registration.full_name, "count": len(promoted)},
        )
    return redirect("events_manage:event", slug=event.slug)


@login_required
def export_registrations_csv(request, slug: str):
    event = event_for_manager(request, slug)
    header, rows = _registration_rows(event)
    return csv_response(f"inscriptions-{event.slug}.csv", header, rows)


@login_required
def export_registrations_xlsx(request, slug: str):
    event = event_for_manager(request, slug)
    header, rows = _registration_rows(event)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Registrations")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    # Every cell is text, never a formula: openpyxl would store "=…" as one.
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="inscriptions-{event.slug}.xlsx"'
    return response


@login_required
def security_list_csv(request, slug: str):
    event = event_for_manager(request, slug)
    rows = [
        [r.last_name.upper(), r.first_name, r.organisation]
        for r in selectors.security_list(event=event)
    ]
    return csv_response(
        f"liste-securite-{event.slug}.csv",
        [_("Last name"), _("First name"), _("Organisation")],
        rows,
    )


@login_required
def security_list_pdf_view(request, slug: str):
    event = event_for_manager(request, slug)
    pdf = security_list_pdf(event, selectors.security_list(event=event))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="liste-securite-{event.slug}.pdf"'
    return response
