"""Text in PDFs for names of every script: fonts chosen per character, shaping and
right-to-left order.

Roboto (the font-roboto package) prints Latin, Greek, Cyrillic and Vietnamese in the
house style. Other scripts come from Debian's Noto fonts (``fonts-noto-core``: Arabic,
Hebrew, Devanagari, Thai, Tamil, Armenian, Georgian, Ethiopic, Tifinagh…) and
WenQuanYi Zen Hei (``fonts-wqy-zenhei``: Chinese, Japanese, Korean), all TrueType so
that reportlab embeds them. Nothing is downloaded at run time: a missing package only means a
missing script, reported by ``missing_font_files`` (and a system check).

A line of text is cut into runs, each in one font and one direction; runs that need it
(Arabic joining, Indic conjuncts and vowel signs, Thai marks, right-to-left text) are
shaped by HarfBuzz (uharfbuzz, through reportlab's support), then placed in visual order
(a simplified Unicode bidirectional algorithm: enough for names, organisations and
titles, where a right-to-left name may sit next to Latin words or digits).

On top of that, what every PDF of the project shares: lines wrapped to a width
(``wrap_lines``, ``TextBlock`` for platypus tables), a size that fits (``fit_size``), and a
canvas whose fonts are all embedded, with its language and creator set (``new_canvas``;
``SimpleDocTemplate`` takes ``initialFontName=FONT``, ``lang=pdf_language()`` and
``creator=CREATOR`` for the same).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import BinaryIO

import font_roboto
from django.utils import translation
from reportlab import rl_config
from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont, shapeFragWord
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable

FONT = "Roboto"
FONT_BOLD = "Roboto-Bold"

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/wqy"),
]
CJK = "wqy-zenhei"
# (first code point, last code point, font file stem): where each script's letters are.
SCRIPT_FONTS = [
    (0x0530, 0x058F, "NotoSansArmenian"),
    (0x0590, 0x05FF, "NotoSansHebrew"),
    (0xFB1D, 0xFB4F, "NotoSansHebrew"),
    (0x0600, 0x06FF, "NotoSansArabic"),
    (0x0750, 0x077F, "NotoSansArabic"),
    (0x0870, 0x08FF, "NotoSansArabic"),
    (0xFB50, 0xFDFF, "NotoSansArabic"),
    (0xFE70, 0xFEFF, "NotoSansArabic"),
    (0x0700, 0x074F, "NotoSansSyriac"),
    (0x0780, 0x07BF, "NotoSansThaana"),
    (0x07C0, 0x07FF, "NotoSansNKo"),
    (0x0900, 0x097F, "NotoSansDevanagari"),
    (0xA8E0, 0xA8FF, "NotoSansDevanagari"),
    (0x0980, 0x09FF, "NotoSansBengali"),
    (0x0A00, 0x0A7F, "NotoSansGurmukhi"),
    (0x0A80, 0x0AFF, "NotoSansGujarati"),
    (0x0B00, 0x0B7F, "NotoSansOriya"),
    (0x0B80, 0x0BFF, "NotoSansTamil"),
    (0x0C00, 0x0C7F, "NotoSansTelugu"),
    (0x0C80, 0x0CFF, "NotoSansKannada"),
    (0x0D00, 0x0D7F, "NotoSansMalayalam"),
    (0x0D80, 0x0DFF, "NotoSansSinhala"),
    (0x0E00, 0x0E7F, "NotoSansThai"),
    (0x0E80, 0x0EFF, "NotoSansLao"),
    (0x1000, 0x109F, "NotoSansMyanmar"),
    (0x10A0, 0x10FF, "NotoSansGeorgian"),
    (0x1C90, 0x1CBF, "NotoSansGeorgian"),
    (0x1200, 0x139F, "NotoSansEthiopic"),
    (0x13A0, 0x13FF, "NotoSansCherokee"),
    (0x1400, 0x167F, "NotoSansCanadianAboriginal"),
    (0x1780, 0x17FF, "NotoSansKhmer"),
    (0x1800, 0x18AF, "NotoSansMongolian"),
    (0x2D30, 0x2D7F, "NotoSansTifinagh"),
    (0xA500, 0xA63F, "NotoSansVai"),
    (0x1E900, 0x1E95F, "NotoSansAdlam"),
    # Chinese, Japanese and Korean (TrueType outlines, which reportlab embeds; the Noto
    # CJK fonts are CFF, which it cannot).
    (0x1100, 0x11FF, CJK),
    (0x2E80, 0x2FDF, CJK),
    (0x3000, 0x9FFF, CJK),
    (0xA960, 0xA97F, CJK),
    (0xAC00, 0xD7FF, CJK),
    (0xF900, 0xFAFF, CJK),
    (0xFF00, 0xFFEF, CJK),
    (0x20000, 0x3134F, CJK),
]
# Fonts laid out without HarfBuzz (no joining, reordering or mark placement needed):
# kept on the fast path unless a run has combining marks or runs right to left.
SIMPLE_FONTS = {FONT, FONT_BOLD, "NotoSans-Regular", "NotoSans-Bold", CJK}
REQUIRED_STEMS = ("NotoSans", "NotoSansArabic", "NotoSansHebrew", CJK)

# Compressed page streams kept binary (not re-encoded as ASCII85 text): a quarter of the
# time of 3,000 badges, and smaller files.
rl_config.useA85 = 0

pdfmetrics.registerFont(TTFont(FONT, font_roboto.font_files["Roboto"]))
pdfmetrics.registerFont(TTFont(FONT_BOLD, font_roboto.font_files["RobotoBold"]))
registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _font_file(stem: str, bold: bool) -> Path | None:
    names = [f"{stem}-Bold.ttf", f"{stem}-Regular.ttf"] if bold else [f"{stem}-Regular.ttf"]
    if stem == CJK:
        names = ["wqy-zenhei.ttc"]
    for folder in FONT_DIRS:
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


def missing_font_files() -> list[str]:
    """The font files of the Debian packages that are not installed."""
    return [stem for stem in REQUIRED_STEMS if _font_file(stem, bold=False) is None]


@cache
def _load(stem: str, bold: bool) -> str | None:
    """Register the font (once) and return its reportlab name, or None if not installed."""
    path = _font_file(stem, bold)
    if path is None:
        return None
    name = path.stem
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    return name


@cache
def _cmap(font_name: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def _has(font_name: str, text: str) -> bool:
    cmap = _cmap(font_name)
    return all(ord(c) in cmap for c in text)


def _script_stem(code: int) -> str | None:
    for first, last, stem in SCRIPT_FONTS:
        if first <= code <= last:
            return stem
    return None


@lru_cache(maxsize=1)
def _all_stems() -> tuple[str, ...]:
    stems = []
    for folder in FONT_DIRS:
        if folder.is_dir():
            files = folder.glob("NotoSans*-Regular.ttf")
            stems += sorted(path.name.removesuffix("-Regular.ttf") for path in files)
    return tuple(stems)


@lru_cache(maxsize=4096)
def font_for(cluster: str, bold: bool = False) -> str | None:
    """The font that prints this cluster (a letter and its marks), or None if no
    installed font has it."""
    primary = FONT_BOLD if bold else FONT
    if _has(primary, cluster):
        return primary
    candidates = ["NotoSans"]
    stem = _script_stem(ord(cluster[0]))
    if stem:
        candidates.append(stem)
    candidates.append(CJK)
    for stem in candidates:
        name = _load(stem, bold)
        if name and _has(name, cluster):
            return name
    if len(cluster) > 1:  # a font for the letter, even if a rare mark is missing
        return font_for(cluster[0], bold)
    for stem in _all_stems():  # rare scripts: look through every installed Noto font
        name = _load(stem, bold)
        if name and _has(name, cluster):
            return name
    return None


def _clusters(text: str) -> list[str]:
    """Letters with their combining marks (so that a mark is printed in its letter's font)."""
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.category(char) in ("Mn", "Mc", "Me"):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _strong(char: str) -> str | None:
    kind = unicodedata.bidirectional(char)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    if kind in ("EN", "AN"):
        return "N"  # digits: left to right inside right-to-left text too
    return None


@dataclass
class Run:
    text: str
    font: str
    rtl: bool
    shaped: object = None  # reportlab ShapedStr, when HarfBuzz laid the run out

    def width(self, size: float) -> float:
        if self.shaped is not None:
            return sum(d.x_advance for d in self.shaped.__shapeData__) * size / 1000
        return pdfmetrics.stringWidth(self.text, self.font, size)


@lru_cache(maxsize=8192)
def layout(text: str, bold: bool = False) -> tuple[tuple[Run, ...], bool]:
    """The runs of a line of text in visual order (left to right), and whether the line
    reads right to left."""
    clusters = _clusters(text)
    directions: list[str | None] = []
    fonts: list[str] = []
    fallback = FONT_BOLD if bold else FONT
    for cluster in clusters:
        directions.append(_strong(cluster[0]))
        previous = fonts[-1] if fonts else None
        if directions[-1] in (None, "N") and previous and _has(previous, cluster):
            fonts.append(previous)  # spaces and punctuation stay in the run's font
        else:
            fonts.append(font_for(cluster, bold) or fallback)
    base_rtl = next((d == "R" for d in directions if d in ("L", "R")), False)
    # Neutral characters take the direction of the letters around them when both agree,
    # the line's otherwise; digits read left to right.
    resolved: list[str] = []
    for index, direction in enumerate(directions):
        if direction in ("L", "R"):
            resolved.append(direction)
        elif direction == "N":
            resolved.append("L")
        else:
            before = next((d for d in reversed(directions[:index]) if d in ("L", "R", "N")), None)
            after = next((d for d in directions[index + 1 :] if d in ("L", "R", "N")), None)
            before = "R" if before == "N" and base_rtl else before
            after = "R" if after == "N" and base_rtl else after
            resolved.append(before if before == after and before else ("R" if base_rtl else "L"))
    runs: list[Run] = []
    for cluster, font, direction in zip(clusters, fonts, resolved, strict=True):
        rtl = direction == "R"
        if runs and runs[-1].font == font and runs[-1].rtl == rtl:
            runs[-1].text += cluster
        else:
            runs.append(Run(text=cluster, font=font, rtl=rtl))
    for run in runs:
        needs_shaping = (
            run.rtl
            or run.font not in SIMPLE_FONTS
            or any(unicodedata.combining(c) for c in run.text)
        )
        if needs_shaping and pdfmetrics.getFont(run.font).shapable:
            # HarfBuzz guesses the script and direction of the run, and gives the glyphs
            # in visual order; sizes scale linearly, so shape once at 1000 points.
            run.shaped = _shape(run.text, run.font)
        elif run.rtl:
            run.text = run.text[::-1]
    # Visual order (rule L2 of the bidirectional algorithm, with levels 0/1 in a left to
    # right line and 1/2 in a right to left one): reverse each stretch of runs at or above
    # each level, from the highest odd level down.
    levels = [(1 if run.rtl else 0) if not base_rtl else (1 if run.rtl else 2) for run in runs]
    for level in range(max(levels, default=0), 0, -1):
        index = 0
        while index < len(runs):
            if levels[index] >= level:
                end = index
                while end < len(runs) and levels[end] >= level:
                    end += 1
                runs[index:end] = runs[index:end][::-1]
                levels[index:end] = levels[index:end][::-1]
                index = end
            else:
                index += 1
    return tuple(runs), base_rtl


def string_width(text: str, font: str, size: float) -> float:
    runs, _ = layout(text, font == FONT_BOLD)
    return sum(run.width(size) for run in runs)


def draw_string(pdf, x: float, y: float, text: str, font: str, size: float, *, align="left"):
    """Draw one line of text from x (align="left"), centred on x, or ending at x."""
    runs, _ = layout(text, font == FONT_BOLD)
    widths = [run.width(size) for run in runs]
    if align == "centre":
        x -= sum(widths) / 2
    elif align == "right":
        x -= sum(widths)
    for run, width in zip(runs, widths, strict=True):
        pdf.setFont(run.font, size)
        # shaped runs carry their glyph positions in thousandths of the font size
        pdf.drawString(x, y, run.shaped if run.shaped is not None else run.text)
        x += width
    pdf.setFont(font, size)


def fit_size(
    pdf: canvas.Canvas, text: str, font: str, size: float, width: float, minimum: float = 8
) -> float:
    """The largest font size ≤ size (and ≥ minimum) at which text fits in width."""
    while size > minimum and string_width(text, font, size) > width:
        size -= 0.5
    return size


CREATOR = "ptce"


def pdf_language() -> str:
    """The language of a document, as its PDF /Lang says it: the active one."""
    return (translation.get_language() or "fr").split("-")[0]


def new_canvas(out: BinaryIO, pagesize, *, lang: str | None = None) -> canvas.Canvas:
    """A canvas whose every font is embedded (never the PDF's standard Helvetica), in the
    active language unless told, made by ptce."""
    pdf = canvas.Canvas(
        out,
        pagesize=pagesize,
        pageCompression=1,
        initialFontName=FONT,
        initialFontSize=12,
        lang=lang or pdf_language(),
    )
    pdf.setCreator(CREATOR)
    return pdf


def wrap_lines(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """Text cut at spaces into lines that fit in width; a word wider than the whole line
    (Chinese or Japanese are written without spaces) is cut between its letters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if string_width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while len(current) > 1 and string_width(current, font, size) > width:
            cut = len(current) - 1
            while cut > 1 and string_width(current[:cut], font, size) > width:
                cut -= 1
            hyphen = current.rfind("-", 0, cut)
            if hyphen > 0:
                cut = hyphen + 1  # "Marie-Anne-" / "Sophie"
            while cut > 1 and unicodedata.category(current[cut]).startswith("M"):
                cut -= 1  # never part a letter from its marks
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


class TextBlock(Flowable):
    """Text wrapped to the width it is given, in any script (a table cell, a title); a
    line break in the text starts a new line."""

    def __init__(
        self,
        text: str,
        font: str = FONT,
        size: float = 9,
        leading: float = 11,
        *,
        color=None,
    ):
        super().__init__()
        self.text, self.font, self.size, self.leading = text, font, size, leading
        self.color = color
        self.lines: list[str] = []

    def wrap(self, available_width, available_height):
        self.lines = [
            line
            for paragraph in str(self.text).splitlines()
            for line in wrap_lines(None, paragraph, self.font, self.size, available_width) or [""]
        ] or [""]
        self.width = available_width
        self.height = self.leading * len(self.lines)
        return self.width, self.height

    def draw(self):
        if self.color is not None:
            self.canv.setFillColor(self.color)
        y = self.height - self.size
        for line in self.lines:
            draw_string(self.canv, 0, y, line, self.font, self.size)
            y -= self.leading


# Kerning and the usual ligatures; never discretionary ones (Noto Sans Arabic would print
# the name Muhammad as the honorific ligature ﷴ, vowel marks and all).
SHAPING_FEATURES = {"kern": True, "liga": True}


def _shape(text: str, font: str):
    """The run laid out by HarfBuzz: glyphs in visual order, positions in thousandths of
    the font size (so one shaping serves every size)."""
    word = [pdfmetrics.stringWidth(text, font, 1000), (ABag(fontName=font, fontSize=1000), text)]
    return shapeFragWord(word, features=SHAPING_FEATURES, force=True)[1][1]


def check_fonts(app_configs=None, **kwargs):
    """System check: the Debian font packages that print the other scripts."""
    from django.core.checks import Warning

    missing = missing_font_files()
    if not missing:
        return []
    return [
        Warning(
            f"Fonts missing: {', '.join(missing)}; names in these scripts print blank in PDFs.",
            hint="apt-get install fonts-noto-core fonts-wqy-zenhei",
            id="core.W001",
        )
    ]
