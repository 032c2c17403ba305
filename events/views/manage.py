"""Organiser face of the events app: counts, search, documents (exports, security list),
outbox."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core.chart import bar_chart
from core.dates import short_date
from core.errors import DomainError
from core.french import de_name, number
from core.input import clean_query, parse_int
from events import document_services, emails, hooks, selectors, services
from events.forms import EventForm
from events.models import Event, Registration
from events.permissions import (
    access_document_for_manager,
    access_event_for_manager,
    access_registration_for_manager,
    require_manage_area,
)


def _page_number(request) -> int:
    """The page asked for in the query string (the first one when it is not a number)."""
    return parse_int(request.GET.get("page"), default=1, minimum=1)


@login_required
def dashboard(request):
    require_manage_area(request)
    events = selectors.event_list_for_manage_area(user=request.user)
    return render(request, "events/manage/dashboard.html", {"events": events})


@login_required
def event_overview(request, slug: str):
    event = access_event_for_manager(request, slug)
    query = clean_query(request.GET.get("q"), max_length=100)
    status = clean_query(request.GET.get("status"), max_length=20)
    registrations = selectors.registration_search(event=event, query=query, status=status)
    page = Paginator(registrations, 50).get_page(_page_number(request))
    embed_url = request.build_absolute_uri(reverse("events:embed", args=[event.slug]))
    per_day = selectors.registrations_per_day(event=event)
    chart = bar_chart([(short_date(d["day"]), d["count"]) for d in per_day])
    return render(
        request,
        "events/manage/event.html",
        {
            "event": event,
            "counts": selectors.event_counts(event=event),
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
    event = access_event_for_manager(request, slug)
    page = Paginator(selectors.outbox_for_event(event=event), 100).get_page(_page_number(request))
    return render(request, "events/manage/outbox.html", {"event": event, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, slug: str):
    """The event's details, dates, places and registration settings (through
    services.event_update, which checks them again under the event's lock)."""
    event = access_event_for_manager(request, slug)
    # the form writes into its instance while validating: never the one the page shows
    form = EventForm(
        request.POST if request.method == "POST" else None,
        instance=selectors.event_get_fresh(event=event),
    )
    if request.method == "POST" and form.is_valid():
        try:
            promoted = services.event_update(
                event=event, data=form.cleaned_data, actor=request.user
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The event is saved."))
            if promoted:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d person on the waiting list got a place.",
                        "%(count)d people on the waiting list got a place.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                )
            return redirect("events_manage:edit", slug=event.slug)
    return render(
        request,
        "events/manage/edit.html",
        {"event": event, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_reminders(request, slug: str):
    """GET shows the reminder as people will receive it and how many will; the POST with
    the confirmation queues it."""
    event = access_event_for_manager(request, slug)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            count = services.event_send_reminders(event=event, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                ngettext("%(count)d reminder queued.", "%(count)d reminders queued.", count)
                % {"count": count},
            )
        return redirect("events_manage:reminders", slug=event.slug)
    overview = selectors.reminder_overview(event=event)
    preview = emails.reminder_preview(event=event, registration=overview["first"])
    try:
        services.reminder_window_check(event=event)
    except DomainError as error:
        unavailable = error.message
    else:
        unavailable = ""
    return render(
        request,
        "events/manage/reminders.html",
        {
            "event": event,
            "preview": preview,
            "to_send": overview["to_send"],
            "recipients": overview["recipients"],
            "unavailable": unavailable,
            "asked": request.method == "POST",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel(request, slug: str, pk: int):
    """An organiser cancels a registration (the person is told by email; next one promoted).

    GET asks for confirmation; POST cancels.
    """
    registration = access_registration_for_manager(request, slug, pk)
    event = registration.event
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
        text = _("Registration %(of_name)s cancelled.") % {
            "of_name": de_name(registration.full_name)
        }
        if promoted:
            text += " " + ngettext(
                "The place went to the first person waiting: %(names)s.",
                "The places went to the first people waiting: %(names)s.",
                len(promoted),
            ) % {"names": ", ".join(p.full_name for p in promoted)}
        messages.success(request, text)
    return redirect("events_manage:event", slug=event.slug)


def _documents_page(event: Event, kind: str) -> str:
    return reverse("events_manage:documents", args=[event.slug]) + f"#document-{kind}"


# The addresses where these documents were once built on the spot lead to the page where
# they are prepared and downloaded.
@login_required
def export_registrations_csv(request, slug: str):
    return redirect(_documents_page(access_event_for_manager(request, slug), "registrations_csv"))


@login_required
def export_registrations_xlsx(request, slug: str):
    return redirect(_documents_page(access_event_for_manager(request, slug), "registrations_xlsx"))


@login_required
def security_list_csv(request, slug: str):
    return redirect(_documents_page(access_event_for_manager(request, slug), "security_csv"))


@login_required
def security_list_pdf_view(request, slug: str):
    return redirect(_documents_page(access_event_for_manager(request, slug), "security_pdf"))


@login_required
def documents(request, slug: str):
    """Badges, security lists and exports: prepare, follow the progress, download."""
    event = access_event_for_manager(request, slug)
    rows = selectors.event_documents(event=event)
    for row in rows:
        rows_built = row["document"].rows if row["document"] else 0
        row["count"] = number(rows_built)
    return render(
        request,
        "events/manage/documents.html",
        {
            "event": event,
            "rows": rows,
            "under_way": any(row["state"] in ("pending", "running") for row in rows),
            "max_age_hours": settings.PTCE_DOCUMENT_MAX_AGE_HOURS,
        },
    )


@login_required
def documents_status(request, slug: str):
    """The documents' states, for the page's progress display (polled while one builds)."""
    event = access_event_for_manager(request, slug)
    rows = selectors.event_documents(event=event)
    response = JsonResponse(
        {
            "documents": [
                {
                    "kind": row["kind"].key,
                    "state": row["state"],
                    "progress": row["document"].progress if row["document"] else 0,
                }
                for row in rows
            ]
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def document_prepare(request, slug: str, kind: str):
    event = access_event_for_manager(request, slug)
    try:
        document_services.document_request(event=event, kind=kind, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(document)s” is being prepared: it will be ready to download here.")
            % {"document": hooks.document_kinds.get(kind).label},
        )
    return redirect(_documents_page(event, kind))


@login_required
def document_download(request, slug: str, kind: str):
    """The prepared file, for the event's organisers only, never kept by a cache."""
    document = access_document_for_manager(request, slug, kind)
    event, definition = document.event, hooks.document_kinds.get(kind)
    try:
        handle = document_services.document_open(document=document)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_documents_page(event, kind))
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{definition.filename(event)}.{definition.extension}",
        content_type=definition.content_type,
    )
    response["Cache-Control"] = "no-store"
    return response
