"""Badges and certificates print the names of every accepted script (never blank)."""

import subprocess
from types import SimpleNamespace

import pytest
from django.utils import timezone
from PIL import Image

from checkin.documents import attendance_certificate_pdf, badges_pdf
from core.tests.pdf import pdf_info, tool
from events.tests.test_pdftext import NAMES, assert_every_name_prints, people
from events.tests.test_pdftext import event as event  # noqa: F401, PLC0414 - fixture


def name_ink(pdf: bytes, tmp_path) -> int:
    """Dark pixels where a badge prints the name (between the top band and the QR code)."""
    path = tmp_path / "badge.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [tool("pdftoppm"), "-r", "60", "-png", "-singlefile", str(path), str(tmp_path / "badge")],
        capture_output=True,
        check=True,
    )
    image = Image.open(tmp_path / "badge.png").convert("L")
    width, height = image.size  # A6: 105 x 148 mm
    mm = width / 105
    area = image.crop((int(8 * mm), int(19 * mm), int(97 * mm), int(60 * mm)))
    return area.point(lambda value: 255 if value < 128 else 0).histogram()[255]


def test_badges_print_every_script(event, tmp_path):  # noqa: F811
    assert_every_name_prints(badges_pdf(event, people(event)), tmp_path)
    assert_every_name_prints(badges_pdf(event, people(event), layout="a4x4"), tmp_path)


@pytest.mark.parametrize("index", range(len(NAMES)))
def test_no_badge_name_is_blank(event, tmp_path, index):  # noqa: F811
    person = people(event)[index]
    person.organisation = ""
    ink = name_ink(badges_pdf(event, [person]), tmp_path)
    blank = people(event)[index]
    blank.first_name = blank.last_name = blank.organisation = ""
    assert name_ink(badges_pdf(event, [blank]), tmp_path) == 0
    assert ink > 50, (person.first_name, person.last_name, ink)


@pytest.mark.parametrize("index", range(len(NAMES)))
def test_certificate_prints_every_script(event, tmp_path, index):  # noqa: F811
    admission = SimpleNamespace(registration=people(event)[index], scanned_at=timezone.now())
    assert_every_name_prints(attendance_certificate_pdf(admission), tmp_path, [NAMES[index]])


def test_badges_and_certificate_say_their_author_and_subject(event, tmp_path):  # noqa: F811
    """Issue 10 §4: every PDF says its language, author, subject and creator (reportlab's
    default author is « anonymous », its subject « unspecified »)."""
    person = people(event)[0]
    admission = SimpleNamespace(registration=person, scanned_at=timezone.now())
    for pdf, subject in (
        (badges_pdf(event, [person]), event.title),
        (attendance_certificate_pdf(admission), person.full_name),
    ):
        info = pdf_info(pdf, tmp_path)
        assert info["Author"] == (event.organiser_name or "ptce")
        assert info["Creator"] == "ptce"
        assert subject in info["Subject"] and event.title in info["Subject"]
        assert b"/Lang (fr)" in pdf
