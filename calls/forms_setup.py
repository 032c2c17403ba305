"""The set-up forms: they read what was typed (dates, numbers as text) and hand it to the
services, which check it; a service's refusal goes on the field it names
(``add_domain_error``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Question, Stage
from calls.rules import REGISTRY_RULES
from core.errors import DomainError


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
    budget = _text(_("Budget (euros)"))
    opens_at = forms.DateTimeField(
        label=_("Opens (Paris time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    closes_at = forms.DateTimeField(
        label=_("Closes (Paris time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    results_on = forms.DateField(
        label=_("Results expected on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
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
            "budget": "" if call.budget is None else str(call.budget),
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
    cutoff = _text(_("Cut-off score"))
    spread_threshold = _text(_("Spread between jurors flagged above"))


class CriterionForm(SetupForm):
    label = _text(_("Criterion"))
    description = _text(_("Description"), textarea=True)
    weight = _text(_("Weight"))
    eliminatory_min = _text(_("Eliminatory minimum"))


class DocumentForm(SetupForm):
    title = _text(_("Document title"))
    file = forms.FileField(label=_("File (PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG)"), required=False)
