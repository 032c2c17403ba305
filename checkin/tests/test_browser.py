"""The door in a real browser (Debian's Chromium): a door agent finds a person by name,
confirms the photo ID and admits; the same ticket again says "already admitted"; then,
the network cut, two tickets are admitted on the phone and counted once back online."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from checkin.models import Admission, DoorRole
from checkin.views.public import DOOR_MODULES
from events import services as event_services

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/ptce-shots")


def show(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_find_by_name_check_id_admit_then_already_admitted(door_phone):
    page, _, people, event = door_phone
    page.fill("#search", "lefevre")
    found = page.locator("#search-results button").first
    assert found.evaluate("(b) => getComputedStyle(b).borderLeftColor") == "rgb(11, 110, 79)"
    found.click()
    # the verdict is drawn once the (hashed) code is looked up: wait for it, on a busy
    # machine too
    page.locator("#verdict-name").filter(has_text="LEFÈVRE").wait_for()
    show(page, "door-verdict-phone")
    # the category's label and colour band, as the server gave them (checkin.categories)
    assert page.locator("#verdict-category").inner_text() == "membre d’un PTCE"
    band = "getComputedStyle(document.querySelector('#verdict')).borderLeftColor"
    assert page.evaluate(band) == "rgb(11, 110, 79)"  # #0b6e4f
    assert page.evaluate("window.cspViolations") == []
    page.click("#admit-button")
    page.locator("#verdict.verdict--admitted").wait_for()
    assert Admission.objects.filter(registration=people[0][0]).count() == 1
    page.click("#next-button")
    page.fill("#code", people[0][1])
    page.press("#code", "Enter")
    page.locator("#verdict-message").filter(has_text=re.compile("[Dd]éjà")).wait_for()
    show(page, "door-already-phone")
    assert Admission.objects.count() == 1


def test_offline_admissions_sync_when_back_online(door_phone):
    page, context, people, event = door_phone
    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    for _, token in people[1:]:
        page.fill("#code", token)
        page.press("#code", "Enter")
        page.click("#admit-button")
        page.click("#next-button")
    state = page.locator("#status-banner .door-status__state")
    state.filter(has_text="2").wait_for()
    assert "hors ligne" in state.inner_text().lower()
    show(page, "door-offline-phone")
    assert Admission.objects.count() == 0
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    # back online: the queue empties by itself and the banner says so
    page.locator("#status-banner .door-status__state").filter(
        has_text=re.compile(r"^\s*En ligne\s*$")
    ).wait_for(timeout=20_000)
    assert Admission.objects.filter(event=event).count() == 2
    assert all(a.device.name == "Poste 1" for a in Admission.objects.select_related("device"))
    page.locator("#count-admitted").filter(has_text="2").wait_for()


def test_scanning_page_accessibility(door_phone):
    from axe_playwright_python.sync_playwright import Axe

    page, _, _, _ = door_phone
    results = Axe().run(page).response
    blocking = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not blocking, [(v["id"], [n["target"] for n in v["nodes"]]) for v in blocking]


def test_supervisor_overrides_a_refusal_and_registers_a_walk_in(door_phone):
    from axe_playwright_python.sync_playwright import Axe

    page, _, people, event = door_phone
    DoorRole.objects.filter(user__username="accueil").update(role=DoorRole.Role.SUPERVISOR)
    cancelled = people[2][0]
    event_services.registration_cancel(registration=cancelled)
    page.reload()
    page.locator("#count-expected").filter(has_text="2").wait_for()
    page.fill("#search", "benali")
    page.locator("#search-results button").first.click()
    page.locator("#verdict-message").filter(has_text="annulée").wait_for()
    assert page.locator("#override-form").is_visible()
    page.click("#override-button")  # no reason: refused, said next to the field
    page.locator("#override-error").filter(has_text="motif").wait_for()
    assert not Admission.objects.exists()
    page.fill("#override-reason", "Annulation par erreur, vérifiée avec l'équipe.")
    page.click("#override-button")
    page.locator("#verdict.verdict--admitted").wait_for()
    admission = Admission.objects.get(registration=cancelled)
    assert admission.override_reason.startswith("Annulation par erreur")
    page.click("#next-button")

    page.click("#walk-in summary")
    page.fill("#walk-in-last_name", "Ngoma")
    page.fill("#walk-in-first_name", "Aïcha")
    page.fill("#walk-in-email", "pas-une-adresse")
    page.select_option("#walk-in-category", "network")
    page.check("#walk-in-consent")
    page.check("#walk-in-id")
    results = Axe().run(page).response
    blocking = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not blocking, [(v["id"], [n["target"] for n in v["nodes"]]) for v in blocking]
    page.click("#walk-in-form button[type=submit]")
    page.locator("#walk-in-error").wait_for()
    assert page.locator("#walk-in-email").get_attribute("aria-invalid") == "true"
    page.fill("#walk-in-email", "aicha.ngoma@example.org")
    page.click("#walk-in-form button[type=submit]")
    page.locator("#verdict.verdict--admitted").wait_for()
    assert "NGOMA" in page.locator("#verdict-name").inner_text()
    show(page, "door-walk-in-phone")
    walk_in = event.registrations.get(email="aicha.ngoma@example.org")
    assert walk_in.admission.checked_by.username == "accueil"


def test_the_door_speaks_english_too(door_phone, live_server):
    page, context, people, event = door_phone
    state = page.locator("#status-banner .door-status__state")
    state.filter(has_text="En ligne").wait_for()
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.reload()
    state.filter(has_text="Online").wait_for()
    page.fill("#code", people[0][1])
    page.press("#code", "Enter")
    page.locator("#verdict-message").filter(has_text="Check the photo ID").wait_for()


POISON_QUEUED_SCAN = """async (slug) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(`ptce-door-${slug}`, 1);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const rows = await new Promise((resolve) => {
    const request = db.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => resolve(request.result);
  });
  rows.sort((a, b) => a.seq - b.seq);
  rows[0].scanned_at = "0001-01-01T00:30:00+01:00";
  await new Promise((resolve) => {
    const tx = db.transaction("queue", "readwrite");
    tx.objectStore("queue").put(rows[0]);
    tx.oncomplete = resolve;
  });
  db.close();
  return rows[0].token;
}"""


def test_a_scan_the_server_refuses_leaves_the_queue_and_never_blocks_the_others(door_phone):
    """Two entries admitted offline; one of them has a time the server cannot accept (the
    audit's year 1). Back online, the other is recorded, the bad one is answered on its
    own, said on the banner, and the queue empties: nothing is sent again forever."""
    page, context, people, event = door_phone
    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    for _, token in people[1:]:
        page.fill("#code", token)
        page.press("#code", "Enter")
        page.click("#admit-button")
        page.click("#next-button")
    page.locator("#status-banner .door-status__state").filter(has_text="2").wait_for()
    poisoned = page.evaluate(POISON_QUEUED_SCAN, event.slug)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#status-banner .door-status__state").filter(
        has_text=re.compile(r"^\s*En ligne\s*$")
    ).wait_for(timeout=20_000)
    page.locator("#status-banner").filter(has_text="non enregistrée").wait_for()
    admitted = [a.registration for a in Admission.objects.select_related("registration")]
    tokens = {registration.pk: token for registration, token in people}
    assert [tokens[r.pk] for r in admitted] == [t for _, t in people[1:] if t != poisoned]


WAIT_FOR_OFFLINE_COPY = """async (urls) => {
  await navigator.serviceWorker.ready;
  for (let i = 0; i < 150; i += 1) {
    const hits = await Promise.all(urls.map((url) => caches.match(url, { ignoreVary: true })));
    if (hits.every(Boolean) && navigator.serviceWorker.controller) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}"""


def test_after_an_offline_reload_the_door_still_speaks_french_and_takes_a_typed_reference(
    door_phone_with_worker, live_server
):
    """The service worker keeps the page, its script and the JavaScript catalogue of the
    page's language: reloaded with the network cut, the verdicts are still French (they
    read « ALREADY ADMITTED » when the catalogue was not kept), and a reference typed by
    hand, in small letters with a space, is found in the phone's list."""
    page, context, people, event = door_phone_with_worker
    assert page.evaluate(
        WAIT_FOR_OFFLINE_COPY,
        [page.url, "/accueil/jsi18n/fr/", *(f"/static/{module}" for module in DOOR_MODULES)],
    ), "the service worker did not keep the page offline"
    catalogue = []
    page.on(
        "response",
        lambda r: catalogue.append(r.from_service_worker) if "/jsi18n/" in r.url else None,
    )
    context.set_offline(True)
    page.reload()
    page.locator("#count-expected").filter(has_text="3").wait_for()
    assert catalogue == [True]  # from the worker's copy, the network being cut
    state = page.locator("#status-banner .door-status__state")
    state.filter(has_text="Hors ligne").wait_for()
    registration = people[1][0]
    reference = registration.reference.lower()
    page.fill("#code", f"{reference[:4]} {reference[4:]}")
    page.press("#code", "Enter")
    page.locator("#verdict-message").filter(has_text="Vérifier la pièce d’identité").wait_for()
    assert "MARTIN" in page.locator("#verdict-name").inner_text().upper()
    page.click("#admit-button")
    page.locator("#verdict-message").filter(has_text="Entrée validée (hors ligne)").wait_for()
    page.click("#next-button")
    page.fill("#code", registration.grouped_reference)
    page.press("#code", "Enter")
    page.locator("#verdict-message").filter(has_text="Déjà entré").wait_for()
    show(page, "door-offline-reload-phone")
    assert "ALREADY" not in page.locator("#verdict").inner_text().upper()
    assert page.evaluate("window.cspViolations") == []
    # back online, the entry typed offline reaches the server under its reference
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    state.filter(has_text=re.compile(r"^\s*En ligne\s*$")).wait_for(timeout=20_000)
    assert Admission.objects.get().registration == registration


def test_a_reference_typed_online_is_checked_by_the_server(door_phone):
    page, _, people, event = door_phone
    registration = people[2][0]
    page.fill("#code", registration.grouped_reference.lower())
    page.press("#code", "Enter")
    page.locator("#verdict-message").filter(has_text="Vérifier la pièce d’identité").wait_for()
    page.click("#admit-button")
    page.locator("#verdict.verdict--admitted").wait_for()
    assert Admission.objects.get().registration == registration


def test_on_another_day_the_phone_says_not_today(door_phone):
    """The event moved to next month after the page was opened: the page reloaded, a
    ticket is refused on the phone with the day of the event."""
    page, _, people, event = door_phone
    from events.models import Event

    Event.objects.filter(pk=event.pk).update(
        starts_at=event.starts_at + timedelta(days=30), ends_at=event.ends_at + timedelta(days=30)
    )
    assert page.locator("#door-closed").is_hidden()  # the door is open: no notice
    page.reload()
    page.locator("#count-expected").filter(has_text="3").wait_for()
    # said before any ticket is tried, worked out on the phone
    notice = page.locator("#door-closed")
    assert notice.is_visible()
    assert "Pas aujourd’hui — l’événement a lieu" in notice.inner_text()
    assert "n’a pas été enregistrée" not in notice.inner_text()  # nothing was tried yet
    page.fill("#code", people[0][1])
    page.press("#code", "Enter")
    page.locator("#verdict-message").filter(
        has_text="Pas aujourd’hui — l’événement a lieu"
    ).wait_for()
    assert not page.locator("#admit-button").is_visible()
    assert not Admission.objects.exists()


def test_the_projection_refreshes_itself_without_reloading(live_server, browser, monkeypatch):
    """The room's screen: its script fetches the figures (no meta refresh, axe: critical);
    the page is not reloaded, the figure changes."""
    from axe_playwright_python.sync_playwright import Axe
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from checkin import services
    from checkin.tests.factories import door_open_event
    from checkin.views import manage
    from events.tokens import ticket_token

    monkeypatch.setattr(manage, "PROJECTION_EVERY_S", 1)
    event = door_open_event(capacity=5)
    organiser = get_user_model().objects.create_user(
        "orga", password="Orga-pass-2014", is_staff=True
    )
    event.managers.add(organiser)
    registration = event_services.registration_create(
        event=event,
        first_name="Paul",
        last_name="Martin",
        email="paul@example.org",
        category="ptce_member",
        consent=True,
    ).registration
    device = services.device_create(event=event, name="Poste 1", actor=organiser)
    services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)
    device.refresh_from_db()
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server.url + "/compte/connexion/")
    page.fill("input[name=username]", "orga")
    page.fill("input[name=password]", "Orga-pass-2014")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(live_server.url + reverse("checkin_manage:projection", args=[event.slug]))
    assert page.locator("#projection-figure strong").inner_text() == "0"
    page.evaluate("window.notReloaded = true")
    results = Axe().run(page).response
    blocking = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not blocking, [(v["id"], [n["target"] for n in v["nodes"]]) for v in blocking]
    assert not page.locator("#projection-reload").is_visible()  # the script refreshes
    services.scan_record(
        device=device,
        user=organiser,
        token=ticket_token(registration),
        nonce="projection-1",
        scanned_at=timezone.now(),
        id_checked=True,
    )
    page.locator("#projection-figure strong").filter(has_text="1").wait_for()
    assert page.locator("#projection-chart rect.bar").count() == 1
    assert page.evaluate("window.notReloaded") is True
    context.close()


