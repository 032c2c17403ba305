"""Forms of deciding: they read what was typed; the services check it (their refusals go
back on the field they name)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls import errors
from calls.forms_setup import NumberField
from calls.models import Decision
from core.errors import DomainError


class ServiceForm(forms.Form):
    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


class DecisionForm(ServiceForm):
    # no outcome chosen in advance: the service refuses an empty one with its message
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=[("", "—"), *Decision.Outcome.choices], required=False
    )
    amount = NumberField(label=_("Amount (euros, laureates only)"), amount=True, max_length=20)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PassOnForm(ServiceForm):
    applications = forms.TypedMultipleChoiceField(
        label=_("Files that pass on"), coerce=int, required=False, choices=()
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = choices


class ConfirmForm(ServiceForm):
    confirm = forms.BooleanField(
        label=_("I confirm"),
        required=True,
        error_messages={"required": errors.CONFIRM_REQUIRED.message},
    )


class PublishForm(ConfirmForm):
    grantor_name = forms.CharField(label=_("Granting body"), max_length=200, required=False)
    grantor_siret = forms.CharField(
        label=_("SIRET of the granting body (14 digits)"), max_length=20, required=False
    )
    payments_from = forms.DateField(
        label=_("Payments from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    payments_until = forms.DateField(
        label=_("Payments until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
