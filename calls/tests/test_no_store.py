"""Cache-Control: no-store on every page of the calls that is not public (issue 10 §4:
every organiser page and every download that holds personal data): the managers' pages
and the minutes, the jury's pages and the files it opens, a pole's application, its
attachments and its receipt. Each GET route of the permission matrix that is not open to
everyone, opened as a role it lets in."""

import pytest
from django.urls import reverse

from calls.tests.test_permission_matrix import (  # noqa: F401 - the fixture
    EVERYONE,
    MATRIX,
    OK,
    _client,
    _kwargs,
    _private_files,
    _request,
    _world_files,
    world,
)

pytestmark = pytest.mark.django_db


def test_every_page_of_the_calls_not_open_to_everyone_is_never_stored(world):  # noqa: F811
    kwargs = _kwargs(world)
    checked, stored = [], []
    for name, (method, expected) in MATRIX.items():
        if method != "GET" or expected == EVERYONE:
            continue
        role = next(role for role, outcome in expected.items() if outcome == OK)
        response = _request(_client(world, role), "GET", reverse(name, kwargs=kwargs[name]))
        if response.status_code != 200:
            continue  # a redirect (the draft of a submitted file): not the page itself
        checked.append(name)
        if "no-store" not in response.get("Cache-Control", ""):
            stored.append(name)
    assert not stored, stored
    for must in (
        "calls:apply_receipt_pdf",
        "calls:apply_attachment",
        "calls_jury:grid",
        "calls_jury:attachment",
        "calls_manage:minutes",
        "calls_manage:ranking",
    ):
        assert must in checked, must


def test_the_public_pages_of_the_calls_stay_cacheable(world):  # noqa: F811
    kwargs = _kwargs(world)
    for name in ("calls:list", "calls:call", "calls:laureates"):
        response = _request(_client(world, "anonymous"), "GET", reverse(name, kwargs=kwargs[name]))
        assert response.status_code == 200, name
        assert "no-store" not in response.get("Cache-Control", ""), name
