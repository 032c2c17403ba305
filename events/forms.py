from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events import validation
from events.models import Event, Registration
from events.services import (
    EVENT_DATE_FIELDS,
    EVENT_EDITABLE_FIELDS,
    EVENT_FIRST_YEAR,
    EVENT_LAST_YEAR,
    EVENT_MAX_CAPACITY,
    EVENT_MAX_RETENTION_DAYS,
)


class PersonFieldsMixin:
    """The checks on names and organisation shared by both forms (events.validation)."""

    def clean_first_name(self):
        return validation.clean_name(self.cleaned_data["first_name"], label=_("first name"))

    def clean_last_name(self):
        return validation.clean_name(self.cleaned_data["last_name"], label=_("last name"))

    def clean_organisation(self):
        return validation.clean_organisation(self.cleaned_data.get("organisation", ""))


class RegistrationForm(PersonFieldsMixin, forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=300,
        error_messages={"required": _("Enter your first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=300,
        help_text=_("Exactly as on your photo ID: it is checked at the entrance."),
        error_messages={"required": _("Enter your last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=320,
        help_text=_("Your ticket and your personal link are sent to this address."),
        error_messages={"required": _("Enter your email address.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    category = forms.ChoiceField(
        label=_("You come as"),
        error_messages={"required": _("Choose the category you come as.")},
        choices=[("", _("Choose…"))]
        + [c for c in Registration.Category.choices if c[0] not in (Registration.Category.STAFF,)],
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=60,
        required=False,
        help_text=_("Only to reach you on the day if needed."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and accept that these details are used for this event."
        ),
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )

    def clean_email(self):
        return validation.clean_email(self.cleaned_data["email"])

    def clean_phone(self):
        return validation.clean_phone(self.cleaned_data.get("phone", ""))


class CorrectionForm(PersonFieldsMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=300)
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=300,
        help_text=_("Exactly as on your photo ID."),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=300, required=False)


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker, in the site's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _event_formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a website typed without its scheme
    return field.formfield(**kwargs)


def validate_event_year(value) -> None:
    """A date the database can store and compare (year 1 in Paris is year 0 in UTC)."""
    if value and not EVENT_FIRST_YEAR <= timezone.localtime(value).year <= EVENT_LAST_YEAR:
        raise ValidationError(
            _("Enter a date between %(first)d and %(last)d.")
            % {"first": EVENT_FIRST_YEAR, "last": EVENT_LAST_YEAR},
            code="out_of_range",
        )


class EventForm(forms.ModelForm):
    """An organiser edits their event. Saved only through services.event_update (which
    checks again under the event's lock); never through ``save()``."""

    class Meta:
        model = Event
        fields = EVENT_EDITABLE_FIELDS
        formfield_callback = _event_formfield
        widgets = {
            "starts_at": LocalDateTimeInput(),
            "ends_at": LocalDateTimeInput(),
            "registration_opens_at": LocalDateTimeInput(),
            "registration_closes_at": LocalDateTimeInput(),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "access": forms.Textarea(attrs={"rows": 3}),
            "embed_origins": forms.Textarea(attrs={"rows": 3}),
            "press_contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the service's bounds, said in words (not the database's 9223372036854775807)
        for name, most, message in (
            ("capacity", EVENT_MAX_CAPACITY, _("Enter a capacity of 1,000,000 at most.")),
            (
                "retention_days",
                EVENT_MAX_RETENTION_DAYS,
                _("Personal data may be kept 3,650 days at most after the event."),
            ),
        ):
            field = self.fields[name]
            field.max_value = most
            field.validators = [
                v for v in field.validators if not isinstance(v, validators.MaxValueValidator)
            ] + [validators.MaxValueValidator(most, message=message)]
            field.widget.attrs["max"] = str(most)
        for name in EVENT_DATE_FIELDS:
            # before the model's constraints are checked with the value (an OverflowError)
            self.fields[name].validators.append(validate_event_year)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        return cleaned

    def save(self, commit=True):  # pragma: no cover - a guard
        raise NotImplementedError("use events.services.event_update")
