import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.input import ID_MAX, clean_query, clean_text, parse_id, parse_ids, parse_int


@pytest.mark.parametrize(
    "value", ["²", "٣", "1²", "", " ", "-", "+1", "1.0", "abc", "0", "-3", str(ID_MAX + 1), None]
)
def test_parse_id_refuses_anything_but_a_positive_ascii_integer(value):
    assert parse_id(value) is None


@pytest.mark.parametrize("value, expected", [("1", 1), (" 42 ", 42), (str(ID_MAX), ID_MAX), (7, 7)])
def test_parse_id_reads_ascii_integers(value, expected):
    assert parse_id(value) == expected


def test_parse_int_bounds_and_default():
    assert parse_int("5", default=1, minimum=1, maximum=18) == 5
    assert parse_int("99", default=1, minimum=1, maximum=18) == 1
    assert parse_int("-2", default=0) == -2
    assert parse_int(True, default=3) == 3


def test_parse_ids_keeps_valid_unique_ids_in_order():
    assert parse_ids(["3", "²", "1", "3", "x"]) == [3, 1]
    assert len(parse_ids([str(i) for i in range(1, 5000)], limit=10)) == 10


@given(st.text(max_size=30))
@settings(max_examples=300)
def test_parse_id_never_raises(value):
    result = parse_id(value)
    assert result is None or 1 <= result <= ID_MAX


def test_clean_text_normalises_to_nfc_and_counts_after():
    decomposed = "Le\u0301a"  # "Léa" written with a combining acute accent
    assert clean_text(decomposed, max_length=3) == "Léa"


@pytest.mark.parametrize(
    "value",
    ["a\x00b", "a\x1bb", "a\u202eb", "a\u200bb", "a\ufeffb", "a\u00adb", "a\x85b", "a\ud800b"],
)
def test_clean_text_refuses_controls_and_invisible_characters(value):
    with pytest.raises(ValidationError) as info:
        clean_text(value, max_length=50)
    assert info.value.code == "control"
    assert "U+" in str(info.value.messages[0])


def test_clean_text_keeps_a_joiner_between_letters_only():
    assert clean_text("می\u200cخواهم", max_length=20) == "می\u200cخواهم"
    with pytest.raises(ValidationError):
        clean_text("\u200dabc", max_length=20)
    # between Latin letters a joiner only hides a name: « Dur\u200dand » reads « Durand »
    for name in ("Dur\u200dand", "Zo\u200ce", "Ле\u200dна"):
        with pytest.raises(ValidationError):
            clean_text(name, max_length=20)
    assert clean_text("ශ්\u200dරියානි", max_length=20) == "ශ්\u200dරියානි"


def test_clean_text_single_and_multi_line():
    assert clean_text("  a \n b\t c ", max_length=20) == "a b c"
    assert clean_text("a  \r\nb\n", max_length=20, multiline=True) == "a\nb"
    assert clean_text("a\tb", max_length=20) == "a b"
    with pytest.raises(ValidationError) as info:
        clean_text("   ", max_length=5, required=True)
    assert info.value.code == "required"
    with pytest.raises(ValidationError) as info:
        clean_text("abcdef", max_length=5)
    assert info.value.code == "too_long"


def test_clean_query_never_refuses():
    assert clean_query("lef\x00evre") == "lef evre"
    assert clean_query("a\u202eb") == "a b"
    assert clean_query("x" * 1000, max_length=10) == "x" * 10
    assert clean_query(None) == ""
