from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from events import services
from events.models import Event, Partner, Registration, Session, Speaker


def https_by_default(db_field, **kwargs):
    """URLs typed without a scheme are https (Django 6's default, today)."""
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


URL_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    filter_horizontal = ["speakers"]


class PartnerInline(admin.TabularInline):
    model = Partner
    formfield_overrides = URL_OVERRIDES
    extra = 0


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        exclude = ["confirmed_count"]  # noqa: DJ006 - every other field is edited here
        formfield_callback = https_by_default

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None and capacity < self.instance.confirmed_count:
            self.add_error(
                "capacity",
                _("The capacity cannot be lower than the %(count)d confirmed registrations.")
                % {"count": self.instance.confirmed_count},
            )
        for origin in (cleaned.get("embed_origins") or "").splitlines():
            origin = origin.strip()
            if origin and (not origin.startswith(("https://", "http://")) or " " in origin):
                self.add_error(
                    "embed_origins",
                    _("Each line must be an origin such as https://www.example.org"),
                )
                break
        return cleaned


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    formfield_overrides = URL_OVERRIDES
    list_display = ["title", "starts_at", "status", "confirmed_count", "capacity", "is_demo"]
    list_filter = ["status", "is_demo"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["confirmed_count", "personal_data_erased_at"]
    filter_horizontal = ["managers"]
    inlines = [PartnerInline, SessionInline]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = [f for f in form.changed_data if f not in ("capacity", "managers")]
        if fields:
            obj.save(update_fields=fields)
        if "capacity" in form.changed_data:
            try:
                promoted = services.event_set_capacity(
                    event=obj, capacity=form.cleaned_data["capacity"], actor=request.user
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                if promoted:
                    messages.info(
                        request,
                        _("%(count)d person(s) promoted from the waiting list.")
                        % {"count": len(promoted)},
                    )


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "organisation", "event", "is_demo"]
    list_filter = ["event"]
    search_fields = ["name", "organisation"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read-only here: registrations change through the services (personal link, organiser page)."""

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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel (and promote from the waiting list)"))
    def cancel_registrations(self, request, queryset):
        done = 0
        for registration in queryset:
            try:
                services.registration_cancel(registration=registration, actor=request.user)
                done += 1
            except DomainError:
                continue
        messages.info(request, _("%(count)d registration(s) cancelled.") % {"count": done})
