from django.urls import path

from checkin.views import api, manage, public

api_patterns = (
    [
        path("v1/liste", api.door_list, name="list"),
        path("v1/sync", api.sync, name="sync"),
        path("v1/derogation", api.override, name="override"),
        path("v1/sur-place", api.walk_in, name="walk_in"),
    ],
    "checkin_api",
)

public_patterns = (
    [
        path("sw.js", public.service_worker, name="service_worker"),
        # the door's words in the page's language, named in the address: the service
        # worker keeps each language under its own key, for the page offline
        path("jsi18n/<str:lang>/", public.catalogue, name="jsi18n"),
        path("enregistrer/<str:token>/", public.enrol, name="enrol"),
        path("attestation/<str:token>/", public.certificate, name="certificate"),
        path("<slug:slug>/", public.scanner, name="scanner"),
        path("<slug:slug>/manifest.webmanifest", public.manifest, name="manifest"),
    ],
    "checkin",
)

manage_patterns = (
    [
        path("<slug:slug>/accueil/", manage.door, name="door"),
        path("<slug:slug>/accueil/appareils/", manage.device_add, name="device_add"),
        path("<slug:slug>/accueil/equipe/", manage.door_role_add, name="door_role_add"),
        path(
            "<slug:slug>/accueil/equipe/<int:pk>/retirer/",
            manage.door_role_remove,
            name="door_role_remove",
        ),
        path("<slug:slug>/accueil/projection/", manage.projection, name="projection"),
        path(
            "<slug:slug>/accueil/projection/etat.json",
            manage.projection_state,
            name="projection_state",
        ),
        path("<slug:slug>/accueil/badges.pdf", manage.badges, name="badges"),
        path("<slug:slug>/accueil/badges/<int:pk>.pdf", manage.badge, name="badge"),
        path("<slug:slug>/accueil/presence.csv", manage.attendance_csv, name="attendance_csv"),
        path(
            "<slug:slug>/accueil/appareils/<int:pk>/revoquer/",
            manage.device_revoke,
            name="device_revoke",
        ),
    ],
    "checkin_manage",
)
