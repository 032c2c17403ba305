"""Public face of the events app: event page, registration, personal link."""

import math
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core import pagecache, throttle
from core.dates import long_date, moment
from core.errors import DomainError
from core.text import json_for_script
from events import errors, hooks, ratelimit, selectors, services
from events.documents import event_ics, event_when, event_where, qr_svg, ticket_pdf
from events.forms import CorrectionForm, RegistrationForm
from events.models import Event, Registration
from events.permissions import personal_link_view
from events.tokens import ticket_token

# The "check your email" page names the address typed, carried signed in its URL
# (no server-side session for visitors).
_SENT_SALT = "ptce.events.sent-to"
_EMBED_SALT = "ptce.events.embed-form"
_EMBED_MAX_AGE = 6 * 3600


def home(request):
    events = list(selectors.event_list_public().order_by("-starts_at"))
    for event in events:
        event.day_label = long_date(timezone.localtime(event.starts_at), weekday=True)
    return render(
        request,
        "events/public/home.html",
        {
            "upcoming": [e for e in events if not e.is_past],
            "past": [e for e in events if e.is_past],
        },
    )


def took_place(event: Event) -> str:
    """« Cet événement a eu lieu le lundi 25 juin 2012. »"""
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    if start.date() == end.date():
        return _("This event took place on %(day)s.") % {"day": long_date(start, weekday=True)}
    return _("This event took place from %(start)s to %(end)s.") % {
        "start": long_date(start, weekday=True),
        "end": long_date(end, weekday=True),
    }


def _registration_state(event: Event) -> dict:
    """What the page says about registering now: open, waiting list, closed, over…"""
    if event.is_past and event.status != Event.Status.CANCELLED:
        closed = (
            _("Registration is closed.")
            if event.registration_required
            else _("This event takes no registration.")
        )
        message = f"{took_place(event)} {closed}"
        return {"open": False, "code": "past", "message": message}
    try:
        services.registration_window_check(event=event, now=timezone.now())
    except DomainError as error:
        return {"open": False, "code": error.code, "message": error.message}
    places = selectors.event_places_state(event=event)
    if places == "full":
        return {"open": False, "code": errors.EVENT_FULL.code, "message": errors.EVENT_FULL.message}
    return {"open": True, "code": places, "message": ""}


def without_empty(value):
    """The value with its empty strings, lists and objects left out, at every depth (an
    object left with nothing but its "@type" goes too)."""
    if isinstance(value, dict):
        kept = {k: v for k, v in ((k, without_empty(v)) for k, v in value.items()) if v is not None}
        return kept if set(kept) - {"@type", "@context"} else None
    if isinstance(value, list):
        kept = [v for v in (without_empty(v) for v in value) if v is not None]
        return kept or None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def og_image() -> dict:
    """The sharing image of the event pages (drawn by scripts/make_og_image.py)."""
    return {
        "url": settings.SITE_URL + static("events/og-ptce.png"),
        "width": 1200,
        "height": 630,
        "alt": _("PTCE – Territorial Economic Cooperation Hubs"),
    }


_AVAILABILITY = {
    "open": "https://schema.org/InStock",
    "waiting_list": "https://schema.org/SoldOut",
    errors.EVENT_FULL.code: "https://schema.org/SoldOut",
    errors.REGISTRATION_NOT_OPEN.code: "https://schema.org/PreOrder",
}


