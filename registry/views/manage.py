"""The registry's pages for its editors (CSV import, moderation) and for the managers of
a pole (editing its entry, with its history)."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from registry import importing, selectors, services
from registry.models import Activity, Pole, PoleClaim, Suggestion
from registry.permissions import can_edit_pole, can_import, can_moderate

PAYLOAD_SALT = "registry.import"
PAYLOAD_MAX_AGE = 3600


@login_required
@require_http_methods(["GET", "POST"])
def import_csv(request):
    if not can_import(request.user):
        raise PermissionDenied
    context = {"kinds": importing.KINDS, "kind": request.POST.get("kind", "structures")}
    if request.method == "POST":
        try:
            if "payload" in request.POST:  # the confirmation of a checked file
                try:
                    payload = signing.loads(
                        request.POST["payload"], salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE
                    )
                except signing.BadSignature as exc:
                    raise DomainError(
                        "import_expired",
                        _("This check is too old or was altered: send the file again."),
                    ) from exc
                kind, raw = payload["kind"], base64.b64decode(payload["raw"])
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise DomainError("file_required", _("Choose a CSV file."))
                if upload.size > importing.MAX_BYTES:
                    raise DomainError("file_too_large", _("The file is too large."))
                kind, raw = request.POST.get("kind", ""), upload.read()
            plan = importing.plan(raw, kind)  # checked again: the registry may have changed
            if "payload" in request.POST and plan.ok:
                counts = importing.apply(plan, actor=request.user)
                messages.success(
                    request,
                    _("Imported: %(create)d created, %(update)d updated, %(unchanged)d unchanged.")
                    % counts,
                )
                return redirect("registry_manage:import")
            context.update(
                plan=plan,
                counts=plan.counts(),
                changed=[row for row in plan.rows if row.action != "unchanged"],
                payload=signing.dumps(
                    {"kind": kind, "raw": base64.b64encode(raw).decode()},
                    salt=PAYLOAD_SALT,
                    compress=True,
                )
                if plan.ok
                else "",
            )
        except DomainError as exc:
            context["error"] = exc.message
    return render(request, "registry/manage/import.html", context)


# --- editing a pole (its managers, the editors) ----------------------------------------------

EDIT_FIELDS = [
    "description",
    "strategy",
    "website",
    "legal_form",
    "siren",
    "year_founded",
    "jobs",
    "commune_code",
    "territory",
]


@login_required
@require_http_methods(["GET", "POST"])
def pole_edit(request, slug: str):
    pole = Pole.objects.filter(slug=slug).first()
    if pole is None:
        raise Http404(_("No pole at this address."))
    if not can_edit_pole(request.user, pole):
        raise PermissionDenied
    current = {
        name: "" if getattr(pole, name, None) is None else str(getattr(pole, name))
        for name in EDIT_FIELDS
        if name != "territory"
    }
    current["territory"] = " ".join(a.code for a in pole.territory.all())
    activities = list(Activity.objects.all())
    chosen = {a.pk for a in pole.activities.all()}
    values, error = current, None
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in EDIT_FIELDS}
        chosen = {int(v) for v in request.POST.getlist("activities") if v.isdigit()}
        data = {
            "name": pole.name,
            "department_code": pole.department_code,
            "region_code": pole.region_code,
            "source_url": pole.source_url,
            **values,
            "territory": values["territory"].replace(",", " ").split(),
            "activities": [a for a in activities if a.pk in chosen],
        }
        try:
            services.pole_save(data=data, actor=request.user, pole=pole, source="edit")
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("The entry is saved; its check ran again."))
            return redirect("registry_manage:pole_edit", slug=pole.slug)
    return render(
        request,
        "registry/manage/pole_edit.html",
        {
            "pole": pole,
            "values": values,
            "error": error,
            "errors": {error.field: error.message} if error and error.field else {},
            "activities": activities,
            "chosen": chosen,
            "revisions": pole.revisions.select_related("user")[:50],
        },
    )


# --- moderation (editors) --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def moderation(request):
    if not can_moderate(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            action = request.POST.get("action", "")
            if action in ("approve", "reject"):
                claim = PoleClaim.objects.filter(pk=request.POST.get("claim") or 0).first()
                if claim is None:
                    raise Http404
                services.claim_decide(claim=claim, approve=action == "approve", actor=request.user)
            elif action in ("accept", "dismiss"):
                suggestion = Suggestion.objects.filter(
                    pk=request.POST.get("suggestion") or 0
                ).first()
                if suggestion is None:
                    raise Http404
                services.suggestion_decide(
                    suggestion=suggestion, accept=action == "accept", actor=request.user
                )
            else:
                raise DomainError("unknown_action", _("Unknown action."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Done."))
        return redirect("registry_manage:moderation")
    return render(
        request,
        "registry/manage/moderation.html",
        {
            "claims": PoleClaim.objects.filter(status=PoleClaim.Status.PENDING).select_related(
                "pole"
            ),
            "suggestions": Suggestion.objects.filter(
                status=Suggestion.Status.PENDING
            ).select_related("pole"),
            "duplicates": selectors.likely_duplicates(),
        },
    )
