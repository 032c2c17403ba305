"""Ticket references: a short code a person can type (events.references), unique per
event, on the personal page, the ticket PDF and the email, found by the organiser's
search."""

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.tests.pdf import pdf_text
from events import references
from events import services as event_services
from events.documents import ticket_pdf
from events.models import Registration
from events.tests.factories import EventFactory
from events.tokens import personal_link_token

pytestmark = pytest.mark.django_db
REFERENCE_RE = re.compile(r"[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}")


def test_the_alphabet_has_nothing_that_reads_as_another_character():
    assert len(set(references.ALPHABET)) == len(references.ALPHABET) == 30
    assert not set("01OILU") & set(references.ALPHABET)
    assert all(REFERENCE_RE.fullmatch(references.new_reference()) for _ in range(200))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("K7MXQ4TR", "K7MXQ4TR"),
        ("k7mx-q4tr", "K7MXQ4TR"),
        (" k7mx q4tr ", "K7MXQ4TR"),
        ("K7MX – Q4TR", "K7MXQ4TR"),
        ("K7MX-Q4T", None),  # too short
        ("K7MX-Q4TRR", None),  # too long
        ("K7MO-Q4TR", None),  # O is not in the alphabet
        ("K7M1-Q4TR", None),
        ("lefevre", None),
        ("", None),
    ],
)
def test_a_typed_reference_is_read_whatever_its_case_spaces_and_dashes(typed, stored):
    assert references.normalise(typed) == stored


def test_each_registration_gets_a_reference_unique_in_its_event(event, register):
    first = register(event).registration
    second = register(event).registration
    assert REFERENCE_RE.fullmatch(first.reference) and REFERENCE_RE.fullmatch(second.reference)
    assert first.reference != second.reference
    assert first.grouped_reference == f"{first.reference[:4]}-{first.reference[4:]}"
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=second.pk).update(reference=first.reference)
    # another event may have the same one
    other = register(EventFactory()).registration
    Registration.objects.filter(pk=other.pk).update(reference=first.reference)


def test_the_service_never_hands_out_a_reference_taken_in_the_event(event, register, monkeypatch):
    taken = register(event).registration.reference
    draws = iter([taken, taken, "ABCD2345"])
    monkeypatch.setattr(event_services, "new_reference", lambda: next(draws))
    assert register(event).registration.reference == "ABCD2345"


def test_the_migration_fills_the_reference_of_existing_rows(event, register):
    registration = register(event).registration
    Registration.objects.filter(pk=registration.pk).update(reference="")
    migration = importlib.import_module("events.migrations.0007_registration_reference")
    migration.fill_references(apps, None)
    registration.refresh_from_db()
    assert REFERENCE_RE.fullmatch(registration.reference)


def test_erasing_a_person_gives_their_ticket_a_new_reference(event, register):
    registration = register(event).registration
    before = registration.reference
    event_services.registration_erase(registration=registration)
    registration.refresh_from_db()
    assert REFERENCE_RE.fullmatch(registration.reference) and registration.reference != before


def test_the_reference_is_on_the_personal_page_the_pdf_and_the_email(
    client, event, register, tmp_path
):
    registration = register(event).registration
    grouped = registration.grouped_reference
    page = client.get(reverse("events:personal", args=[personal_link_token(registration)]))
    assert grouped in page.content.decode()
    assert grouped in pdf_text(ticket_pdf(registration), tmp_path)
    sent = [m for m in mail.outbox if registration.email in m.to]
    assert sent and grouped in sent[-1].body
    assert grouped in sent[-1].alternatives[0][0]


def test_the_organiser_finds_a_registration_by_its_reference(client, event, register):
    organiser = get_user_model().objects.create_user("orga", password="x", is_staff=True)
    event.managers.add(organiser)
    client.force_login(organiser)
    wanted = register(event, last_name="Lefèvre", email="h@example.org").registration
    register(event, last_name="Martin", email="p@example.org")
    url = reverse("events_manage:event", args=[event.slug])
    for query in (wanted.grouped_reference, wanted.reference.lower(), wanted.reference):
        html = client.get(url, {"q": query}).content.decode()
        assert "LEFÈVRE" in html and "MARTIN" not in html, query
    assert "LEFÈVRE" not in client.get(url, {"q": "ABCD-2345"}).content.decode()


def test_the_organiser_list_says_the_reference_is_searched_and_shows_it(client, event, register):
    """The search box says it takes a reference, and each row shows the one it found."""
    organiser = get_user_model().objects.create_user("orga", password="x", is_staff=True)
    event.managers.add(organiser)
    client.force_login(organiser)
    wanted = register(event, last_name="Lefèvre", email="h@example.org").registration
    url = reverse("events_manage:event", args=[event.slug])
    html = client.get(url, {"q": wanted.grouped_reference}, HTTP_ACCEPT_LANGUAGE="fr")
    html = html.content.decode()
    assert "Rechercher (nom, structure, e-mail, référence du billet)" in html
    row = html[html.index("LEFÈVRE") :]
    assert wanted.grouped_reference in row[: row.index("</tr>")]
