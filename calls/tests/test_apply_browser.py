"""A pole's manager applies on a phone: starts, types (the draft saves itself), attaches a
PDF, submits, sees the receipt; the receipt email arrives with its PDF, which holds the
file's SHA-256. axe-core on the draft and on the receipt."""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from calls.models import Application
from calls.tests.apply_helpers import PDF, make_pole
from conftest import (
    BLOCKING_IMPACTS,
    axe_scan,
    describe,
    no_horizontal_scroll,
    screenshot,
    wait_for_mail,
)

pytestmark = pytest.mark.browser


def _blocking(page):
    results = axe_scan(page)
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def test_a_manager_applies_on_a_phone(live_server, call, user, new_page, tmp_path):
    the_call = call()
    manager = user("amina", first_name="Amina", last_name="Diallo")
    make_pole("Pôle Sud Archer", managers=[manager])
    pdf_path = tmp_path / "budget.pdf"
    pdf_path.write_bytes(PDF)

    page = new_page("phone")
    page.goto(live_server.url + "/compte/connexion/")
    page.fill("input[name=username]", "amina")
    page.fill("input[name=password]", "Mot-de-passe-2014")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(live_server.url + "/compte/")
    page.get_by_role("link", name=f"Candidater à « {the_call.title} »").click()
    start = "Commencer la candidature du pôle «\xa0Pôle Sud Archer\xa0»"
    page.get_by_role("button", name=start).click()
    page.get_by_text("Brouillon — non déposé").first.wait_for()

    # typing saves the draft by itself (no button pressed)
    page.fill("#project_title", "Une conserverie coopérative")
    # the autosave waits 1.2 s after the last key; a busy CI machine may take longer to answer
    expect(page.locator("#autosave-status")).to_contain_text("Brouillon enregistré", timeout=30_000)
    application = Application.objects.get()
    assert application.project_title == "Une conserverie coopérative"
    page.fill("#summary", "Transformer les surplus des maraîchers du Diois.")
    page.fill("#amount_requested", "45 000")
    page.get_by_label("Décrivez la coopération").fill("Cinq structures coopèrent.")
    # the autosave waits 1.2 s after the last key; a busy CI machine may take longer to answer
    expect(page.locator("#autosave-status")).to_contain_text("Brouillon enregistré", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('input[name=version]').value === '"
        + str(Application.objects.get().version)
        + "'"
    )
    assert no_horizontal_scroll(page)
    blocking = _blocking(page)
    assert not blocking, describe(blocking)
    screenshot(page, "calls-apply-draft-phone")

    page.set_input_files("#file", str(pdf_path))
    page.get_by_role("button", name="Joindre").click()
    page.locator(".messages").filter(has_text="budget.pdf").wait_for()
    application.refresh_from_db()
    assert application.summary.startswith("Transformer")
    assert str(application.amount_requested) == "45000.00"

    page.get_by_role("link", name="Déposer la candidature…").click()
    page.get_by_role("button", name="Oui, déposer la candidature").click()
    page.get_by_role("heading", name="Candidature déposée").wait_for()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert page.locator("#application-sha256").inner_text() == application.sha256
    assert no_horizontal_scroll(page)
    blocking = _blocking(page)
    assert not blocking, describe(blocking)
    screenshot(page, "calls-apply-receipt-phone")

    (email,) = wait_for_mail(where=lambda m: "Candidature déposée" in m.subject)
    assert email.to == ["amina@example.org"]
    ((name, content, kind),) = email.attachments
    assert kind == "application/pdf"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (poppler-utils)")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    flat = text.replace("\n", "")
    assert application.sha256 in flat
    assert application.attachments.get().sha256 in flat
    assert "Une conserverie coopérative" in text
