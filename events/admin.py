"""Django admin for events, programme, speakers and (read-only) registrations.

Organisers who are not superusers see and edit only the events they manage, and cannot
change who manages them. Registrations change only through the services (personal link,
organiser page), never by direct edit or delete, so that the place count stays true.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import (
    BoundedInline,
    ReadOnlyAdmin,
    SafeRelationsForm,
    ServiceWriteAdmin,
    VisibleFiltersMixin,
)
from core.errors import DomainError
from core.input import clean_text
from events import services
from events.models import Event, Partner, Registration, Session, Speaker

# The longest text of a field without a length of its own (a description).
TEXT_MAX = 20_000
URL_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


def https_by_default(db_field, **kwargs):
    """URLs typed without a scheme are https (Django 6's default, today)."""
    if isinstance(db_field, models.URLField):
        kwargs.update(URL_OVERRIDES[models.URLField])
    return db_field.formfield(**kwargs)


class CleanTextForm(SafeRelationsForm):
    """Every text typed in the form goes through core.input.clean_text (NFC; control,
    bidi and zero-width characters refused with a French message; length counted after
    normalisation). Addresses, URLs, slugs and choices keep their own validation."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if (
                not isinstance(value, str)
                or type(field) is not forms.CharField  # not a URL, email, slug…
                or name in self.errors
            ):
                continue
            try:
                cleaned[name] = clean_text(
                    value,
                    max_length=field.max_length or TEXT_MAX,
                    multiline=isinstance(field.widget, forms.Textarea),
                )
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned


class ManagedEventsMixin(VisibleFiltersMixin):
    """Limit a model admin to what belongs to the events the user manages (its list
    filters too). A filter holding a NUL byte never reaches the database: the
    ``AdminQueryMiddleware`` of ``core`` drops control characters from admin queries."""

    event_path = "event__"
    form = CleanTextForm

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.event_path}managers": request.user}).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event" and not request.user.is_superuser:
            kwargs["queryset"] = Event.objects.filter(managers=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SessionInline(BoundedInline):
    model = Session
    form = CleanTextForm
    extra = 0
    filter_horizontal = ["speakers"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "speakers":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Speaker.objects.filter(event_id=object_id or 0)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PartnerInline(BoundedInline):
    model = Partner
    form = CleanTextForm
    extra = 0
    formfield_overrides = URL_OVERRIDES


class EventAdminForm(CleanTextForm):
    class Meta:
        model = Event
        exclude = ["confirmed_count"]  # noqa: DJ006 - every other field is edited here
        formfield_callback = https_by_default

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        # Early feedback; events.services.event_set_capacity re-checks under the lock.
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None and capacity < self.instance.confirmed_count:
            self.add_error(
                "capacity",
                _("The capacity cannot be lower than the %(count)d confirmed registrations.")
                % {"count": self.instance.confirmed_count},
            )
        return cleaned


@admin.register(Event)
class EventAdmin(ManagedEventsMixin, ServiceWriteAdmin):
    form = EventAdminForm
    formfield_overrides = URL_OVERRIDES
    event_path = ""
    list_display = ["title", "starts_at", "status", "confirmed_count", "capacity", "is_demo"]
    list_filter = ["status", "is_demo"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["managers"]
    inlines = [PartnerInline, SessionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = ["confirmed_count", "personal_data_erased_at"]
        if not request.user.is_superuser:
            fields.append("managers")
        return fields

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and (obj is None or not obj.registrations.exists())

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            if not request.user.is_superuser:
                obj.managers.add(request.user)
            return
        if "capacity" in form.changed_data:
            try:
                promoted = services.event_set_capacity(
                    event=obj, capacity=form.cleaned_data["capacity"], actor=request.user
                )
            except DomainError as error:
                self.service_refused(request, error)
                return
            if promoted:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d person promoted from the waiting list.",
                        "%(count)d people promoted from the waiting list.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                )
        fields = [
            f for f in form.changed_data if f not in ("capacity", "managers") and hasattr(obj, f)
        ]
        if fields:
            obj.save(update_fields=fields)


@admin.register(Speaker)
class SpeakerAdmin(ManagedEventsMixin, admin.ModelAdmin):
    event_path = "event__"
    list_display = ["name", "role", "organisation", "event", "is_demo"]
    list_filter = ["event"]
    search_fields = ["name", "organisation"]


@admin.register(Registration)
class RegistrationAdmin(ManagedEventsMixin, ReadOnlyAdmin):
    """Read-only: registrations change through the services, so the counts stay true."""

    event_path = "event__"
    list_display = [
        "last_name",
        "first_name",
        "organisation",
        "category",
        "status",
        "event",
        "created_at",
    ]
    list_filter = ["event", "status", "category"]
    search_fields = ["search_text"]
    actions = ["cancel_registrations"]

    @admin.action(description=_("Cancel (and promote from the waiting list)"))
    def cancel_registrations(self, request, queryset):
        done = 0
        for registration in queryset:
            try:
                services.registration_cancel(registration=registration, actor=request.user)
                done += 1
            except DomainError:
                continue
        messages.info(
            request,
            ngettext(
                "%(count)d registration cancelled.", "%(count)d registrations cancelled.", done
            )
            % {"count": done},
        )
