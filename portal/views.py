"""The home page of the movement and the account space: each panel comes from the
selectors of the app it belongs to; these views only put them side by side."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from calls import selectors_apply as calls_apply_selectors
from calls import selectors_jury as calls_jury_selectors
from calls import selectors_setup as calls_setup_selectors
from charter import selectors as charter_selectors
from checkin import selectors as checkin_selectors
from core.dates import long_date
from events import selectors as event_selectors
from events.documents import event_when
from events.permissions import can_see_manage_area
from registry import permissions as registry_permissions
from registry import selectors as registry_selectors


def _calls_panel() -> dict:
    """The calls open to applications (the first to close named, with its countdown), or
    else the next one to open."""
    groups = calls_setup_selectors.call_list_public()
    open_calls, upcoming = (
        groups[calls_setup_selectors.OPEN],
        groups[calls_setup_selectors.UPCOMING],
    )
    shown = open_calls[0] if open_calls else (upcoming[0] if upcoming else None)
    return {
        "open": len(open_calls),
        "call": shown,
        "countdown": calls_setup_selectors.countdown(shown) if shown else "",
    }


def home(request):
    event = event_selectors.event_next_public()
    return render(
        request,
        "portal/home.html",
        {
            "event": event,
            "when": event_when(event) if event else "",
            "registration": event_selectors.event_registration_state(event=event) if event else "",
            "directory": registry_selectors.directory_summary(),
            "charter": charter_selectors.charter_summary(),
            "calls": _calls_panel(),
        },
    )


@never_cache
@login_required
def account(request):
    user = request.user
    organised = event_selectors.events_managed_by(user=user)
    door_roles = checkin_selectors.door_roles_of(user=user)
    signatures = charter_selectors.signatures_requested_by(user=user)
    claims = registry_selectors.claims_pending_for(user=user)
    for event in organised + [role.event for role in door_roles]:
        event.when = event_when(event)
    for signature in signatures:
        day = signature.signed_at or signature.created_at
        signature.day = long_date(timezone.localtime(day))
    for claim in claims:
        claim.day = long_date(timezone.localtime(claim.created_at))
    poles = registry_selectors.poles_managed_by(user=user)
    networks = registry_selectors.networks_managed_by(user=user)
    # whether each entry signed the charter in force, whoever signed for it
    version = charter_selectors.version_in_force()
    signers = [("pole", p) for p in poles] + [("network", n) for n in networks]
    made = charter_selectors.managed_signatures(signers, version) if version else {}
    for kind, signer in signers:
        signer.charter_signature = made.get((kind, signer.pk))
    applications = calls_apply_selectors.applications_of_user(user=user)
    open_calls = calls_apply_selectors.open_calls_for_user(user=user)
    return render(
        request,
        "portal/account.html",
        {
            "poles": poles,
            "networks": networks,
            "charter_version": version,
            "charter_to_sign": bool(version) and len(made) < len(signers),
            "claims": claims,
            "applications": applications,
            "open_calls": open_calls,
            "organised": organised,
            "door_roles": door_roles,
            "signatures": signatures,
            "can_moderate": registry_permissions.can_moderate(user),
            "can_import": registry_permissions.can_import(user),
            "manage_area": can_see_manage_area(user),
            "manages_calls": calls_setup_selectors.manages_calls(user=user),
            "jury": calls_jury_selectors.jury_summary(user=user),
        },
    )