def test_the_door_tells_times_in_the_event_s_time_zone_not_the_phone_s(door_phone):
    """The phone is set to Auckland; the list's time reads as in Paris (the server's)."""
    from django.utils import timezone

    from core.dates import clock

    page, context, *_ = door_phone
    context.set_offline(True)  # offline, the banner says how old the list is
    now = timezone.localtime()
    expected = {clock(now), clock(now - timedelta(minutes=1))}
    banner = page.locator("#status-banner")
    banner.filter(has_text="liste de").wait_for()
    text = banner.inner_text()
    assert any(f"liste de {time}" in text for time in expected), text


STAYS_OUT_OF_THE_CACHE = """async (url) => {
  for (let i = 0; i < 20; i += 1) {
    if (await caches.match(url, { ignoreVary: true })) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}"""


def test_the_worker_never_keeps_a_page_marked_no_store(door_phone_with_worker, live_server):
    """Under the worker's scope (/accueil/) are also the attendance certificate and the
    enrolment page, sent with Cache-Control: no-store: a person's name or a one-time
    link is not for the phone's storage. The scanning page itself is still kept."""
    from checkin import services
    from checkin.tokens import enrolment_token

    page, _, _, event = door_phone_with_worker
    scanner = page.url
    assert page.evaluate(WAIT_FOR_OFFLINE_COPY, [scanner]), "the scanning page was not kept"
    agent = DoorRole.objects.get(event=event).user
    device = services.device_create(event=event, name="Téléphone prêté", actor=agent)
    enrol = f"{live_server.url}/accueil/enregistrer/{enrolment_token(device)}/"
    response = page.goto(enrol)
    assert response.status == 200 and "no-store" in response.headers["cache-control"]
    assert response.from_service_worker  # it went through the worker, which did not keep it
    page.goto(scanner)
    assert page.evaluate(STAYS_OUT_OF_THE_CACHE, enrol)


def test_the_scanning_page_keeps_the_phone_s_screen_for_the_door(door_phone):
    """No site menu (its links need the network) above the code field on a phone."""
    page, *_ = door_phone
    assert page.locator("nav.site-nav").is_hidden()
    assert page.locator("#code").bounding_box()["y"] < 300
