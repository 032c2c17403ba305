"""The call manager's list of the call's applications (namespace ``calls_manage``): pole,
project, status, submission, stage, a read-only view of each file, and the form that
reopens a submitted file once, with a written reason, until a date."""

from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from calls import permissions, selectors_apply
from calls.services import applications as services
from core.errors import DomainError


def _until(value: str):
    """The end of the day typed (YYYY-MM-DD, local time); None if it is not a date."""
    try:
        day = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _page(request, call, *, failed=None, status=200):
    rows = selectors_apply.applications_for_manager(call=call)
    return render(
        request,
        "calls/manage/applications.html",
        {"call": call, "applications": rows, "failed": failed or {}},
        status=status,
    )


@login_required
def applications(request, slug):
    call = permissions.access_call_for_manager(request, slug)
    return _page(request, call)


@login_required
@require_http_methods(["POST"])
def reopen(request, slug, pk):
    call = permissions.access_call_for_manager(request, slug)
    application = selectors_apply.application_for_manager(call=call, pk=pk)
    values = {"reason": request.POST.get("reason", ""), "until": request.POST.get("until", "")}
    try:
        services.application_reopen(
            application=application,
            reason=values["reason"],
            until=_until(values["until"]),
            actor=request.user,
        )
    except DomainError as error:
        failed = {"pk": application.pk, "error": error, "values": values}
        return _page(request, call, failed=failed, status=error.status)
    messages.success(
        request,
        _("The file of %(pole)s is reopened: its pole may correct it and submit it again.")
        % {"pole": application.pole.name},
    )
    return redirect(reverse("calls_manage:applications", args=[call.slug]) + f"#file-{pk}")


urlpatterns = [
    path("<slug:slug>/dossiers/", applications, name="applications"),
    path("<slug:slug>/dossiers/<int:pk>/rouvrir/", reopen, name="application_reopen"),
]
