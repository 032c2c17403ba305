"""Names of every accepted script print in the PDFs, from embedded fonts that have them."""

import shutil
import subprocess
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
import uharfbuzz
from django.utils import timezone
from reportlab.pdfbase import pdfmetrics

from events import pdftext
from events.documents import security_list_pdf, ticket_pdf
from events.models import Event, Registration

# (first name, last name, font family expected, whether pdftotext reads it back as typed)
NAMES = [
    ("Zoé", "Lefèvre", "Roboto", True),
    ("Minh Khai", "Nguyễn", "Roboto", True),
    ("Ольга", "Иванова", "Roboto", True),
    ("Γεώργιος", "Παπαδόπουλος", "Roboto", True),
    ("प्रिया", "शर्मा", "NotoSansDevanagari", False),  # conjuncts: glyphs, not letters
    ("สมชาย", "ใจดี", "NotoSansThai", True),
    ("செல்வி", "தமிழ்", "NotoSansTamil", False),
    ("محمد", "علي", "NotoSansArabic", True),  # read back as presentation forms (NFKC)
    ("דוד", "כהן", "NotoSansHebrew", True),
    ("小明", "王", "WenQuanYiZenHei", True),
    ("민수", "김", "WenQuanYiZenHei", True),
    ("花子", "山田", "WenQuanYiZenHei", True),
]


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: apt-get install poppler-utils (.ci/run installs it)")
    return path


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) of every font of the PDF, as poppler's pdffonts lists them."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [tool("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type encoding emb sub uni object generation (type may be two words)
        fonts.append((parts[0], parts[-5] == "yes"))
    return fonts


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = unicodedata.normalize("NFKC", out)
    return "".join(c for c in text if unicodedata.category(c) != "Cf")  # bidi marks


def assert_every_name_prints(pdf: bytes, tmp_path: Path, names=NAMES) -> None:
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    families = {name.split("+", 1)[-1] for name, _ in fonts}
    assert not any("Helvetica" in family for family in families)
    text = pdf_text(pdf, tmp_path)
    for first, last, family, readable in names:
        assert any(f.startswith(family) for f in families), (family, families)
        for word in (first, last):
            assert_covered(word)
            if readable:
                assert word in text or word.upper() in text, (word, text)


def assert_covered(text: str) -> None:
    """Every letter is drawn in a font whose table has it, shaped to real glyphs."""
    for bold in (False, True):
        runs, _ = pdftext.layout(text, bold)
        for run in runs:
            font = pdfmetrics.getFont(run.font)
            cmap = font.face.charToGlyph
            assert all(ord(c) in cmap and cmap[ord(c)] != 0 for c in run.text), (text, run.font)
            # HarfBuzz, on the font file itself, finds a glyph for each (never .notdef)
            data = Path(font.face.filename).read_bytes()
            face = uharfbuzz.Face(uharfbuzz.Blob(data))
            buffer = uharfbuzz.Buffer()
            buffer.add_str(run.text)
            buffer.guess_segment_properties()
            uharfbuzz.shape(uharfbuzz.Font(face), buffer, {})
            assert all(info.codepoint != 0 for info in buffer.glyph_infos), (text, run.font)


@pytest.fixture
def event():
    now = timezone.now()
    return Event(
        pk=1,
        slug="journee",
        title="2e journée nationale des PTCE",
        starts_at=now,
        ends_at=now + timedelta(hours=7),
        capacity=10,
        venue_name="Centre de conférences",
        city="Paris",
        organiser_name="Le Labo de l’ESS",
    )


def people(event) -> list[Registration]:
    return [
        Registration(
            pk=n + 1,
            event=event,
            first_name=first,
            last_name=last,
            organisation="Pôle",
            category="press",
            status="confirmed",
            ticket_secret=f"secret-{n}",
        )
        for n, (first, last, _, _) in enumerate(NAMES)
    ]


def test_fonts_of_every_script_are_installed():
    assert pdftext.missing_font_files() == []


def test_security_list_prints_every_script(event, tmp_path):
    assert_every_name_prints(security_list_pdf(event, people(event)), tmp_path)


@pytest.mark.parametrize("index", range(len(NAMES)))
def test_ticket_prints_every_script(event, tmp_path, index):
    registration = people(event)[index]
    assert_every_name_prints(ticket_pdf(registration), tmp_path, [NAMES[index]])


def test_right_to_left_names_read_from_the_right():
    runs, rtl = pdftext.layout("محمد بن علي 12")
    assert rtl
    # the number, left to right, ends the line on the left; the name reads from the right
    assert runs[0].text == "12" and not runs[0].rtl
    assert runs[-1].rtl and runs[-1].shaped is not None
    runs, rtl = pdftext.layout("Amina כהן")
    assert not rtl and [r.rtl for r in runs] == [False, True]
    assert runs[0].text == "Amina " and runs[0].font == pdftext.FONT


def test_arabic_is_joined_not_isolated_letters():
    """Shaped: the letters of محمد take their joined forms (fewer, other glyphs)."""
    runs, _ = pdftext.layout("محمد")
    (run,) = runs
    isolated = [pdfmetrics.getFont(run.font).face.charToGlyph[ord(c)] for c in "محمد"]
    assert run.shaped is not None
    font = pdfmetrics.getFont(run.font)
    shaped_glyphs = [font.face.charToGlyph[ord(c)] for c in run.shaped]
    assert shaped_glyphs != isolated[::-1]


def test_words_wider_than_the_line_are_cut_between_letters():
    from events.documents import wrap_lines

    organisation = "北京市海淀区中关村科技园区社会与团结经济合作协会"
    lines = wrap_lines(None, organisation, pdftext.FONT, 9, 100)
    assert "".join(lines) == organisation and len(lines) > 1
    assert all(pdftext.string_width(line, pdftext.FONT, 9) <= 100 for line in lines)
    lines = wrap_lines(None, "Marie-Anne-Sophie-Charlotte de La Tour", pdftext.FONT, 9, 100)
    assert lines[0].endswith("-")  # cut after a hyphen
    assert all(pdftext.string_width(line, pdftext.FONT, 9) <= 100 for line in lines)
