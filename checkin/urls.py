from django.urls import path

from checkin.views import api

api_patterns = (
    [
        path("v1/liste", api.door_list, name="list"),
        path("v1/sync", api.sync, name="sync"),
    ],
    "checkin_api",
)
