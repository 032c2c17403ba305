"""Public pages of the charter: its text and versions, signing, the list of signatories
and the ledger anyone can check."""

import csv
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from markdown_it import MarkdownIt

from charter import errors, selectors, services, textdiff
from charter.forms import SignForm, WithdrawForm
from charter.permissions import (
    access_signature_for_signer,
    access_signer_for_signing,
    can_sign_for,
)
from core import throttle
from core.dates import long_date, moment
from core.errors import DomainError
from core.input import clean_query
from core.text import spreadsheet_safe
from registry import geo

# CommonMark without raw HTML: the text is shown safely, whoever typed it.
MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> str:
    return mark_safe(MARKDOWN.render(text))  # noqa: S308 - html disabled: markdown-it escapes


# The image a shared link shows (Open Graph): the site's (scripts/build_og_image.py).
OG_IMAGE = "core/img/og-default.png"


def _og_image_path() -> str:
    return static(OG_IMAGE)


def _og(request, title: str, description: str, kind: str = "website") -> dict:
    """The Open Graph tags of a charter page (charter/public/_og.html)."""
    image = _og_image_path()
    return {
        "og": {
            "title": title,
            "description": " ".join(str(description).split())[:300],
            "type": kind,
            "url": settings.SITE_URL + request.path,
            "image": settings.SITE_URL + image if image and image.startswith("/") else image,
        }
    }


def charter_home(request):
    version = selectors.version_in_force()
    return render(
        request,
        "charter/public/home.html",
        {
            "version": version,
            "body": render_markdown(version.body) if version else "",
            "versions": selectors.version_list(),
            "count": selectors.signed_count(version) if version else 0,
            **_og(
                request,
                _("Charter of the PTCE collective approach"),
                _(
                    "The charter the Territorial Economic Cooperation Hubs sign: its text, "
                    "its versions, its signatories and how a pole signs it."
                ),
            ),
        },
    )


def version_detail(request, number: int):
    version = selectors.version_get(number=number)
    return render(
        request,
        "charter/public/version.html",
        {
            "version": version,
            "body": render_markdown(version.body),
            "versions": selectors.version_list(),
            **_og(
                request,
                f"{version.title} — v{version.number}",
                _("Version %(number)s of %(date)s.")
                % {
                    "number": version.number,
                    "date": long_date(version.published_on),
                }
                + (f" {version.summary}" if version.summary else ""),
                "article",
            ),
        },
    )


def version_diff(request, old: int, new: int):
    before = selectors.version_get(number=old)
    after = selectors.version_get(number=new)
    changes = textdiff.compare(before.body, after.body)
    return render(
        request,
        "charter/public/diff.html",
        {
            "before": before,
            "after": after,
            "changes": changes,
            "changed": sum(c.status != "same" for c in changes),
            **_og(
                request,
                _("Changes from version %(a)s to version %(b)s")
                % {"a": before.number, "b": after.number},
                _("What changed in the charter of the PTCE collective approach."),
            ),
        },
    )


SIGN_HOW_LIMIT = 20


