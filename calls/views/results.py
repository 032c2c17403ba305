"""Public results: a call's laureates, once published (the awards as open data are served
by the registry's open data, through its ``data_resources`` slot)."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from calls.selectors_decide import budget_for, published_laureates
from calls.selectors_setup import call_with_public_results
from registry import geo


@require_GET
def laureates(request, slug):
    call = call_with_public_results(slug=slug)
    rows = [
        {
            "decision": d,
            "pole": d.application.pole,
            "region": geo.region_name(d.application.pole.region_code),
        }
        for d in published_laureates(call)
    ]
    return render(
        request,
        "calls/results/laureates.html",
        {
            "call": call,
            "rows": rows,
            "budget": budget_for(call),
            # a historical call's sources may give neither the amounts nor the projects
            "amounts_known": any(r["decision"].amount is not None for r in rows),
            "with_projects": any(r["decision"].application.project_title for r in rows),
        },
    )


urlpatterns = [
    path("<slug:slug>/laureats/", laureates, name="laureates"),
]
