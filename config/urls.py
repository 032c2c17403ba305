from django.contrib import admin
from django.urls import include, path

from events.urls import manage_patterns, public_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("compte/", include("accounts.urls")),
    path("gestion/", include(manage_patterns)),
    path("", include(public_patterns)),
]
