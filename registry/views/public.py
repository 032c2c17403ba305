"""Public pages of the registry: the directory, poles, organisations, networks."""

import math
from datetime import date
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import throttle
from core.dates import long_date
from core.errors import DomainError, error_response
from core.input import parse_int
from core.text import json_for_script
from registry import errors, geo, hooks, opendata, selectors, services
from registry.forms import ClaimForm, ReturnForm, SuggestionForm, attach_error, first_errors
from registry.models import Pole
from registry.permissions import can_edit_pole


def place_label(place) -> str:
    """ "Romans-sur-Isère, Drôme (26), Auvergne-Rhône-Alpes" (what is known of it)."""
    department = geo.department_name(place.department_code)
    region = geo.region_name(place.region_code)
    parts = [
        place.commune_name,
        f"{department} ({place.department_code})" if department else "",
        # an overseas department is its own region: « La Réunion (974) », once
        region if region != department else "",
    ]
    return ", ".join(p for p in parts if p)


def directory(request):
    filters = selectors.Filters.from_query(request.GET)
    data = selectors.directory(filters)
    base = reverse("registry:directory")

    def url(**change) -> str:
        params = filters.as_params(**change)
        return f"{base}?{urlencode(params)}" if params else base

    for facet in data["facets"]:
        current = getattr(filters, facet["name"])
        for value in facet["values"]:
            value["selected"] = value["value"] == current
            value["url"] = url(**{facet["name"]: "" if value["selected"] else value["value"]})
    chips = [
        {"label": value["label"], "facet": facet["label"], "url": value["url"]}
        for facet in data["facets"]
        for value in facet["values"]
        if value["selected"]
    ]
    page = data["page"]
    for item in page.object_list:
        item.place_label = place_label(item)
    return render(
        request,
        "registry/public/directory.html",
        {
            "filters": filters,
            "page": page,
            "total": data["total"],
            "facets": data["facets"],
            "chips": chips,
            "clear_url": base,
            "map_url": reverse("registry:map") + url()[len(base) :],
            "previous_url": url(page=page.previous_page_number()) if page.has_previous() else "",
            "next_url": url(page=page.next_page_number()) if page.has_next() else "",
        },
    )


def _pruned(value):
    """JSON-LD without empty values, at any depth: an address with no town has no
    ``addressLocality``, and an object left with only its ``@type`` is left out."""
    if isinstance(value, dict):
        kept = {k: v for k, v in ((k, _pruned(v)) for k, v in value.items()) if v is not None}
        return kept if set(kept) - {"@type", "@context"} else None
    if isinstance(value, list):
        kept = [v for v in (_pruned(v) for v in value) if v is not None]
        return kept or None
    return None if value in ("", None) else value


OG_IMAGE = "core/img/og-default.png"  # 1200 × 630, scripts/build_og_image.py


def open_graph(request, *, title: str, description: str = "") -> dict:
    """The Open Graph tags of a public page (link previews): absolute addresses."""
    return {
        "title": title,
        "description": Truncator(" ".join(description.split())).chars(200),
        "type": "website",
        "url": request.build_absolute_uri(request.path),
        "image": request.build_absolute_uri(static(OG_IMAGE)),
        "image_alt": _("PTCE – Territorial Economic Cooperation Hubs"),
    }


def _rules_date(version: str) -> str:
    """« 1er décembre 2026 » for the rules' version "2026-12-01" (as it is otherwise)."""
    try:
        return long_date(date.fromisoformat(version))
    except (TypeError, ValueError):
        return version


def _pole_json_ld(request, pole: Pole) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": pole.name,
        "url": request.build_absolute_uri(reverse("registry:pole", args=[pole.slug])),
        "description": pole.description,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": pole.commune_name,
            "addressRegion": geo.region_name(pole.region_code),
            "addressCountry": "FR",
        },
        "member": [
            {
                "@type": "Organization",
                "name": m.organisation.name,
                "url": request.build_absolute_uri(
                    reverse("registry:organisation", args=[m.organisation.slug])
                ),
            }
            for m in pole.memberships.all()
        ],
    }
    if pole.siren:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "SIREN", "value": pole.siren}
    if pole.year_founded:
        data["foundingDate"] = str(pole.year_founded)
    if pole.website:
        data["sameAs"] = [pole.website]
    if pole.latitude is not None:
        data["location"] = {
            "@type": "Place",
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": pole.latitude,
                "longitude": pole.longitude,
            },
        }
    return json_for_script(_pruned(data))


