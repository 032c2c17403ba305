"""The door app is installable: its manifest answers without cookies (as browsers fetch
it), parses as JSON and names PNG icons that exist at their sizes, one maskable; the
scanning page links an apple-touch-icon."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image

from events.models import Event

pytestmark = pytest.mark.django_db


def static_file(url: str) -> str:
    path = finders.find(url.removeprefix("/static/"))
    assert path, url
    return path


def test_the_manifest_answers_without_cookies_and_parses(event):
    Event.objects.filter(pk=event.pk).update(title="Journée des pôles")
    browser = Client()  # no session, no cookie at all
    response = browser.get(
        reverse("checkin:manifest", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert not response.cookies
    manifest = json.loads(response.content.decode("utf-8"))
    assert manifest["name"] == "Contrôle à l’entrée – Journée des pôles"
    assert manifest["start_url"] == reverse("checkin:scanner", args=[event.slug])
    assert manifest["lang"] == "fr" and manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        with Image.open(static_file(icon["src"])) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_an_unknown_event_has_no_manifest():
    response = Client().get(reverse("checkin:manifest", args=["pas-un-evenement"]))
    assert response.status_code == 404


def test_the_scanning_page_links_the_manifest_and_an_apple_touch_icon(client, agent, event):
    client.force_login(agent)
    page = client.get(reverse("checkin:scanner", args=[event.slug])).content.decode()
    assert f'<link rel="manifest" href="/accueil/{event.slug}/manifest.webmanifest">' in page
    href = page.split('<link rel="apple-touch-icon" href="', 1)[1].split('"', 1)[0]
    with Image.open(static_file(href)) as image:
        assert image.size == (180, 180) and image.mode == "RGB"
