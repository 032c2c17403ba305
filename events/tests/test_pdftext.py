"""Names of every accepted script print in the PDFs, from embedded fonts that have them."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from core.tests.pdf import assert_covered, pdf_fonts, pdf_text
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


def test_security_list_prints_every_script(event, tmp_path):
    assert_every_name_prints(security_list_pdf(event, people(event)), tmp_path)


@pytest.mark.parametrize("index", range(len(NAMES)))
def test_ticket_prints_every_script(event, tmp_path, index):
    registration = people(event)[index]
    assert_every_name_prints(ticket_pdf(registration), tmp_path, [NAMES[index]])
