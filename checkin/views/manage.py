"""The organiser's door page: devices, live counts, conflicts and the last scans."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from checkin import documents, selectors, services
from checkin.models import DoorRole
from checkin.permissions import (
    access_device_for_manager,
    access_door_role_for_manager,
    access_event_for_supervisor,
)
from checkin.tokens import enrolment_token
from core.chart import bar_chart
from core.dates import clock
from core.errors import DomainError
from events.documents import qr_svg
from events.models import Event
from events.permissions import access_event_for_manager


@login_required
def door(request, slug: str):
    event = access_event_for_manager(request, slug)
    device_rows = []
    for device in selectors.devices(event=event):
        row = {"device": device}
        if device.enrolled_at is None and device.revoked_at is None:
            link = request.build_absolute_uri(
                reverse("checkin:enrol", args=[enrolment_token(device)])
            )
            row["link"] = link
            row["qr"] = qr_svg(
                link, scale=4, title=_("Enrolment QR code of %(name)s") % {"name": device.name}
            )
        device_rows.append(row)
    return render(
        request,
        "checkin/manage/door.html",
        {
            "event": event,
            **_arrivals(event),
            "counts": selectors.door_counts(event=event),
            "devices": device_rows,
            "conflicts": selectors.conflicts(event=event),
            "conflict_count": selectors.conflict_count(event=event),
            "overrides": selectors.overrides(event=event),
            "override_count": selectors.override_count(event=event),
            "list_limit": selectors.LIST_LIMIT,
            "walk_ins": selectors.walk_in_count(event=event),
            "last_scans": selectors.last_scans(event=event),
            "door_roles": selectors.door_roles(event=event),
            "roles": DoorRole.Role.choices,
        },
    )


def _arrivals(event: Event) -> dict:
    slots = selectors.arrivals_per_slot(event=event)
    return {
        "slots": slots,
        "slot_minutes": slots[0]["minutes"] if slots else 5,
        "chart": bar_chart([(clock(slot["start"]), slot["count"]) for slot in slots]),
    }


PROJECTION_EVERY_S = 15


@login_required
def projection(request, slug: str):
    """For the room's screen: arrivals so far, no names. Its script brings the figures up
    to date every PROJECTION_EVERY_S seconds (``projection_state``); without it, a link
    « Actualiser » reloads the page (no ``meta refresh``: it moves the page under a
    screen reader)."""
    event = access_event_for_manager(request, slug)
    return render(
        request,
        "checkin/manage/projection.html",
        {
            "event": event,
            "counts": selectors.door_counts(event=event),
            "every_s": PROJECTION_EVERY_S,
            **_arrivals(event),
        },
    )


@login_required
def projection_state(request, slug: str):
    """The projection's figures, as JSON: counts and the arrivals chart (its markup)."""
    event = access_event_for_manager(request, slug)
    counts = selectors.door_counts(event=event)
    arrivals = _arrivals(event)
    chart = render_to_string(
        "checkin/manage/_projection_chart.html", {"event": event, **arrivals}, request=request
    )
    figure = render_to_string(
        "checkin/manage/_projection_figure.html", {"counts": counts}, request=request
    )
    return JsonResponse(
        {
            "figure_html": figure,
            "admitted": counts["admitted"],
            "still_expected": counts["still_expected"],
            "expected": counts["expected"],
            "chart_html": chart,
        },
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@require_POST
def device_add(request, slug: str):
    event = access_event_for_manager(request, slug)
    try:
        device = services.device_create(
            event=event, name=request.POST.get("name", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Device “%(name)s” created: open its enrolment link on the phone.")
            % {"name": device.name},
        )
    return redirect("checkin_manage:door", slug=event.slug)


@login_required
@require_POST
def door_role_add(request, slug: str):
    """Give an existing account (username or e-mail address) a role at the door."""
    event = access_event_for_manager(request, slug)
    try:
        door_role = services.door_role_grant(
            event=event,
            login=request.POST.get("login", ""),
            role=request.POST.get("role", ""),
            actor=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s at this event.")
            % {"name": door_role.user.get_username(), "role": door_role.get_role_display()},
        )
    return redirect(reverse("checkin_manage:door", args=[event.slug]) + "#door-staff")


@login_required
@require_POST
def door_role_remove(request, slug: str, pk: int):
    door_role = access_door_role_for_manager(request, slug, pk)
    event = door_role.event
    try:
        services.door_role_remove(door_role=door_role, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s no longer has a role at the door.")
            % {"name": door_role.user.get_username()},
        )
    return redirect(reverse("checkin_manage:door", args=[event.slug]) + "#door-staff")


@login_required
@require_POST
def device_revoke(request, slug: str, pk: int):
    device = access_device_for_manager(request, slug, pk)
    event = device.event
    try:
        services.device_revoke(device=device, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Device “%(name)s” revoked: its scans are refused from now on.")
            % {"name": device.name},
        )
    return redirect("checkin_manage:door", slug=event.slug)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _documents_page(event: Event, kind: str) -> str:
    return reverse("events_manage:documents", args=[event.slug]) + f"#document-{kind}"


@login_required
def badges(request, slug: str):
    """Every confirmed person's badge: prepared in the background on the documents page
    (3,000 badges take longer than a request may)."""
    event = access_event_for_manager(request, slug)
    kind = "badges_a4x4" if request.GET.get("format") == "a4x4" else "badges_a6"
    return redirect(_documents_page(event, kind))


@login_required
def badge(request, slug: str, pk: int):
    """One badge, printed at the desk (organisers and door supervisors)."""
    event = access_event_for_supervisor(request, slug)
    registration = selectors.badge_registration(event=event, pk=pk)
    if registration is None:
        raise Http404
    return _pdf(documents.badges_pdf(event, [registration]), f"badge-{registration.pk}.pdf")


@login_required
def attendance_csv(request, slug: str):
    """Attendance by category, for after the event: prepared on the documents page."""
    event = access_event_for_manager(request, slug)
    return redirect(_documents_page(event, "attendance_csv"))
