"""Password change, and password reset by email (through the outbox), throttled, with
the same answer whether an account uses the address or not."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts import views
from core import throttle
from core.models import OutboundEmail

PASSWORD = "Ancien-pass-2014"
NEW_PASSWORD = "Nouveau-pass-2026"
RESET = reverse("accounts:password_reset")
LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def _fast_hasher_and_fresh_limits(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(throttle, "KEY_PREFIX", f"test-ratelimit-{uuid.uuid4().hex}")


@pytest.fixture
def amina(db):
    return get_user_model().objects.create_user(
        "amina", email="amina@example.org", password=PASSWORD
    )


def ask_reset(client, email, *, ip="203.0.113.9", capture=None):
    if capture is None:
        return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)
    with capture(execute=True):
        return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def test_reset_sends_a_working_link_then_the_new_password_signs_in(
    client, amina, django_capture_on_commit_callbacks
):
    response = ask_reset(client, "AMINA@example.org", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amina@example.org"]
    assert "mot de passe" in message.subject
    assert OutboundEmail.objects.get(kind="accounts.password_reset").status == "sent"
    link = re.search(r"https?://\S+/compte/mot-de-passe/\S+/\S+/", message.body).group(0)
    path = "/" + link.split("/", 3)[3]
    page = client.get(path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == reverse("accounts:password_set_done")
    # the link is used: a second time it says so
    assert "plus valable" in client.get(path, follow=True).content.decode()
    signed_in = client.post(LOGIN, {"username": "amina", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in.url == reverse("portal:account")


def test_unknown_address_gets_the_same_answer_and_no_email(
    client, amina, django_capture_on_commit_callbacks
):
    known = ask_reset(client, "amina@example.org", capture=django_capture_on_commit_callbacks)
    unknown = ask_reset(client, "personne@example.org", capture=django_capture_on_commit_callbacks)
    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    assert [m.to for m in mail.outbox] == [["amina@example.org"]]
    done = client.get(known.url).content.decode()
    assert "Si un compte utilise cette adresse" in done


def test_inactive_account_gets_no_email(client, amina, django_capture_on_commit_callbacks):
    amina.is_active = False
    amina.save()
    assert (
        ask_reset(client, amina.email, capture=django_capture_on_commit_callbacks).status_code
        == 302
    )
    assert mail.outbox == []


def test_account_made_by_a_claim_without_password_may_reset(
    client, db, django_capture_on_commit_callbacks
):
    user = get_user_model().objects.create_user("pole", email="pole@example.org")
    assert not user.has_usable_password()
    ask_reset(client, "pole@example.org", capture=django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["pole@example.org"]]


def test_reset_is_throttled_per_address_with_a_french_message(client, amina):
    for _ in range(views.RESET_PER_ADDRESS.limit):
        assert ask_reset(client, "amina@example.org").status_code == 302
    # another spelling of the same mailbox counts too
    refused = ask_reset(client, "Amina+autre@example.org")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    html = refused.content.decode()
    assert "Trop d’e-mails de mot de passe" in html
    assert "Réessayez dans" in html
    assert OutboundEmail.objects.filter(kind="accounts.password_reset").count() == 3


def test_reset_is_throttled_per_connection_whatever_the_address(client, db):
    for n in range(views.RESET_PER_IP.limit):
        assert ask_reset(client, f"personne{n}@example.org", ip="198.51.100.4").status_code == 302
    refused = ask_reset(client, "encore@example.org", ip="198.51.100.4")
    assert refused.status_code == 429
    assert refused.has_header("Retry-After")
    # another connection is not held
    assert ask_reset(client, "encore@example.org", ip="198.51.100.5").status_code == 302


def test_invalid_address_is_refused_in_french(client, db):
    response = ask_reset(client, "pas-une-adresse")
    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide" in response.content.decode()


def test_password_change(client, amina):
    client.force_login(amina)
    url = reverse("accounts:password_change")
    page = client.get(url).content.decode()
    assert "Changer votre mot de passe" in page
    wrong = client.post(
        url,
        {"old_password": "faux", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    amina.refresh_from_db()
    assert amina.check_password(PASSWORD)
    done = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done.url == reverse("accounts:password_change_done")
    amina.refresh_from_db()
    assert amina.check_password(NEW_PASSWORD)
    assert client.get(done.url).status_code == 200


def test_password_change_needs_sign_in(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "name", ["accounts:login", "accounts:password_reset", "accounts:password_reset_done"]
)
def test_account_pages_render(client, db, name, language):
    assert client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language).status_code == 200


def test_sign_in_page_is_for_everyone_and_links_the_reset(client, db):
    html = client.get(LOGIN).content.decode()
    assert "Mot de passe oublié\u00a0?" in html
    assert f'href="{RESET}"' in html
    assert "gèrent la fiche d’un pôle" in html


def test_sign_in_page_has_one_boolean_autofocus(client, amina):
    html = client.get(LOGIN).content.decode()
    assert 'autofocus="' not in html
    assert html.count(" autofocus") == 1
    # after an error the summary takes the focus, the field gives it up
    html = client.post(LOGIN, {"username": "amina", "password": "faux"}).content.decode()
    assert 'autofocus="' not in html
    assert html.count(" autofocus") == 1
    assert 'id="form-errors" autofocus' in html


def test_password_help_is_valid_html(client, amina):
    """Django's password help is a list: it cannot sit inside a <p> (Nu HTML Checker)."""
    client.force_login(amina)
    html = client.get(reverse("accounts:password_change")).content.decode()
    assert '<div class="help" id="id_new_password1_helptext"><ul>' in html
    assert not re.search(r"<p[^>]*>\s*<ul", html)