def pole(request, slug: str):
    found = selectors.pole_detail(slug)
    if found is None:
        raise Http404(_("No pole at this address."))
    report = selectors.pole_check_report(found)
    return render(
        request,
        "registry/public/pole.html",
        {
            "pole": found,
            "report": report,
            "groups": selectors.members_by_category(found),
            "territory": [
                {
                    # a department's name already ends with its code: « La Réunion (974) »
                    "code": "" if area.kind == "department" else area.code,
                    "kind": area.get_kind_display(),
                    "name": geo.area_name(area.code),
                }
                for area in found.territory.all()
            ],
            "place": place_label(found),
            "json_ld": _pole_json_ld(request, found),
            "og": open_graph(
                request,
                title=found.name,
                description=found.description
                or found.strategy
                or _("A territorial economic cooperation hub (PTCE) in the directory of poles."),
            ),
            "rules_date": _rules_date((found.check_report or {}).get("version", "")),
            "can_edit": can_edit_pole(request.user, found),
            "facts": hooks.facts_for(found),
        },
    )


def organisation(request, slug: str):
    found = selectors.organisation_detail(slug)
    if found is None:
        raise Http404(_("No organisation at this address."))
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": found.name,
        "url": request.build_absolute_uri(reverse("registry:organisation", args=[found.slug])),
        "address": {
            "@type": "PostalAddress",
            "addressLocality": found.commune_name,
            "addressCountry": "FR",
        },
        "memberOf": [
            {"@type": "Organization", "name": m.pole.name} for m in found.memberships.all()
        ],
    }
    if found.siren:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "SIREN", "value": found.siren}
    return render(
        request,
        "registry/public/organisation.html",
        {
            "organisation": found,
            "place": place_label(found),
            "json_ld": json_for_script(_pruned(data)),
            "og": open_graph(
                request,
                title=found.name,
                description=" — ".join(
                    part
                    for part in (
                        _("A member or partner of territorial economic cooperation hubs (PTCE)"),
                        place_label(found),
                    )
                    if part
                ),
            ),
        },
    )


def network(request, slug: str):
    found = selectors.network_detail(slug)
    if found is None:
        raise Http404(_("No network at this address."))
    return render(
        request,
        "registry/public/network.html",
        {
            "network": found,
            "og": open_graph(
                request,
                title=found.name,
                description=found.description
                or _("A network partner of the territorial economic cooperation hubs."),
            ),
        },
    )


def networks(request):
    return render(request, "registry/public/networks.html", {"networks": selectors.networks()})


