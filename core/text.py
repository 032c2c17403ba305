"""Small text helpers shared by the apps."""

import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


def fold(value: str) -> str:
    """Lower-case, accent-free, whitespace-collapsed form used for searching.

    "  Zoé N'Diaye-Lefèvre " -> "zoe n'diaye-lefevre"
    """
    # the typographic apostrophe and its look-alikes search like the straight one
    decomposed = unicodedata.normalize("NFKD", value.translate(_APOSTROPHES))
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(without_marks.casefold().split())


def normalise_email(value: str) -> str:
    """The form under which two emails are 'the same' (trimmed, case-insensitive)."""
    return value.strip().casefold()


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00", "|", "%")


def spreadsheet_safe(value: object) -> object:
    """Neutralise a cell against formula injection (CSV/XLSX exports).

    Text that a spreadsheet would read as a formula gets a leading apostrophe.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_for_script(data) -> str:
    """JSON to put inside <script type="application/ld+json"> (as Django's json_script
    does: no <, > or & can end the script block or open a comment)."""
    import json

    return json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
