"""The call manager's set-up pages: the call, its form, stages and grids, the jury and its
conflicts, the assignment.

Plain forms posted to the server (they work without JavaScript); a refusal of a service is
shown on its field, and nothing is kept."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from calls import errors, forms_setup, permissions, selectors_setup
from calls.models import Stage
from calls.services import calls as services
from calls.uploads import cap_uploads, upload_cap
from core.errors import DomainError
from core.french import file_size
from core.input import parse_id


def _call_page(call_slug):
    return redirect("calls_manage:call", call_slug)


@login_required
def call_list(request):
    calls = list(selectors_setup.calls_managed_by(user=request.user))
    can_create = permissions.can_manage_calls(request.user)
    if not can_create and not calls:
        raise PermissionDenied
    # the same dates sentence as the public list: approximate dates stay approximate
    rows = [{"call": call, "dates": selectors_setup.dates_line(call)} for call in calls]
    return render(request, "calls/setup/list.html", {"rows": rows, "can_create": can_create})


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request):
    if not permissions.can_manage_calls(request.user):
        raise PermissionDenied
    form = forms_setup.CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(actor=request.user, data=form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The call is created, as a draft."))
            return _call_page(call.slug)
    return render(request, "calls/setup/call_form.html", {"form": form, "call": None})


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request, slug: str):
    call = permissions.access_call_for_manager(request, slug)
    if request.method == "POST":
        form = forms_setup.CallForm(request.POST)
        if form.is_valid():
            try:
                call = services.call_update(call=call, actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The call is saved."))
                return _call_page(call.slug)
    else:
        form = forms_setup.CallForm(initial=forms_setup.CallForm.initial_for(call))
    return render(
        request,
        "calls/setup/call_form.html",
        {
            "form": form,
            "call": call,
            "missing": services.publish_missing(call) if call.published_at is None else [],
        },
    )


@login_required
@require_POST
def call_publish(request, slug: str):
    call = permissions.access_call_for_manager(request, slug)
    try:
        services.call_publish(call=call, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The call is published: its page is public."))
    return _call_page(call.slug)


# --- the application form ------------------------------------------------------------------


def _form_page(request, call, *, section_form=None, question_forms=None, status=200):
    call = selectors_setup.call_for_setup(call)
    question_forms = question_forms or {}
    sections = [
        (
            section,
            question_forms.get(section.pk)
            or forms_setup.QuestionForm(prefix=f"s{section.pk}", initial={"required": True}),
        )
        for section in call.sections.all()
    ]
    return render(
        request,
        "calls/setup/form_builder.html",
        {
            "call": call,
            "sections": sections,
            "section_form": section_form or forms_setup.SectionForm(),
        },
        status=status,
    )


def _id(request, name="id"):
    value = parse_id(request.POST.get(name))
    if value is None:
        raise BadRequest  # a form that names no item: not understood (400), nothing saved
    return value


@login_required
@require_http_methods(["GET", "POST"])
def form_builder(request, slug: str):
    call = permissions.access_call_for_manager(request, slug)
    if request.method == "GET":
        return _form_page(request, call)
    action = request.POST.get("action", "")
    try:
        if action == "section_add":
            form = forms_setup.SectionForm(request.POST)
            form.is_valid()
            try:
                services.section_add(call=call, actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form.add_domain_error(exc)
                return _form_page(request, call, section_form=form, status=400)
        elif action == "question_add":
            section_id = _id(request, "section")
            form = forms_setup.QuestionForm(request.POST, prefix=f"s{section_id}")
            if not form.is_valid():
                return _form_page(request, call, question_forms={section_id: form}, status=400)
            try:
                services.question_add(
                    call=call, section_id=section_id, actor=request.user, data=form.cleaned_data
                )
            except DomainError as exc:
                form.add_domain_error(exc)
                return _form_page(request, call, question_forms={section_id: form}, status=400)
        elif action == "section_rename":
            services.section_update(
                call=call,
                section_id=_id(request),
                actor=request.user,
                data={"title": request.POST.get("title")},
            )
        elif action == "section_remove":
            services.section_remove(call=call, section_id=_id(request), actor=request.user)
        elif action in ("section_up", "section_down"):
            services.section_move(
                call=call, section_id=_id(request), actor=request.user, up=action == "section_up"
            )
        elif action == "question_remove":
            services.question_remove(call=call, question_id=_id(request), actor=request.user)
        elif action in ("question_up", "question_down"):
            services.question_move(
                call=call, question_id=_id(request), actor=request.user, up=action == "question_up"
            )
        else:
            raise BadRequest  # an unknown action: not understood (400), nothing saved
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("calls_manage:form", call.slug)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, slug: str, question_id: int):
    call = permissions.access_call_for_manager(request, slug)
    question = selectors_setup.question_for_setup(call=call, pk=question_id)
    if request.method == "POST":
        form = forms_setup.QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_update(
                    call=call, question_id=question.pk, actor=request.user, data=form.cleaned_data
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The question is saved."))
                return redirect("calls_manage:form", call.slug)
    else:
        form = forms_setup.QuestionForm(
            initial={
                "label": question.label,
                "help_text": question.help_text,
                "kind": question.kind,
                "required": question.required,
                "max_words": question.max_words or "",
                "max_chars": question.max_chars or "",
                "choices": "\n".join(question.choices),
            }
        )
    return render(
        request, "calls/setup/question.html", {"call": call, "question": question, "form": form}
    )


# --- stages and grids -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def stages(request, slug: str):
    call = permissions.access_call_for_manager(request, slug)
    form = forms_setup.StageForm(
        request.POST or None, initial={"jurors_per_file": 3, "scale_max": 5, "kind": "national"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.stage_add(call=call, actor=request.user, data=form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The stage is added."))
            return redirect("calls_manage:stage", call.slug, stage.pk)
    call = selectors_setup.call_for_setup(call)
    return render(
        request,
        "calls/setup/stages.html",
        {"call": call, "form": form},
        status=400 if form.errors else 200,
    )


def _stage_initial(stage: Stage) -> dict:
    return {
        "name": stage.name,
        "kind": stage.kind,
        "region_codes": " ".join(stage.region_codes),
        "jurors_per_file": stage.jurors_per_file,
        "passes_on": stage.passes_on or "",
        "scale_max": stage.scale_max,
        "cutoff": "" if stage.cutoff is None else stage.cutoff,
        "spread_threshold": "" if stage.spread_threshold is None else stage.spread_threshold,
    }


@login_required
@require_http_methods(["GET", "POST"])
def stage_edit(request, slug: str, stage_id: int):
    call = permissions.access_call_for_manager(request, slug)
    stage = selectors_setup.stage_for_setup(call=call, pk=stage_id)
    stage_form = forms_setup.StageForm(initial=_stage_initial(stage), prefix="stage")
    criterion_form = forms_setup.CriterionForm(prefix="criterion", initial={"weight": 1})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "stage":
                stage_form = forms_setup.StageForm(request.POST, prefix="stage")
                if stage_form.is_valid():
                    try:
                        services.stage_update(
                            call=call,
                            stage_id=stage.pk,
                            actor=request.user,
                            data=stage_form.cleaned_data,
                        )
                    except DomainError as exc:
                        stage_form.add_domain_error(exc)
                    else:
                        messages.success(request, _("The stage is saved."))
                        return redirect("calls_manage:stage", call.slug, stage.pk)
                status = 400
            elif action == "criterion_add":
                criterion_form = forms_setup.CriterionForm(request.POST, prefix="criterion")
                if criterion_form.is_valid():
                    try:
                        services.criterion_add(
                            call=call,
                            stage_id=stage.pk,
                            actor=request.user,
                            data=criterion_form.cleaned_data,
                        )
                    except DomainError as exc:
                        criterion_form.add_domain_error(exc)
                    else:
                        messages.success(request, _("The criterion is added."))
                        return redirect("calls_manage:stage", call.slug, stage.pk)
                status = 400
            elif action == "criterion_save":
                services.criterion_update(
                    call=call,
                    stage_id=stage.pk,
                    criterion_id=_id(request),
                    actor=request.user,
                    data={
                        name: request.POST.get(name, "")
                        for name in ("label", "description", "weight", "eliminatory_min")
                    },
                )
                messages.success(request, _("The criterion is saved."))
                return redirect("calls_manage:stage", call.slug, stage.pk)
            elif action == "criterion_remove":
                services.criterion_remove(
                    call=call, stage_id=stage.pk, criterion_id=_id(request), actor=request.user
                )
                return redirect("calls_manage:stage", call.slug, stage.pk)
            elif action in ("criterion_up", "criterion_down"):
                services.criterion_move(
                    call=call,
                    stage_id=stage.pk,
                    criterion_id=_id(request),
                    actor=request.user,
                    up=action == "criterion_up",
                )
                return redirect("calls_manage:stage", call.slug, stage.pk)
            elif action == "stage_remove":
                services.stage_remove(call=call, stage_id=stage.pk, actor=request.user)
                messages.success(request, _("The stage is removed."))
                return redirect("calls_manage:stages", call.slug)
            else:
                raise BadRequest  # an unknown action: not understood (400), nothing saved
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("calls_manage:stage", call.slug, stage.pk)
    return render(
        request,
        "calls/setup/stage.html",
        {
            "call": call,
            "stage": stage,
            "criteria": list(stage.criteria.all()),
            "locked": services.grid_locked(stage),
            "stage_form": stage_form,
            "criterion_form": criterion_form,
        },
        status=status,
    )


# --- documents ---------------------------------------------------------------------------


@csrf_exempt  # the body is read (with the capped handler) inside, where CSRF is checked
@login_required
@require_http_methods(["GET", "POST"])
def documents(request, slug: str):
    # the same cap as the attachments (calls.uploads): reading stops past the limit
    cap_uploads(request, upload_cap(services.DOCUMENT_MAX_SIZE))
    return _documents(request, slug)


@csrf_protect
def _documents(request, slug: str):
    call = permissions.access_call_for_manager(request, slug)
    form = forms_setup.DocumentForm()
    status = 200
    if request.method == "POST":
        request.FILES  # noqa: B018 — parse the body now: the capped handler may stop it
    if request.method == "POST" and request.upload_too_large:
        # the file was not received (nor kept): the form again, with the reason
        form = forms_setup.DocumentForm(request.POST)
        error = DomainError(
            errors.UPLOAD_TOO_LARGE,
            field="file",
            max=file_size(upload_cap(services.DOCUMENT_MAX_SIZE)),
        )
        form.add_error("file", error.message)
        status = error.status
    elif request.method == "POST":
        if request.POST.get("action") == "remove":
            try:
                services.calldocument_remove(
                    call=call, document_id=_id(request), actor=request.user
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect("calls_manage:documents", call.slug)
        form = forms_setup.DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.calldocument_add(
                    call=call,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The document is added."))
                return redirect("calls_manage:documents", call.slug)
        status = 400
    return render(
        request,
        "calls/setup/documents.html",
        {"call": call, "documents": list(call.documents.all()), "form": form},
        status=status,
    )


urlpatterns: list = [
    path("", call_list, name="list"),
    path("nouveau/", call_create, name="create"),
    path("<slug:slug>/", call_edit, name="call"),
    path("<slug:slug>/publier/", call_publish, name="publish"),
    path("<slug:slug>/formulaire/", form_builder, name="form"),
    path("<slug:slug>/formulaire/<int:question_id>/", question_edit, name="question"),
    path("<slug:slug>/etapes/", stages, name="stages"),
    path("<slug:slug>/etapes/<int:stage_id>/", stage_edit, name="stage"),
    path("<slug:slug>/documents/", documents, name="documents"),
]
