"""Error pages never read the request's body; a form in another charset gets a 400."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from core import handlers

pytestmark = pytest.mark.django_db

UTF16_FORM = "application/x-www-form-urlencoded; charset=utf-16"
FORM_URLS = [
    "/compte/connexion/",
    "/admin/login/",
    "/i18n/setlang/",
    "/charte/signer/",
    "/charte/confirmer/abc/",
    "/evenements/journee/inscription/",
    "/poles/",
]


@pytest.fixture
def event(db):
    from events.tests.factories import EventFactory

    return EventFactory(slug="journee")


def as_browser():
    """As a browser: the CSRF check is on and its cookie is set (the middleware chain is
    built at the first request: from the settings of that moment)."""
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    client.get("/compte/connexion/")
    assert "csrftoken" in client.cookies
    return client


@pytest.fixture
def browser_client():
    return as_browser()


def post_utf16(client, url):
    # the test client encodes the body in the declared charset
    return client.post(url, data="username=a&password=b", content_type=UTF16_FORM)


@pytest.mark.parametrize("url", FORM_URLS)
def test_a_form_in_utf16_gets_a_french_400_page(browser_client, event, url):
    assert not settings.DEBUG
    response = post_utf16(browser_client, url)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Demande illisible" in page and "Rien n’a été enregistré" in page


@pytest.mark.parametrize("url", FORM_URLS[:4])
def test_the_error_handlers_alone_never_read_the_body_again(event, url, settings):
    """Without the charset middleware, Django itself refuses the body (BadRequest): the
    400 handler must then answer, not fail again reading the same body."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "FormCharset" not in m]
    response = post_utf16(as_browser(), url)
    assert response.status_code == 400
    assert "Demande illisible" in response.content.decode()


def test_a_multipart_form_in_another_charset_gets_a_400(browser_client, event):
    response = browser_client.post(
        "/evenements/journee/inscription/",
        data=b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--x--\r\n",
        content_type="multipart/form-data; boundary=x; charset=latin-1",
    )
    assert response.status_code == 400


def test_a_form_declared_utf8_is_read_as_usual(browser_client):
    token = browser_client.cookies["csrftoken"].value
    response = browser_client.post(
        "/compte/connexion/",
        data=f"csrfmiddlewaretoken={token}&username=a&password=b".encode(),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 200
    assert (
        "Saisissez un nom d’utilisateur" in response.content.decode()
        or response.context["form"].errors
    )


def test_not_found_and_denied_pages_are_in_french(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404 and "Page introuvable" in response.content.decode()
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = handlers.permission_denied(request)
    assert response.status_code == 403 and "Accès refusé" in response.content.decode()


def test_the_server_error_page_needs_nothing_from_the_request():
    response = handlers.server_error(None)
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_an_error_page_that_cannot_render_falls_back_to_plain_html(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(handlers, "render", broken)
    response = handlers.bad_request(RequestFactory().get("/"))
    assert response.status_code == 400 and "Demande invalide" in response.content.decode()
