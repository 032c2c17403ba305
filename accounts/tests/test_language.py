"""An account keeps a language, for the emails sent to it: the one chosen while signed in,
else the one active at its first sign-in."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from accounts.selectors import language_of

PASSWORD = "bon-mot-de-passe-2026"
SET_LANGUAGE = reverse("set_language")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD)


def _language(user) -> str:
    user.refresh_from_db()
    return user.language


def test_switching_language_while_signed_in_is_kept(client, alice):
    client.force_login(alice)
    response = client.post(SET_LANGUAGE, {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert _language(alice) == "en"
    client.post(SET_LANGUAGE, {"language": "fr", "next": "/"})
    assert _language(alice) == "fr"


@pytest.mark.parametrize("junk", ["de", "xx-yy", "en<script>", "", "fr" * 10])
def test_a_language_the_site_does_not_offer_is_not_kept(client, alice, junk):
    alice.language = "en"
    alice.save()
    client.force_login(alice)
    client.post(SET_LANGUAGE, {"language": junk, "next": "/"})
    assert _language(alice) == "en"


def test_a_switch_by_get_changes_nothing(client, alice):
    client.force_login(alice)  # signing in keeps the active language, the site's
    assert _language(alice) == "fr"
    client.get(SET_LANGUAGE, {"language": "en", "next": "/"})
    assert _language(alice) == "fr"


def test_switching_language_signed_out_still_works_and_stores_nothing(client, alice):
    response = client.post(SET_LANGUAGE, {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert _language(alice) == ""


def test_signing_in_keeps_the_active_language_when_the_account_has_none(client, alice):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert _language(alice) == "en"


def test_signing_in_leaves_a_kept_language_alone(client, alice):
    alice.language = "fr"
    alice.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert _language(alice) == "fr"


def test_language_of_is_the_account_one_else_the_site_one(alice):
    assert language_of(alice) == settings.LANGUAGE_CODE
    alice.language = "en"
    assert language_of(alice) == "en"
    alice.language = "de"  # not a language of the site (an old row, a hand edit)
    assert language_of(alice) == settings.LANGUAGE_CODE
    assert language_of(None) == settings.LANGUAGE_CODE
