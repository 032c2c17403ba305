import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from core.models import OutboundEmail
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(event):
    user = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def manage_urls(event):
    names = [
        "event",
        "outbox",
        "export_csv",
        "export_xlsx",
        "security_csv",
        "security_pdf",
        "documents",
        "documents_status",
    ]
    urls = [reverse(f"events_manage:{name}", args=[event.slug]) for name in names]
    return urls + [reverse("events_manage:document_download", args=[event.slug, "security_pdf"])]


def test_anonymous_is_sent_to_sign_in(client, event):
    for url in manage_urls(event):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_of_another_event_is_refused(client, event):
    other = get_user_model().objects.create_user("other", password="x-pass-1234", is_staff=True)
    EventFactory().managers.add(other)
    client.force_login(other)
    for url in manage_urls(event):
        assert client.get(url).status_code == 403
    assert client.post(reverse("events_manage:reminders", args=[event.slug])).status_code == 403


def test_non_staff_user_is_refused(client, event):
    user = get_user_model().objects.create_user("plain", password="x-pass-1234")
    event.managers.add(user)
    client.force_login(user)
    assert client.get(reverse("events_manage:event", args=[event.slug])).status_code == 403
    assert client.get(reverse("events_manage:dashboard")).status_code == 403


def test_overview_counts_and_accent_insensitive_search(organiser_client, event, register):
    register(event, last_name="Lefèvre", first_name="Hélène", email="h@example.org")
    register(event, last_name="Martin", first_name="Paul", email="p@example.org")
    url = reverse("events_manage:event", args=[event.slug])
    html = organiser_client.get(url, {"q": "lefevre"}).content.decode()
    assert "LEFÈVRE" in html and "MARTIN" not in html
    html = organiser_client.get(url, {"q": "HELENE lef"}).content.decode()
    assert "LEFÈVRE" in html
    html = organiser_client.get(url).content.decode()
    assert "MARTIN" in html and "<strong>2</strong>" in html
    # the chart: one bar for today, numbers in SVG syntax (never a French decimal comma)
    bars = re.findall(r'<rect class="bar" x="([^"]+)" y="([^"]+)" width="([^"]+)"', html)
    assert len(bars) == 1
    assert all("," not in value for bar in bars for value in bar)


