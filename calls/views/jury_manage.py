"""The call manager's jury pages (namespace ``calls_manage``): a stage's jurors and the
invitation form, the conflicts with their reasons to confirm or dismiss, the assignment
(computed, then changed by hand) with each juror's load."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from calls import errors, selectors_jury
from calls.permissions import access_stage_for_manager
from calls.services import jury as services
from core.errors import DomainError
from core.input import clean_query, parse_id
from registry import selectors as registry_selectors


def _act(request, action, success) -> None:
    """Run a service and say what came of it: its French refusal, or ``success``."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


@login_required
def stage_jury(request, pk, *, error=None, values=None, status=200, conflict_error=None):
    stage = access_stage_for_manager(request, pk)
    context = selectors_jury.stage_jury(stage=stage)
    context.update(
        {
            "stage": stage,
            "applications": selectors_jury.submitted_files(stage=stage),
            "error": error,
            "conflict_error": conflict_error,
            "values": values or {},
            "problems": request.session.pop(f"calls-jury-problems-{stage.pk}", None),
        }
    )
    return render(request, "calls/jury/manage.html", context, status=status)


def _back(stage, anchor=""):
    return redirect(reverse("calls_manage:stage_jury", args=[stage.pk]) + anchor)


@login_required
@require_POST
def invite(request, pk):
    stage = access_stage_for_manager(request, pk)
    values = {k: request.POST.get(k, "") for k in ("name", "email", "organisation", "region")}
    organisation = None
    slug = clean_query(values["organisation"], max_length=100)  # a hint: no NUL in a query
    if slug:
        organisation = registry_selectors.organisation_by_slug(slug)
        if organisation is None:
            error = DomainError(errors.ORGANISATION_UNKNOWN, field="organisation")
            return stage_jury(request, pk, error=error, values=values, status=400)
    try:
        juror = services.juror_invite(
            stage=stage,
            name=values["name"],
            email=values["email"],
            organisation=organisation,
            region_code=values["region"],
            actor=request.user,
        )
    except DomainError as error:
        return stage_jury(request, pk, error=error, values=values, status=error.status)
    messages.success(request, _("%(name)s is invited: the link is sent.") % {"name": juror.name})
    return _back(stage, "#jurors")


@login_required
@require_POST
def reinvite(request, pk, juror):
    stage = access_stage_for_manager(request, pk)
    seat = selectors_jury.seat_of_stage(stage=stage, pk=juror)
    _act(
        request,
        lambda: services.juror_reinvite(juror=seat, actor=request.user),
        _("A new link is sent to %(name)s.") % {"name": seat.name},
    )
    return _back(stage, "#jurors")


@login_required
@require_POST
def detect(request, pk):
    stage = access_stage_for_manager(request, pk)
    found = services.conflicts_detect(stage=stage, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(n)d new conflict found in the directory.",
            "%(n)d new conflicts found in the directory.",
            found["added"],
        )
        % {"n": found["added"]},
    )
    return _back(stage, "#conflicts")


