from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from core.input import parse_id


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that change only through the services: shown, never added, edited or
    deleted in the admin (and no bulk "delete selected")."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VisibleRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter on a related model that offers only the rows the user may see in
    that model's own admin: an organiser does not learn the titles of other organisers'
    events from the « by event » filter."""

    def field_choices(self, field, request, model_admin):
        related_admin = model_admin.admin_site._registry.get(field.remote_field.model)
        if related_admin is None or request.user.is_superuser:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        visible = related_admin.get_queryset(request).values("pk")
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to=Q(pk__in=visible)
        )


class VisibleFiltersMixin:
    """Every list filter on a foreign key lists only what the user may see (above)."""

    def get_list_filter(self, request):
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and LOOKUP_SEP not in item:
                field = self.model._meta.get_field(item)
                if field.many_to_one or field.one_to_one:
                    item = (item, VisibleRelatedFieldListFilter)
            filters.append(item)
        return filters


class SafeRelationsForm(forms.ModelForm):
    """A model form whose relation fields (a select, a multiple select) take only ids that
    fit the database: « 99999999999999999999 » or « ² » is an invalid choice, never a
    query that overflows (SQLite: « Python int too large », PostgreSQL: out of range)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.to_field_name in (None, "id"):
                field.clean = _ids_first(field, field.clean)


def _ids_first(field, clean):
    def checked(value):
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if item not in field.empty_values and parse_id(item) is None:
                raise ValidationError(
                    _("Select a valid choice. That choice is not one of the available choices."),
                    code="invalid_choice",
                )
        return clean(value)

    return checked


class BoundedInline(admin.TabularInline):
    """An inline whose formset never builds more than ``absolute_max`` forms, whatever
    ``TOTAL_FORMS`` says (Django's default lets a client ask for ``max_num`` + 1,000 forms
    of every inline in one request, which held a worker for 30 s)."""

    max_num = 250  # rows of one object edited at once (sessions, members…)
    absolute_max = 300

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.absolute_max)
        return super().get_formset(request, obj, **kwargs)


class _ServiceRefused(Exception):
    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


class ServiceWriteAdmin(admin.ModelAdmin):
    """An admin whose saves go through the app's services. When a service refuses, nothing
    of the change is kept (the whole form's transaction is rolled back, inlines included),
    the refusal is shown above the form, and the admin's own « modifié avec succès » is not
    (it would be false)."""

    def service_refused(self, request, error) -> None:
        raise _ServiceRefused(error)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceRefused as refused:
            # raised inside the view's atomic block: everything it wrote is rolled back
            messages.error(request, refused.error.message)
            return HttpResponseRedirect(request.get_full_path())