def test_exports_neutralise_formulas(organiser_client, event, register, prepared):
    register(event, organisation='=HYPERLINK("http://evil")', email="a@example.org")
    register(event, organisation="+33 cooperative", email="b@example.org")
    response, content = prepared(organiser_client, event, "registrations_csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    organisations = {row[3] for row in rows[1:]}
    assert organisations == {'\'=HYPERLINK("http://evil")', "'+33 cooperative"}
    response, content = prepared(organiser_client, event, "registrations_xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [sheet.cell(row=r, column=4) for r in range(2, sheet.max_row + 1)]
    # XLSX keeps the text as typed, stored as text (never as a formula)
    assert {c.value for c in cells} == {'=HYPERLINK("http://evil")', "+33 cooperative"}
    assert {c.data_type for c in cells} == {"s"}


def test_security_list_sorted_by_last_name_confirmed_only(organiser_client, register, prepared):
    event = EventFactory(capacity=3)
    for last, email in [
        ("Zola", "z@e.org"),
        ("Ébert", "e@e.org"),
        ("Abel", "a@e.org"),
        ("Waiting", "w@e.org"),
    ]:
        register(event, last_name=last, email=email)
    organiser_client.force_login(event.managers.first() or _manager(event))
    _, content = prepared(organiser_client, event, "security_csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["ABEL", "ÉBERT", "ZOLA"]
    pdf, content = prepared(organiser_client, event, "security_pdf")
    assert pdf["Content-Type"] == "application/pdf" and content.startswith(b"%PDF")


def _manager(event):
    user = get_user_model().objects.create_user("m2", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    return user


def test_outbox_and_reminders(
    organiser_client, event, register, django_capture_on_commit_callbacks
):
    register(event)
    url = reverse("events_manage:reminders", args=[event.slug])
    # the page shows the email and how many will get it, and asks to confirm
    html = organiser_client.get(url).content.decode()
    assert "Rappel\u00a0: " + event.title in html or "Rappel : " + event.title in html
    assert "Envoyer le rappel à 1 personne" in html
    assert 'aria-current="page"' in html
    # a POST without the confirmation sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert organiser_client.post(url).status_code == 400
    assert not OutboundEmail.objects.filter(kind="events.registration.reminder").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert OutboundEmail.objects.filter(kind="events.registration.reminder").count() == 1
    html = organiser_client.get(url).content.decode()
    assert "Personne n’est plus à relancer" in html
    # not « 0 ne l’a pas encore reçu : il n’est envoyé qu’à elle »
    assert "Toutes l’ont déjà reçu." in html and "0 ne l’a pas" not in html
    html = organiser_client.get(reverse("events_manage:outbox", args=[event.slug])).content.decode()
    assert html.count("<tr>") == 3  # header + confirmation + reminder


def test_manage_pages_query_count_is_pinned(
    organiser_client, event, register, django_assert_max_num_queries
):
    for n in range(30):
        register(event, email=f"p{n}@example.org")
    with django_assert_max_num_queries(12):
        organiser_client.get(reverse("events_manage:event", args=[event.slug]))


def test_organiser_cancels_a_registration_after_confirming(
    organiser_client, register, django_capture_on_commit_callbacks
):
    from django.core import mail

    event = EventFactory(capacity=1)
    event.managers.add(get_user_model().objects.get(username="orga"))
    first = register(event).registration
    waiting = register(event, email="w@example.org").registration
    url = reverse("events_manage:registration_cancel", args=[event.slug, first.pk])
    page = organiser_client.get(url)
    assert page.status_code == 200 and escape(first.last_name) in page.content.decode()
    first.refresh_from_db()
    assert first.status == "confirmed"  # asking is not doing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = organiser_client.post(url)
    assert done.status_code == 302
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == ("cancelled", "confirmed")
    assert {m.to[0] for m in mail.outbox} == {first.email, "w@example.org"}
    sent = len(mail.outbox)
    again = organiser_client.post(url, follow=True)
    assert again.status_code == 200 and len(mail.outbox) == sent


def test_organiser_cannot_cancel_in_another_event(organiser_client, register):
    other = EventFactory()
    registration = register(other).registration
    url = reverse("events_manage:registration_cancel", args=[other.slug, registration.pk])
    assert organiser_client.post(url).status_code == 403
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_embed_snippet_is_escaped(organiser_client, event):
    event.title = 'Journée "spéciale" <b>'
    event.save()
    html = organiser_client.get(reverse("events_manage:event", args=[event.slug])).content.decode()
    snippet = re.search(r'<pre class="snippet">(.*?)</pre>', html, re.S).group(1)
    assert snippet.startswith("&lt;iframe ")
    assert "&amp;quot;spéciale&amp;quot;" in snippet and "<b>" not in snippet


def test_embed_origins_must_be_plain_origins():
    from django.core.exceptions import ValidationError

    from events.models import validate_origins

    validate_origins("https://www.lelabo-ess.org\nhttp://localhost:8080\n")
    for bad in ("https://x.org;script-src *", "https://*", "https://x.org/path", "javascript:x"):
        with pytest.raises(ValidationError):
            validate_origins(bad)


def test_admin_shows_an_organiser_only_her_events_and_never_lets_her_add_managers(client, event):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("orga2", password="x-pass-1234", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_event", "view_event", "view_registration"])
    )
    event.managers.add(user)
    other = EventFactory()
    client.force_login(user)
    assert client.get(reverse("admin:events_event_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:events_event_change", args=[other.pk])).status_code == 302
    form = (
        client.get(reverse("admin:events_event_change", args=[event.pk])).context["adminform"].form
    )
    assert "managers" not in form.fields
    listing = client.get(reverse("admin:events_registration_changelist")).context["cl"]
    assert all(r.event_id == event.pk for r in listing.queryset)


def test_admin_cannot_delete_registrations(admin_client, register, event):
    registration = register(event).registration
    url = reverse("admin:events_registration_delete", args=[registration.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    changelist = admin_client.get(reverse("admin:events_registration_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    registration.refresh_from_db()


def test_search_with_a_nul_byte_or_an_invisible_character_still_searches(
    organiser_client, event, register
):
    """PostgreSQL refuses a NUL byte in a query (500 before): the search box drops what
    cannot be searched for and keeps the rest."""
    register(event, last_name="Lefèvre", first_name="Hélène", email="h@example.org")
    register(event, last_name="Martin", first_name="Paul", email="p@example.org")
    url = reverse("events_manage:event", args=[event.slug])
    for query in ("Lefè\x00vre", "lef\u202eevre", "\x00"):
        response = organiser_client.get(url, {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert "LEFÈVRE" in html, query
    assert "MARTIN" not in organiser_client.get(url, {"q": "Lefè\x00vre"}).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "²"},
        {"page": "-3"},
        {"page": "9" * 5000},
        {"page": "1\x00"},
        {"status": "\x00"},
        {"status": "confirmed\u202e"},
        {"q": "x" * 10_000},
    ],
)
def test_hostile_query_strings_on_organiser_pages(organiser_client, event, register, params):
    register(event, email="h@example.org")
    for name in ("event", "outbox"):
        response = organiser_client.get(reverse(f"events_manage:{name}", args=[event.slug]), params)
        assert response.status_code == 200, (name, params)


def admin_form_data(event, **changes):
    from django.forms.models import model_to_dict

    data = model_to_dict(event, exclude=["id", "confirmed_count", "personal_data_erased_at"])
    data["managers"] = [user.pk for user in data.get("managers", [])]
    data = {k: ("" if v is None else v) for k, v in data.items()}
    return {**data, **changes}


def test_admin_texts_go_through_the_input_layer(event):
    import unicodedata

    from events.admin import EventAdminForm

    decomposed = unicodedata.normalize("NFD", "Journée des pôles à Hué")
    form = EventAdminForm(
        data=admin_form_data(event, title=decomposed, summary="Ligne 1   \r\nLigne 2"),
        instance=event,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Journée des pôles à Hué"
    assert form.cleaned_data["summary"] == "Ligne 1\nLigne 2"
    for field, value in [
        ("title", "Journée\u202e des pôles"),
        ("venue_name", "Halle\u200b Tony Garnier"),
        ("summary", "Un résumé\u2066 piégé"),
    ]:
        form = EventAdminForm(data=admin_form_data(event, **{field: value}), instance=event)
        assert not form.is_valid()
        assert "U+" in form.errors[field][0], form.errors


@pytest.mark.parametrize(
    "params",
    [{"status__exact": "\x00"}, {"category__exact": "a\x00"}, {"q": "x", "status__exact\x00": "1"}],
)
def test_admin_filters_with_a_nul_byte_never_reach_the_database(
    admin_client, register, event, params
):
    """PostgreSQL cannot compare a NUL byte (500 before): core's AdminQueryMiddleware drops
    control characters from admin queries, so the list answers."""
    register(event, email="h@example.org")
    url = reverse("admin:events_registration_changelist")
    response = admin_client.get(url, params)
    assert response.status_code in (200, 302)
    assert admin_client.get(url, {"status__exact": "confirmed"}).status_code == 200


def test_count_columns_are_plural_in_french(organiser_client, event, register):
    """A column of counts reads « Confirmées » and « Annulées » (it said « Confirmée »,
    the singular status of one registration, above numbers)."""
    register(event, last_name="Martin", first_name="Paul", email="p@example.org")
    html = organiser_client.get(
        reverse("events_manage:event", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    head = re.search(r"<thead><tr><th scope=\"col\">Catégorie</th>(.*?)</thead>", html).group(1)
    assert ">Confirmées<" in head and ">Annulées<" in head
