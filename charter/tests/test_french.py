"""The charter's pages write dates as a French editor does (« 1er juin 2021 »)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").split())


def test_version_line_says_1er_juin(client, versions):
    text = text_of(client.get(reverse("charter:home")))
    assert "Version 2 du 1er juin 2021" in text
    assert "1 juin" not in text
    assert "(19 septembre 2014)" in text


def test_version_page_says_1er_juin(client, versions):
    text = text_of(client.get(reverse("charter:version", args=[2])))
    assert "1er juin 2021" in text and "1 juin" not in text


def test_version_line_in_english(client, versions):
    with translation.override("en"):
        response = client.get(reverse("charter:home"), HTTP_ACCEPT_LANGUAGE="en")
    text = text_of(response)
    assert "Version 2 of 1 June 2021" in text


def test_signature_filters_agree_with_their_label(client, versions):
    text = text_of(client.get(reverse("charter:signatures")))
    assert re.search(r"Région toutes", text), text[:2000]
    assert "Version toutes" in text
