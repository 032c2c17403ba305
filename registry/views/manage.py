"""The registry's pages for its editors: CSV import (dry run, then confirm)."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from registry import importing
from registry.permissions import can_import

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
