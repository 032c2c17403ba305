"""The helpers of French as an editor writes it (and their English side)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core import dates, french

NB = "\u00a0"
NNB = "\u202f"


@pytest.fixture
def fr():
    with translation.override("fr"):
        yield


@pytest.fixture
def en():
    with translation.override("en"):
        yield


# dates -----------------------------------------------------------------------------------

# 13:26 UTC is 14:26 in Paris in winter
WINTER = datetime(2026, 12, 1, 13, 26, tzinfo=UTC)


def test_clock_in_french_has_no_leading_zero_and_no_zero_minutes(fr):
    assert dates.clock(datetime(2026, 6, 1, 9, 30)) == f"9{NB}h{NB}30"
    assert dates.clock(datetime(2026, 6, 1, 14, 0)) == f"14{NB}h"
    assert dates.clock(datetime(2026, 6, 1, 14, 5)) == f"14{NB}h{NB}05"


def test_clock_shows_an_aware_time_in_local_time(fr):
    assert dates.clock(WINTER) == f"14{NB}h{NB}26"


def test_clock_in_english(en):
    assert dates.clock(datetime(2026, 6, 1, 9, 30)) == "9:30"
    assert dates.clock(datetime(2026, 6, 1, 14, 0)) == "14:00"


def test_long_date_says_1er_for_the_first_in_french(fr):
    assert dates.long_date(date(2026, 12, 1)) == "1er décembre 2026"
    assert dates.long_date(date(2021, 6, 1)) == "1er juin 2021"
    assert dates.long_date(date(2026, 11, 27)) == "27 novembre 2026"
    assert dates.long_date(date(2026, 12, 1), weekday=True) == "mardi 1er décembre 2026"


def test_long_date_of_a_datetime_is_its_local_day(fr):
    # 23:30 UTC on 30 November is already 1 December in Paris
    assert dates.long_date(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == "1er décembre 2026"


def test_long_date_in_english_has_capitals_and_no_ordinal(en):
    assert dates.long_date(date(2031, 9, 19), weekday=True) == "Friday 19 September 2031"
    assert dates.long_date(date(2026, 12, 1)) == "1 December 2026"


def test_short_date(fr):
    assert dates.short_date(date(2026, 12, 1)) == "1er déc."
    assert dates.short_date(date(2026, 11, 27)) == "27 nov."
    with translation.override("en"):
        assert dates.short_date(date(2026, 12, 1)) == "1 Dec"


def test_moment_joins_date_and_time_with_a(fr):
    assert dates.moment(WINTER) == f"1er décembre 2026 à 14{NB}h{NB}26"
    assert dates.short_moment(WINTER) == f"1er déc. à 14{NB}h{NB}26"


def test_moment_in_english(en):
    assert dates.moment(WINTER) == "1 December 2026 at 14:26"
    assert dates.short_moment(WINTER) == "1 Dec at 14:26"


def test_time_range(fr):
    start, end = datetime(2026, 6, 1, 9, 30), datetime(2026, 6, 1, 16, 0)
    assert dates.time_range(start, end) == f"de 9{NB}h{NB}30 à 16{NB}h"
    with translation.override("en"):
        assert dates.time_range(start, end) == "9:30 to 16:00"


# elision ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Amina", "d’Amina"),
        ("Paul", "de Paul"),
        ("Élise", "d’Élise"),
        ("Ève", "d’Ève"),
        ("Œdipe", "d’Œdipe"),
        ("Îlot", "d’Îlot"),
        ("Ugo", "d’Ugo"),
        ("Hélène", "d’Hélène"),
        ("Henri", "d’Henri"),
        ("Hugo", "d’Hugo"),
        ("Hollande", "de Hollande"),
        ("Hauts-de-France", "de Hauts-de-France"),
        ("Hugues", "de Hugues"),
        ("Yves", "d’Yves"),
        ("Yasmine", "de Yasmine"),
        ("Association JADES", "d’Association JADES"),
        ("  Amina ", "d’Amina"),
        ("1re journée", "de 1re journée"),
        ("« Amina »", "de « Amina »"),
        ("", "de "),
    ],
)
def test_de_name_elides_before_a_vowel_or_a_mute_h(fr, name, expected):
    assert french.de_name(name) == expected


def test_de_name_in_english(en):
    assert french.de_name("Amina") == "of Amina"


def test_le_and_la(fr):
    assert french.le_name("inscription") == "l’inscription"
    assert french.le_name("hameau") == "le hameau"
    assert french.le_name("homme") == "l’homme"
    assert french.la_name("fiche") == "la fiche"
    assert french.la_name("association") == "l’association"
    with translation.override("en"):
        assert french.le_name("registration") == "the registration"


def test_elide_keeps_the_capital_of_the_particle():
    assert french.elide("De", "Amina") == "D’Amina"
    assert french.elide("que", "Ève") == "qu’Ève"
    assert french.elide("lorsque", "il") == "lorsqu’il"
    assert french.elide("pour", "Amina") == "pour Amina"


# apostrophes and numbers -----------------------------------------------------------------


def test_apostrophes_between_letters_become_typographic():
    assert french.apostrophes("Le Labo de l'ESS") == "Le Labo de l’ESS"
    assert french.apostrophes("aujourd'hui, l'Économie") == "aujourd’hui, l’Économie"
    # quotes that are not apostrophes stay
    assert french.apostrophes("'cité'") == "'cité'"
    assert french.apostrophes("") == ""


def test_number_in_french(fr):
    assert french.number(1234) == f"1{NNB}234"
    assert french.number(1234567) == f"1{NNB}234{NNB}567"
    assert french.number(72000) == f"72{NNB}000"
    assert french.number(3.5) == "3,5"
    assert french.number(Decimal("3.50"), 2) == "3,50"
    assert french.number(12) == "12"
    assert french.number(-2) == "\u22122"
    assert french.number(None) == ""


def test_number_in_english(en):
    assert french.number(1234) == "1,234"
    assert french.number(3.5) == "3.5"


# template filters ------------------------------------------------------------------------


def render(source, **context):
    return Template("{% load french %}" + source).render(Context(context))


def test_filters_in_french(fr):
    out = render(
        "{{ d|long_date }}|{{ d|long_date:'weekday' }}|{{ m|moment }}|{{ m|clock }}|"
        "{{ m|short_moment }}|{{ name|de }}|{{ n|number }}|{{ t|apostrophes }}|{{ none|moment }}",
        d=date(2026, 12, 1),
        m=WINTER,
        name="Amina",
        n=1234,
        t="l'ESS",
        none=None,
    )
    assert out == (
        f"1er décembre 2026|mardi 1er décembre 2026|1er décembre 2026 à 14{NB}h{NB}26|"
        f"14{NB}h{NB}26|1er déc. à 14{NB}h{NB}26|d’Amina|1{NNB}234|l’ESS|"
    )


def test_filters_in_english(en):
    out = render("{{ d|long_date:'weekday' }}|{{ name|de }}", d=date(2031, 9, 19), name="Amina")
    assert out == "Friday 19 September 2031|of Amina"


def test_filters_escape_what_they_are_given(fr):
    assert render("{{ name|de }}", name="<b>Amina</b>") == "de &lt;b&gt;Amina&lt;/b&gt;"


def test_clock_with_seconds_for_a_scan_log():
    moment = datetime(2026, 6, 1, 14, 3, 5)
    with translation.override("fr"):
        assert dates.clock(moment, seconds=True) == f"14{NB}h{NB}03{NB}min{NB}05{NB}s"
        assert render("{{ m|clock:'seconds' }}", m=moment) == f"14{NB}h{NB}03{NB}min{NB}05{NB}s"
    with translation.override("en"):
        assert dates.clock(moment, seconds=True) == "14:03:05"


def test_long_date_filter_reads_an_iso_date_string(fr):
    assert render("{{ v|long_date }}", v="2026-12-01") == "1er décembre 2026"
    assert render("{{ v|long_date }}", v="not a date") == "not a date"


# the French catalogues ---------------------------------------------------------------------


def _typography():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "french_typography.py"
    spec = importlib.util.spec_from_file_location("french_typography", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_french_catalogues_follow_the_typography():
    """No ordinary space before « : ; ! ? » or inside guillemets, no straight apostrophe,
    no name glued after « de ». If this fails: python3 scripts/french_typography.py, then
    make messages."""
    typography = _typography()
    problems = []
    for path in typography.CATALOGUES:
        problems += typography.process(path, fix=False)
    assert problems == []


def test_typography_fixes_what_it_finds():
    typography = _typography()
    text = "Hors ligne : l'entrée « %(name)s » ; vraiment ? Vous gérez la fiche de %(pole)s"
    assert typography.problems_of(text)
    fixed = typography.fix_text(text)
    assert fixed == (
        f"Hors ligne{NB}: l’entrée «{NB}%(name)s{NB}»{NB}; vraiment{NB}? "
        f"Vous gérez la fiche «{NB}%(pole)s{NB}»"
    )
    assert typography.problems_of(fixed) == []


def test_django_own_formats_write_french_times(fr):
    from django.utils import formats

    moment = datetime(2026, 11, 27, 9, 30)
    assert formats.date_format(moment, "TIME_FORMAT") == f"9{NB}h{NB}30"
    assert formats.date_format(moment, "DATETIME_FORMAT") == f"27 novembre 2026, 9{NB}h{NB}30"
    assert formats.number_format(1234, force_grouping=True) == f"1{NNB}234"


def test_file_sizes_in_decimal_units_as_french_readers_write_them():
    from django.utils import translation

    from core.french import file_size

    with translation.override("fr"):
        assert file_size(850) == "850 octets"
        assert file_size(12_000) == "12\u00a0ko"
        assert file_size(2_500_000) == "2,5\u00a0Mo"
        assert file_size(102_400) == "102\u00a0ko"
        assert file_size(30 * 1024**2) == "31,5\u00a0Mo"
    with translation.override("en"):
        assert file_size(2_500_000) == "2.5\u00a0MB"
