"""The calls' PDFs (the committee's minutes, the receipt of an application) as the outside
validators read them (issue 10 §4): every font embedded, never the PDF's standard
Helvetica, and their language, author, subject and creator set."""

import shutil

import pytest

from calls.minutes import minutes_pdf
from calls.receipts_apply import receipt_pdf
from calls.tests import decide_helpers as given
from core.tests.pdf import pdf_fonts, pdf_info, pdf_lang

pytestmark = pytest.mark.skipif(
    shutil.which("pdffonts") is None or shutil.which("pdfinfo") is None,
    reason="pdffonts and pdfinfo (poppler-utils)",
)


def assert_validators_accept(
    pdf: bytes, tmp_path, *, title: str, subject: str, author: str
) -> None:
    listed = pdf_fonts(pdf, tmp_path)
    assert listed, "no font listed"
    assert all(embedded for _name, embedded in listed), listed
    assert not any("Helvetica" in name for name, _embedded in listed), listed
    meta = pdf_info(pdf, tmp_path)
    assert title in meta["Title"]
    assert subject in meta["Subject"]
    assert meta["Author"] == author
    assert meta["Creator"] == "ptce"
    assert pdf_lang(pdf) == "fr"


def test_the_minutes_embed_every_font_and_say_who_what_and_in_which_language(call, tmp_path):
    created = call()
    created.funders = "Ministère de l’Économie"
    created.save()
    given.submitted(created, pole_=given.pole("Pôle Archer"))
    assert_validators_accept(
        minutes_pdf(created),
        tmp_path,
        title=created.title,
        subject=created.title,
        author="Ministère de l’Économie",
    )


def test_the_receipt_embeds_every_font_and_says_who_what_and_in_which_language(call, tmp_path):
    created = call()
    application = given.submitted(created, pole_=given.pole("Pôle Archer"))
    assert_validators_accept(
        receipt_pdf(application),
        tmp_path,
        title=created.title,
        subject="Pôle Archer",
        author=created.funders or "ptce",
    )
