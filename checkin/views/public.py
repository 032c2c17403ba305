"""The phone's pages: enrolment of a device, the scanning page and its service worker."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from checkin import services
from checkin.documents import attendance_certificate_pdf
from checkin.models import Admission, Device
from checkin.permissions import can_scan, can_supervise
from checkin.views.manage import ENROL_SALT
from core.errors import DomainError
from events.models import Event, Registration
from events.tokens import registration_from_link_token

SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "checkin" / "sw.js"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request, token: str):
    """One-time link, opened on the phone: GET asks, POST enrols and hands the secret to
    the page's script, which keeps it on the phone."""
    try:
        data = signing.loads(token, salt=ENROL_SALT, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        error = DomainError("enrolment_invalid", _("This enrolment link is not valid."))
        return render(request, "checkin/enrol.html", {"error": error}, status=404)
    device = get_object_or_404(Device.objects.select_related("event"), pk=data.get("d"))
    if not can_scan(request.user, device.event):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "checkin/enrol.html", {"device": device})
    try:
        device, secret = services.device_enrol(
            device_id=device.pk, enrolment_nonce=data.get("n", "")
        )
    except DomainError as error:
        return render(request, "checkin/enrol.html", {"device": device, "error": error}, status=400)
    return render(request, "checkin/enrol.html", {"device": device, "secret": secret})


@login_required
def scanner(request, slug: str):
    event = get_object_or_404(Event, slug=slug)
    if not can_scan(request.user, event):
        raise PermissionDenied
    supervisor = can_supervise(request.user, event)
    response = render(
        request,
        "checkin/scanner.html",
        {
            "event": event,
            "csrf": get_token(request),
            "supervisor": supervisor,
            "walk_ins": supervisor and event.walk_ins_allowed,
            "categories": Registration.Category.choices,
        },
    )
    # the only page of the site that may use the camera (core.middleware: Permissions-Policy)
    response.camera_allowed = True
    return response


@login_required
def manifest(request, slug: str):
    """The web app manifest of an event's scanning page (installable on the phone): for
    the people who may open that page (door staff and organisers), like the page itself."""
    event = get_object_or_404(Event, slug=slug)
    if not can_scan(request.user, event):
        raise PermissionDenied
    start = reverse("checkin:scanner", args=[event.slug])
    return JsonResponse(
        {
            "name": f"Accueil – {event.title}",
            "short_name": "Accueil PTCE",
            "lang": "fr",
            "start_url": start,
            "scope": "/accueil/",
            "display": "standalone",
            "background_color": "#fbfaf7",
            "theme_color": "#1b2a41",
            "icons": [
                {"src": static("core/img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


def service_worker(request):
    response = HttpResponse(
        SERVICE_WORKER.read_text(encoding="utf-8"), content_type="text/javascript"
    )
    response["Service-Worker-Allowed"] = "/accueil/"
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
def certificate(request, token: str):
    """The attendance certificate, from the person's personal link, once they came in."""
    try:
        registration = registration_from_link_token(token)
    except DomainError as error:
        return render(request, "events/public/link_error.html", {"error": error}, status=404)
    admission = Admission.objects.filter(registration=registration).first()
    if admission is None:
        error = DomainError(
            "not_admitted", _("There is no attendance to certify: no entry was recorded.")
        )
        return render(request, "events/public/link_error.html", {"error": error}, status=404)
    response = HttpResponse(attendance_certificate_pdf(admission), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-{registration.event.slug}.pdf"'
    )
    return response


def certificate_url(registration, token: str) -> str | None:
    """Offered on the personal page to people who were admitted."""
    if not Admission.objects.filter(registration=registration).exists():
        return None
    return reverse("checkin:certificate", args=[token])
