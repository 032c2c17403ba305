"""The ceremony in a real browser: an organiser records a signature on a phone while the
room's projection page, open in another tab, shows it without being reloaded; axe-core
on the public list of signatories."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from charter.models import CharterVersion
from charter.tests.helpers import under_way
from conftest import (
    BLOCKING_IMPACTS,
    axe_scan,
    describe,
    no_horizontal_scroll,
    screenshot,
    wait_for_mail,
)
from events.tests.factories import EventFactory
from registry import services as registry_services

pytestmark = pytest.mark.browser


@pytest.fixture
def ceremony(live_server):
    CharterVersion.objects.create(
        number=1,
        title="Charte",
        published_on=date(2021, 6, 1),
        body="# Charte",
        is_placeholder=True,
    )
    pole = registry_services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": "26281"})
    event = EventFactory(slug="journee-nationale", starts_at=under_way())
    organiser = get_user_model().objects.create_user(
        "orga", password="Orga-pass-2014", is_staff=True
    )
    event.managers.add(organiser)
    return event, pole


def test_a_signature_in_the_room_appears_on_the_projection(live_server, ceremony, new_page):
    event, pole = ceremony
    screen = new_page("desktop")
    screen.goto(live_server.url + f"/charte/projection/{event.slug}/")
    screen.locator("#signature-count").filter(has_text="0").wait_for()

    phone = new_page("phone")
    phone.goto(live_server.url + "/compte/connexion/")
    phone.fill("input[name=username]", "orga")
    phone.fill("input[name=password]", "Orga-pass-2014")
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    phone.goto(live_server.url + f"/gestion/charte/ceremonie/{event.slug}/")
    phone.fill("#q", "sud archer")
    phone.press("#q", "Enter")
    phone.get_by_role("link", name="Pôle Sud Archer").click()
    phone.fill("#name", "Christophe Chevalier")
    phone.fill("#mandate", "président")
    phone.get_by_role("button", name="Signé — enregistrer").click()
    phone.locator(".messages").filter(has_text="Pôle Sud Archer").wait_for()
    assert no_horizontal_scroll(phone)
    screenshot(phone, "charter-ceremony-phone")

    # the projection page was not reloaded: it polls, and the new name arrives
    screen.locator("#signature-list li.new").filter(has_text="Pôle Sud Archer").wait_for(
        timeout=10_000
    )
    assert screen.locator("#signature-count").inner_text() == "1"
    screenshot(screen, "charter-projection-desktop")


def test_public_list_of_signatories_accessibility(live_server, ceremony, new_page):
    from charter import services

    event, pole = ceremony
    services.ceremony_record(
        version=CharterVersion.objects.get(),
        event=event,
        signer=pole,
        name="Chevalier",
        mandate="président",
        actor=None,
    )
    CharterVersion.objects.create(
        number=2,
        title="Charte",
        published_on=date(2022, 6, 1),
        body="# Charte\n\nUn engagement **nouveau**.\n\n1. Coopérer\n",
    )
    signature = pole.signatures.get()
    paths = (
        "/charte/signataires/",
        "/charte/",
        "/charte/signer/?q=sud",
        "/charte/versions/1/comparer/2/",
        f"/charte/signataires/{signature.pk}/",
    )
    for viewport in ("phone", "desktop"):
        page = new_page(viewport)
        for path in paths:
            assert page.goto(live_server.url + path).status == 200
            if path == "/charte/signataires/":  # with the check's result shown
                page.locator("#ledger-check-form button").click()
                page.locator("#ledger-result[data-outcome=ok]").wait_for()
            blocking = [v for v in axe_scan(page)["violations"] if v["impact"] in BLOCKING_IMPACTS]
            assert not blocking, f"{path}\n{describe(blocking)}"
            assert no_horizontal_scroll(page), path
        if viewport == "phone":
            page.goto(live_server.url + "/charte/versions/1/comparer/2/")
            screenshot(page, "charter-diff-phone")
            page.goto(live_server.url + "/charte/signer/?q=sud")
            screenshot(page, "charter-sign-how-phone")


# --- the chained register, checked in the visitor's browser ---------------------------------


@pytest.fixture
def signed_register(live_server):
    """Three signatures and a withdrawal in the register, with names that test the
    canonical JSON (accents, quotes, a backslash, a non-BMP character)."""
    from charter import services

    version = CharterVersion.objects.create(
        number=1, title="Charte", published_on=date(2021, 6, 1), body="# Charte"
    )
    signatures = []
    for name in ("Pôle Sud Archer", "Pôle « Les Deux Rives »", "Pôle du Val"):
        pole = registry_services.pole_save(data={"name": name, "commune_code": "26281"})
        signatures.append(
            services.ceremony_record(
                version=version,
                event=None,
                signer=pole,
                name='Zoé N’Diaye-Lefèvre "Zo" \\ 𝔸',
                mandate="présidence",
                actor=None,
            )
        )
    services.signature_withdraw(signature=signatures[1], reason="Fusion de pôles", actor=None)
    return signatures


def test_the_register_is_recomputed_in_the_browser_and_an_altered_copy_fails(
    live_server, signed_register, new_page
):
    page = new_page("phone")
    page.goto(live_server.url + "/charte/signataires/")
    page.get_by_role("button", name="Recalculer le registre dans mon navigateur").click()
    result = page.locator("#ledger-result[data-outcome]")
    result.wait_for()
    assert result.get_attribute("data-outcome") == "ok"
    assert (
        "Le registre de 4 inscriptions a été recalculé dans votre navigateur\u00a0: il "
        "correspond à l’empreinte publiée."
        in result.inner_text()
        and "Vérifié\u00a0: chaque inscription suit la précédente" in result.inner_text()
    )
    # a digest kept earlier (the first entry's) is found in the chain
    first = signed_register[0].entries.get().digest
    page.fill("#ledger-kept", first)
    page.get_by_role("button", name="Recalculer le registre dans mon navigateur").click()
    page.locator("#ledger-result[data-outcome]").wait_for()
    assert "figure dans le registre (inscription n°\u00a01)" in result.inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, "charter-register-check-phone")

    # the same page, served an altered register: one mandate changed in entry 2
    def altered(route):
        response = route.fetch()
        data = response.json()
        data["entries"][1]["payload"]["mandate"] = "direction"
        route.fulfill(response=response, json=data)

    page.route("**/charte/registre.json", altered)
    page.fill("#ledger-kept", "")
    page.get_by_role("button", name="Recalculer le registre dans mon navigateur").click()
    page.locator("#ledger-result[data-outcome]").wait_for()
    text = result.inner_text()
    assert result.get_attribute("data-outcome") == "bad"
    assert "il NE correspond PAS à l’empreinte publiée" in text
    assert "L’inscription n°\u00a02 ne correspond pas à son empreinte" in text

    # an altered register whose digests were recomputed along: only the published
    # digest, printed on the page, gives it away
    page.unroute("**/charte/registre.json")

    def rewritten(route):
        import hashlib
        import json as json_module

        response = route.fetch()
        data = response.json()
        data["entries"][0]["payload"]["signatory"] = "Quelqu’un d’autre"
        previous = "0" * 64
        for entry in data["entries"]:
            canonical = json_module.dumps(
                entry["payload"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode()
            entry["previous"] = previous
            entry["digest"] = hashlib.sha256(previous.encode() + b"\n" + canonical).hexdigest()
            previous = entry["digest"]
        data["digest"] = previous
        route.fulfill(response=response, json=data)

    page.route("**/charte/registre.json", rewritten)
    page.get_by_role("button", name="Recalculer le registre dans mon navigateur").click()
    page.locator("#ledger-result[data-outcome]").wait_for()
    assert result.get_attribute("data-outcome") == "bad"
    assert "La dernière empreinte du registre n’est pas celle publiée" in result.inner_text()

    # an entry cut from the register
    page.unroute("**/charte/registre.json")

    def cut(route):
        response = route.fetch()
        data = response.json()
        del data["entries"][1]
        route.fulfill(response=response, json=data)

    page.route("**/charte/registre.json", cut)
    page.get_by_role("button", name="Recalculer le registre dans mon navigateur").click()
    page.locator("#ledger-result[data-outcome]").wait_for()
    assert result.get_attribute("data-outcome") == "bad"
    assert "L’inscription n°\u00a02 n’est pas à sa place" in result.inner_text()


# --- signing for a pole whose president has no account yet ----------------------------------


def test_a_president_without_an_account_claims_the_pole_then_signs(
    live_server, new_page, mailoutbox
):
    import re

    from django.contrib.auth.models import Permission

    from charter.models import Signature

    CharterVersion.objects.create(
        number=1, title="Charte", published_on=date(2021, 6, 1), body="# Charte\n\nTexte."
    )
    pole = registry_services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": "26281"})
    editor = get_user_model().objects.create_user(
        "editrice", password="Editrice-pass-2014", is_staff=True
    )
    editor.user_permissions.add(*Permission.objects.filter(codename="change_pole"))

    page = new_page("phone")
    page.goto(live_server.url + "/")  # from the home page of the movement
    page.get_by_role("link", name="Lire et signer la charte").click()
    assert page.url == live_server.url + "/charte/"
    page.get_by_role("link", name="Signer la charte pour mon pôle ou mon réseau").click()
    page.get_by_role("heading", name="Qui signe pour un pôle").wait_for()
    assert no_horizontal_scroll(page)
    page.fill("#q", "sud archer")
    page.press("#q", "Enter")
    page.get_by_role("link", name="Demander à gérer la fiche de ce pôle (Pôle Sud Archer)").click()
    assert page.url.startswith(live_server.url + f"/poles/{pole.slug}/revendiquer/")
    page.fill("#name", "Christophe Chevalier")
    page.fill("#email", "cc@archer.example")
    page.fill("#role", "président")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.get_by_role("heading", name="Demande envoyée").wait_for()

    # the editor approves, from the moderation page
    editor_page = new_page("desktop")
    editor_page.goto(live_server.url + "/compte/connexion/?next=/gestion/annuaire/moderation/")
    editor_page.fill("input[name=username]", "editrice")
    editor_page.fill("input[name=password]", "Editrice-pass-2014")
    with editor_page.expect_navigation():
        editor_page.click("main button[type=submit]")
    editor_page.get_by_role("button", name="Accepter").click()
    editor_page.locator(".messages").wait_for()

    [message] = wait_for_mail(where=lambda m: m.to == ["cc@archer.example"])
    link = re.search(r"https?://\S+(/compte/mot-de-passe/\S+)", message.body).group(1)
    assert "next=%2Fcharte%2Fsigner%2F" in link
    page.goto(live_server.url + link)
    page.fill("input[name=new_password1]", "Coop-Romans-2014!")
    page.fill("input[name=new_password2]", "Coop-Romans-2014!")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.get_by_role("link", name="Se connecter et continuer").click()
    page.fill("input[name=username]", "cc@archer.example")
    page.fill("input[name=password]", "Coop-Romans-2014!")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url == live_server.url + "/charte/signer/"
    page.fill("#name", "Christophe Chevalier")
    page.fill("#mandate", "président")
    page.fill("#email", "cc@archer.example")
    page.get_by_role("button", name="Envoyer le lien de confirmation").click()
    page.get_by_role("heading", name="Consultez l’e-mail").wait_for()

    [confirm] = wait_for_mail(where=lambda m: "/charte/confirmer/" in m.body)
    path = re.search(r"https?://\S+(/charte/confirmer/\S+/)", confirm.body).group(1)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Je confirme la signature de la charte").click()
    page.get_by_role("heading", name="Pôle Sud Archer").wait_for()
    assert Signature.objects.get(pole=pole).status == "signed"
    page.goto(live_server.url + "/charte/signataires/")
    page.get_by_role("link", name="Pôle Sud Archer").wait_for()
    assert no_horizontal_scroll(page)
    screenshot(page, "charter-signed-after-claim-phone")
