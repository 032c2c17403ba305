"""The text layer of the PDFs: every script from a font that has it, shaped, in visual
order, wrapped to a width."""

from reportlab.pdfbase import pdfmetrics

from core import pdftext
from core.pdftext import wrap_lines


def test_fonts_of_every_script_are_installed():
    assert pdftext.missing_font_files() == []


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
    organisation = "北京市海淀区中关村科技园区社会与团结经济合作协会"
    lines = wrap_lines(None, organisation, pdftext.FONT, 9, 100)
    assert "".join(lines) == organisation and len(lines) > 1
    assert all(pdftext.string_width(line, pdftext.FONT, 9) <= 100 for line in lines)
    lines = wrap_lines(None, "Marie-Anne-Sophie-Charlotte de La Tour", pdftext.FONT, 9, 100)
    assert lines[0].endswith("-")  # cut after a hyphen
    assert all(pdftext.string_width(line, pdftext.FONT, 9) <= 100 for line in lines)
