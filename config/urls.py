from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language
from calls.urls import jury_patterns as calls_jury_patterns
from calls.urls import manage_patterns as calls_manage_patterns
from calls.urls import public_patterns as calls_public_patterns
from charter.urls import manage_patterns as charter_manage_patterns
from charter.urls import public_patterns as charter_public_patterns
from checkin.urls import api_patterns as checkin_api_patterns
from checkin.urls import manage_patterns as checkin_manage_patterns
from checkin.urls import public_patterns as checkin_public_patterns
from core.views import FaviconView
from events.urls import manage_patterns, public_patterns
from registry.urls import manage_patterns as registry_manage_patterns
from registry.urls import public_patterns as registry_public_patterns

urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    path("admin/", admin.site.urls),
    # Django's view, which also keeps a signed-in account's choice (accounts.views)
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("portal.urls")),
    path("", include("core.urls")),
    path("compte/", include("accounts.urls")),
    path("gestion/annuaire/", include(registry_manage_patterns)),
    path("gestion/charte/", include(charter_manage_patterns)),
    path("gestion/appels/", include(calls_manage_patterns)),
    path("appels/", include(calls_public_patterns)),
    path("jury/", include(calls_jury_patterns)),
    path("gestion/", include(manage_patterns)),
    path("gestion/evenements/", include(checkin_manage_patterns)),
    path("api/accueil/", include(checkin_api_patterns)),
    path("accueil/", include(checkin_public_patterns)),
    path("charte/", include(charter_public_patterns)),
    path("", include(registry_public_patterns)),
    path("", include(public_patterns)),
]

# Error pages that never read the request's body (core/handlers.py).
handler400 = "core.handlers.bad_request"
handler403 = "core.handlers.permission_denied"
handler404 = "core.handlers.page_not_found"
handler500 = "core.handlers.server_error"
