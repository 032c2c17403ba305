"""Django admin of the registry, for the platform's staff.

Saves go through the same checks as the services (SIREN/SIRET, INSEE codes, territory),
and every change re-runs the legal check of the poles concerned.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.admin import BoundedInline, SafeRelationsForm
from core.errors import DomainError
from registry import services
from registry.models import (
    Activity,
    Laureate,
    Membership,
    Network,
    Organisation,
    Pole,
    TerritoryArea,
)

# URLs typed without a scheme are https (Django 6's default, today)
URL_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


def _check(form, field: str, clean):
    value = form.cleaned_data.get(field, "")
    try:
        return clean(value)
    except DomainError as exc:
        form.add_error(field, ValidationError(str(exc.message)))
        return value


def _check_texts(form, cleaned: dict) -> None:
    """The texts typed in the admin go through the services' clean_text (NFC, no control
    or invisible format character such as a bidi override)."""
    for field in TEXT_FIELDS:
        if field in form.fields and isinstance(cleaned.get(field), str):
            cleaned[field] = _check(
                form, field, lambda value, field=field: services.clean_text(value, field)
            )


TEXT_FIELDS = ("name", "legal_form", "address", "description", "strategy")


class OrganisationForm(SafeRelationsForm):
    """The admin's form (its Meta comes from the admin), with the services' checks."""

    def clean(self):
        cleaned = super().clean()
        _check_texts(self, cleaned)
        siret = _check(self, "siret", services.clean_siret)
        siren = _check(self, "siren", services.clean_siren) or (siret or "")[:9]
        cleaned["siret"], cleaned["siren"] = siret, siren
        self.commune = _check(self, "commune_code", services.clean_commune)
        if siret and siren and siret[:9] != siren:
            self.add_error("siret", _("The SIRET does not begin with the SIREN."))
        return cleaned


class PoleForm(SafeRelationsForm):
    """The admin's form (its Meta comes from the admin), with the services' checks."""

    def clean(self):
        cleaned = super().clean()
        _check_texts(self, cleaned)
        cleaned["siren"] = _check(self, "siren", services.clean_siren)
        self.commune = _check(self, "commune_code", services.clean_commune)
        return cleaned


class TerritoryInline(BoundedInline):
    model = TerritoryArea
    extra = 1
    fields = ["code", "kind"]
    readonly_fields = ["kind"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class CheckedForm(formset.form):
            def clean(self):
                cleaned = super().clean()
                code = cleaned.get("code")
                if code:
                    try:
                        [(kind, code)] = services.clean_territory([code])
                    except DomainError as exc:
                        raise ValidationError(str(exc.message)) from exc
                    cleaned["code"] = code
                    self.instance.kind = kind
                return cleaned

        formset.form = CheckedForm
        return formset


class MembershipInline(BoundedInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]


class LaureateInline(BoundedInline):
    formfield_overrides = URL_OVERRIDES
    model = Laureate
    extra = 0


@admin.register(Pole)
class PoleAdmin(admin.ModelAdmin):
    formfield_overrides = URL_OVERRIDES
    form = PoleForm
    list_display = ["name", "status", "commune_name", "department_code", "is_demo"]
    list_filter = ["status", "region_code", "is_demo"]
    search_fields = ["name", "search_text", "siren"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["activities", "networks", "managers"]
    readonly_fields = ["status", "checked_at"]
    inlines = [TerritoryInline, MembershipInline, LaureateInline]

    def save_model(self, request, obj, form, change):
        # the entry as it was, for its history (the admin's changes are kept too)
        form.before = services.snapshot(Pole.objects.filter(pk=obj.pk).first()) if change else {}
        services.set_place(obj, getattr(form, "commune", None))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.record_revision(
            pole=form.instance, actor=request.user, source="editor", before=form.before
        )
        services.pole_check(form.instance)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    formfield_overrides = URL_OVERRIDES
    form = OrganisationForm
    list_display = ["name", "category", "ess_status", "siren", "commune_name", "is_demo"]
    list_filter = ["category", "ess_status", "region_code", "is_demo"]
    search_fields = ["name", "search_text", "siren", "siret"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        services.set_place(obj, getattr(form, "commune", None))
        super().save_model(request, obj, form, change)
        for pole in Pole.objects.filter(memberships__organisation=obj):
            services.pole_check(pole)


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    formfield_overrides = URL_OVERRIDES
    list_display = ["name", "acronym", "is_source_partner"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "acronym"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
