"""Ceremony mode: an organiser records, on a phone or tablet, the signatures made in the
room during the event's signing session."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from charter import errors, selectors, services
from charter.forms import CeremonyForm
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
    form = CeremonyForm(request.POST if request.method == "POST" else None)
    typed = form.cleaned_data if form.is_valid() else {}  # as typed: the service checks it
    # the pole or network chosen: the form's hidden field, else the link that chose it
    signer = selectors.signer_from(typed.get("signer") or request.GET.get("signer", ""))
    if request.method == "POST":
        try:
            if version is None:
                raise DomainError(errors.NO_VERSION)
            if signer is None:
                raise DomainError(errors.SIGNER_MISSING)
            services.ceremony_record(
                version=version,
                event=event,
                signer=signer,
                name=typed["name"],
                mandate=typed["mandate"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
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
            "results": (
                selectors.search_signers(query, version=version) if query and signer is None else []
            ),
            "signer": signer,
            "signer_value": (
                f"{'pole' if isinstance(signer, Pole) else 'network'}:{signer.pk}" if signer else ""
            ),
            "form": form,
            "values": form.values() if form.is_bound else {},
            "errors": form.messages() if form.is_bound else {},
            "recent": selectors.event_signatures(event)[:10],
        },
    )
