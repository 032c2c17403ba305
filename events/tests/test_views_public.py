import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from events.models import Registration
from events.tests.factories import EventFactory
from events.tokens import personal_link_token, ticket_secret_from_token, ticket_token

pytestmark = pytest.mark.django_db


def fr(msgid: str, **values) -> str:
    """The French text of a message, HTML-escaped as a page shows it."""
    with translation.override("fr"):
        text = gettext(msgid)
    return escape(text % values if values else text)


GOOD = {
    "first_name": "Zoé",
    "last_name": "N'Diaye-Lefèvre",
    "email": "zoe@example.org",
    "organisation": "Pôle des Deux Rives",
    "category": "ptce_member",
    "phone": "",
    "consent": "on",
}


@pytest.fixture
def post_registration(client, django_capture_on_commit_callbacks):
    def _post(event, **changes):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("events:register", args=[event.slug]), {**GOOD, **changes})

    return _post


def personal_path_from_mail(message) -> str:
    match = re.search(r"http://testserver(/inscription/[^\s/]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_event_page_says_what_a_visitor_needs(client, event):
    event.access = "RER A ou D\nBus 24 et 87"
    event.save()
    response = client.get(reverse("events:detail", args=[event.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert event.title in html
    assert "RER A ou D" in html
    assert "10" in html  # places left
    assert f'href="/evenements/{event.slug}/inscription/"' in html
    assert 'property="og:title"' in html
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Event"
    assert data["location"]["address"]["postalCode"] == "75012"
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_event_page_says_closed_and_full(client, register):
    closed = EventFactory(
        registration_closes_at=EventFactory.starts_at.function() - timedelta(days=40)
    )
    html = client.get(reverse("events:detail", args=[closed.slug])).content.decode()
    assert f'href="/evenements/{closed.slug}/inscription/"' not in html
    full = EventFactory(capacity=1)
    register(full)
    html = client.get(reverse("events:detail", args=[full.slug])).content.decode()
    assert "/inscription/" in html  # waiting list still open


def test_draft_event_is_not_found(client):
    draft = EventFactory(status="draft")
    assert client.get(reverse("events:detail", args=[draft.slug])).status_code == 404


def test_ics_download(client, event):
    response = client.get(reverse("events:ics", args=[event.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:" in body


def test_register_then_open_personal_link_and_ticket(client, event, post_registration):
    response = post_registration(event)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("events:register_sent", args=[event.slug]))
    sent = client.get(response["Location"]).content.decode()
    assert "z***@example.org" in sent and "zoe@example.org" not in sent
    assert "zoe@" not in response["Location"]
    forged = client.get(reverse("events:register_sent", args=[event.slug]) + "?a=evil")
    assert forged.status_code == 200 and "<strong>evil" not in forged.content.decode()
    registration = Registration.objects.get()
    assert registration.status == "confirmed"
    path = personal_path_from_mail(mail.outbox[-1])
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "N&#x27;Diaye-Lefèvre" in html or "N'Diaye" in html
    pdf = client.get(path + "billet.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_duplicate_email_gets_the_same_neutral_answer(client, event, post_registration):
    first = post_registration(event)
    second = post_registration(event, first_name="Autre")
    assert first.status_code == second.status_code == 302

    def main_part(response):
        return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)

    assert main_part(client.get(first["Location"])) == main_part(client.get(second["Location"]))
    assert Registration.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["zoe@example.org"], ["zoe@example.org"]]
    assert "/inscription/" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "Enter your first name."),
        ({"last_name": "x" * 300}, "The %(label)s is too long (%(max)d characters at most)."),
        (
            {"last_name": "<b>Bob</b>"},
            "The %(label)s may contain only letters, spaces, apostrophes, hyphens "
            "and dots, exactly as on your photo ID.",
        ),
        ({"email": "zoe@"}, "Enter a valid email address, such as name@example.org."),
        (
            {"phone": "0612"},
            "Enter a valid phone number, such as 06 12 34 56 78 or +33 6 12 34 56 78.",
        ),
        ({"consent": ""}, "Please accept the privacy notice to register."),
        (
            {"category": "roi"},
            "Select a valid choice. %(value)s is not one of the available choices.",
        ),
    ],
)
def test_bad_input_shows_french_message_and_saves_nothing(
    client, event, post_registration, changes, message
):
    response = post_registration(event, **changes)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'lang="fr"' in html
    with translation.override("fr"):
        french = gettext(message)
    # the start of the French message, before any placeholder
    assert escape(french.split("%(")[0][:25]) in html
    assert 'role="alert"' in html
    assert not Registration.objects.exists()
    assert not mail.outbox


def test_registration_before_opening_says_so(client, post_registration):
    event = EventFactory(registration_opens_at=EventFactory.starts_at.function())
    response = post_registration(event)
    assert response.status_code == 400
    assert fr("Registration is not open yet.") in response.content.decode()
    assert not Registration.objects.exists()


def test_registration_after_closing_says_so(client, post_registration):
    event = EventFactory()
    with time_machine.travel(event.starts_at + timedelta(minutes=5)):
        response = post_registration(event)
    assert response.status_code == 400
    assert fr("Registration is closed.") in response.content.decode()


def test_html_in_organisation_is_shown_inert(client, event, post_registration, admin_client):
    post_registration(event, organisation='<script>alert("x")</script>')
    assert Registration.objects.get().organisation.startswith("<script>")
    html = client.get(personal_path_from_mail(mail.outbox[-1])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    manage = admin_client.get(reverse("events_manage:event", args=[event.slug])).content.decode()
    assert "<script>alert" not in manage


def test_post_without_csrf_token_is_refused(event):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(reverse("events:register", args=[event.slug]), GOOD)
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_forged_altered_and_expired_links(client, event, register):
    registration = register(event).registration
    token = personal_link_token(registration)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (altered, "forged", registration.link_secret):
        response = client.get(reverse("events:personal", args=[bad]))
        assert response.status_code == 404
        assert fr("This link is not valid. Check that it was copied whole.") in (
            response.content.decode()
        )
    with time_machine.travel(timedelta(days=401)):
        response = client.get(reverse("events:personal", args=[token]))
    assert response.status_code == 404
    assert (
        fr("This link has expired. Register again with the same email to get a new one.")
        in response.content.decode()
    )
    # and nothing can be cancelled with a bad link
    client.post(reverse("events:personal_cancel", args=[altered]), {"confirm": "yes"})
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_ticket_token_is_signed_and_tamper_evident(event, register):
    registration = register(event).registration
    token = ticket_token(registration)
    assert str(registration.pk) != token.split(":")[0]
    assert ticket_secret_from_token(token) == registration.ticket_secret
    from core.errors import DomainError

    for tampered in (
        token[:-1] + ("x" if token[-1] != "x" else "y"),
        "abc:def",
        token.split(":")[0],
    ):
        with pytest.raises(DomainError) as error:
            ticket_secret_from_token(tampered)
        assert error.value.code == "events.ticket_invalid"


def test_cancel_from_personal_link_promotes_next(
    client, register, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    first = register(event).registration
    second = register(event, email="next@example.org").registration
    mail.outbox.clear()
    url = reverse("events:personal_cancel", args=[personal_link_token(first)])
    unconfirmed = client.post(url)
    assert unconfirmed.status_code == 302
    first.refresh_from_db()
    assert first.status == "confirmed" and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "confirmed"
    assert {m.to[0] for m in mail.outbox} == {first.email, "next@example.org"}


def test_correct_name_from_personal_link(client, event, register):
    registration = register(event).registration
    token = personal_link_token(registration)
    url = reverse("events:personal_correct", args=[token])
    bad = client.post(url, {"first_name": "", "last_name": "Lefèvre", "organisation": ""})
    assert bad.status_code == 400
    ok = client.post(url, {"first_name": "Zoé", "last_name": "Lefèvre", "organisation": "X"})
    assert ok.status_code == 302
    registration.refresh_from_db()
    assert registration.last_name == "Lefèvre"


def test_download_and_erase_my_data(client, event, register):
    registration = register(event, phone="0612345678").registration
    token = personal_link_token(registration)
    data = json.loads(client.get(reverse("events:personal_data", args=[token])).content)
    assert data["registration"]["email"] == registration.email
    assert data["registration"]["phone"] == "+33612345678"
    assert data["emails_sent"][0]["kind"] == "events.registration.confirmed"
    not_confirmed = client.post(reverse("events:personal_erase", args=[token]))
    assert not_confirmed.status_code == 302
    registration.refresh_from_db()
    assert registration.erased_at is None
    done = client.post(reverse("events:personal_erase", args=[token]), {"confirm": "yes"})
    assert done.status_code == 200
    registration.refresh_from_db()
    assert registration.erased_at is not None and registration.email.endswith(".invalid")
    assert client.get(reverse("events:personal", args=[token])).status_code == 404


def test_embed_page_may_be_framed_only_by_allowed_origins(client):
    event = EventFactory(embed_origins="https://www.lelabo-ess.org")
    response = client.get(reverse("events:embed", args=[event.slug]))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert (
        "frame-ancestors 'self' https://www.lelabo-ess.org" in response["Content-Security-Policy"]
    )
    page = client.get(reverse("events:detail", args=[event.slug]))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_language_switch_to_english(client, event):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("events:register", args=[event.slug])).content.decode()
    assert 'lang="en"' in html
    assert "Last name" in html


def embed_token_from(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def test_embedded_form_works_with_its_own_token_and_refuses_without(
    event, django_capture_on_commit_callbacks
):
    browser = Client(enforce_csrf_checks=True)  # no CSRF cookie inside a cross-site frame
    url = reverse("events:embed", args=[event.slug])
    token = embed_token_from(browser.get(url).content.decode())
    refused = browser.post(url, GOOD)
    assert refused.status_code == 403
    assert fr("This form has expired or was altered. Reload the page and try again.") in (
        refused.content.decode()
    )
    foreign = browser.post(url, {**GOOD, "form_token": token}, HTTP_ORIGIN="https://evil.example")
    assert foreign.status_code == 403
    assert not Registration.objects.exists()
    other = EventFactory()
    wrong_event = browser.post(
        reverse("events:embed", args=[other.slug]), {**GOOD, "form_token": token}
    )
    assert wrong_event.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        accepted = browser.post(url, {**GOOD, "form_token": token}, HTTP_ORIGIN="http://testserver")
    assert accepted.status_code == 302
    assert accepted["Location"].startswith(reverse("events:embed_sent", args=[event.slug]))
    assert Registration.objects.filter(event=event).count() == 1


def test_expired_embed_token_is_refused(event):
    browser = Client()
    url = reverse("events:embed", args=[event.slug])
    token = embed_token_from(browser.get(url).content.decode())
    with time_machine.travel(timedelta(hours=7)):
        response = browser.post(url, {**GOOD, "form_token": token})
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_json_ld_cannot_break_out_of_its_script(client):
    event = EventFactory(title="</script><!--<script>alert(1)</script>", summary="a & b")
    html = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    block = re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and "&" not in block.replace("&amp;", "")
    assert json.loads(block)["name"] == event.title


def test_csrf_failure_page_is_french(event):
    response = Client(enforce_csrf_checks=True).post(
        reverse("events:register", args=[event.slug]), GOOD
    )
    assert response.status_code == 403
    assert fr("Your form could not be sent") in response.content.decode()


def test_personal_pages_are_never_cached(client, event, register):
    token = personal_link_token(register(event).registration)
    for name in ("personal", "personal_data", "personal_ticket"):
        response = client.get(reverse(f"events:{name}", args=[token]))
        assert "no-store" in response["Cache-Control"], name


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert fr("Page not found") in response.content.decode()


def test_event_page_programme_is_cached_and_refreshed_on_change(
    client, event, django_assert_max_num_queries
):
    from django.core.cache import cache

    from events.models import Session, Speaker

    cache.clear()
    speaker = Speaker.objects.create(event=event, name="Intervenante fictive")
    session = Session.objects.create(
        event=event,
        kind="testimonies",
        title="Témoignages",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
    )
    session.speakers.add(speaker)
    url = reverse("events:detail", args=[event.slug])
    assert "Témoignages" in client.get(url).content.decode()
    with django_assert_max_num_queries(1):  # the event; programme and partners from cache
        html = client.get(url).content.decode()
    assert "Témoignages" in html and "Intervenante fictive" in html
    session.title = "Table ronde"
    session.save()
    html = client.get(url).content.decode()
    assert "Table ronde" in html and "Témoignages" not in html
    session.delete()
    assert "Table ronde" not in client.get(url).content.decode()


def test_empty_form_is_cached_but_each_visitor_gets_a_working_csrf_token(
    event, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    url = reverse("events:register", args=[event.slug])
    tokens = []
    for n in range(2):
        visitor = Client(enforce_csrf_checks=True)
        with django_assert_max_num_queries(1):  # the event; the page from the cache
            html = visitor.get(url).content.decode()
        assert "__ptce_csrf_token__" not in html
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        tokens.append(token)
        with django_capture_on_commit_callbacks(execute=True):
            response = visitor.post(
                url, {**GOOD, "email": f"v{n}@example.org", "csrfmiddlewaretoken": token}
            )
        assert response.status_code == 302
    assert tokens[0] != tokens[1]
    assert Registration.objects.count() == 2


def test_form_page_is_not_served_from_cache_to_a_signed_in_organiser(event, admin_client):
    from django.core.cache import cache

    cache.clear()
    url = reverse("events:register", args=[event.slug])
    Client().get(url)  # cached for anonymous visitors
    html = admin_client.get(url).content.decode()
    assert reverse("events_manage:dashboard") in html  # the organiser's own header


def test_form_page_follows_the_state_of_the_event(event, register):
    from django.core.cache import cache

    cache.clear()
    url = reverse("events:register", args=[event.slug])
    assert 'class="notice"' not in Client().get(url).content.decode().split("<form")[1][:400]
    Event = type(event)
    Event.objects.filter(pk=event.pk).update(capacity=1)
    register(event)
    html = Client().get(url).content.decode()
    assert fr("Join the waiting list") in html


def test_event_page_shows_places_left_as_they_change(client, event, register):
    from django.core.cache import cache

    cache.clear()
    url = reverse("events:detail", args=[event.slug])
    with translation.override("fr"):
        ten = escape(translation.ngettext("%(left)s place left", "%(left)s places left", 10))
        nine = escape(translation.ngettext("%(left)s place left", "%(left)s places left", 9))
    assert ten % {"left": 10} in client.get(url).content.decode()
    assert ten % {"left": 10} in client.get(url).content.decode()  # from the cache
    register(event)
    html = client.get(url).content.decode()
    assert nine % {"left": 9} in html


def test_a_partial_save_is_seen_at_once_by_anonymous_visitors(client, event):
    from django.core.cache import cache

    cache.clear()
    url = reverse("events:detail", args=[event.slug])
    assert event.title in client.get(url).content.decode()
    with time_machine.travel(timedelta(seconds=1)):
        event.title = "Journée renommée"
        event.save(update_fields=["title"])  # as the admin saves a change
    assert "Journée renommée" in client.get(url).content.decode()


def test_pages_with_a_query_string_are_not_cached(client, event, django_assert_num_queries):
    from django.core.cache import cache

    cache.clear()
    url = reverse("events:register", args=[event.slug]) + "?utm_source=lettre"
    client.get(url)
    with django_assert_num_queries(1):
        client.get(reverse("events:register", args=[event.slug]))  # first plain visit
    html = client.get(url).content.decode()
    assert "__ptce_csrf_token__" not in html


def test_cached_page_keeps_the_scheme_of_its_visitor(event):
    from django.core.cache import cache

    cache.clear()
    url = reverse("events:detail", args=[event.slug])
    http = Client().get(url).content.decode()
    https = Client().get(url, secure=True).content.decode()
    assert 'rel="canonical" href="http://testserver' in http
    assert 'rel="canonical" href="https://testserver' in https


def test_a_visitor_with_a_flash_message_is_served_apart(rf, event):
    from django.contrib import messages
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    from core import pagecache

    request = rf.get(reverse("events:detail", args=[event.slug]))
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    assert pagecache.cacheable(request)
    messages.success(request, "Votre inscription est annulée.")
    assert not pagecache.cacheable(request)
    assert len(list(request._messages)) == 1  # still there to be shown


# --- what a person may type (events.validation through the forms) -----------------------

SHARP_S_EMAIL = "zoe@" + ".".join(["ß" * 31] * 4) + ".de"  # 258 characters once casefolded


def post_embedded(event, **changes):
    browser = Client()
    url = reverse("events:embed", args=[event.slug])
    token = embed_token_from(browser.get(url).content.decode())
    return browser.post(url, {**GOOD, "form_token": token, **changes})


@pytest.mark.parametrize("embedded", [False, True])
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"email": SHARP_S_EMAIL},
            "The email address is too long (%(max)d characters at most).",
        ),
        (
            {"last_name": "Lef\u202eèvre"},
            "This text holds an invisible or control character (%(char)s), often brought "
            "by a copy and paste: type the text again.",
        ),
        (
            {"organisation": "Pôle\u200b des Deux Rives"},
            "This text holds an invisible or control character (%(char)s), often brought "
            "by a copy and paste: type the text again.",
        ),
    ],
)
def test_hostile_values_get_a_french_message_on_both_forms(
    client, event, post_registration, embedded, changes, message
):
    post = post_embedded if embedded else post_registration
    response = post(event, **changes)
    assert response.status_code == 400
    assert fr(message).split("%(")[0][:25] in response.content.decode()
    assert not Registration.objects.exists()
    assert not mail.outbox


def test_a_decomposed_vietnamese_name_is_registered_composed(client, event, post_registration):
    import unicodedata

    typed = unicodedata.normalize("NFD", "Nguyễn Thị Minh Khai")
    response = post_registration(event, last_name=typed, first_name="अनुराधा")
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.last_name == "Nguyễn Thị Minh Khai"
    assert registration.first_name == "अनुराधा"


@pytest.mark.parametrize(
    "value", ["\x00", "²", "a" * 5000, "é:é:é", "x:\u202e:y", "%00", "1" * 50 + ":" + "é"]
)
def test_hostile_values_in_public_urls_never_break_a_page(client, event, value):
    sent = client.get(reverse("events:register_sent", args=[event.slug]), {"a": value})
    assert sent.status_code == 200
    embed_sent = client.get(reverse("events:embed_sent", args=[event.slug]), {"a": value})
    assert embed_sent.status_code == 200
    assert client.get(reverse("events:personal", args=[value])).status_code == 404
    refused = client.post(reverse("events:embed", args=[event.slug]), {**GOOD, "form_token": value})
    assert refused.status_code == 403
    assert not Registration.objects.exists()