@login_required
@require_POST
def decide(request, pk, conflict):
    stage = access_stage_for_manager(request, pk)
    item = selectors_jury.conflict_of_stage(stage=stage, pk=conflict)
    try:
        decided = services.conflict_decide(
            conflict=item,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The conflict is decided."))
        _say_taken_off(request, decided)
    return _back(stage, "#conflicts")


def _say_taken_off(request, conflict) -> None:
    """Tell the manager which assignments the conflict took off: the file needs another
    juror."""
    if conflict.taken_off:
        messages.warning(
            request,
            _(
                "Assignment of %(names)s to the file « %(file)s » taken off (made before "
                "the conflict): assign another juror or run the assignment again."
            )
            % {
                "names": ", ".join(conflict.taken_off),
                "file": conflict.application.project_title or conflict.application.pole.name,
            },
        )


@login_required
@require_POST
def conflict_add(request, pk):
    """A conflict the manager knows of and the directory does not show, added by hand."""
    stage = access_stage_for_manager(request, pk)
    values = {
        "conflict_application": request.POST.get("application", ""),
        "conflict_juror": request.POST.get("juror", ""),
        "conflict_reason": request.POST.get("reason", ""),
    }
    application = selectors_jury.file_of_stage(
        stage=stage, pk=parse_id(values["conflict_application"])
    )
    juror = selectors_jury.juror_of_stage(stage=stage, pk=parse_id(values["conflict_juror"]))
    try:
        if application is None:
            raise DomainError(errors.NOT_A_FILE_OF_STAGE, field="application")
        if juror is None:
            raise DomainError(errors.NOT_IN_CALL, field="juror")
        added = services.conflict_add(
            juror=juror,
            application=application,
            reason=values["conflict_reason"],
            actor=request.user,
        )
    except DomainError as error:
        return stage_jury(request, pk, conflict_error=error, values=values, status=error.status)
    messages.success(request, _("The conflict is recorded: the juror is kept away from the file."))
    _say_taken_off(request, added)
    return _back(stage, "#conflicts")


@login_required
@require_POST
def run(request, pk):
    stage = access_stage_for_manager(request, pk)
    try:
        problems = services.assignment_run(stage=stage, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        request.session[f"calls-jury-problems-{stage.pk}"] = problems
        outcome = selectors_jury.assignment_outcome(stage=stage)
        if outcome == "no_declaration":
            messages.warning(
                request,
                _("No juror has signed their declaration of interests yet: nothing is assigned."),
            )
        elif outcome == "none":
            messages.warning(request, _("No file could be assigned: see the problems below."))
        else:
            messages.success(request, _("The files are assigned."))
    return _back(stage, "#assignment")


@login_required
@require_POST
def assign(request, pk):
    stage = access_stage_for_manager(request, pk)
    application = selectors_jury.file_of_stage(
        stage=stage, pk=parse_id(request.POST.get("application"))
    )
    juror = selectors_jury.juror_of_stage(stage=stage, pk=parse_id(request.POST.get("juror")))
    if application is None or juror is None:
        messages.error(request, _("Choose a file and a juror."))
        return _back(stage, "#assignment")
    _act(
        request,
        lambda: services.assignment_set(
            stage=stage, application=application, juror=juror, actor=request.user
        ),
        _("The juror is assigned to the file."),
    )
    return _back(stage, "#assignment")


@login_required
@require_POST
def unassign(request, pk, assignment):
    stage = access_stage_for_manager(request, pk)
    item = selectors_jury.assignment_of_stage(stage=stage, pk=assignment)
    _act(
        request,
        lambda: services.assignment_remove(assignment=item, actor=request.user),
        _("The juror is taken off the file."),
    )
    return _back(stage, "#assignment")


urlpatterns = [
    path("etapes/<int:pk>/jury/", stage_jury, name="stage_jury"),
    path("etapes/<int:pk>/jury/inviter/", invite, name="stage_jury_invite"),
    path(
        "etapes/<int:pk>/jury/membres/<int:juror>/relancer/",
        reinvite,
        name="stage_jury_reinvite",
    ),
    path("etapes/<int:pk>/jury/conflits/", detect, name="stage_jury_detect"),
    path("etapes/<int:pk>/jury/conflits/<int:conflict>/", decide, name="stage_jury_decide"),
    path("etapes/<int:pk>/jury/conflits/ajouter/", conflict_add, name="stage_jury_conflict_add"),
    path("etapes/<int:pk>/jury/repartition/", run, name="stage_jury_run"),
    path("etapes/<int:pk>/jury/affecter/", assign, name="stage_jury_assign"),
    path(
        "etapes/<int:pk>/jury/affectations/<int:assignment>/retirer/",
        unassign,
        name="stage_jury_unassign",
    ),
]
