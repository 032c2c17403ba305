from django.urls import path

from registry.views import public

public_patterns = (
    [
        path("poles/", public.directory, name="directory"),
        path("poles/carte/", public.pole_map, name="map"),
        path("poles/carte/points.json", public.map_points, name="map_points"),
        path("poles/<slug:slug>/", public.pole, name="pole"),
        path("structures/<slug:slug>/", public.organisation, name="organisation"),
        path("reseaux/", public.networks, name="networks"),
        path("reseaux/<slug:slug>/", public.network, name="network"),
    ],
    "registry",
)
