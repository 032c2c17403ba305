"""Reading PDFs back in tests: their fonts (poppler's pdffonts), their text (pdftotext),
and whether the text layer drew each letter from a font that has it."""

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
import uharfbuzz
from reportlab.pdfbase import pdfmetrics

from core import pdftext


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


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    """The document's information dictionary, as poppler's pdfinfo prints it."""
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {
        key.strip(): value.strip()
        for key, _sep, value in (line.partition(":") for line in out.splitlines())
    }


def pdf_lang(pdf: bytes) -> str | None:
    """The catalogue's /Lang (pdfinfo does not print it)."""
    match = re.search(rb"/Lang \(([a-zA-Z-]+)\)", pdf)
    return match.group(1).decode() if match else None
