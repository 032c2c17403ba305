from django.urls import path

from registry.views import manage, public

public_patterns = (
    [
        path("poles/", public.directory, name="directory"),
        path("poles/carte/", public.pole_map, name="map"),
        path("poles/carte/points.json", public.map_points, name="map_points"),
        path("poles/<slug:slug>/", public.pole, name="pole"),
        path("poles/<slug:slug>/revendiquer/", public.pole_claim, name="claim"),
        path("poles/<slug:slug>/suggerer/", public.pole_suggest, name="suggest"),
        path("structures/<slug:slug>/", public.organisation, name="organisation"),
        path("donnees/", public.open_data, name="open_data"),
        path("donnees/datapackage.json", public.open_data_package, name="datapackage"),
        path("donnees/poles.geojson", public.open_data_geojson, name="geojson"),
        path("donnees/<slug:name>.<str:fmt>", public.open_data_file, name="open_data_file"),
        path("reseaux/", public.networks, name="networks"),
        path("reseaux/<slug:slug>/", public.network, name="network"),
    ],
    "registry",
)

manage_patterns = (
    [
        path("import/", manage.import_csv, name="import"),
        path("import/<int:pk>/", manage.import_status, name="import_status"),
        path("moderation/", manage.moderation, name="moderation"),
        path("poles/<slug:slug>/", manage.pole_edit, name="pole_edit"),
    ],
    "registry_manage",
)
