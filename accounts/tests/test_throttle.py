"""Sign-in throttling: our sign-in page and the admin's."""

import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from accounts import throttle

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
PASSWORD = "bon-mot-de-passe-2026"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD, is_staff=True)


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", password=PASSWORD, is_staff=True)


def sign_in(client, username, password, *, ip="203.0.113.7", url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_while_locked_then_accepted_after_the_delay(client, alice):
    for _ in range(throttle.PAIR_LIMIT):
        response = sign_in(client, "alice", "faux")
    assert response.status_code == 429
    # as the password reset's 429: when to come back, for a client as for the person
    assert 1 <= int(response["Retry-After"]) <= throttle.FIRST_DELAY
    page = response.content.decode()
    assert "Trop de tentatives de connexion" in page
    assert "réessayez dans 1 minute (à " in page

    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)

    with time_machine.travel(time.time() + throttle.FIRST_DELAY + 1):
        assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert signed_in(client)


def test_sixty_wrong_passwords_then_the_right_one_does_not_sign_in(client, alice):
    for _ in range(60):
        sign_in(client, "alice", "faux")
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    assert not signed_in(client)


def test_each_failure_after_the_limit_doubles_the_delay(client, alice):
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(throttle.PAIR_LIMIT):
            sign_in(client, "alice", "faux")
        assert throttle.locked_for(_request("203.0.113.7"), "alice") == 60
        clock.shift(61)
        sign_in(client, "alice", "faux")
        assert throttle.locked_for(_request("203.0.113.7"), "alice") == 120
        clock.shift(121)
        sign_in(client, "alice", "faux")
        assert throttle.locked_for(_request("203.0.113.7"), "alice") == 240


