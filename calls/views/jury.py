"""The jury's space: invitation, declaration of interests, assigned files, the scoring
grid, the discussion.

A file a conflict blocks answers 404 on every page here (``access_assignment_for_juror``,
``access_attachment_for_juror``): the juror never learns anything of it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from calls import errors, selectors_jury
from calls.permissions import (
    access_assignment_for_juror,
    access_attachment_for_juror,
    access_seat_for_juror,
)
from calls.services import jury as jury_services
from calls.services import reviews as review_services
from calls.tokens import juror_from_invitation
from core.errors import DomainError


@login_required
def home(request):
    seats = selectors_jury.jury_home(user=request.user)
    return render(request, "calls/jury/home.html", {"seats": seats})


@require_http_methods(["GET", "POST"])
def accept(request, token):
    """The invitation link: signed in, the seat joins the account; without an account, one
    is made with the invitation's address and its « choose a password » email is sent."""
    try:
        juror = juror_from_invitation(token)
    except DomainError as error:
        return render(request, "calls/jury/accept.html", {"error": error.message}, status=400)
    if request.method == "POST":
        try:
            juror = jury_services.juror_accept(token=token, user=request.user)
        except DomainError as error:
            return render(
                request,
                "calls/jury/accept.html",
                {"juror": juror, "error": error.message},
                status=error.status,
            )
        if request.user.is_authenticated:
            return redirect("calls_jury:declare", pk=juror.pk)
        return render(request, "calls/jury/accepted.html", {"juror": juror})
    login_url = reverse("accounts:login") + "?" + urlencode({"next": request.path})
    return render(request, "calls/jury/accept.html", {"juror": juror, "login_url": login_url})


@login_required
@require_http_methods(["GET", "POST"])
def declare(request, pk):
    seat = access_seat_for_juror(request, pk)
    if seat.declared_at is not None:
        return redirect("calls_jury:home")
    error = None
    values = {"declaration": ""}
    if request.method == "POST":
        values["declaration"] = request.POST.get("declaration", "")
        try:
            jury_services.juror_declare(
                juror=seat,
                declaration=values["declaration"],
                signed=request.POST.get("signed") == "1",
                actor=request.user,
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("Your declaration of interests is signed."))
            return redirect("calls_jury:home")
    return render(
        request,
        "calls/jury/declare.html",
        {"seat": seat, "error": error, "values": values},
        status=error.status if error else 200,
    )


def _posted_scores(request, criteria):
    scores = {c.pk: request.POST.get(f"score_{c.pk}", "") for c in criteria}
    comments = {c.pk: request.POST.get(f"comment_{c.pk}", "") for c in criteria}
    return scores, comments


@login_required
@require_http_methods(["GET", "POST"])
def grid(request, pk):
    assignment = access_assignment_for_juror(request, pk)
    if assignment.juror.declared_at is None:
        return redirect("calls_jury:declare", pk=assignment.juror_id)
    error, posted = None, None
    if request.method == "POST":
        criteria = list(assignment.stage.criteria.all())
        scores, comments = _posted_scores(request, criteria)
        submit = request.POST.get("action") == "submit"
        try:
            if submit and request.POST.get("confirm") != "1":
                # irreversible: the juror ticks the box (checked here, not by a script)
                raise DomainError(errors.SUBMIT_UNCONFIRMED, field="confirm")
            review_services.review_save(
                assignment=assignment,
                scores=scores,
                comments=comments,
                submit=submit,
                actor=request.user,
            )
        except DomainError as exc:
            error, posted = exc, (scores, comments)
        else:
            messages.success(
                request, _("Your review is submitted.") if submit else _("Your draft is saved.")
            )
            return redirect("calls_jury:grid", pk=assignment.pk)
    context = selectors_jury.grid_page(assignment=assignment)
    if posted:
        for row in context["rows"]:
            c = row["criterion"]
            row["value"] = posted[0].get(c.pk, "")
            row["comment"] = posted[1].get(c.pk, "")
    else:
        for row in context["rows"]:
            score = row["score"]
            row["value"] = "" if score is None else f"{score.value.normalize():f}"
            row["comment"] = score.comment if score else ""
    for row in context["rows"]:
        row["field"] = f"score_{row['criterion'].pk}"
        row["error"] = (
            error.message
            if error and error.field in (row["field"], f"comment_{row['criterion'].pk}")
            else None
        )
    context.update(
        {
            "assignment": assignment,
            "stage": assignment.stage,
            "application": assignment.application,
            "error": error if error and not any(r["error"] for r in context["rows"]) else None,
            "has_error": error is not None,
        }
    )
    return render(request, "calls/jury/grid.html", context, status=error.status if error else 200)


@login_required
@require_POST
def message(request, pk):
    assignment = access_assignment_for_juror(request, pk)
    try:
        review_services.message_post(
            application=assignment.application,
            juror=assignment.juror,
            body=request.POST.get("body", ""),
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("calls_jury:grid", args=[assignment.pk]) + "#discussion")


@login_required
@require_POST
def conflict(request, pk):
    assignment = access_assignment_for_juror(request, pk)
    try:
        jury_services.conflict_declare(
            juror=assignment.juror,
            application=assignment.application,
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("calls_jury:grid", pk=assignment.pk)
    messages.success(
        request, _("Your conflict of interest is recorded: this file is no longer yours.")
    )
    return redirect("calls_jury:home")


@login_required
def attachment(request, pk):
    item = access_attachment_for_juror(request, pk)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# nothing of a juror's pages is kept by a browser or a proxy (files, scores, discussion)
urlpatterns = [
    path("", never_cache(home), name="home"),
    path("invitation/<str:token>/", never_cache(accept), name="accept"),
    path("sieges/<int:pk>/declaration/", never_cache(declare), name="declare"),
    path("dossiers/<int:pk>/", never_cache(grid), name="grid"),
    path("dossiers/<int:pk>/message/", never_cache(message), name="message"),
    path("dossiers/<int:pk>/conflit/", never_cache(conflict), name="conflict"),
    path("pieces/<int:pk>/", never_cache(attachment), name="attachment"),
]
