"""What outside validators check in the event's files (issue 10): the .ics (RFC 5545 and
5546), the PDFs' fonts and metadata, the organiser's CSV."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from core.csv import write_csv
from core.tests.pdf import pdf_fonts, pdf_info, pdf_lang
from events.documents import (
    event_ics,
    phone_for_people,
    registration_rows,
    security_list_pdf,
    ticket_pdf,
)
from events.models import Event
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def _vevent(data: bytes):
    calendar = Calendar.from_ical(data)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return calendar, events[0]


def test_ics_publishes_without_method_and_with_a_unique_uid(client, settings, event):
    settings.SITE_URL = "https://journees.ptce.example.org"
    response = client.get(reverse("events:ics", args=[event.slug]))
    assert "method=" not in response["Content-Type"].lower()
    assert response["Content-Type"].startswith("text/calendar")
    calendar, item = _vevent(response.content)
    assert "METHOD" not in calendar
    assert b"METHOD" not in response.content
    assert "ORGANIZER" not in item
    assert str(item["UID"]) == f"event-{event.pk}@journees.ptce.example.org"
    for required in ("DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "LAST-MODIFIED"):
        assert required in item, required
    assert item.decoded("LAST-MODIFIED") == event.updated_at.replace(microsecond=0)
    assert "Centre de conférences" in str(item["LOCATION"])


def test_ics_sequence_grows_when_the_event_changes_and_only_then(event):
    _calendar, first = _vevent(event_ics(event))
    _calendar, again = _vevent(event_ics(Event.objects.get(pk=event.pk)))
    assert int(again["SEQUENCE"]) == int(first["SEQUENCE"])
    assert again.to_ical() == first.to_ical()  # stable: the same file for the same event
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        event.save()  # moves updated_at on
    _calendar, changed = _vevent(event_ics(Event.objects.get(pk=event.pk)))
    assert int(changed["SEQUENCE"]) > int(first["SEQUENCE"])
    assert changed.decoded("LAST-MODIFIED") > first.decoded("LAST-MODIFIED")


def test_ics_leaves_empty_facts_out():
    event = EventFactory(
        starts_at=datetime(2012, 6, 25, 9, 30, tzinfo=PARIS),
        ends_at=datetime(2012, 6, 25, 17, 0, tzinfo=PARIS),
        venue_name="",
        street="",
        postal_code="",
        city="",
        summary="",
        id_required=False,
    )
    data = event_ics(event)
    _calendar, item = _vevent(data)
    assert "LOCATION" not in item
    assert b"LOCATION" not in data and b", ," not in data
    assert not re.search(rb"^[A-Z-]+:\r?$", data, re.M)  # no property without a value


# --- PDFs -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_ticket_pdf_says_its_language_author_subject_and_creator(
    event, register, tmp_path, language
):
    registration = register(event, language=language).registration
    with translation.override("fr" if language == "en" else "en"):  # another page language
        pdf = ticket_pdf(registration)
    assert pdf_lang(pdf) == language
    info = pdf_info(pdf, tmp_path)
    assert info["Author"] == event.organiser_name
    assert info["Creator"] == "ptce"
    assert event.title in info["Subject"]
    assert info["Subject"] != "(unspecified)"
    assert all(embedded for _name, embedded in pdf_fonts(pdf, tmp_path))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_security_list_pdf_says_its_language_author_subject_and_creator(
    event, register, tmp_path, language
):
    registration = register(event).registration
    with translation.override(language):
        pdf = security_list_pdf(event, [registration])
    assert pdf_lang(pdf) == language
    info = pdf_info(pdf, tmp_path)
    assert info["Author"] == event.organiser_name
    assert info["Creator"] == "ptce"
    assert event.title in info["Subject"]
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(embedded for _name, embedded in fonts)
    assert not any("Helvetica" in name for name, _embedded in fonts)


# --- Organiser CSV ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+33612345678", "06 12 34 56 78"),
        ("+33180058206", "01 80 05 82 06"),
        ("+262692123456", "0692 12 34 56"),
        ("+442079460958", "+44 20 7946 0958"),
        ("+3222223344", "+32 2 222 33 44"),
        ("", ""),
        ("not a number", "not a number"),
    ],
)
def test_phone_for_people(stored, shown):
    assert phone_for_people(stored) == shown


def test_registrations_csv_writes_french_phones_as_french_people_do(event, register):
    register(event, phone="06 12 34 56 78", last_name="Aubert")
    register(event, phone="+44 20 7946 0958", last_name="Brown")
    register(event, organisation="=HYPERLINK(1)", last_name="Carla")
    out = io.BytesIO()
    write_csv(out, ["a"], registration_rows(event))
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig")), delimiter=";"))
    phones = {row[0]: row[5] for row in rows[1:]}
    assert phones["Aubert"] == "06 12 34 56 78"  # no apostrophe, no +33
    # a leading + would be read as a formula by a spreadsheet: the apostrophe stays
    assert phones["Brown"] == "'+44 20 7946 0958"
    assert [row[3] for row in rows[1:] if row[0] == "Carla"] == ["'=HYPERLINK(1)"]
