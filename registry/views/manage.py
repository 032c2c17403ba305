"""The registry's pages for its editors (CSV import, moderation) and for the managers of
a pole (editing its entry, with its history)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from registry import errors, importing, selectors, services
from registry.forms import ImportForm, ModerationForm, PoleEditForm, attach_error, first_errors
from registry.permissions import (
    access_claim_for_moderator,
    access_import_for_importer,
    access_pole_for_editor,
    access_suggestion_for_moderator,
    require_importer,
    require_moderator,
)

CHANGES_SHOWN = 500  # rows of the dry run listed on the page (all are counted)


@login_required
@require_http_methods(["GET", "POST"])
def import_csv(request):
    """Check a file (nothing is written; a file without errors is kept on the server),
    then confirm it: the import runs in the background, its page shows the progress."""
    require_importer(request)
    form = ImportForm(request.POST, request.FILES)
    form.is_valid()  # every field is optional: the services check what it holds
    data = form.cleaned_data
    context = {"kinds": importing.KINDS, "kind": data.get("kind") or "structures"}
    if request.method == "POST":
        try:
            if "batch" in form.data:  # the confirmation of a checked file
                batch_id = data.get("batch")
                batch = importing.batch_confirm(batch_id=batch_id or 0, actor=request.user)
                return redirect("registry_manage:import_status", pk=batch.pk)
            upload = data.get("file")
            if upload is None:
                raise DomainError(errors.FILE_REQUIRED)
            if upload.size > importing.MAX_BYTES:
                raise DomainError(errors.FILE_TOO_LARGE, max=importing.MAX_BYTES // 2**20)
            kind = data.get("kind", "")
            plan, batch = importing.batch_check(raw=upload.read(), kind=kind, actor=request.user)
            changed = [row for row in plan.rows if row.action != "unchanged"]
            context.update(
                plan=plan,
                counts=plan.counts(),
                changed=changed[:CHANGES_SHOWN],
                changed_total=len(changed),
                errors=plan.errors[:CHANGES_SHOWN],
                batch=batch,
            )
        except DomainError as exc:
            context["error"] = exc.message
    return render(request, "registry/manage/import.html", context)


@login_required
@require_http_methods(["GET"])
def import_status(request, pk: int):
    """Where a confirmed import is: waiting, checking (rows checked so far), writing,
    done (its counts) or not imported (why). Refreshed by the person, no polling."""
    batch = access_import_for_importer(request, pk)
    percent = round(100 * batch.rows_done / batch.rows_total) if batch.rows_total else 0
    return render(
        request, "registry/manage/import_status.html", {"batch": batch, "percent": percent}
    )


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
    pole = access_pole_for_editor(request, slug)
    current = {
        name: "" if getattr(pole, name, None) is None else str(getattr(pole, name))
        for name in EDIT_FIELDS
        if name != "territory"
    }
    current["territory"] = " ".join(a.code for a in pole.territory.all())
    activities = selectors.activities()
    chosen = {a.pk for a in pole.activities.all()}
    values, error, errors_shown = current, None, {}
    if request.method == "POST":
        form = PoleEditForm(request.POST)
        form.is_valid()  # every field is optional: pole_save checks what it holds
        values = {name: form.cleaned_data[name] for name in EDIT_FIELDS}
        chosen = form.cleaned_data["activities"]
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
            attach_error(form, exc)
            errors_shown = {
                name: message for name, message in first_errors(form).items() if name != "form"
            }
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
            "errors": errors_shown,
            "activities": activities,
            "chosen": chosen,
            "revisions": selectors.pole_revisions(pole),
        },
    )


# --- moderation (editors) --------------------------------------------------------------------


def _claim_decided(claim) -> str:
    """What the decision did, for the editor: who manages the entry now and what they
    were sent (a new account gets the link to choose its password)."""
    values = {"name": claim.name, "pole": claim.pole.name, "email": claim.email}
    if claim.status != claim.Status.APPROVED:
        return _("Request declined: an email tells %(name)s.") % values
    if claim.new_account:
        return (
            _(
                "%(name)s now manages the entry « %(pole)s »: an email goes to %(email)s "
                "with a link to choose a password."
            )
            % values
        )
    return _("%(name)s now manages the entry « %(pole)s »: an email tells them.") % values


@login_required
@require_http_methods(["GET", "POST"])
def moderation(request):
    require_moderator(request)
    if request.method == "POST":
        form = ModerationForm(request.POST)
        form.is_valid()  # every field is optional: the services check what it holds
        try:
            action = form.cleaned_data["action"]
            if action in ("approve", "reject"):
                claim = access_claim_for_moderator(request, form.cleaned_data["claim"])
                claim = services.claim_decide(
                    claim=claim, approve=action == "approve", actor=request.user
                )
                done = _claim_decided(claim)
            elif action in ("accept", "dismiss"):
                suggestion = access_suggestion_for_moderator(
                    request, form.cleaned_data["suggestion"]
                )
                services.suggestion_decide(
                    suggestion=suggestion, accept=action == "accept", actor=request.user
                )
                done = _("Done.")
            else:
                raise DomainError(errors.UNKNOWN_ACTION)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return redirect("registry_manage:moderation")
    return render(
        request,
        "registry/manage/moderation.html",
        {
            "claims": selectors.pending_claims(),
            "suggestions": selectors.pending_suggestions(),
            "duplicates": selectors.likely_duplicates(),
        },
    )
