"""What a person may type in the registration forms (online, embedded, at the door)."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from core.errors import DomainError
from events import validation
from events.models import Registration

# Real names in the scripts of the people who come, as they type them (some keyboards and
# macOS send decomposed letters: the accent as its own character after the letter).
NAMES = [
    ("Nguyễn Thị Minh Khai", "NFD"),  # Vietnamese, decomposed
    ("Zoé N'Diaye-Lefèvre", "NFD"),  # French, decomposed
    ("Hélène d’Arc", "NFC"),
    ("अनुराधा शर्मा", "NFC"),  # Devanagari: vowel signs and a virama
    ("सौरभ कुमार", "NFC"),
    ("สมชาย ใจดี", "NFC"),  # Thai: vowel and tone marks
    ("தமிழ்செல்வி", "NFC"),  # Tamil: pulli (virama) and vowel signs
    ("محمّد", "NFC"),  # Arabic with a shadda
    ("王小明", "NFC"),  # Han
    ("דוד כהן", "NFC"),  # Hebrew
    ("Łukasz Ольга Ψυχή", "NFC"),
]


@pytest.mark.parametrize(("name", "form"), NAMES)
def test_names_of_every_script_are_accepted_and_stored_composed(name, form):
    typed = unicodedata.normalize(form, name)
    assert validation.clean_name(typed, label="nom") == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize(
    "value",
    [
        "R2D2",
        "Anne٣",  # an Arabic-Indic digit
        "अनु१",  # a Devanagari digit
        "สมชาย๑",  # a Thai digit
        "\u0301Anne",  # a mark with no letter before it
        "Anne - \u0301",  # a mark after a separator
        "Zoé ♥",
        "<b>Bob</b>",
        "-Anne",
    ],
)
def test_digits_symbols_and_stray_marks_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validation.clean_name(value, label="nom")
    assert error.value.code == "invalid_chars"


@pytest.mark.parametrize(
    "char",
    [
        "\u202e",  # right-to-left override
        "\u202a",  # left-to-right embedding
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\ufeff",  # byte order mark
        "\u00ad",  # soft hyphen
        "\x00",
    ],
)
def test_invisible_characters_in_names_and_organisations_are_refused(char):
    for clean in (
        lambda v: validation.clean_name(v, label="nom"),
        validation.clean_organisation,
    ):
        with pytest.raises(ValidationError) as error:
            clean(f"Ana{char}Lopez")
        assert error.value.code == "control"
        assert "U+" in error.value.messages[0]


def test_a_joiner_inside_a_word_is_kept():
    # A zero-width non-joiner is part of the spelling of many Persian names.
    assert validation.clean_name("می\u200cخواهم", label="nom") == "می\u200cخواهم"


def test_length_is_counted_once_composed():
    decomposed = unicodedata.normalize("NFD", "é" * 100)  # 200 characters as typed
    assert validation.clean_name(decomposed, label="nom") == "é" * 100
    with pytest.raises(ValidationError) as error:
        validation.clean_name("é" * 101, label="nom")
    assert error.value.code == "too_long"


# Valid for Django (the domain's labels fit once encoded as IDNA), 134 characters, but
# casefold() turns each « ß » into « ss »: 258 characters as the registration's key.
SHARP_S_EMAIL = "zoe@" + ".".join(["ß" * 31] * 4) + ".de"


def test_email_too_long_once_normalised_is_refused():
    assert len(SHARP_S_EMAIL) <= validation.EMAIL_MAX
    with pytest.raises(ValidationError) as error:
        validation.clean_email(SHARP_S_EMAIL)
    assert error.value.code == "too_long"


def test_email_too_long_once_normalised_saves_nothing(event, register):
    with pytest.raises(DomainError) as error:
        register(event, email=SHARP_S_EMAIL)
    assert error.value.code == "events.invalid_field" and error.value.field == "email"
    assert not Registration.objects.exists()


def test_names_of_every_script_are_registered(event, register):
    for name, form in NAMES:
        typed = unicodedata.normalize(form, name)
        outcome = register(event, first_name=typed, last_name=typed)
        assert outcome.registration.last_name == unicodedata.normalize("NFC", name)
