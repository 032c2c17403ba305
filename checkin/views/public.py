"""The phone's pages: enrolment of a device, the scanning page and its service worker."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.i18n import JavaScriptCatalog

from checkin import errors, selectors, services
from checkin.categories import door_categories
from checkin.documents import attendance_certificate_pdf
from checkin.permissions import (
    access_device_for_enrolment,
    access_event_for_door,
    can_scan,
    can_supervise,
)
from checkin.tokens import enrolment_from_token
from core.dates import moment
from core.errors import DomainError
from events.models import Event, Registration
from events.permissions import personal_link_view

STATIC = Path(__file__).resolve().parent.parent / "static"
SERVICE_WORKER = STATIC / "checkin" / "sw.js"
# The door's ES modules (checkin/static/checkin/door/, main.js the entry): each one named
# in the page (<link rel="modulepreload">), loaded at once and handed to the service
# worker to keep offline.
DOOR_MODULES = sorted(
    f"checkin/door/{path.name}" for path in (STATIC / "checkin" / "door").glob("*.js")
)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request, token: str):
    """One-time link, opened on the phone: GET asks, POST enrols and hands the secret to
    the page's script, which keeps it on the phone."""
    try:
        device_id, nonce = enrolment_from_token(token)
    except DomainError as error:
        return render(request, "checkin/enrol.html", {"error": error}, status=error.status)
    device = access_device_for_enrolment(request, device_id)
    if request.method == "GET":
        return render(request, "checkin/enrol.html", {"device": device})
    try:
        device, secret = services.device_enrol(device_id=device.pk, enrolment_nonce=nonce)
    except DomainError as error:
        return render(request, "checkin/enrol.html", {"device": device, "error": error}, status=400)
    return render(request, "checkin/enrol.html", {"device": device, "secret": secret})


@login_required
def scanner(request, slug: str):
    event = access_event_for_door(request, slug)
    supervisor = can_supervise(request.user, event)
    # the door's hours and what to say outside them: the page refuses on its own, offline
    opens_at, closes_at = services.door_window(starts_at=event.starts_at, ends_at=event.ends_at)
    second = timedelta(seconds=1)
    closed_before, closed_after = selectors.door_closed_notices(event=event)
    response = render(
        request,
        "checkin/scanner.html",
        {
            "event": event,
            "door_opens_at": opens_at.isoformat(),
            "door_closes_at": closes_at.isoformat(),
            "not_today_before": services.not_today(
                window=(opens_at, closes_at), now=opens_at - second
            ).message,
            "not_today_after": services.not_today(
                window=(opens_at, closes_at), now=closes_at + second
            ).message,
            "closed_before": closed_before,
            "closed_after": closed_after,
            "csrf": get_token(request),
            "supervisor": supervisor,
            "walk_ins": supervisor and event.walk_ins_allowed,
            "categories": Registration.Category.choices,
            "door_categories": door_categories(),
            "door_modules": DOOR_MODULES,
            "time_zone": settings.TIME_ZONE,
        },
    )
    # the only page of the site that may use the camera (core.middleware: Permissions-Policy)
    response.camera_allowed = True
    return response


def manifest(request, slug: str):
    """The web app manifest of an event's scanning page (installable on the phone).

    Served without signing in: browsers fetch a manifest without cookies (behind the login
    it answered the sign-in page, and Chromium found it unreadable, so the app could not be
    installed). ``crossorigin="use-credentials"`` on the link would have sent the cookies,
    but not every browser honours it, and the manifest holds nothing that needs them: the
    published event's title only, no person, no device. An event not published keeps its
    title to itself; an unknown address is a 404. The scanning page itself stays for the
    door staff."""
    event = selectors.manifest_event(slug=slug)
    if event is None:
        raise Http404
    start = reverse("checkin:scanner", args=[event.slug])
    if event.status == Event.Status.PUBLISHED:
        name = _("Entry check – %(event)s") % {"event": event.title}
    elif can_scan(request.user, event):
        name = _("Entry check")
    else:
        # to others, an event not published does not exist (as on every public page)
        raise Http404

    return JsonResponse(
        {
            "name": name,
            "short_name": _("PTCE entry"),
            "lang": translation.get_language(),
            "start_url": start,
            "scope": "/accueil/",
            "display": "standalone",
            "background_color": "#fbfaf7",
            "theme_color": "#1b2a41",
            "icons": [
                {
                    "src": static("checkin/icons/door-192.png"),
                    "sizes": "192x192",
                    "type": "image/png",
                    "purpose": "any",
                },
                {
                    "src": static("checkin/icons/door-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "any",
                },
                {
                    "src": static("checkin/icons/door-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


_CATALOGUE = JavaScriptCatalog.as_view(packages=["checkin"])


def catalogue(request, lang: str):
    """The door's JavaScript catalogue in ``lang`` (the page's language), whatever the
    request's cookie or headers: the same address always holds the same words, so the
    service worker's copy of it is the right one offline."""
    if lang not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(lang):
        response = _CATALOGUE(request)
    response["Content-Language"] = lang
    return response


def service_worker(request):
    response = HttpResponse(
        SERVICE_WORKER.read_text(encoding="utf-8"), content_type="text/javascript"
    )
    response["Service-Worker-Allowed"] = "/accueil/"
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
@personal_link_view
def certificate(request, token: str, registration):
    """The attendance certificate, from the person's personal link, once they came in."""
    event = registration.event
    if timezone.now() < event.starts_at:
        # an admission may exist before (an override, the door open early): the
        # certificate waits for the event itself
        return render(
            request,
            "checkin/certificate_not_yet.html",
            {"event": event, "available_from": moment(event.starts_at)},
            status=403,
        )
    admission = selectors.admission_of(registration=registration)
    if admission is None:
        error = DomainError(errors.NOT_ADMITTED)
        return render(
            request, "events/public/link_error.html", {"error": error}, status=error.status
        )
    response = HttpResponse(attendance_certificate_pdf(admission), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-{registration.event.slug}.pdf"'
    )
    return response


def certificate_url(registration, token: str) -> str | None:
    """Offered on the personal page to people who were admitted, once the event started."""
    if timezone.now() < registration.event.starts_at:
        return None
    if not selectors.was_admitted(registration=registration):
        return None
    return reverse("checkin:certificate", args=[token])
