"""The charter's forms. Their fields take the text as typed: the services clean and check
it (one place for the rules and their messages), and their ``DomainError`` is attached to
the field it names (``add_domain_error``)."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from core.errors import DomainError


class TypedText(forms.Field):
    """A text as typed, checked by the service that receives it (not here: the service's
    message is the one shown, as for any other caller)."""

    def to_python(self, value) -> str:
        return "" if value is None else str(value)


class ServiceForm(forms.Form):
    def add_domain_error(self, error: DomainError) -> None:
        """The service's refusal, on its field (or on the whole form)."""
        self.add_error(error.field if error.field in self.fields else None, error.message)

    def values(self) -> dict[str, str]:
        """What was typed, to show it again."""
        return {name: self.data.get(name, "") for name in self.fields}

    def messages(self) -> dict[str, str]:
        """The first error of each field, the whole form's under « form »."""
        return {
            "form" if name == NON_FIELD_ERRORS else name: errors[0]
            for name, errors in self.errors.items()
        }


class SignForm(ServiceForm):
    signer = TypedText(required=False)  # « pole:12 » or « network:3 »
    name = TypedText(required=False)
    mandate = TypedText(required=False)
    email = TypedText(required=False)


class CeremonyForm(ServiceForm):
    signer = TypedText(required=False)  # « pole:12 » or « network:3 »
    name = TypedText(required=False)
    mandate = TypedText(required=False)


class WithdrawForm(ServiceForm):
    reason = TypedText(required=False)
