"""The pages every footer links to: contact, legal notice, accessibility, privacy, site map."""

from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("mentions-legales/", views.legal_notice, name="legal"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("plan-du-site/", views.site_map, name="site_map"),
]
