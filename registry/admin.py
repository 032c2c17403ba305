"""Django admin of the registry, for the platform's staff.

Saves go through the same checks as the services (SIREN/SIRET, INSEE codes, territory),
and every change re-runs the legal check of the poles concerned.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.admin import BoundedInline, SafeRelationsForm, ServiceWriteAdmin
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
        _check(self, "commune_code", services.clean_commune)
        if siret and siren and siret[:9] != siren:
            self.add_error("siret", _("The SIRET does not begin with the SIREN."))
        return cleaned


class PoleForm(SafeRelationsForm):
    """The admin's form (its Meta comes from the admin), with the services' checks."""

    def clean(self):
        cleaned = super().clean()
        _check_texts(self, cleaned)
        cleaned["siren"] = _check(self, "siren", services.clean_siren)
        _check(self, "commune_code", services.clean_commune)
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


# what the admin's pole form gives to services.pole_save (the rest follows from it)
POLE_DATA = (
    *services.POLE_OWN,
    "slug",
    "commune_code",
    "address",
    "postal_code",
    "is_demo",
    "source_url",
    "activities",
    "networks",
    "managers",
)

# what the admin's organisation form gives to services.organisation_save
ORGANISATION_DATA = (*services.ORGANISATION_TYPED, "is_demo")


def _kept_forms(formset):
    """The forms of an inline formset that hold a row to keep (filled, not deleted)."""
    deleted = formset.deleted_forms if formset.can_delete else []
    return [
        form
        for form in formset.forms
        if form not in deleted and (form.instance.pk is not None or form.has_changed())
    ]


def _log_nothing(formset) -> None:
    """What ``construct_change_message`` reads of a formset saved by the services."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


def _save_memberships(formset, pole, actor) -> None:
    _log_nothing(formset)
    kept = _kept_forms(formset)
    for form in formset.initial_forms:
        if form not in kept:  # deleted
            services.membership_remove(membership=form.instance, actor=actor)
            formset.deleted_objects.append(form.instance)
    for form in kept:
        if form.instance.pk is not None and not form.has_changed():
            continue
        if form.instance.pk is not None and "organisation" in form.changed_data:
            services.membership_remove(membership=form.instance, actor=actor)
        membership = services.membership_set(
            pole=pole,
            organisation=form.cleaned_data["organisation"],
            role=form.cleaned_data["role"],
            since=form.cleaned_data.get("since"),
            actor=actor,
        )
        if form.instance.pk is None:
            formset.new_objects.append(membership)
        else:
            formset.changed_objects.append((membership, form.changed_data))


def _save_laureates(formset, pole, actor) -> None:
    _log_nothing(formset)
    kept = _kept_forms(formset)
    for form in formset.initial_forms:
        if form not in kept:  # deleted
            laureate = Laureate.objects.get(pk=form.instance.pk)
            services.laureate_remove(laureate=laureate, actor=actor)
            formset.deleted_objects.append(laureate)
    for form in kept:
        if form.instance.pk is not None and not form.has_changed():
            continue
        if form.instance.pk is not None and "year" in form.changed_data:
            previous = Laureate.objects.get(pk=form.instance.pk)
            services.laureate_remove(laureate=previous, actor=actor)
        laureate = services.laureate_add(
            pole=pole,
            year=form.cleaned_data["year"],
            source_url=form.cleaned_data["source_url"],
            call=form.cleaned_data.get("call", ""),
            actor=actor,
        )
        if form.instance.pk is None:
            formset.new_objects.append(laureate)
        else:
            formset.changed_objects.append((laureate, form.changed_data))


@admin.register(Pole)
class PoleAdmin(ServiceWriteAdmin):
    """A pole is written by the services, as on the site's pages (its search text, its
    history, the audit log and the legal check follow), with its inlines: the territory
    through ``pole_save``, members and laureates through their own services."""

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
        """Nothing yet: save_related writes the pole with its territory (an inline)."""

    def save_related(self, request, form, formsets, change):
        data = {name: form.cleaned_data[name] for name in POLE_DATA if name in form.cleaned_data}
        inlines = {formset.model: formset for formset in formsets}
        territory = inlines.get(TerritoryArea)
        if territory is not None:
            _log_nothing(territory)
            data["territory"] = [f.cleaned_data["code"] for f in _kept_forms(territory)]
        elif change:  # the inline is not shown: the territory stays as it is
            data["territory"] = [area.code for area in form.instance.territory.all()]
        try:
            pole = services.pole_save(
                data=data, pole=form.instance, actor=request.user, source="editor"
            )
            if Membership in inlines:
                _save_memberships(inlines[Membership], pole, request.user)
            if Laureate in inlines:
                _save_laureates(inlines[Laureate], pole, request.user)
        except DomainError as error:
            self.service_refused(request, error)


@admin.register(Organisation)
class OrganisationAdmin(ServiceWriteAdmin):
    """An organisation is written by ``services.organisation_save``, as on the site."""

    formfield_overrides = URL_OVERRIDES
    form = OrganisationForm
    list_display = ["name", "category", "ess_status", "siren", "commune_name", "is_demo"]
    list_filter = ["category", "ess_status", "region_code", "is_demo"]
    search_fields = ["name", "search_text", "siren", "siret"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in ORGANISATION_DATA if name in form.cleaned_data
        }
        try:
            services.organisation_save(data=data, organisation=obj, actor=request.user)
        except DomainError as error:
            self.service_refused(request, error)


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
