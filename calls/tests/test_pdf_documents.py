"""The calls' PDFs (the committee's minutes, the receipt of an application) as the outside
validators read them (issue 10 §4): every font embedded, never the PDF's standard
Helvetica, and their language, author, subject and creator set."""

import re
import shutil
import subprocess

import pytest

from calls.minutes import minutes_pdf
from calls.receipts_apply import receipt_pdf
from calls.tests import decide_helpers as given

pytestmark = pytest.mark.skipif(
    shutil.which("pdffonts") is None or shutil.which("pdfinfo") is None,
    reason="pdffonts and pdfinfo (poppler-utils)",
)


def _poppler(tool: str, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


def fonts(pdf: bytes, tmp_path) -> list[tuple[str, bool]]:
    """(name, embedded) of every font, as pdffonts lists them."""
    rows = _poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    found = []
    for row in rows:
        # name type encoding emb sub uni object ID: "emb" is the fourth column from the end
        # but two (the object and its generation) are numbers
        words = row.split()
        found.append((words[0], words[-5] == "yes"))
    return found


def info(pdf: bytes, tmp_path) -> dict[str, str]:
    out = _poppler("pdfinfo", pdf, tmp_path)
    return {
        key.strip(): value.strip()
        for key, _sep, value in (line.partition(":") for line in out.splitlines())
    }


def lang(pdf: bytes) -> str | None:
    match = re.search(rb"/Lang \(([a-zA-Z-]+)\)", pdf)
    return match.group(1).decode() if match else None


def assert_validators_accept(
    pdf: bytes, tmp_path, *, title: str, subject: str, author: str
) -> None:
    listed = fonts(pdf, tmp_path)
    assert listed, "no font listed"
    assert all(embedded for _name, embedded in listed), listed
    assert not any("Helvetica" in name for name, _embedded in listed), listed
    meta = info(pdf, tmp_path)
    assert title in meta["Title"]
    assert subject in meta["Subject"]
    assert meta["Author"] == author
    assert meta["Creator"] == "ptce"
    assert lang(pdf) == "fr"


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
