"""The registry's forms. They read what is posted; the services check it (their
``DomainError`` is attached to its field with ``attach_error``), so that the messages are
the services' own, the same for a form, the admin and the import."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from core.input import parse_id, parse_ids


class TextField(forms.CharField):
    """A text as typed: checked by the services (core.input.clean_text names a NUL or any
    other control character in French), not by the form."""

    def __init__(self, *, strip: bool = True, **kwargs):
        super().__init__(required=False, strip=strip, **kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class IdField(forms.Field):
    """A primary key, or None for anything else (core.input.parse_id)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return parse_id(value)


class IdsField(forms.Field):
    """The valid primary keys of a multi-valued field (core.input.parse_ids)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return set(parse_ids(value or []))


def attach_error(form: forms.Form, error) -> None:
    """A service's DomainError on its field (on the form when it names no field of it)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def first_errors(form: forms.Form) -> dict:
    """{field: its first message} (``form`` for what concerns the whole form), as the
    registry's templates show them."""
    return {
        "form" if name == forms.forms.NON_FIELD_ERRORS else name: messages[0]
        for name, messages in form.errors.items()
    }


class PoleEditForm(forms.Form):
    """A pole's entry, as its managers and the editors edit it."""

    description = TextField()
    strategy = TextField()
    website = TextField()
    legal_form = TextField()
    siren = TextField()
    year_founded = TextField()
    jobs = TextField()
    commune_code = TextField()
    territory = TextField()
    activities = IdsField()


class ClaimForm(forms.Form):
    """Asking to manage a pole's entry (the values as typed: the service cleans them)."""

    name = TextField(strip=False)
    email = TextField(strip=False)
    role = TextField(strip=False)
    message = TextField(strip=False)
    website_url = TextField(strip=False)  # the honeypot: people do not see it


class SuggestionForm(forms.Form):
    """Suggesting a correction of a pole's entry."""

    name = TextField(strip=False)
    email = TextField(strip=False)
    message = TextField(strip=False)
    website_url = TextField(strip=False)  # the honeypot: people do not see it


class ReturnForm(forms.Form):
    """The page of this site to come back to (« next »), as given."""

    next = TextField(strip=False)


class ModerationForm(forms.Form):
    """An editor's decision on a claim or a suggestion."""

    action = TextField(strip=False)
    claim = IdField()
    suggestion = IdField()


class ImportForm(forms.Form):
    """A CSV file to check, or (``batch``) a checked file to import."""

    kind = TextField(strip=False)
    batch = IdField()
    file = forms.FileField(required=False, allow_empty_file=True)