def _json_ld(request, event: Event, *, state: dict, speakers: list) -> str:
    url = request.build_absolute_uri(reverse("events:detail", args=[event.slug]))
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventCancelled"
        if event.status == Event.Status.CANCELLED
        else "https://schema.org/EventScheduled",
        "isAccessibleForFree": True,
        "inLanguage": "fr",
        "url": url,
        "image": [og_image()["url"]],
        "location": {
            "@type": "Place",
            "name": " – ".join(p for p in (event.venue_name, event.venue_room) if p),
            "address": {
                "@type": "PostalAddress",
                "streetAddress": event.street,
                "postalCode": event.postal_code,
                "addressLocality": event.city,
                # a country alone is not an address
                "addressCountry": "FR" if (event.street or event.city) else "",
            },
        },
        "performer": [
            {
                "@type": "Person",
                "name": speaker.name,
                "jobTitle": speaker.role,
                "affiliation": {"@type": "Organization", "name": speaker.organisation},
            }
            # people invented for the demo are no one's performers
            for speaker in speakers
            if not speaker.is_demo
        ],
    }
    if event.registration_required:
        data["maximumAttendeeCapacity"] = event.capacity
    # Only an event that takes registrations offers something (free places).
    if event.registration_required and state["code"] in _AVAILABILITY:
        data["offers"] = {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "EUR",
            "url": request.build_absolute_uri(reverse("events:register", args=[event.slug])),
            "availability": _AVAILABILITY[state["code"]],
            "validFrom": timezone.localtime(event.registration_opens_at).isoformat()
            if event.registration_opens_at
            else "",
        }
    if event.organiser_name:
        data["organizer"] = {
            "@type": "Organization",
            "name": event.organiser_name,
            "url": event.organiser_url,
        }
    return json_for_script(without_empty(data))


def where_lines(event: Event) -> list[str]:
    """The venue, one line each, the empty ones left out."""
    town = f"{event.postal_code} {event.city}".strip()
    return [line for line in (event.venue_name, event.venue_room, event.street, town) if line]


def _programme(event: Event) -> list:
    return selectors.event_programme(event=event)


def event_detail(request, slug: str):
    event = selectors.event_get_public(slug=slug)
    state = _registration_state(event)
    past = event.is_past
    now = timezone.now()

    def render_page(extra: dict) -> HttpResponse:
        when = event_when(event)
        where = event_where(event)
        speakers = selectors.event_speakers(event=event)
        return render(
            request,
            "events/public/event_detail.html",
            {
                "event": event,
                "when": when,
                "where": where,
                "where_lines": where_lines(event),
                "og_description": " – ".join(p for p in (when, where) if p),
                "og_image": og_image(),
                "past": past,
                # a cancelled event did not take place: the page says it was cancelled
                "took_place": took_place(event) if state["code"] == "past" else "",
                # the notice matters while registrations are taken and their data kept
                "show_privacy": event.registration_required
                and event.personal_data_erased_at is None
                and now < event.retention_until,
                "state": state,
                "json_ld": _json_ld(request, event, state=state, speakers=speakers),
                # read only when the cached fragment of the page has to be rendered again
                "programme": SimpleLazyObject(lambda: _programme(event)),
                "partners": SimpleLazyObject(lambda: selectors.event_partners(event=event)),
                "canonical_url": request.build_absolute_uri(),
                **extra,
            },
        )

    # Everything the page shows is in the key: the event (and its programme, through
    # updated_at), the registration state and the places left.
    return pagecache.anonymous_page(
        request,
        key=(
            "events.detail",
            event.pk,
            event.updated_at.timestamp(),
            state["code"],
            event.places_left,
        ),
        render=render_page,
    )


def event_ics_download(request, slug: str):
    event = selectors.event_get_public(slug=slug)
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def privacy_notice(request, slug: str):
    event = selectors.event_get_public(slug=slug)
    return render(request, "events/public/privacy.html", {"event": event})