def test_another_account_from_the_same_address_still_signs_in(client, alice, bob):
    """One person mistyping at the venue (one address for all) does not lock the others."""
    for _ in range(throttle.PAIR_LIMIT + 3):
        sign_in(client, "alice", "faux")
    assert sign_in(client, "bob", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_same_account_from_another_address_is_not_locked_by_one_pair(client, alice):
    for _ in range(throttle.PAIR_LIMIT):
        sign_in(client, "alice", "faux", ip="203.0.113.7")
    assert sign_in(client, "alice", PASSWORD, ip="198.51.100.9").status_code == 302


def test_an_address_that_tries_many_accounts_is_locked_for_all(client, alice):
    for n in range(throttle.IP_LIMIT):
        sign_in(client, f"inconnu{n}", "faux")
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    # another address is not concerned
    assert sign_in(client, "alice", PASSWORD, ip="198.51.100.9").status_code == 302


def test_one_account_guessed_from_many_addresses_is_locked_except_where_it_signed_in(client, alice):
    assert sign_in(client, "alice", PASSWORD, ip="203.0.113.1").status_code == 302
    client.post(reverse("accounts:logout"))
    for n in range(throttle.ACCOUNT_LIMIT):
        sign_in(client, "alice", "faux", ip=f"10.0.{n // 200}.{n % 200 + 1}")
    assert sign_in(client, "alice", PASSWORD, ip="203.0.113.99").status_code == 429
    assert not signed_in(client)
    # her usual address is not locked out by guesses spread elsewhere
    assert sign_in(client, "alice", PASSWORD, ip="203.0.113.1").status_code == 302


def test_usernames_differing_by_case_share_their_counter(client, alice):
    for name in ["alice", "ALICE", "Alice", "aLice", "alicE"]:
        sign_in(client, name, "faux")
    assert sign_in(client, "alice", PASSWORD).status_code == 429


def test_a_success_clears_the_failures_of_that_account_from_that_address(client, alice):
    for _ in range(throttle.PAIR_LIMIT - 1):
        sign_in(client, "alice", "faux")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    # the count starts again: four more mistakes do not lock
    for _ in range(throttle.PAIR_LIMIT - 1):
        assert sign_in(client, "alice", "faux").status_code == 200
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_too(client, alice):
    for _ in range(throttle.PAIR_LIMIT):
        sign_in(client, "alice", "faux", url=ADMIN_LOGIN)
    response = sign_in(client, "alice", PASSWORD, url=ADMIN_LOGIN)
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert not signed_in(client)
    # and what was counted there locks our own page as well
    assert sign_in(client, "alice", PASSWORD).status_code == 429


def test_behind_the_proxy_the_forwarded_address_counts(client, alice, bob, settings):
    settings.PTCE_BEHIND_PROXY = True
    for _ in range(throttle.PAIR_LIMIT):
        client.post(
            LOGIN,
            {"username": "alice", "password": "faux"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        )
    locked = client.post(
        LOGIN,
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert locked.status_code == 429
    # the same account through the same proxy, from another person's address
    other = client.post(
        LOGIN,
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert other.status_code == 302


def test_the_backend_refuses_any_caller_while_locked(alice, rf):
    from django.contrib.auth import authenticate

    request = _request("203.0.113.7")
    for _ in range(throttle.PAIR_LIMIT):
        assert authenticate(request, username="alice", password="faux") is None
    assert authenticate(request, username="alice", password=PASSWORD) is None


def _request(ip):
    from django.test import RequestFactory

    return RequestFactory().post("/", REMOTE_ADDR=ip)


def test_guesses_at_the_venue_do_not_lock_out_the_team_already_signed_in_there(client, alice, bob):
    """One person on the venue's Wi-Fi tries 41 made-up accounts: the address is locked
    for unknown accounts, but those who signed in from it before still sign in."""
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for n in range(throttle.IP_LIMIT + 1):
        sign_in(client, f"x{n}", "faux")
    assert sign_in(client, "bob", PASSWORD).status_code == 429  # never signed in here
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    # her own failures here still lock her
    for _ in range(throttle.PAIR_LIMIT):
        sign_in(client, "alice", "faux")
    assert sign_in(client, "alice", PASSWORD).status_code == 429


def test_an_account_signs_in_with_its_email_in_any_case(client, db):
    """An account made by an approved claim is named after its lower-cased address: the
    person types it as they know it."""
    get_user_model().objects.create_user(
        "zoe@example.org", email="zoe@example.org", password=PASSWORD
    )
    assert sign_in(client, "Zoe@Example.org", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_username_in_another_case_signs_in(client, alice):
    assert sign_in(client, "ALICE", PASSWORD).status_code == 302


def test_an_address_two_accounts_share_signs_no_one_in(client, db):
    for name in ("un", "deux"):
        get_user_model().objects.create_user(name, email="meme@example.org", password=PASSWORD)
    assert sign_in(client, "meme@example.org", PASSWORD).status_code == 200
    assert not signed_in(client)


def test_alternating_spellings_of_an_account_share_one_lock(client, db):
    get_user_model().objects.create_user("alice", email="alice@example.org", password=PASSWORD)
    spellings = ["alice", "ALICE", "alice@example.org", "Alice@Example.org"]
    for n in range(throttle.PAIR_LIMIT):
        response = sign_in(client, spellings[n % len(spellings)], "faux")
    assert response.status_code == 429
    assert sign_in(client, "Alice@example.org", PASSWORD).status_code == 429
    assert not signed_in(client)


def test_the_sign_in_page_asks_for_a_username_or_an_email(client, db):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Identifiant ou adresse e-mail" in page


def test_the_current_password_of_the_change_form_is_throttled_as_a_sign_in(client, alice):
    """A session left open must not be a way to guess the password without limit."""
    client.force_login(alice)
    url = reverse("accounts:password_change")
    new = "Nouveau-pass-2026-x"

    def change(old):
        return client.post(
            url,
            {"old_password": old, "new_password1": new, "new_password2": new},
            REMOTE_ADDR="203.0.113.7",
        )

    for _ in range(throttle.PAIR_LIMIT - 1):
        assert change("faux").status_code == 200
    locked = change("faux")
    assert locked.status_code == 429
    assert 1 <= int(locked["Retry-After"]) <= throttle.FIRST_DELAY
    assert "Trop de tentatives de connexion" in locked.content.decode()
    # the right password is refused too while locked, and nothing changes
    assert change(PASSWORD).status_code == 429
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    # the same lock holds at the sign-in page
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    with time_machine.travel(time.time() + throttle.FIRST_DELAY + 1):
        assert change(PASSWORD).status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)


def test_a_huge_username_is_refused_without_querying_for_it(client, db):
    response = sign_in(client, "x" * 100_000, PASSWORD)
    assert response.status_code == 200
    assert not signed_in(client)
