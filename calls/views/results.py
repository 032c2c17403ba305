"""Public results: a call's laureates (once published) and the awards as open data (SCDL
« Subventions »)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from calls import opendata
from calls.models import Call
from calls.selectors_decide import budget_for, published_laureates
from registry import geo


@require_GET
def laureates(request, slug):
    call = get_object_or_404(Call, slug=slug)
    if call.results_published_at is None:
        raise Http404
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
        {"call": call, "rows": rows, "budget": budget_for(call)},
    )


@require_GET
def awards_csv(request):
    response = HttpResponse(opendata.awards_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{opendata.FILE_NAME}"'
    return response


urlpatterns = [
    path("donnees/subventions.csv", awards_csv, name="awards_csv"),
    path("<slug:slug>/laureats/", laureates, name="laureates"),
]