def _tile_origin() -> str:
    parts = urlsplit(settings.MAP_TILES_URL.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# The views the map's buttons fly to: metropolitan France, then each overseas region
# (code of the region, south, west, north, east).
MAP_VIEWS = (
    ("", 41.2, -5.5, 51.3, 9.8),
    ("01", 15.8, -61.85, 16.55, -61.0),
    ("02", 14.38, -61.25, 14.9, -60.8),
    ("03", 2.1, -54.6, 5.8, -51.6),
    ("04", -21.4, 55.2, -20.85, 55.85),
    ("06", -13.05, 45.0, -12.6, 45.3),
)


def pole_map(request):
    """The map of poles, filtered like the directory (same URL parameters and filters)."""
    filters = selectors.Filters.from_query(request.GET)
    params = filters.as_params()
    query = urlencode(params)
    base = reverse("registry:map")
    facets = selectors.facets(filters)
    for facet in facets:
        current = getattr(filters, facet["name"])
        for value in facet["values"]:
            value["selected"] = value["value"] == current

    def without(name: str) -> str:
        params = filters.as_params(**{name: ""})
        return f"{base}?{urlencode(params)}" if params else base

    chips = [
        {"label": value["label"], "facet": facet["label"], "url": without(facet["name"])}
        for facet in facets
        for value in facet["values"]
        if value["selected"]
    ]
    views = [
        {
            "name": geo.region_name(code) if code else _("Metropolitan France"),
            "bounds": f"{south},{west},{north},{east}",
        }
        for code, south, west, north, east in MAP_VIEWS
    ]
    response = render(
        request,
        "registry/public/map.html",
        {
            "filters": filters,
            "facets": facets,
            "chips": chips,
            "clear_url": base,
            "views": views,
            "points_url": reverse("registry:map_points") + (f"?{query}" if query else ""),
            "list_url": reverse("registry:directory") + (f"?{query}" if query else ""),
            "tiles_url": settings.MAP_TILES_URL,
            "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        },
    )
    if origin := _tile_origin():
        response.image_origins = [origin]
    return response


def map_points(request):
    """The poles in view, clustered per zoom: {"clusters": [...], "poles": [...]}."""
    filters = selectors.Filters.from_query(request.GET)
    zoom = parse_int(request.GET.get("zoom", "5"), minimum=0, maximum=30)
    if zoom is None:
        return error_response(errors.INVALID_ZOOM)
    bbox = None
    if request.GET.get("bbox"):
        bbox = selectors.BBox.parse(request.GET.get("bbox"))
        if bbox is None:
            return error_response(errors.INVALID_BBOX)
    data = selectors.map_points(filters, zoom=zoom, bbox=bbox)
    for pole in data["poles"]:
        pole["url"] = reverse("registry:pole", args=[pole.pop("slug")])
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


# --- open data -------------------------------------------------------------------------------

FORMATS = {
    "csv": ("text/csv; charset=utf-8", opendata.csv_lines),
    "json": ("application/json", opendata.json_chunks),
}


def _open(response, filename: str):
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def open_data(request):
    base = request.build_absolute_uri(reverse("registry:open_data"))
    return render(
        request,
        "registry/public/open_data.html",
        {
            "resources": opendata.RESOURCES.values(),
            # the files of the apps above the registry (the calls' awards), CSV only
            "extra": [
                {"name": p.key, "title": p.descriptor().get("title", "")}
                for p in hooks.data_resources
            ],
            "base": base,
            "licence": opendata.LICENCE,
        },
    )


def open_data_file(request, name: str, fmt: str):
    extra = hooks.data_resources.get(name)
    if extra is not None and name not in opendata.RESOURCES:
        if fmt != "csv":
            raise Http404(_("No such dataset."))
        return _open(
            StreamingHttpResponse(extra.csv(), content_type=FORMATS["csv"][0]), f"{name}.csv"
        )
    resource = opendata.RESOURCES.get(name)
    if resource is None or fmt not in FORMATS:
        raise Http404(_("No such dataset."))
    content_type, chunks = FORMATS[fmt]
    return _open(
        StreamingHttpResponse(chunks(resource), content_type=content_type), f"{name}.{fmt}"
    )


def open_data_geojson(request):
    return _open(
        StreamingHttpResponse(opendata.geojson_chunks(), content_type="application/geo+json"),
        "poles.geojson",
    )


def open_data_package(request):
    base = request.build_absolute_uri(reverse("registry:open_data"))
    return _open(
        JsonResponse(opendata.datapackage(base), json_dumps_params={"ensure_ascii": False}),
        "datapackage.json",
    )


# --- claims and suggestions ----------------------------------------------------------------


# Claims and suggestions from one connection (together): each is a row an editor must
# read; without a limit a robot could fill the moderation queue (no email is sent).
PUBLIC_FORMS_PER_IP = throttle.Limit("registry.public_form.ip", 20, 3600)


def _pole_public_form(
    request, slug: str, *, form_class, submit, template: str, sent: str, extra=None
):
    """A form anyone may send about a pole (a claim, a suggestion): checked by the
    service, the same answer to robots that fill the hidden field. ``extra``: values the
    page carries along (hidden), given to the service too."""
    found = selectors.pole_by_slug(slug)
    if found is None:
        raise Http404(_("No pole at this address."))
    extra = extra or {}
    context = {"pole": found, "values": {}, "errors": {}, **extra}
    if request.method == "POST":
        form = form_class(request.POST)
        form.is_valid()  # every field is optional: the service checks what it holds
        values = dict(form.cleaned_data)
        context["values"] = values
        if values.pop("website_url"):  # a field people do not see (robots fill it)
            return render(request, sent, {"pole": found})
        wait = throttle.attempt(PUBLIC_FORMS_PER_IP, throttle.client_ip(request))
        if wait is not None:
            minutes = max(1, math.ceil(wait / 60))
            context["errors"] = {
                "form": ngettext(
                    "Too many requests were sent from your connection in the last hour. "
                    "Please try again in %(minutes)d minute.",
                    "Too many requests were sent from your connection in the last hour. "
                    "Please try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes}
            }
            response = render(request, template, context, status=429)
            response["Retry-After"] = str(wait)
            return response
        try:
            submit(pole=found, **values, **extra)
        except DomainError as exc:
            attach_error(form, exc)
            context["errors"] = first_errors(form)
        else:
            return render(request, sent, {"pole": found})
    return render(request, template, context)


def pole_claim(request, slug: str):
    """``next``: a page of this site to come back to once the claim is approved (signing
    the charter for the pole)."""
    back = ReturnForm(request.POST if request.method == "POST" else request.GET)
    back.is_valid()
    return _pole_public_form(
        request,
        slug,
        form_class=ClaimForm,
        submit=services.claim_submit,
        template="registry/public/claim.html",
        sent="registry/public/claim_sent.html",
        extra={"return_to": services.local_path(back.cleaned_data["next"])},
    )


def pole_suggest(request, slug: str):
    return _pole_public_form(
        request,
        slug,
        form_class=SuggestionForm,
        submit=services.suggestion_submit,
        template="registry/public/suggestion.html",
        sent="registry/public/suggestion_sent.html",
    )