@require_http_methods(["GET", "POST"])
def sign(request):
    """Signing, for the managers of a pole's or a network's entry. Anyone else is shown
    the way there: find the pole, claim its entry; the editor's approval sends a link to
    choose a password, which leads back here."""
    version = selectors.version_in_force()
    if version is None:
        raise Http404(errors.NO_VERSION.message)
    if not request.user.is_authenticated and request.method == "POST":
        return redirect_to_login(request.get_full_path())
    signers = selectors.managed_signers(request.user)
    if not signers and request.method == "GET":
        query = clean_query(request.GET.get("q", ""), max_length=100)
        return render(
            request,
            "charter/public/sign_how.html",
            {
                "version": version,
                "query": query,
                "poles": selectors.poles_to_sign(query, version, limit=SIGN_HOW_LIMIT)
                if query
                else [],
                "limit": SIGN_HOW_LIMIT,
                "here": reverse("charter:sign"),
                **_og(
                    request,
                    _("Sign the charter"),
                    _("How a pole signs the charter of the PTCE collective approach."),
                ),
            },
        )
    # the entries that signed this version already are said so, not offered
    made = selectors.managed_signatures(signers, version)
    signed = []
    for kind, signer in signers:
        signature = made.get((kind, signer.pk))
        if signature is not None:
            day = long_date(timezone.localtime(signature.signed_at))
            signed.append({"signer": signer, "signature": signature, "day": day})
    context = {
        "version": version,
        "signers": [(kind, s) for kind, s in signers if (kind, s.pk) not in made],
        "signed": signed,
        "values": {},
        "errors": {},
        **_og(request, _("Sign the charter"), _("Sign the charter for a pole or a network.")),
    }
    if request.method == "POST":
        form = SignForm(request.POST)
        form.is_valid()  # the text as typed: the service checks it
        values = form.cleaned_data
        try:
            signer = access_signer_for_signing(request.user, values["signer"])
            services.signature_request(
                version=version,
                signer=signer,
                name=values["name"],
                mandate=values["mandate"],
                email=values["email"],
                actor=request.user,
                language=translation.get_language(),
                before_email=lambda email: _check_email_rate(request, email),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            context.update(form=form, values=form.values(), errors=form.messages())
            if exc.error is errors.RATE_LIMITED:
                response = render(request, "charter/public/sign.html", context, status=429)
                response["Retry-After"] = str(EMAIL_WINDOW)  # the message says « in an hour »
                return response
        else:
            return render(request, "charter/public/sign_sent.html", {"email": values["email"]})
        return render(request, "charter/public/sign.html", context, status=400)
    return render(request, "charter/public/sign.html", context)


# Confirmation links sent: at most so many an hour to one address, and from one address.
EMAILS_PER_ADDRESS = 3
EMAILS_PER_IP = 20
EMAIL_WINDOW = 3600


def _check_email_rate(request, email: str) -> None:
    """The form makes the platform send an email to the address typed: not a way to send
    many (429 past the limits, nothing written)."""
    to_address = throttle.Limit("charter.sign.address", EMAILS_PER_ADDRESS, EMAIL_WINDOW)
    from_ip = throttle.Limit("charter.sign.ip", EMAILS_PER_IP, EMAIL_WINDOW)
    if throttle.attempt(from_ip, throttle.client_ip(request)) or throttle.attempt(
        to_address, throttle.mailbox(email)
    ):
        raise DomainError(errors.RATE_LIMITED)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET shows a button (mail scanners open links: they must not sign); POST signs."""
    if request.method == "POST":
        try:
            signature = services.signature_confirm(token=token)
        except DomainError as exc:
            return render(
                request, "charter/public/confirm.html", {"error": exc.message}, status=400
            )
        return redirect("charter:signature", pk=signature.pk)
    # the page says who signs what for whom, or why the link no longer works, before the
    # button (it was a bare button, even for a used, expired or forged link)
    try:
        signature = services.signature_link_check(token=token)
    except DomainError as exc:
        return render(request, "charter/public/confirm.html", {"error": exc.message}, status=400)
    return render(request, "charter/public/confirm.html", {"signature": signature})


def signatures(request):
    filters = selectors.SignatureFilters.from_query(request.GET)
    rows = selectors.signature_list(filters)
    ledger = selectors.ledger_summary()
    return render(
        request,
        "charter/public/signatures.html",
        {
            "filters": filters,
            "rows": rows,
            "versions": selectors.version_list(),
            "regions": selectors.regions_with_signatures(),
            "ledger": ledger,
            "ledger_moment": moment(ledger.updated_at) if ledger.updated_at else "",
            "query": request.GET.urlencode(),
            **_og(
                request,
                _("Signatories of the charter"),
                _(
                    "The poles and networks that signed the charter of the PTCE collective "
                    "approach, and its chained register anyone can check."
                ),
            ),
        },
    )


def signature_detail(request, pk: int):
    signature = selectors.signature_get_public(pk=pk)
    return render(
        request,
        "charter/public/signature.html",
        {
            "signature": signature,
            "entries": selectors.signature_entries(signature),
            "can_withdraw": signature.is_in_force and can_sign_for(request.user, signature.signer),
            **_og(
                request,
                signature.signer.name,
                _("Signed version %(number)s of the charter of the PTCE collective approach.")
                % {"number": signature.version.number},
                "article",
            ),
        },
    )


def signatures_csv(request):
    rows = selectors.export_rows(selectors.SignatureFilters.from_query(request.GET))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="signataires-charte-ptce.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(selectors.EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in selectors.export_row(row)])
    return response


def signatures_json(request):
    rows = selectors.export_rows(selectors.SignatureFilters.from_query(request.GET))
    data = [dict(zip(selectors.EXPORT_COLUMNS, selectors.export_row(r), strict=True)) for r in rows]
    response = JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def ledger_json(request):
    """The whole ledger and its digest: `manage.py verify_charter --file` checks it."""
    data = {
        "digest": selectors.ledger_digest(),
        "algorithm": _(
            "SHA-256 of the previous digest, a line break and the entry’s canonical JSON "
            "(keys sorted, no spaces, UTF-8); the first entry follows 64 zeros"
        ),
        "entries": selectors.ledger_entries(),
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def projection(request, slug: str):
    """For the room's screen: each signature appears as it is recorded (the page polls)."""
    event = selectors.projection_event(slug=slug)
    return render(request, "charter/public/projection.html", {"event": event})


def projection_state(request, slug: str):
    event = selectors.projection_event(slug=slug)
    rows = list(selectors.event_signatures(event).in_force()[:30])
    version = selectors.version_in_force()
    return JsonResponse(
        {
            "count": selectors.event_signatures(event).in_force().count(),
            "total": selectors.signed_count(version) if version else 0,
            "signatures": [
                {
                    "id": s.pk,
                    "name": s.signer.name,
                    "kind": "pole" if s.pole_id else "network",
                    "region": geo.region_name(s.pole.region_code) if s.pole_id else "",
                }
                for s in rows
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@require_http_methods(["POST"])
def withdraw(request, pk: int):
    """The managers of the signing pole or network withdraw its signature (it stays on
    the list, marked withdrawn, with the reason)."""
    signature = access_signature_for_signer(request, pk)
    form = WithdrawForm(request.POST)
    form.is_valid()  # the text as typed: the service checks it
    try:
        services.signature_withdraw(
            signature=signature, reason=form.cleaned_data["reason"], actor=request.user
        )
    except DomainError as exc:
        form.add_domain_error(exc)
        return render(
            request,
            "charter/public/signature.html",
            {
                "signature": signature,
                "entries": selectors.signature_entries(signature),
                "can_withdraw": True,
                "form": form,
                "error": exc.message,
            },
            status=400,
        )
    return redirect("charter:signature", pk=signature.pk)
