"""Applying, for a pole's managers: start (eligibility first), the draft, attachments,
submission and its receipt, withdrawal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from calls import errors, files, permissions, selectors_apply
from calls.models import Application, Question
from calls.receipts_apply import receipt_pdf
from calls.services import applications as services
from calls.uploads import cap_uploads, upload_cap
from core.dates import moment
from core.errors import DomainError, error_response
from core.french import file_size
from core.input import parse_id, parse_int


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def time_left(deadline, now=None) -> str:
    """« 3 jours et 4 heures », « 2 heures et 5 minutes », « 40 minutes »: from the
    server's clock to the deadline."""
    now = now or timezone.now()
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return _("closed")
    minutes = seconds // 60
    days, hours, mins = minutes // 1440, (minutes % 1440) // 60, minutes % 60
    d = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    h = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    m = ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins}
    if days:
        return _("%(a)s and %(b)s") % {"a": d, "b": h} if hours else d
    if hours:
        return _("%(a)s and %(b)s") % {"a": h, "b": m} if mins else h
    if mins:
        return m
    return _("less than a minute")


@never_cache
@login_required
def apply_start(request, slug):
    # the public page's rule: published, and not under embargo (published_at in the future)
    call = selectors_apply.call_for_applying(slug=slug)
    poles = selectors_apply.managed_poles(user=request.user)
    if request.method == "POST":
        pole_id = parse_id(request.POST.get("pole"))
        pole = next((p for p in poles if p.pk == pole_id), None)
        if pole is None:
            raise Http404
        try:
            application = services.application_start(call=call, pole=pole, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("calls:apply_start", slug)
        messages.success(request, _("The draft is created: fill it in, then submit it."))
        return redirect("calls:apply_draft", slug, application.pk)
    live = selectors_apply.live_applications(call=call, poles=poles)
    rows = [
        {
            "pole": pole,
            "eligibility": selectors_apply.eligibility_for(call, pole),
            "application": live.get(pole.pk),
        }
        for pole in poles
    ]
    return render(
        request,
        "calls/apply/start.html",
        {"call": call, "rows": rows, "is_open": services.call_is_open(call)},
    )


def _sections(call, application, values=None):
    """The draft's questions by section, each with its value and its attachments."""
    values = values if values is not None else {}
    attachments = list(application.attachments.all())
    sections = []
    for question in selectors_apply.questions_of(call):
        key = services.answer_field(question)
        if not sections or sections[-1]["section"].pk != question.section_id:
            sections.append({"section": question.section, "questions": []})
        sections[-1]["questions"].append(
            {
                "question": question,
                "name": key,
                "value": values.get(key, application.answers.get(str(question.pk), "")),
                "attachments": [a for a in attachments if a.question_id == question.pk],
            }
        )
    return sections


def _draft_context(request, application, *, values=None, error=None):
    call = application.call
    deadline = services.deadline_of(application)
    # a call manager reads the file; only the pole's managers change or withdraw it
    applicant = permissions.can_apply_for(request.user, application.pole)
    fixed = {
        "project_title": application.project_title,
        "summary": application.summary,
        "amount_requested": (
            str(application.amount_requested).replace(".", ",")
            if application.amount_requested is not None
            else ""
        ),
    }
    if values:
        fixed.update({k: values.get(k, "") for k in fixed})
    return {
        "call": call,
        "application": application,
        "deadline": moment(deadline),
        "time_left": time_left(deadline),
        "editable": applicant
        and application.status == Application.Status.DRAFT
        and timezone.now() < deadline,
        "call_closed": timezone.now() >= deadline,
        "withdrawable": applicant
        and application.status != Application.Status.WITHDRAWN
        and timezone.now() < deadline,
        "fixed": fixed,
        "sections": _sections(call, application, values),
        "general_attachments": [a for a in application.attachments.all() if a.question_id is None],
        "attachment_questions": [
            q for q in selectors_apply.questions_of(call) if q.kind == Question.Kind.ATTACHMENT
        ],
        "error": error,
        "changes": getattr(error, "changes", None),
        "allowed": files.ALLOWED.values(),
        "max_file_size": call.max_file_size,
        "max_total_size": call.max_total_size,
    }


@never_cache
@login_required
def apply_draft(request, slug, pk):
    application = permissions.access_application_for_applicant(request.user, slug=slug, pk=pk)
    if request.method == "POST":
        version = parse_int(request.POST.get("version"), default=-1)
        try:
            application = services.application_save_draft(
                application=application, data=request.POST, version=version, actor=request.user
            )
        except DomainError as exc:
            if _wants_json(request):
                extra = {}
                if getattr(exc, "changes", None) is not None:
                    extra = {"changes": exc.changes, "version": exc.current_version}
                return error_response(exc, **extra)
            application.refresh_from_db()
            context = _draft_context(request, application, values=request.POST, error=exc)
            return render(request, "calls/apply/draft.html", context, status=exc.status)
        if _wants_json(request):
            return JsonResponse(
                {
                    "version": application.version,
                    "saved_at": moment(application.updated_at),
                }
            )
        messages.success(request, _("Draft saved."))
        return redirect("calls:apply_draft", slug, pk)
    return render(request, "calls/apply/draft.html", _draft_context(request, application))


@csrf_exempt  # the body is read (with the capped handler) inside, where CSRF is checked
@require_POST
@login_required
def apply_attach(request, slug, pk):
    limit = selectors_apply.max_file_size(slug=slug)
    if limit is None:
        raise Http404
    cap_uploads(request, upload_cap(limit))
    return _apply_attach(request, slug, pk)


@csrf_protect
def _apply_attach(request, slug, pk):
    application = permissions.access_application_for_applicant(request.user, slug=slug, pk=pk)
    request.FILES  # noqa: B018 — parse the body now: the capped handler may stop it
    if request.upload_too_large:
        messages.error(
            request,
            DomainError(
                errors.UPLOAD_TOO_LARGE,
                max=file_size(upload_cap(application.call.max_file_size)),
            ).message,
        )
        return redirect(reverse("calls:apply_draft", args=[slug, pk]) + "#attachments")
    question_id = parse_id(request.POST.get("question"))
    question = selectors_apply.question_of_call(call=application.call, pk=question_id)
    try:
        attachment = services.attachment_add(
            application=application,
            upload=request.FILES.get("file"),
            question=question,
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("« %(name)s » is attached.") % {"name": attachment.original_name}
        )
    return redirect(reverse("calls:apply_draft", args=[slug, pk]) + "#attachments")


@require_POST
@login_required
def apply_detach(request, slug, pk, attachment_pk):
    attachment = permissions.access_attachment(
        request.user, slug=slug, pk=pk, attachment_pk=attachment_pk
    )
    try:
        services.attachment_remove(attachment=attachment, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("« %(name)s » is removed.") % {"name": attachment.original_name}
        )
    return redirect(reverse("calls:apply_draft", args=[slug, pk]) + "#attachments")


@never_cache
@login_required
def apply_attachment(request, slug, pk, attachment_pk):
    """The file, only for who may see the application; always downloaded, never shown
    inline, under its original name (cleaned when it was stored)."""
    attachment = permissions.access_attachment(
        request.user, slug=slug, pk=pk, attachment_pk=attachment_pk
    )
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
def apply_submit(request, slug, pk):
    application = permissions.access_application_for_applicant(request.user, slug=slug, pk=pk)
    if request.method == "POST":
        version = parse_int(request.POST.get("version"), default=-1)
        try:
            services.application_submit(
                application=application, version=version, actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            if exc.code == "calls.already_submitted":
                return redirect("calls:apply_receipt", slug, pk)
            return redirect("calls:apply_submit", slug, pk)
        messages.success(request, _("The application is submitted. A receipt was emailed to you."))
        return redirect("calls:apply_receipt", slug, pk)
    if application.status == Application.Status.SUBMITTED:
        return redirect("calls:apply_receipt", slug, pk)
    deadline = services.deadline_of(application)
    return render(
        request,
        "calls/apply/submit.html",
        {
            "call": application.call,
            "application": application,
            "missing": services.missing_answers(application),
            "deadline": moment(deadline),
            "time_left": time_left(deadline),
            "open": timezone.now() < deadline,
        },
    )


@never_cache
@login_required
def apply_receipt(request, slug, pk):
    application = permissions.access_application_for_applicant(request.user, slug=slug, pk=pk)
    if application.status != Application.Status.SUBMITTED:
        return redirect("calls:apply_draft", slug, pk)
    return render(
        request,
        "calls/apply/receipt.html",
        {
            "call": application.call,
            "application": application,
            "submitted": moment(application.submitted_at),
            "attachments": application.attachments.order_by("pk"),
            "withdrawable": permissions.can_apply_for(request.user, application.pole)
            and timezone.now() < services.deadline_of(application),
        },
    )


@never_cache
@login_required
def apply_receipt_pdf(request, slug, pk):
    application = permissions.access_application_for_applicant(request.user, slug=slug, pk=pk)
    if application.status != Application.Status.SUBMITTED:
        raise Http404
    response = HttpResponse(receipt_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("receipt-%(number)s.pdf") % {"number": application.pk}
    )
    return response


@never_cache
@login_required
def apply_withdraw(request, slug, pk):
    application = permissions.access_application_for_applicant(request.user, slug=slug, pk=pk)
    if request.method == "POST":
        try:
            services.application_withdraw(application=application, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("calls:apply_withdraw", slug, pk)
        messages.success(request, _("The application is withdrawn."))
        return redirect("calls:apply_start", slug)
    return render(
        request,
        "calls/apply/withdraw.html",
        {
            "call": application.call,
            "application": application,
            "open": permissions.can_apply_for(request.user, application.pole)
            and application.status != Application.Status.WITHDRAWN
            and timezone.now() < services.deadline_of(application),
        },
    )


urlpatterns = [
    path("<slug:slug>/candidature/", apply_start, name="apply_start"),
    path("<slug:slug>/candidature/<int:pk>/", apply_draft, name="apply_draft"),
    path("<slug:slug>/candidature/<int:pk>/pieces/", apply_attach, name="apply_attach"),
    path(
        "<slug:slug>/candidature/<int:pk>/pieces/<int:attachment_pk>/",
        apply_attachment,
        name="apply_attachment",
    ),
    path(
        "<slug:slug>/candidature/<int:pk>/pieces/<int:attachment_pk>/retirer/",
        apply_detach,
        name="apply_detach",
    ),
    path("<slug:slug>/candidature/<int:pk>/depot/", apply_submit, name="apply_submit"),
    path("<slug:slug>/candidature/<int:pk>/recu/", apply_receipt, name="apply_receipt"),
    path("<slug:slug>/candidature/<int:pk>/recu.pdf", apply_receipt_pdf, name="apply_receipt_pdf"),
    path("<slug:slug>/candidature/<int:pk>/retrait/", apply_withdraw, name="apply_withdraw"),
]
