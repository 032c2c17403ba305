from django.urls import path

from registry.views import public

public_patterns = (
    [
        path("poles/", public.directory, name="directory"),
        path("poles/<slug:slug>/", public.pole, name="pole"),
        path("structures/<slug:slug>/", public.organisation, name="organisation"),
        path("reseaux/", public.networks, name="networks"),
        path("reseaux/<slug:slug>/", public.network, name="network"),
    ],
    "registry",
)
