"""The calls in the admin: read only. Every write goes through the services (the call's
set-up pages), which check it and append it to the call's log."""

from django.contrib import admin
from django.db import models

from calls.models import Call
from core.admin import ReadOnlyAdmin


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ("title", "slug", "opens_at", "closes_at", "published_at")
    search_fields = ("title", "slug")
    date_hierarchy = "opens_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
