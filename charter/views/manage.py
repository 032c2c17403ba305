"""Ceremony mode: an organiser records, on a phone or tablet, the signatures made in the
room during the event's signing session."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from charter import errors, selectors, services
from charter.permissions import access_event_for_ceremony
from core.errors import DomainError
from core.input import clean_query
from registry.models import Pole


@login_required
@require_http_methods(["GET", "POST"])
def ceremony(request, slug: str):
    event = access_event_for_ceremony(request, slug)
    version = selectors.version_in_force()
    query = clean_query(request.GET.get("q"), max_length=100)
    signer = selectors.signer_from(request.POST.get("signer") or request.GET.get("signer", ""))
    values, form_errors = {}, {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("name", "mandate")}
        try:
            if version is None:
                raise DomainError(errors.NO_VERSION)
            if signer is None:
                raise DomainError(errors.SIGNER_MISSING)
            services.ceremony_record(
                version=version,
                event=event,
                signer=signer,
                name=values["name"],
                mandate=values["mandate"],
                actor=request.user,
            )
        except DomainError as exc:
            form_errors = {exc.field or "form": exc.message}
        else:
            messages.success(
                request, _("Signature recorded: %(signer)s.") % {"signer": signer.name}
            )
            return redirect(reverse("charter_manage:ceremony", args=[event.slug]))
    return render(
        request,
        "charter/manage/ceremony.html",
        {
            "event": event,
            "version": version,
            "query": query,
            "results": selectors.search_signers(query) if query and signer is None else [],
            "signer": signer,
            "signer_value": (
                f"{'pole' if isinstance(signer, Pole) else 'network'}:{signer.pk}" if signer else ""
            ),
            "values": values,
            "errors": form_errors,
            "recent": selectors.event_signatures(event)[:10],
        },
    )
