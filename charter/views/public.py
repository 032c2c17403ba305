"""Public pages of the charter: its text and versions, signing, the list of signatories
and the ledger anyone can check."""

import csv
import difflib
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from markdown_it import MarkdownIt

from charter import selectors, services
from charter.models import CharterVersion, LedgerHead, Signature
from charter.permissions import can_sign_for
from core import throttle
from core.errors import DomainError
from core.text import spreadsheet_safe
from registry import geo
from registry.models import Network, Pole

# CommonMark without raw HTML: the text is shown safely, whoever typed it.
MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> str:
    return mark_safe(MARKDOWN.render(text))  # noqa: S308 - html disabled: markdown-it escapes


def charter_home(request):
    version = services.current_version()
    return render(
        request,
        "charter/public/home.html",
        {
            "version": version,
            "body": render_markdown(version.body) if version else "",
            "versions": CharterVersion.objects.all(),
            "count": selectors.signed_count(version) if version else 0,
        },
    )


def version_detail(request, number: int):
    version = get_object_or_404(CharterVersion, number=number)
    return render(
        request,
        "charter/public/version.html",
        {
            "version": version,
            "body": render_markdown(version.body),
            "versions": CharterVersion.objects.all(),
        },
    )


def version_diff(request, old: int, new: int):
    before = get_object_or_404(CharterVersion, number=old)
    after = get_object_or_404(CharterVersion, number=new)
    lines = []
    for line in difflib.ndiff(before.body.splitlines(), after.body.splitlines()):
        tag, text = line[:1], escape(line[2:])
        if tag == "?":
            continue
        kind = {"+": "added", "-": "removed"}.get(tag, "same")
        lines.append({"kind": kind, "text": text})
    return render(
        request, "charter/public/diff.html", {"before": before, "after": after, "lines": lines}
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign(request):
    version = services.current_version()
    if version is None:
        raise Http404(_("No version of the charter is published."))
    signers = [("pole", p) for p in Pole.objects.filter(managers=request.user)] + [
        ("network", n) for n in Network.objects.filter(managers=request.user)
    ]
    context = {"version": version, "signers": signers, "values": {}, "errors": {}}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("signer", "name", "mandate", "email")}
        context["values"] = values
        signer = selectors.signer_from(values["signer"])
        try:
            if signer is None or not can_sign_for(request.user, signer):
                raise DomainError(
                    "no_mandate",
                    _("You may sign only for a pole or network whose entry you manage."),
                )
            _check_email_rate(request, values["email"])
            services.signature_request(
                version=version,
                signer=signer,
                name=values["name"],
                mandate=values["mandate"],
                email=values["email"],
                actor=request.user,
            )
        except DomainError as exc:
            context["errors"] = {exc.field or "form": exc.message}
            if exc.code == "rate_limited":
                return render(request, "charter/public/sign.html", context, status=429)
        else:
            return render(request, "charter/public/sign_sent.html", {"email": values["email"]})
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
        raise DomainError(
            "rate_limited",
            _("Too many confirmation links were sent just now: try again in an hour."),
        )


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
    return render(request, "charter/public/confirm.html", {"token": token})


def signatures(request):
    filters = selectors.SignatureFilters.from_query(request.GET)
    rows = selectors.signature_list(filters)
    return render(
        request,
        "charter/public/signatures.html",
        {
            "filters": filters,
            "rows": rows,
            "versions": CharterVersion.objects.all(),
            "regions": selectors.regions_with_signatures(),
            "head": LedgerHead.objects.filter(pk=1).first(),
            "query": request.GET.urlencode(),
        },
    )


def signature_detail(request, pk: int):
    signature = get_object_or_404(
        Signature.objects.select_related("version", "pole", "network", "event"),
        pk=pk,
        status__in=["signed", "withdrawn"],
    )
    return render(
        request,
        "charter/public/signature.html",
        {
            "signature": signature,
            "entries": signature.entries.all(),
            "can_withdraw": signature.status == "signed"
            and can_sign_for(request.user, signature.signer),
        },
    )


def signatures_csv(request):
    rows = selectors.signature_list(selectors.SignatureFilters.from_query(request.GET))
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
    rows = selectors.signature_list(selectors.SignatureFilters.from_query(request.GET))
    data = [dict(zip(selectors.EXPORT_COLUMNS, selectors.export_row(r), strict=True)) for r in rows]
    response = JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def ledger_json(request):
    """The whole ledger and its digest: `manage.py verify_charter --file` checks it."""
    head = LedgerHead.objects.filter(pk=1).first()
    data = {
        "digest": head.digest if head else "0" * 64,
        "algorithm": "sha256(previous + '\\n' + canonical JSON of the payload)",
        "entries": selectors.ledger_entries(),
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def projection(request, slug: str):
    """For the room's screen: each signature appears as it is recorded (the page polls)."""
    from events.models import Event

    event = get_object_or_404(Event, slug=slug, status=Event.Status.PUBLISHED)
    return render(request, "charter/public/projection.html", {"event": event})


def projection_state(request, slug: str):
    from events.models import Event

    event = get_object_or_404(Event, slug=slug, status=Event.Status.PUBLISHED)
    rows = list(selectors.event_signatures(event).filter(status="signed")[:30])
    version = services.current_version()
    return JsonResponse(
        {
            "count": selectors.event_signatures(event).filter(status="signed").count(),
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
    signature = get_object_or_404(
        Signature.objects.select_related("pole", "network"), pk=pk, status="signed"
    )
    if not can_sign_for(request.user, signature.signer):
        raise PermissionDenied
    try:
        services.signature_withdraw(
            signature=signature, reason=request.POST.get("reason", ""), actor=request.user
        )
    except DomainError as exc:
        return render(
            request,
            "charter/public/signature.html",
            {
                "signature": signature,
                "entries": signature.entries.all(),
                "can_withdraw": True,
                "error": exc.message,
            },
            status=400,
        )
    return redirect("charter:signature", pk=signature.pk)
