"""The set-up forms: they read what was typed (dates, numbers as text) and hand it to the
services, which check it; a service's refusal goes on the field it names
(``add_domain_error``)."""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Question, Stage
from calls.rules import REGISTRY_RULES
from core.dates import is_french
from core.errors import DomainError
from core.french import number

# --- numbers and dates, shown as their reader writes them, taken back as typed ------------


class Typed(str):
    """What the person typed (a bound form's data): shown back exactly as typed."""


def decimal_input(value) -> str:
    """A number for an input, as the reader writes it and the services read it back:
    « 500 000 », « 1 234,50 », « 2,5 » in French; "500000", "1234.50" in English (no
    grouping there: the services read a comma as the decimal separator)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", "."))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    amount = amount.normalize()
    if amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    decimals = max(0, -amount.as_tuple().exponent)
    if is_french():
        return number(amount, decimals)
    return f"{amount:.{decimals}f}"


class NumberField(forms.CharField):
    """A number typed as text (the service checks it): its stored value is shown the
    reader's way (« 500 000 », not « 500000.00 »), what was typed is shown as typed."""

    def __init__(self, *, amount: bool = False, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        self.amount = amount
        super().__init__(**kwargs)

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        return Typed(data) if isinstance(data, str) else data

    def prepare_value(self, value):
        if isinstance(value, Typed):
            return value
        text = decimal_input(value)
        if self.amount and text and re.search(r"[.,]\d$", text):
            text += "0"  # cents: « 1 234,50 », never « 1 234,5 »
        return text


_BLANKS = re.compile(r"[\s\u00a0\u202f]+")


class TypedDateTimeField(forms.DateTimeField):
    """The browser's ``datetime-local`` value, or a date and time typed the French way
    (« 12/03/2026 14:30 », « 12/03/2026 14 h 30 »)."""

    def strptime(self, value, format):
        return datetime.strptime(_BLANKS.sub(" ", value).strip(), format)


DATETIME_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %Hh%M",
    "%d/%m/%Y %H h %M",
    "%d/%m/%Y %Hh",
    "%d/%m/%Y %H h",
]


class KeptInput(forms.DateTimeInput):
    """A ``datetime-local`` (or ``date``) input that never loses what was typed: a browser
    empties such an input whose value is not in its own format (« 12/03/2026 14:30 »), so a
    typed value the form can read is given back in that format, and one it cannot read is
    shown in a text input, as typed, next to its error."""

    def __init__(self, *, input_type: str, format: str, input_formats=(), attrs=None):
        super().__init__(attrs=attrs, format=format)
        self.input_type = input_type
        self.input_formats = list(input_formats)
        self.machine = re.compile(
            r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
            if input_type == "datetime-local"
            else r"^\d{4}-\d{2}-\d{2}$"
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        typed = context["widget"]["value"]
        if isinstance(value, str) and typed and not self.machine.match(typed.strip()):
            for input_format in self.input_formats:
                try:
                    parsed = datetime.strptime(_BLANKS.sub(" ", typed).strip(), input_format)
                except ValueError:
                    continue
                context["widget"]["value"] = parsed.strftime(self.format)
                break
            else:
                context["widget"]["type"] = "text"
        return context


class SetupForm(forms.Form):
    required_css_class = "required-field"

    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


def _text(label, *, help_text="", textarea=False):
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 8}) if textarea else forms.TextInput,
    )


def _rule_choices():
    return [(rule_id, f"{rule_id} — {rule.title}") for rule_id, rule in REGISTRY_RULES.items()]


