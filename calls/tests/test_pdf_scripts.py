"""The calls' PDFs (the receipt of an application, the committee's minutes) print names of
every script, from embedded fonts, and say their language, author, subject and creator."""

from decimal import Decimal

import pytest
from django.utils import translation

from calls.minutes import minutes_pdf
from calls.receipts_apply import receipt_pdf
from calls.services import decisions as services
from calls.tests import decide_helpers as given
from core.tests.pdf import pdf_fonts, pdf_info, pdf_lang, pdf_text

# (name, font family that prints it): names pdftotext reads back letter for letter (no
# pre-base vowel sign or conjunct in the Devanagari one, which come back as glyphs)
NAMES = {
    "arabic": ("تعاونية الأمل", "NotoSansArabic"),
    "chinese": ("上海社会经济合作中心", "WenQuanYiZenHei"),
    "devanagari": ("सहकारी संघ", "NotoSansDevanagari"),
    "hebrew": ("קואופרטיב הגליל", "NotoSansHebrew"),
}


def assert_prints(pdf: bytes, tmp_path, names) -> None:
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    families = {name.split("+", 1)[-1] for name, _embedded in fonts}
    assert not any("Helvetica" in family for family in families), families
    text = pdf_text(pdf, tmp_path)
    for name, family in names:
        assert any(f.startswith(family) for f in families), (family, families)
        assert name in text, (name, text)


@pytest.mark.parametrize("script", sorted(NAMES))
def test_the_receipt_prints_a_pole_named_in_any_script(call, tmp_path, script):
    name, family = NAMES[script]
    created = call(grantor_name="Ministère de l’Économie")
    application = given.submitted(created, pole_=given.pole(name), title=f"Projet {name}")
    with translation.override("en"):
        pdf = receipt_pdf(application, language="fr")
    assert_prints(pdf, tmp_path, [(name, family)])
    assert pdf_lang(pdf) == "fr"
    info = pdf_info(pdf, tmp_path)
    assert info["Author"] == "Ministère de l’Économie"
    assert info["Creator"] == "ptce"
    assert name in info["Subject"]


def test_the_receipt_says_the_active_language_unless_told(call):
    application = given.submitted(call(), pole_=given.pole("Pôle Archer"))
    with translation.override("en"):
        assert pdf_lang(receipt_pdf(application)) == "en"


@pytest.fixture
def named(call, user):
    """A one-stage call whose four poles and two jurors are named in four scripts, each
    file scored and decided."""
    manager = user("gestion")
    created = call()
    created.managers.add(manager)
    stage = created.stages.get()
    a = given.juror(stage, NAMES["arabic"][0])
    b = given.juror(stage, NAMES["hebrew"][0])
    files = [given.submitted(created, pole_=given.pole(name)) for name, _family in NAMES.values()]
    for points, application in enumerate(files, start=1):
        given.review(stage, application, a, [points, 4])
        given.review(stage, application, b, [points, 3])
    services.decision_record(
        application=files[-1],
        outcome="laureate",
        amount=Decimal("50000"),
        reason=NAMES["chinese"][0],
        actor=manager,
    )
    services.decision_record(
        application=files[0], outcome="refused", reason=NAMES["devanagari"][0], actor=manager
    )
    return created


def test_the_minutes_print_poles_jurors_and_reasons_in_any_script(named, tmp_path):
    with translation.override("fr"):
        pdf = minutes_pdf(named)
    assert_prints(pdf, tmp_path, NAMES.values())
    assert "Procès-verbal du comité" in pdf_text(pdf, tmp_path)
    assert pdf_lang(pdf) == "fr"
    info = pdf_info(pdf, tmp_path)
    assert info["Author"] == named.funders  # no granting body yet: the funders
    assert info["Creator"] == "ptce"
    assert named.title in info["Subject"] and named.title in info["Title"]


def test_the_minutes_keep_the_line_breaks_of_a_reason(named, tmp_path):
    from calls.models import Decision

    decision = Decision.objects.get(outcome="refused")
    decision.reason = "Première ligne\nSeconde ligne"
    decision.save()
    text = pdf_text(minutes_pdf(named), tmp_path)
    assert "Première ligne" in text and "Seconde ligne" in text
    assert "Première ligne Seconde" not in text  # two lines, not one
