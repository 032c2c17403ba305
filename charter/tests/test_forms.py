from charter import errors
from charter.forms import SignForm
from core.errors import DomainError


def test_a_service_refusal_is_attached_to_the_field_it_names():
    form = SignForm({"signer": "pole:1", "name": "X", "mandate": "<b>", "email": "x@y.example"})
    assert form.is_valid()  # the text as typed: the service checks it
    assert form.cleaned_data["mandate"] == "<b>"
    form.add_domain_error(DomainError(errors.TEXT_MARKUP, field="mandate"))
    assert form.messages() == {"mandate": str(errors.TEXT_MARKUP.message)}
    assert form.values()["mandate"] == "<b>"


def test_a_refusal_of_no_field_is_the_whole_form_s():
    form = SignForm({"signer": "pole:1"})
    form.is_valid()
    form.add_domain_error(DomainError(errors.NO_MANDATE))
    assert form.messages() == {"form": str(errors.NO_MANDATE.message)}
    assert form.values() == {"signer": "pole:1", "name": "", "mandate": "", "email": ""}