class CallForm(SetupForm):
    title = _text(_("Title"))
    slug = _text(
        _("Address (slug)"),
        help_text=_("Lower-case letters, digits and hyphens: appel-ptce-2026."),
    )
    summary = _text(_("Summary"), textarea=True)
    funders = _text(_("Funders"))
    budget = NumberField(label=_("Budget (euros)"), amount=True)
    opens_at = TypedDateTimeField(
        label=_("Opens (Paris time)"),
        widget=KeptInput(
            input_type="datetime-local", format="%Y-%m-%dT%H:%M", input_formats=DATETIME_FORMATS
        ),
        input_formats=DATETIME_FORMATS,
    )
    closes_at = TypedDateTimeField(
        label=_("Closes (Paris time)"),
        widget=KeptInput(
            input_type="datetime-local", format="%Y-%m-%dT%H:%M", input_formats=DATETIME_FORMATS
        ),
        input_formats=DATETIME_FORMATS,
    )
    results_on = forms.DateField(
        label=_("Results expected on"),
        required=False,
        widget=KeptInput(input_type="date", format="%Y-%m-%d", input_formats=["%d/%m/%Y"]),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    specifications = _text(
        _("Specifications (Markdown)"),
        textarea=True,
        help_text=_("Markdown: # for a heading, * for a list; HTML is not rendered."),
    )
    faq = _text(_("Questions and answers (Markdown)"), textarea=True)
    rules = forms.MultipleChoiceField(
        label=_("Rules of the directory the poles must meet"),
        required=False,
        choices=_rule_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    charter_signed = forms.BooleanField(label=_("The pole has signed the charter"), required=False)
    charter_min_version = _text(_("Version of the charter at least"))
    regions = _text(
        _("Regions (INSEE codes)"), help_text=_("Separated by spaces: 84 93. Empty: all.")
    )
    departments = _text(
        _("Departments (INSEE codes)"), help_text=_("Separated by spaces: 26 07. Empty: all.")
    )
    no_laureate_years = _text(_("Not a State laureate in the previous years (how many)"))
    founded_before = _text(_("Pole founded before (year)"))
    max_file_size = _text(_("Largest attachment (MB)"))
    max_total_size = _text(_("Largest application, all attachments (MB)"))

    @classmethod
    def initial_for(cls, call) -> dict:
        from django.utils import timezone

        from calls.services.calls import PARIS

        return {
            "title": call.title,
            "slug": call.slug,
            "summary": call.summary,
            "funders": call.funders,
            "budget": call.budget,
            "opens_at": timezone.localtime(call.opens_at, PARIS).replace(tzinfo=None),
            "closes_at": timezone.localtime(call.closes_at, PARIS).replace(tzinfo=None),
            "results_on": call.results_on,
            "specifications": call.specifications,
            "faq": call.faq,
            "rules": call.rules,
            "charter_signed": call.charter_signed,
            "charter_min_version": call.charter_min_version or "",
            "regions": " ".join(call.regions),
            "departments": " ".join(call.departments),
            "no_laureate_years": call.no_laureate_years or "",
            "founded_before": call.founded_before or "",
            "max_file_size": call.max_file_size // 1024**2,
            "max_total_size": call.max_total_size // 1024**2,
        }

    def clean_opens_at(self):
        # typed in Paris time: the service makes it aware in Europe/Paris
        value = self.cleaned_data["opens_at"]
        return value.replace(tzinfo=None) if value else value

    def clean_closes_at(self):
        value = self.cleaned_data["closes_at"]
        return value.replace(tzinfo=None) if value else value


class SectionForm(SetupForm):
    title = _text(_("Section title"))


class QuestionForm(SetupForm):
    label = _text(_("Question"))
    help_text = _text(_("Help"), textarea=True)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=Question.Kind.choices)
    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)
    max_words = _text(_("At most (words)"), help_text=_("Text questions only."))
    max_chars = _text(_("At most (characters)"), help_text=_("Text questions only."))
    choices = _text(_("Choices, one a line"), textarea=True, help_text=_("Choice questions only."))


class StageForm(SetupForm):
    name = _text(_("Name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Stage.Kind.choices)
    region_codes = _text(
        _("Regions reviewed (INSEE codes)"), help_text=_("Regional stages only: 84 93.")
    )
    jurors_per_file = _text(_("Jurors per file"))
    passes_on = _text(_("Files passed on to the next stage"))
    scale_max = _text(_("Scores from 0 to"))
    cutoff = NumberField(label=_("Cut-off score"))
    spread_threshold = NumberField(label=_("Spread between jurors flagged above"))


class CriterionForm(SetupForm):
    label = _text(_("Criterion"))
    description = _text(_("Description"), textarea=True)
    weight = NumberField(label=_("Weight"))
    eliminatory_min = NumberField(label=_("Eliminatory minimum"))


class DocumentForm(SetupForm):
    title = _text(_("Document title"))
    file = forms.FileField(label=_("File (PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG)"), required=False)
