"""The footer's pages: what the platform is, who runs it, how it treats personal data.

They read only the settings (``PTCE_OPERATOR_*``, ``PTCE_CONTACT_EMAIL``…), never another
app's tables.
"""

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView


def _operator() -> dict:
    return {
        "name": settings.PTCE_OPERATOR_NAME,
        "address": settings.PTCE_OPERATOR_ADDRESS,
        "email": settings.PTCE_CONTACT_EMAIL,
        "privacy_email": settings.PTCE_PRIVACY_EMAIL,
        "director": settings.PTCE_PUBLICATION_DIRECTOR,
        "host_name": settings.PTCE_HOST_NAME,
        "host_address": settings.PTCE_HOST_ADDRESS,
    }


def contact(request):
    return render(request, "core/pages/contact.html", {"operator": _operator()})


def legal_notice(request):
    return render(request, "core/pages/legal.html", {"operator": _operator()})


def accessibility(request):
    return render(request, "core/pages/accessibility.html", {"operator": _operator()})


def privacy(request):
    return render(request, "core/pages/privacy.html", {"operator": _operator()})


# The site map: (section, [(label, URL name)]). Every link is reversed from its name, so
# a renamed or removed page fails the site map's test rather than leaving a dead link.
SITE_MAP = [
    (
        _("The movement"),
        [
            (_("Home"), "portal:home"),
            (_("Events"), "events:home"),
            (_("Directory of poles"), "registry:directory"),
            (_("Map of the poles"), "registry:map"),
            (_("Networks"), "registry:networks"),
            (_("Charter"), "charter:home"),
            (_("Signatories of the charter"), "charter:signatures"),
            (_("Sign the charter"), "charter:sign"),
            (_("Calls for projects"), "calls:list"),
            (_("Open data"), "registry:open_data"),
        ],
    ),
    (
        _("Spaces"),
        [
            (_("Sign in"), "accounts:login"),
            (_("My space"), "portal:account"),
            (_("Forgotten password"), "accounts:password_reset"),
            (_("Organiser area"), "events_manage:dashboard"),
            (_("Moderation of the directory"), "registry_manage:moderation"),
            (_("Import into the directory"), "registry_manage:import"),
            (_("Calls for projects you manage"), "calls_manage:list"),
        ],
    ),
    (
        _("About this site"),
        [
            (_("Contact"), "core:contact"),
            (_("Legal notice"), "core:legal"),
            (_("Accessibility statement"), "core:accessibility"),
            (_("Personal data"), "core:privacy"),
            (_("Site map"), "core:site_map"),
        ],
    ),
]


# Pages shown in the site map only to the people they are open to.
# (The apps' own predicates, named so that core imports no app.)
RESTRICTED = {
    "events_manage:dashboard": "core.views.is_staff",
    "registry_manage:moderation": "registry.permissions.can_moderate",
    "registry_manage:import": "registry.permissions.can_import",
    "calls_manage:list": "calls.permissions.can_manage_calls",
}


def is_staff(user) -> bool:
    return user.is_active and user.is_staff


def site_map_sections(user=None) -> list[dict]:
    sections = []
    for title, links in SITE_MAP:
        items = []
        for label, name in links:
            predicate = RESTRICTED.get(name)
            if predicate and not (
                user is not None and user.is_authenticated and import_string(predicate)(user)
            ):
                continue
            try:
                items.append({"label": label, "url": reverse(name)})
            except NoReverseMatch:  # an app not installed in this deployment
                continue
        sections.append({"title": title, "links": items})
    return sections


def site_map(request):
    return render(
        request, "core/pages/site_map.html", {"sections": site_map_sections(request.user)}
    )


class FaviconView(RedirectView):
    """/favicon.ico for the browsers that ask for it: the site's icon, looked up when asked
    (at import, the manifest of the static files may not be built yet: a command run
    before collectstatic would fail)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("core/img/favicon.svg")