def mask_email(email: str) -> str:
    """z***@example.org: enough for the person to recognise, little for anyone else."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _embed_token(event: Event) -> str:
    return signing.TimestampSigner(salt=_EMBED_SALT).sign(event.slug)


def _embed_guard(request, event: Event) -> str | None:
    """The embedded form cannot rely on the CSRF cookie (browsers do not send a SameSite
    cookie inside another site's frame). It carries instead a signed, time-limited token
    of its own, and its POST must come from this site's own page. Returns why it is refused.
    """
    origin = request.headers.get("Origin")
    own = {request.build_absolute_uri("/").rstrip("/"), settings.SITE_URL}
    if origin and origin not in own:
        return _("This form was sent from another website. Open it on the event page.")
    try:
        slug = signing.TimestampSigner(salt=_EMBED_SALT).unsign(
            request.POST.get("form_token", ""), max_age=_EMBED_MAX_AGE
        )
    except signing.BadSignature:
        return _("This form has expired or was altered. Reload the page and try again.")
    if slug != event.slug:
        return _("This form belongs to another event. Reload the page and try again.")
    return None


def _over_limit(request, form, *, email: str) -> int | None:
    """Count a registration sent from this connection and for this address; when one is
    over its limit, say so on the form and return the seconds to wait. Nothing is written
    then, and no email goes out."""
    per_ip, per_address = ratelimit.registration_limits()
    wait = throttle.attempt(per_ip, throttle.client_ip(request))
    if wait is not None:
        minutes = max(1, math.ceil(wait / 60))
        form.add_error(
            None,
            ngettext(
                "Too many registrations were sent from your connection in the last few "
                "minutes. Please try again in %(minutes)d minute.",
                "Too many registrations were sent from your connection in the last few "
                "minutes. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
        return wait
    wait = throttle.attempt(per_address, throttle.mailbox(email))
    if wait is not None:
        minutes = max(1, math.ceil(wait / 60))
        form.add_error(
            None,
            ngettext(
                "Too many registrations were sent for this email address in the last hour: "
                "if it is already registered, its personal link was sent to it. Please try "
                "again in %(minutes)d minute.",
                "Too many registrations were sent for this email address in the last hour: "
                "if it is already registered, its personal link was sent to it. Please try "
                "again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
    return wait


def _register(request, slug: str, *, template: str, embedded: bool):
    event = selectors.event_get_public(slug=slug)
    state = _registration_state(event)
    if embedded and request.method == "POST":
        refused = _embed_guard(request, event)
        if refused:
            response = render(
                request,
                "events/public/embed_refused.html",
                {"event": event, "reason": refused},
                status=403,
            )
            response.frame_ancestors = event.allowed_embed_origins
            return response
    form = RegistrationForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        retry_after = _over_limit(request, form, email=data["email"])
        if retry_after is not None:
            status = 429
        else:
            try:
                services.registration_create(
                    event=event,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    organisation=data["organisation"],
                    category=data["category"],
                    phone=data["phone"],
                    consent=data["consent"],
                    language=translation.get_language() or "fr",
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                name = "events:embed_sent" if embedded else "events:register_sent"
                sent_to = signing.dumps(mask_email(data["email"]), salt=_SENT_SALT, compress=True)
                return redirect(reverse(name, args=[event.slug]) + "?" + urlencode({"a": sent_to}))

    def render_page(extra: dict) -> HttpResponse:
        response = render(
            request,
            template,
            {
                "event": event,
                "form": form,
                "state": state,
                "when": event_when(event),
                "embedded": embedded,
                "form_token": _embed_token(event) if embedded else "",
                **extra,
            },
            status=status,
        )
        if embedded:
            response.frame_ancestors = event.allowed_embed_origins
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    if embedded or request.method == "POST":
        return render_page({})
    # The empty form is the same for every visitor: rendered once per language and state.
    return pagecache.anonymous_page(
        request,
        key=(
            "events.register",
            event.pk,
            event.updated_at.timestamp(),
            state["code"],
        ),
        render=render_page,
    )


@require_http_methods(["GET", "POST"])
def register(request, slug: str):
    return _register(request, slug, template="events/public/register.html", embedded=False)


@csrf_exempt  # protected by its own signed form token and an Origin check: _embed_guard
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def register_embed(request, slug: str):
    return _register(request, slug, template="events/public/register_embed.html", embedded=True)


def _sent(request, slug: str, *, embedded: bool):
    event = selectors.event_get_public(slug=slug)
    try:
        email = signing.loads(request.GET.get("a", ""), salt=_SENT_SALT, max_age=3600)
    except signing.BadSignature:
        email = ""
    response = render(
        request,
        "events/public/register_embed_sent.html"
        if embedded
        else "events/public/register_sent.html",
        {"event": event, "email": email, "embedded": embedded},
    )
    if embedded:
        response.frame_ancestors = event.allowed_embed_origins
    return response


def register_sent(request, slug: str):
    return _sent(request, slug, embedded=False)


@xframe_options_exempt
def register_embed_sent(request, slug: str):
    return _sent(request, slug, embedded=True)


@never_cache
@personal_link_view
def personal(request, token: str, registration: Registration):
    form = CorrectionForm(
        initial={
            "first_name": registration.first_name,
            "last_name": registration.last_name,
            "organisation": registration.organisation,
        }
    )
    return _personal_page(request, token, registration, form)


def _personal_page(request, token, registration: Registration, form, status: int = 200):
    event = registration.event
    qr = None
    if registration.status == Registration.Status.CONFIRMED:
        qr = qr_svg(ticket_token(registration), scale=6, title=_("QR code of your ticket"))
    return render(
        request,
        "events/public/personal.html",
        {
            "registration": registration,
            "event": event,
            "token": token,
            "when": event_when(event),
            "where": event_where(event),
            "qr": qr,
            "position": selectors.registration_waiting_position(registration=registration),
            "form": form,
            "editable": registration.is_editable,
            "cancelled_moment": moment(registration.cancelled_at)
            if registration.cancelled_at
            else "",
            "extra_links": [
                {"label": link.label, "url": url}
                for link in hooks.personal_links
                if (url := link.url(registration, token))
            ],
        },
        status=status,
    )


@never_cache
@require_POST
@personal_link_view
def personal_correct(request, token: str, registration: Registration):
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.registration_correct(registration=registration, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your details have been updated."))
            return redirect("events:personal", token=token)
    return _personal_page(request, token, registration, form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
@personal_link_view
def personal_cancel(request, token: str, registration: Registration):
    if request.method == "GET":
        # the address of the form, opened or reloaded: the personal page says where it stands
        if registration.status == Registration.Status.CANCELLED:
            messages.info(request, _("This registration is already cancelled."))
        return redirect("events:personal", token=token)
    if not _confirmed(request, _("Tick the box to confirm the cancellation.")):
        return redirect("events:personal", token=token)
    was_waiting = registration.status == Registration.Status.WAITING
    try:
        promoted = services.registration_cancel(registration=registration)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if was_waiting:
            messages.success(request, _("You have left the waiting list."))
        elif promoted:
            messages.success(
                request,
                _(
                    "Your registration is cancelled. Your place has been given to the next "
                    "person waiting."
                ),
            )
        else:
            messages.success(
                request, _("Your registration is cancelled. Thank you for freeing your place.")
            )
    return redirect("events:personal", token=token)


@never_cache
@personal_link_view
def personal_ticket_pdf(request, token: str, registration: Registration):
    if registration.status != Registration.Status.CONFIRMED:
        messages.error(request, _("There is no ticket for a registration that is not confirmed."))
        return redirect("events:personal", token=token)
    response = HttpResponse(ticket_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="billet-{registration.event.slug}.pdf"'
    return response


@never_cache
@personal_link_view
def personal_data(request, token: str, registration: Registration):
    """Everything stored about the person, as JSON (right of access)."""
    fields = [
        "first_name",
        "last_name",
        "email",
        "organisation",
        "category",
        "phone",
        "language",
        "status",
        "consent_at",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    ]
    data = {
        "event": registration.event.title,
        "registration": {
            f: (v.isoformat() if hasattr(v, "isoformat") else v)
            for f in fields
            for v in [getattr(registration, f)]
        },
        "kept_until": registration.event.retention_until.date().isoformat(),
        "emails_sent": list(
            selectors.registration_emails(registration=registration).values(
                "kind", "status", "created_at", "sent_at"
            )
        ),
    }
    response = JsonResponse(
        data, json_dumps_params={"ensure_ascii": False, "indent": 2, "default": str}
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
    return response


@never_cache
@require_POST
@personal_link_view
def personal_erase(request, token: str, registration: Registration):
    if not _confirmed(request, _("Tick the box to confirm that you want your data erased.")):
        return redirect("events:personal", token=token)
    event = registration.event
    try:
        services.registration_erase(registration=registration)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("events:personal", token=token)
    return render(request, "events/public/erased.html", {"event": event})


def _confirmed(request, message: str) -> bool:
    """Whether the confirmation box was ticked; if not, say so."""
    if request.POST.get("confirm") == "yes":
        return True
    messages.error(request, message)
    return False
