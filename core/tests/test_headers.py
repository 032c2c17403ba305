"""Headers every response carries: Permissions-Policy (the camera only on the door's
scanning page) and Cache-Control: no-store on organiser pages, the account space and
every download that holds personal data."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.urls.converters import IntConverter

from core.tests.test_head import named_routes
from events import services as event_services
from events.tests.conftest import document_storage, prepared  # noqa: F401 - fixtures
from events.tests.factories import EventFactory
from events.tokens import personal_link_token

pytestmark = pytest.mark.django_db

# the URL namespaces of the organiser space (/gestion/…) and of the account space
PRIVATE_NAMESPACES = ("events_manage", "checkin_manage", "charter_manage", "registry_manage")


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def site(db, django_capture_on_commit_callbacks):
    from charter.models import CharterVersion

    event = EventFactory(slug="journee")
    CharterVersion.objects.create(
        number=1, title="Charte", body="# Charte", published_on="2021-06-01"
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = event_services.registration_create(
            event=event,
            first_name="Amina",
            last_name="Diallo",
            email="amina@example.org",
            category="ptce_member",
            consent=True,
        )
    admin = get_user_model().objects.create_superuser("root", password="x-pass-1234")
    event.managers.add(admin)
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    return {"event": event, "registration": outcome.registration, "client": client}


def private_routes():
    for name, converters in named_routes():
        namespace = name.split(":", 1)[0] if ":" in name else ""
        if namespace in PRIVATE_NAMESPACES or namespace == "accounts":
            yield name, converters


def test_every_organiser_and_account_page_is_never_stored(site):
    event, registration = site["event"], site["registration"]
    values = {"slug": event.slug, "kind": "security_pdf"}
    checked, ok = [], 0
    for name, converters in private_routes():
        if name in ("accounts:password_set",):
            kwargs = {"uidb64": "MQ", "token": "set-password"}
        else:
            kwargs = {
                arg: registration.pk if isinstance(conv, IntConverter) else values[arg]
                for arg, conv in converters.items()
            }
        url = reverse(name, kwargs=kwargs)
        response = site["client"].get(url)
        ok += response.status_code == 200
        checked.append((url, response.status_code, no_store(response)))
    missing = [row for row in checked if not row[2]]
    assert not missing, missing
    # the walk really met the organiser's pages (not only redirects and refusals)
    assert len(checked) >= 20
    assert ok >= 8, checked
    for must in ("events_manage:event", "checkin_manage:door", "charter_manage:ceremony"):
        assert any(name == must for name, _ in private_routes())
    # and the same pages refused to an anonymous visitor are not stored either
    anonymous = Client().get(reverse("events_manage:event", args=[event.slug]))
    assert anonymous.status_code == 302 and no_store(anonymous)


def test_personal_downloads_are_never_stored(site, request):
    prepare = request.getfixturevalue("prepared")
    event, registration = site["event"], site["registration"]
    token = personal_link_token(registration)
    client = Client()
    for url in (
        reverse("events:personal", args=[token]),
        reverse("events:personal_ticket", args=[token]),
        reverse("events:personal_data", args=[token]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    badge = reverse("checkin_manage:badge", args=[event.slug, registration.pk])
    response = site["client"].get(badge)
    assert response.status_code == 200 and no_store(response)
    for kind in ("security_csv", "registrations_csv", "attendance_csv"):
        response, _content = prepare(site["client"], event, kind)
        assert no_store(response), kind


def test_a_public_page_stays_cacheable(site):
    response = Client().get(reverse("events:detail", args=[site["event"].slug]))
    assert response.status_code == 200
    assert not no_store(response)


def test_the_camera_is_allowed_only_on_the_scanning_page(site):
    event = site["event"]
    scanner = site["client"].get(reverse("checkin:scanner", args=[event.slug]))
    assert scanner.status_code == 200
    policy = scanner["Permissions-Policy"]
    assert "camera=(self)" in policy and "microphone=()" in policy
    for url in (
        reverse("events:home"),
        reverse("events:detail", args=[event.slug]),
        reverse("checkin_manage:door", args=[event.slug]),
        reverse("checkin_manage:projection", args=[event.slug]),
        "/no-such-page/",
    ):
        response = site["client"].get(url)
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy, url
        assert "geolocation=()" in policy and "microphone=()" in policy, url
