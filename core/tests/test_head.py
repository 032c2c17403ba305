"""HEAD is answered wherever GET is, on every route of the site."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.exceptions import NoReverseMatch

pytestmark = pytest.mark.django_db


def named_routes(patterns=None, namespace=""):
    """(name, {argument: converter}) of every named route, in every namespace."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", getattr(pattern.pattern, "converters", {})


def sample_urls(slug: str) -> list[str]:
    urls = set()
    for name, converters in named_routes():
        kwargs = {
            arg: 1 if isinstance(conv, IntConverter) else slug for arg, conv in converters.items()
        }
        try:
            urls.add(reverse(name, kwargs=kwargs))
        except NoReverseMatch:  # a regular expression route (the admin's catch-all)
            continue
    return sorted(urls)


@pytest.fixture
def site(db):
    from charter.models import CharterVersion
    from events.tests.factories import EventFactory

    event = EventFactory(slug="journee")
    CharterVersion.objects.create(
        number=1, title="Charte", body="# Charte", published_on="2021-06-01"
    )
    return event


def test_every_get_route_answers_head_with_the_same_status_and_no_body(site):
    urls = sample_urls(site.slug)
    assert len(urls) > 40
    admin = get_user_model().objects.create_superuser("root", password="x-pass-1234")
    site.managers.add(admin)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(admin)
    refused = []
    for client in (Client(raise_request_exception=False), signed_in):
        for url in urls:
            got = client.get(url).status_code
            head = client.head(url)
            body = b"".join(head.streaming_content) if head.streaming else head.content
            if head.status_code != got or body:
                refused.append((url, got, head.status_code))
    assert not refused
    # a HEAD first does not leave an empty page in the cache of anonymous pages
    fresh = Client()
    assert fresh.head("/poles/").status_code == 200
    assert "<h1" in fresh.get("/poles/").content.decode()
    # the pages that allow only GET and POST used to refuse HEAD
    assert signed_in.head("/charte/signer/").status_code == 200
    assert signed_in.head(reverse("charter_manage:ceremony", args=["journee"])).status_code == 200
    # and a page that allows only POST still refuses it
    assert signed_in.head(reverse("charter:withdraw", args=[1])).status_code == 405
