"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright.

A person registers on the event page, gets the email, opens the personal link, sees the
QR code and cancels. The form's error path is checked for keyboard and screen-reader use,
and axe-core scans the public pages at a phone and a desktop width (no serious or critical
violation allowed). Screenshots go to /tmp/ptce-shots/ for people to look at.

Elements are found by role, name and href rather than by visible text: the interface
language is French by default and its wording may change.
"""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from conftest import (
    BLOCKING_IMPACTS,
    SHOTS,
    VIEWPORTS,
    axe_scan,
    describe,
    no_horizontal_scroll,
    screenshot,
    wait_for_mail,
)
from events import services
from events.models import Event, Registration
from events.tokens import personal_link_token

pytestmark = pytest.mark.browser

SLUG = "2e-journee-nationale-des-ptce"
PERSONAL_LINK = re.compile(r"https?://[^/\s]+(/inscription/[^/\s]+/)")
# The submit button of the page's own form, not the language switch in the header.
MAIN_SUBMIT = "main form button[type=submit]"


@pytest.fixture
def demo_event(live_server):
    call_command("load_demo", "--no-attendees", stdout=StringIO())
    return Event.objects.get(slug=SLUG)


def url(live_server, path: str) -> str:
    return live_server.url + path


def goto(page, address: str, status: int = 200):
    response = page.goto(address)
    assert response is not None and response.status == status, address
    return response


def fill_registration(page, *, email: str) -> None:
    page.fill("input[name=first_name]", "Zoé")
    page.fill("input[name=last_name]", "N'Diaye-Lefèvre")
    page.fill("input[name=email]", email)
    page.fill("input[name=organisation]", "Pôle fictif des Deux Rives")
    page.select_option("select[name=category]", "ptce_member")
    page.check("input[name=consent]")


def test_register_open_ticket_and_cancel(live_server, demo_event, new_page):
    page = new_page("phone")
    goto(page, url(live_server, f"/evenements/{SLUG}/"))
    assert page.locator(".notice.id").is_visible()  # photo ID required
    assert page.locator('a[href$="/agenda.ics"]').first.is_visible()

    register_link = page.locator('main a[href$="/inscription/"]')
    assert register_link.is_visible()
    register_link.click()
    page.wait_for_url(f"**/evenements/{SLUG}/inscription/")

    fill_registration(page, email="zoe.ndiaye@example.org")
    with page.expect_navigation():
        page.click(MAIN_SUBMIT)
    page.wait_for_url(re.compile(rf"/evenements/{SLUG}/inscription/envoyee/\?a="))
    assert "z***@example.org" in page.locator("main").inner_text()
    screenshot(page, "sent-phone")

    message = wait_for_mail(1)[0]
    assert message.to == ["zoe.ndiaye@example.org"]
    match = PERSONAL_LINK.search(message.body)
    assert match, message.body
    personal_path = match.group(1)

    goto(page, url(live_server, personal_path))
    qr = page.locator(".qr svg")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] > 100  # big enough to be scanned
    assert page.locator(".badge.cancelled").count() == 0
    assert page.locator('a[href$="/billet.pdf"]').is_visible()
    assert page.locator(f'form[action="{personal_path}corriger/"]').is_visible()
    # The name is shown as the photo ID must carry it.
    assert "N'DIAYE-LEFÈVRE" in page.locator(".ticket .name").inner_text()

    page.check('form[action$="/annuler/"] input[name=confirm]')
    with page.expect_navigation():
        page.click('form[action$="/annuler/"] button[type=submit]')
    page.wait_for_url(f"**{personal_path}")
    assert page.locator(".badge.cancelled").is_visible()
    assert page.locator(".qr svg").count() == 0
    assert page.locator('form[action$="/annuler/"]').count() == 0
    screenshot(page, "personal-cancelled-phone")

    registration = Registration.objects.get(email="zoe.ndiaye@example.org")
    assert registration.status == Registration.Status.CANCELLED
    assert registration.first_name == "Zoé"
    assert registration.last_name == "N'Diaye-Lefèvre"
    demo_event.refresh_from_db()
    assert demo_event.confirmed_count == 0


def test_empty_form_shows_focusable_error_summary(live_server, demo_event, new_page):
    page = new_page("desktop")
    goto(page, url(live_server, f"/evenements/{SLUG}/inscription/"))
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click(MAIN_SUBMIT)
    assert posted.value.status == 400

    summary = page.locator(".alert.error")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    page.wait_for_load_state("load")
    # focus lands on the summary by itself (autofocus), no script needed
    assert page.evaluate("document.activeElement.id") == "form-errors"

    for name in ("first_name", "last_name", "email", "category", "consent"):
        assert page.locator(f"[name={name}]").get_attribute("aria-invalid") == "true", name
    for name in ("organisation", "phone"):  # optional, left empty: no error
        assert page.locator(f"[name={name}]").get_attribute("aria-invalid") is None, name

    # Each summary entry leads to its field.
    summary.locator('a[href="#id_first_name"]').click()
    assert page.evaluate("document.activeElement.name") == "first_name"
    assert Registration.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_public_pages_accessibility(live_server, demo_event, new_page, viewport):
    """axe-core on each public page, plus screenshots for a human look."""
    outcome = services.registration_create(
        event=demo_event,
        first_name="Zoé",
        last_name="N'Diaye-Lefèvre",
        email=f"zoe.{viewport}@example.org",
        organisation="Pôle fictif des Deux Rives",
        category="ptce_member",
        consent=True,
    )
    token = personal_link_token(outcome.registration)
    page = new_page(viewport)
    scans = {}

    def scan(name):
        assert no_horizontal_scroll(page), f"{name} scrolls sideways at {viewport}"
        scans[name] = axe_scan(page)
        screenshot(page, f"{name}-{viewport}")

    goto(page, url(live_server, f"/evenements/{SLUG}/"))
    scan("event")

    goto(page, url(live_server, f"/evenements/{SLUG}/inscription/"))
    scan("form")

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click(MAIN_SUBMIT)
    assert posted.value.status == 400
    scan("form-errors")

    goto(page, url(live_server, f"/inscription/{token}/"))
    assert page.locator(".qr svg").is_visible()
    scan("personal")

    summary = {
        name: {
            kind: [
                {"id": r["id"], "impact": r["impact"], "help": r["help"], "nodes": r["nodes"]}
                for r in results[kind]
            ]
            for kind in ("violations", "incomplete")
        }
        for name, results in scans.items()
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"axe-{viewport}.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    for name, results in scans.items():
        if results["violations"]:
            print(f"\naxe, {name} at {viewport}:\n{describe(results['violations'])}")
    blocking = {
        name: [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        for name, results in scans.items()
    }
    report = "\n".join(
        f"{name} ({viewport}):\n{describe(found)}" for name, found in blocking.items() if found
    )
    assert not report, f"serious/critical accessibility violations:\n{report}"


def test_field_errors_are_tied_to_their_fields(live_server, demo_event, new_page):
    page = new_page("desktop")
    goto(page, url(live_server, f"/evenements/{SLUG}/inscription/"))
    with page.expect_navigation():
        page.click(MAIN_SUBMIT)
    dangling = page.evaluate(
        """() => [...document.querySelectorAll('main [aria-invalid="true"]')]
            .filter(field => !(field.getAttribute('aria-describedby') || '').split(/\\s+/)
                .some(id => document.getElementById(id)?.classList.contains('error')))
            .map(field => `${field.name}: aria-describedby="${
                field.getAttribute('aria-describedby')}"`)"""
    )
    assert dangling == [], "error messages not tied to their fields:\n" + "\n".join(dangling)


def open_in_other_site(page, host: str, embed_url: str) -> None:
    """Open a page of another website (served by Playwright itself) that frames embed_url."""
    page.route(
        f"{host}/**",
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                "<!doctype html><html lang='fr'><title>Site du Labo</title>"
                f"<iframe src='{embed_url}' title='Inscription' width='800' height='1600'>"
                "</iframe></html>"
            ),
        ),
    )
    goto(page, f"{host}/inscription.html")


def test_registration_from_a_form_embedded_in_another_website(live_server, demo_event, new_page):
    """The organiser's own site (another origin) frames the form; a person registers in it.

    Inside a cross-site frame the browser keeps SameSite cookies to itself, so the form
    must work without Django's CSRF cookie (it carries its own signed token).
    """
    # Another site on this machine (the live server is on "localhost"): a public
    # hostname would be stopped by Chromium's private-network protection, not by us.
    host = "http://127.0.0.1:9"
    Event.objects.filter(pk=demo_event.pk).update(embed_origins=host)
    page = new_page("desktop")
    open_in_other_site(page, host, url(live_server, f"/evenements/{SLUG}/integrer/"))
    frame = page.frame_locator("iframe")
    frame.locator("input[name=first_name]").fill("Zoé")
    frame.locator("input[name=last_name]").fill("N'Diaye-Lefèvre")
    frame.locator("input[name=email]").fill("embed@example.org")
    frame.locator("select[name=category]").select_option("network")
    frame.locator("input[name=consent]").check()
    frame.locator("main form button[type=submit]").click()
    frame.locator(".card[role=status]").wait_for()
    assert "e***@example.org" in frame.locator("main").inner_text()
    registration = Registration.objects.get(email="embed@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    wait_for_mail(1)


def test_embedded_form_is_refused_to_websites_not_allowed(live_server, demo_event, new_page):
    embed_url = url(live_server, f"/evenements/{SLUG}/integrer/")
    page = new_page("desktop")
    open_in_other_site(page, "http://127.0.0.1:7", embed_url)
    page.wait_for_timeout(500)
    frame = page.frames[-1]
    # the browser refuses to show the page: frame-ancestors does not list this origin
    assert frame.url in (embed_url, "about:blank", "chrome-error://chromewebdata/")
    assert page.frame_locator("iframe").locator("input[name=first_name]").count() == 0


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_organiser_page_accessibility(live_server, demo_event, new_page, viewport):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("orga", password="Orga-pass-2014", is_staff=True)
    demo_event.managers.add(user)
    services.registration_create(
        event=demo_event,
        first_name="Hélène",
        last_name="Lefèvre",
        email="helene@example.org",
        category="network",
        consent=True,
    )
    page = new_page(viewport)
    goto(page, url(live_server, "/compte/connexion/"))
    page.fill("input[name=username]", "orga")
    page.fill("input[name=password]", "Orga-pass-2014")
    with page.expect_navigation():
        page.click(MAIN_SUBMIT)
    goto(page, url(live_server, f"/gestion/evenements/{SLUG}/?q=lefevre"))
    assert "LEFÈVRE" in page.locator("main table").last.inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, f"manage-{viewport}")
    blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe(blocking)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_documents_page_prepare_and_download(live_server, demo_event, new_page, viewport, tmp_path):
    """The organiser prepares the security list (built at commit by the demo's immediate
    task backend) and downloads it; the page passes axe on a phone and a desktop."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    user = get_user_model().objects.create_user("orga", password="Orga-pass-2014", is_staff=True)
    demo_event.managers.add(user)
    storages = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    with override_settings(STORAGES=storages):
        page = new_page(viewport)
        goto(page, url(live_server, "/compte/connexion/"))
        page.fill("input[name=username]", "orga")
        page.fill("input[name=password]", "Orga-pass-2014")
        with page.expect_navigation():
            page.click(MAIN_SUBMIT)
        goto(page, url(live_server, f"/gestion/evenements/{SLUG}/documents/"))
        with page.expect_navigation():
            page.click("#document-security_pdf button")
        row = page.locator("#document-security_pdf")
        assert row.get_attribute("data-state") == "ready"
        assert no_horizontal_scroll(page)
        screenshot(page, f"documents-{viewport}")
        blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, describe(blocking)
        with page.expect_download() as download:
            row.locator("a").click()
        assert download.value.suggested_filename == f"liste-securite-{SLUG}.pdf"
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_documents_page_follows_a_build_by_itself(live_server, demo_event, new_page, tmp_path):
    """With the production queue (the worker builds later), the page polls the states and
    shows the download link once the worker is done, without a reload by hand."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from events.models import EventDocument
    from events.tasks import build_event_document

    user = get_user_model().objects.create_user("orga", password="Orga-pass-2014", is_staff=True)
    demo_event.managers.add(user)
    storages = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(STORAGES=storages, TASKS=dummy):
        page = new_page("desktop")
        goto(page, url(live_server, "/compte/connexion/"))
        page.fill("input[name=username]", "orga")
        page.fill("input[name=password]", "Orga-pass-2014")
        with page.expect_navigation():
            page.click(MAIN_SUBMIT)
        goto(page, url(live_server, f"/gestion/evenements/{SLUG}/documents/"))
        with page.expect_navigation():
            page.click("#document-badges_a4x4 button")
        row = page.locator("#document-badges_a4x4")
        assert row.get_attribute("data-state") == "pending"
        assert row.locator("a").count() == 0
        document = EventDocument.objects.get(event=demo_event, kind="badges_a4x4")
        # the worker
        build_event_document.func(document_id=document.pk, build_token=document.build_token)
        page.wait_for_selector("#document-badges_a4x4[data-state=ready] a", timeout=15_000)
