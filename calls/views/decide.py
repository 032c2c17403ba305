"""The call manager's decision pages: ranking per stage, passing files on, decisions,
minutes, notification and publication."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.forms_decide import ConfirmForm, DecisionForm, PassOnForm, PublishForm
from calls.minutes import minutes_pdf
from calls.models import Application, Stage
from calls.permissions import access_call_for_decisions
from calls.selectors_decide import (
    budget_for,
    final_stage,
    find_in_standing,
    page_of,
    ranking_for_stage,
    ranking_page,
)
from calls.services import decisions as services
from core.errors import DomainError
from core.input import clean_query, parse_ids


def _stage(call, pk: int) -> Stage:
    return get_object_or_404(Stage, call=call, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request, slug, stage):
    call = access_call_for_decisions(request.user, slug)
    stage = _stage(call, stage)
    url = reverse("calls_manage:ranking", args=[call.slug, stage.pk])
    query = clean_query(request.GET.get("dossier", ""))
    number = request.POST.get("go") or request.POST.get("page") or request.GET.get("page") or 1
    view = ranking_page(call, stage, page=number)
    standing = view.standing
    not_found = False
    if request.method == "GET" and query:
        found = find_in_standing(call, standing, query)
        if found is not None:
            return redirect(f"{url}?page={page_of(standing, found)}#file-{found}")
        not_found = True
    form = PassOnForm()
    status = 200
    can_pass_on = (
        stage.passes_on is not None and view.next_stage is not None and not stage.closed_at
    )
    chosen = {str(pk) for pk in standing.proposed} if can_pass_on else set()
    if request.method == "POST":
        ranked = standing.ranked_ids()
        posted = {str(pk) for pk in parse_ids(request.POST.getlist("applications"))}
        if "go" in request.POST:  # another page of the ranking: the ticks go along
            chosen = {v for v in posted if int(v) in ranked}
        else:
            form = PassOnForm(request.POST, choices=[(pk, str(pk)) for pk in sorted(ranked)])
            if form.is_valid():
                try:
                    moved = services.stage_pass_on(
                        stage=stage,
                        application_ids=form.cleaned_data["applications"],
                        actor=request.user,
                    )
                except DomainError as error:
                    form.add_domain_error(error)
                else:
                    messages.success(
                        request,
                        _("%(n)d files pass on to %(stage)s; this stage is closed.")
                        % {"n": len(moved), "stage": view.next_stage.name},
                    )
                    return redirect(url)
            chosen = posted
            status = 400
    on_page = {str(row.application.pk) for row in view.rows}
    return render(
        request,
        "calls/decide/ranking.html",
        {
            "call": call,
            "stage": stage,
            "standing": view,
            "page": view.page,
            "form": form,
            "can_pass_on": can_pass_on,
            "chosen": chosen,
            "chosen_elsewhere": sorted(chosen - on_page, key=int),
            "query": query,
            "not_found": not_found,
        },
        status=status,
    )


def _decisions_page(request, call, *, bound=None, publish_form=None, notify_form=None, status=200):
    last = final_stage(call)
    standing = ranking_for_stage(last) if last is not None else None
    rows = []
    if standing is not None:
        for row in standing.rows + standing.unscored:
            application = row.application
            if application.stage_id != last.pk:
                continue
            decision = getattr(application, "decision", None)
            if bound is not None and bound[0] == application.pk:
                form = bound[1]
            else:
                initial = {}
                if decision is not None:
                    initial = {
                        "outcome": decision.outcome,
                        "amount": ""
                        if decision.amount is None
                        else f"{decision.amount:.2f}".replace(".", ","),
                        "reason": decision.reason,
                    }
                form = DecisionForm(prefix=f"d{application.pk}", initial=initial)
            rows.append({"row": row, "decision": decision, "form": form})
    if publish_form is None:
        publish_form = PublishForm(
            initial={
                "grantor_name": call.grantor_name or call.funders,
                "grantor_siret": call.grantor_siret,
                "payments_from": call.payments_from,
                "payments_until": call.payments_until,
            },
            prefix="publish",
        )
    return render(
        request,
        "calls/decide/decisions.html",
        {
            "call": call,
            "stages": list(call.stages.order_by("position", "pk")),
            "final": last,
            "rows": rows,
            "budget": budget_for(call),
            "publish_form": publish_form,
            "notify_form": notify_form or ConfirmForm(prefix="notify"),
        },
        status=status,
    )


@login_required
@require_GET
def decisions(request, slug):
    call = access_call_for_decisions(request.user, slug)
    return _decisions_page(request, call)


@login_required
@require_POST
def decision_record(request, slug, application):
    call = access_call_for_decisions(request.user, slug)
    application = get_object_or_404(Application, call=call, pk=application)
    form = DecisionForm(request.POST, prefix=f"d{application.pk}")
    if form.is_valid():
        try:
            services.decision_record(
                application=application,
                outcome=form.cleaned_data["outcome"],
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("The decision on %(pole)s is recorded.") % {"pole": application.pole.name},
            )
            url = reverse("calls_manage:decisions", args=[call.slug])
            return redirect(f"{url}#file-{application.pk}")
    return _decisions_page(request, call, bound=(application.pk, form), status=400)


@login_required
@require_GET
def minutes(request, slug):
    call = access_call_for_decisions(request.user, slug)
    response = HttpResponse(minutes_pdf(call), content_type="application/pdf")
    name = slugify(f"proces-verbal-{call.slug}") or "proces-verbal"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@login_required
@require_POST
def results_notify(request, slug):
    call = access_call_for_decisions(request.user, slug)
    form = ConfirmForm(request.POST, prefix="notify")
    if form.is_valid():
        try:
            count = services.results_notify(call=call, actor=request.user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("%(n)d decisions are sent to the applying poles.") % {"n": count}
                if count
                else _("Every decision was already sent."),
            )
            return redirect("calls_manage:decisions", slug=call.slug)
    return _decisions_page(request, call, notify_form=form, status=400)


@login_required
@require_POST
def results_publish(request, slug):
    call = access_call_for_decisions(request.user, slug)
    form = PublishForm(request.POST, prefix="publish")
    if form.is_valid():
        try:
            services.results_publish(
                call=call,
                actor=request.user,
                grantor_name=form.cleaned_data["grantor_name"],
                grantor_siret=form.cleaned_data["grantor_siret"],
                payments_from=form.cleaned_data["payments_from"],
                payments_until=form.cleaned_data["payments_until"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The results are published."))
            return redirect("calls_manage:decisions", slug=call.slug)
    return _decisions_page(request, call, publish_form=form, status=400)


urlpatterns = [
    path("<slug:slug>/decisions/", decisions, name="decisions"),
    path(
        "<slug:slug>/decisions/<int:application>/",
        decision_record,
        name="decision_record",
    ),
    path("<slug:slug>/etapes/<int:stage>/classement/", ranking, name="ranking"),
    path("<slug:slug>/proces-verbal.pdf", minutes, name="minutes"),
    path("<slug:slug>/resultats/envoyer/", results_notify, name="results_notify"),
    path("<slug:slug>/resultats/publier/", results_publish, name="results_publish"),
]
