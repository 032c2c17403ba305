"""The calls' public pages carry the Open Graph tags a shared link needs (issue 10 §4, as
the pole, network, charter and event pages): title, description, address, and og:image
(required) with its size and alternative text."""

import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def meta(page: str, prop: str) -> str | None:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', page)
    return match.group(1) if match else None


@pytest.mark.parametrize("tail", ["", "appel-2026/", "appel-2026/laureats/"])
def test_the_public_pages_of_the_calls_have_open_graph_tags(client, call, settings, tail):
    call(summary="Un appel pour les pôles qui coopèrent.", results_published_at=timezone.now())
    page = client.get(f"/appels/{tail}")
    assert page.status_code == 200
    html = page.content.decode()
    assert meta(html, "og:url") == f"{settings.SITE_URL}/appels/{tail}"
    assert meta(html, "og:image") == f"{settings.SITE_URL}/static/core/img/og-default.png"
    for prop in ("og:title", "og:description", "og:type", "og:image:alt"):
        assert meta(html, prop), prop
    assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == ("1200", "630")
    if tail:
        assert "Appel à projets PTCE 2026" in meta(html, "og:title")
        assert meta(html, "og:description") == "Un appel pour les pôles qui coopèrent."
    else:
        assert meta(html, "og:title") == "Appels à projets"
        assert "pôles territoriaux" in meta(html, "og:description")
