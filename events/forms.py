from django import forms
from django.utils.translation import gettext_lazy as _

from events import validation
from events.models import Registration


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
