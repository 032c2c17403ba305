"""French as an editor writes it (and English as an English editor does): elision,
apostrophes and numbers. Dates and times are in ``core.dates``.

Each helper follows the active language (``translation.get_language()``):

- ``de_name("Amina")`` → « d’Amina », ``de_name("Paul")`` → « de Paul »; "of Amina" in
  English. Use it where a sentence glues a name after « de »: the msgid takes the whole
  group (``"Cancel the registration %(of_name)s"``).
- ``le_name("inscription")`` → « l’inscription », ``le_name("hameau")`` → « le hameau »;
  "the inscription" in English. ``la_name`` likewise for a feminine word.
- ``elide(particle, word)``: any of « de, le, la, que, je, me, te, se, ne, jusque,
  lorsque, puisque » before a vowel or a mute h, with a small list of h aspiré exceptions.
- ``apostrophes(text)``: the typographic apostrophe ’ for every ' between letters.
- ``number(value)``: « 1 234 » (narrow no-break space), « 3,5 » — "1,234", "3.5".
"""

import re
import unicodedata
from decimal import Decimal

from core.dates import is_french

APOSTROPHE = "\u2019"
NARROW_NBSP = "\u202f"

# Words and names whose h is aspirated (no elision: « de Hollande », « le hameau »).
# Lower-case, accent-free prefixes; a name starting with one of them keeps « de ».
H_ASPIRE = (
    "hache",
    "haie",
    "haine",
    "hall",
    "halte",
    "hamac",
    "hambourg",
    "hameau",
    "hamster",
    "hanche",
    "handball",
    "handicap",
    "hangar",
    "hanter",
    "harcel",
    "haricot",
    "harpe",
    "hasard",
    "hate",
    "hausse",
    "haut",
    "havre",
    "hennir",
    "heros",
    "herisson",
    "hetre",
    "hibou",
    "hierarch",
    "hockey",
    "hollande",
    "hollandais",
    "homard",
    "hongr",
    "honte",
    "hors",
    "housse",
    "hublot",
    "huer",
    "hugues",
    "huit",
    "hurl",
    "hutte",
)

_VOWELS = set("aeiou")
_ELIDABLE = {
    "de": "d",
    "le": "l",
    "la": "l",
    "que": "qu",
    "je": "j",
    "me": "m",
    "te": "t",
    "se": "s",
    "ne": "n",
    "jusque": "jusqu",
    "lorsque": "lorsqu",
    "puisque": "puisqu",
}
_ENGLISH = {"de": "of", "le": "the", "la": "the"}


def _bare(word: str) -> str:
    """Lower-case, accent-free letters of the word: "Élise" → "elise", "Œuvre" → "oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", word.strip())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().replace("œ", "oe").replace("æ", "ae")


def starts_with_vowel_sound(word: str) -> bool:
    """Whether a French word or name elides what comes before it: a vowel (accented or
    capital: « Élise », « Ève », « Œuvre »), a mute h (« Hélène », « Henri »), or a y
    before a consonant (« Yves »); not an aspirated h (« Hollande », « hameau »), a y
    before a vowel (« Yasmine »), a digit or a sign."""
    bare = _bare(word)
    if not bare or not bare[0].isalpha():
        return False
    first = bare[0]
    if first in _VOWELS:
        return True
    if first == "y":
        return len(bare) > 1 and bare[1] not in _VOWELS and bare[1].isalpha()
    if first == "h":
        return not bare.startswith(H_ASPIRE)
    return False


def elide(particle: str, word: str) -> str:
    """« d’Amina », « l’inscription », « qu’Ève », « de Paul », « le hameau »."""
    word = word.strip()
    key = particle.casefold()
    if key in _ELIDABLE and starts_with_vowel_sound(word):
        short = _ELIDABLE[key]
        if particle[:1].isupper():
            short = short[:1].upper() + short[1:]
        return f"{short}{APOSTROPHE}{word}"
    return f"{particle} {word}"


def de_name(name: str) -> str:
    """« d’Amina », « de Paul » in French; "of Amina" in English."""
    if not is_french():
        return f"of {name.strip()}"
    return elide("de", name)


def le_name(word: str) -> str:
    """« l’inscription », « le hameau » in French; "the inscription" in English."""
    if not is_french():
        return f"the {word.strip()}"
    return elide("le", word)


def la_name(word: str) -> str:
    """« l’association », « la fiche » in French; "the fiche" in English."""
    if not is_french():
        return f"the {word.strip()}"
    return elide("la", word)


_STRAIGHT_BETWEEN_LETTERS = re.compile(r"(?<=\w)'(?=\w)")


def apostrophes(text: str) -> str:
    """Every straight apostrophe between two letters becomes ’ (« l’ESS », « aujourd’hui »).
    For interface text only: never on HTML, code or an attribute's quotes."""
    if not text:
        return text
    return _STRAIGHT_BETWEEN_LETTERS.sub(APOSTROPHE, str(text))


def number(value, decimals: int | None = None) -> str:
    """« 1 234 » (narrow no-break space), « 3,5 », « −2 » in French; "1,234", "3.5" in
    English. ``decimals`` fixes the digits after the separator (none for an integer)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    if decimals is not None:
        text = f"{value:,.{decimals}f}"
    elif isinstance(value, int) or value == int(value):
        text = f"{int(value):,}"
    else:
        text = f"{value:,}"
    if is_french():
        text = text.replace(",", NARROW_NBSP).replace(".", ",").replace("-", "\u2212")
    return text


def file_size(size) -> str:
    """A file's size in decimal units, as French readers write them: « 850 octets »,
    « 12 ko », « 2,5 Mo », « 1,2 Go » (English: "850 bytes", "12 kB", "2.5 MB")."""
    from django.utils.translation import gettext as _

    size = int(size or 0)
    if size < 1000:
        return _("%(n)s bytes") % {"n": number(size)}
    for unit, scale in ((_("kB"), 10**3), (_("MB"), 10**6), (_("GB"), 10**9)):
        value = size / scale
        if value < 1000 or unit == _("GB"):
            shown = Decimal(value).quantize(Decimal("1") if value >= 100 else Decimal("0.1"))
            if shown == shown.to_integral():
                shown = shown.to_integral()
            return f"{number(shown)}\u00a0{unit}"
    raise AssertionError("unreachable")
