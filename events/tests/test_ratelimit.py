"""The registration forms (page and embedded) send an email to any address typed: they are
limited per visitor's address and per email address, through the shared cache."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from core import throttle
from core.models import OutboundEmail
from events import ratelimit
from events.models import Registration
from events.tests.factories import EventFactory
from events.tests.test_views_public import GOOD, embed_token_from

pytestmark = pytest.mark.django_db


def _fr_start(singular: str, plural: str) -> str:
    """The French message up to its number of minutes (which depends on the clock)."""
    with translation.override("fr"):
        return ngettext(singular, plural, 5).split("%(")[0]


PER_IP_MESSAGE = _fr_start(
    "Too many registrations were sent from your connection in the last few "
    "minutes. Please try again in %(minutes)d minute.",
    "Too many registrations were sent from your connection in the last few "
    "minutes. Please try again in %(minutes)d minutes.",
)
PER_ADDRESS_MESSAGE = _fr_start(
    "Too many registrations were sent for this email address in the last hour: "
    "if it is already registered, its personal link was sent to it. Please try "
    "again in %(minutes)d minute.",
    "Too many registrations were sent for this email address in the last hour: "
    "if it is already registered, its personal link was sent to it. Please try "
    "again in %(minutes)d minutes.",
)


def post(client, event, *, ip="203.0.113.7", embedded=False, **changes):
    data = {**GOOD, **changes}
    if embedded:
        url = reverse("events:embed", args=[event.slug])
        data["form_token"] = embed_token_from(client.get(url).content.decode())
    else:
        url = reverse("events:register", args=[event.slug])
    return client.post(url, data, REMOTE_ADDR=ip)


def test_limits_never_hinder_a_normal_day(settings):
    # a venue's Wi-Fi or an office behind one address: thirty registrations in ten minutes;
    # one email address: five attempts an hour
    per_ip, per_address = ratelimit.registration_limits()
    assert (per_ip.limit, per_ip.window) == (30, 600)
    assert (per_address.limit, per_address.window) == (5, 3600)


def test_one_address_is_limited_to_five_an_hour(client, event):
    # one mailbox, however spelled (a +tag reaches the same mailbox: each is a new
    # registration, but the same inbox to flood)
    spellings = ["zoe@example.org", "Zoe@example.org", "ZOE@example.org", "zoe+1@EXAMPLE.org"]
    for spelling in [*spellings, "zoe@example.org"]:
        assert post(client, event, email=spelling).status_code == 302
    assert Registration.objects.count() == 2
    outbox = OutboundEmail.objects.count()

    refused = post(client, event, email="zOE+flood@example.org", first_name="Sixième")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    html = refused.content.decode()
    assert PER_ADDRESS_MESSAGE in html and 'lang="fr"' in html
    # nothing written, nothing sent
    assert Registration.objects.count() == 2 and OutboundEmail.objects.count() == outbox
    assert not Registration.objects.filter(first_name="Sixième").exists()
    # another address from the same connection is not concerned
    assert post(client, event, email="amina@example.org").status_code == 302
    # an hour and more later, the address may try again
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert post(client, event, email="zoe@example.org").status_code == 302


def test_one_connection_is_limited_but_another_is_not(client, settings):
    settings.PTCE_REGISTRATION_LIMIT_PER_IP = 3
    event = EventFactory(capacity=100)
    for n in range(3):
        assert post(client, event, email=f"p{n}@example.org").status_code == 302
    refused = post(client, event, email="p3@example.org")
    assert refused.status_code == 429
    assert PER_IP_MESSAGE in refused.content.decode()
    assert not Registration.objects.filter(email="p3@example.org").exists()
    assert Registration.objects.count() == 3
    # the refused attempt did not count against the address
    assert post(client, event, email="p3@example.org", ip="198.51.100.4").status_code == 302
    # ten minutes and more later, the connection may register again
    with time_machine.travel(timezone.now() + timedelta(minutes=21)):
        assert post(client, event, email="p4@example.org").status_code == 302


def test_invalid_forms_do_not_count(client, settings):
    """A person who mistypes several times is not held back."""
    settings.PTCE_REGISTRATION_LIMIT_PER_IP = 2
    event = EventFactory()
    for _ in range(5):
        assert post(client, event, email="zoe@").status_code == 400
    assert post(client, event).status_code == 302


def test_the_embedded_form_is_limited_too(settings):
    settings.PTCE_REGISTRATION_LIMIT_PER_IP = 2
    event = EventFactory()
    client = Client()
    for n in range(2):
        response = post(client, event, embedded=True, email=f"e{n}@example.org")
        assert response.status_code == 302
    refused = post(client, event, embedded=True, email="e2@example.org")
    assert refused.status_code == 429
    assert PER_IP_MESSAGE in refused.content.decode()
    assert "frame-ancestors" in refused["Content-Security-Policy"]
    assert Registration.objects.count() == 2
    assert len(mail.outbox) == 0  # on_commit not run in these tests: nothing sent at all


def test_per_address_limit_holds_across_forms(client):
    for n in range(5):
        embedded = n % 2 == 0
        response = post(client, EventFactory(), embedded=embedded, email="zoe@example.org")
        assert response.status_code == 302
    refused = post(client, EventFactory(), embedded=True, email="zoe@example.org")
    assert refused.status_code == 429
    assert PER_ADDRESS_MESSAGE in refused.content.decode()


def test_the_window_slides():
    limit = throttle.Limit("test.slide", 4, 100)
    start = 1_000_000.0  # the start of a period
    for second in (90, 91, 92, 93):
        assert throttle.attempt(limit, "who", now=start + second) is None
    # just after the period changes, the four attempts of a moment ago still count
    assert throttle.attempt(limit, "who", now=start + 101) is not None
    # half a window later, half of them are forgotten
    assert throttle.attempt(limit, "who", now=start + 150) is None
    assert throttle.attempt(limit, "who", now=start + 151) is None
    assert throttle.attempt(limit, "who", now=start + 152) is not None
    assert throttle.attempt(limit, "someone else", now=start + 152) is None


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", "", False, "203.0.113.7"),
        # without a trusted proxy, X-Forwarded-For is anyone's to write
        ("203.0.113.7", "198.51.100.1", False, "203.0.113.7"),
        # behind the proxy, the address it appended (the last), never what came before
        ("127.0.0.1", "1.2.3.4, 198.51.100.1", True, "198.51.100.1"),
        ("127.0.0.1", "", True, "127.0.0.1"),
        # one phone or household has a whole IPv6 /64
        ("2001:db8:1:2:aaaa::1", "", False, "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "", False, "203.0.113.7"),
        ("not an address\x00", "", False, "unknown"),
    ],
)
def test_client_ip(settings, remote, forwarded, trusted, expected):
    settings.PTCE_BEHIND_PROXY = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_ip(request) == expected
