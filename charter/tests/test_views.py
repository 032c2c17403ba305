import csv
import io

import pytest
from django.contrib.auth import get_user_model

from charter import services
from charter.models import Signature
from registry import services as registry_services

pytestmark = pytest.mark.django_db


def test_the_charter_page_renders_markdown_safely(client, versions):
    diff = client.get("/charte/versions/1/comparer/2/").content.decode()
    assert '<del><span class="visually-hidden">retiré\u00a0: </span>ancienne.</del>' in diff
    assert '<ins><span class="visually-hidden">ajouté\u00a0: </span>nouvelle.</ins>' in diff
    versions[1].body = "# Titre\n\n<script>alert(1)</script>\n\n[lien](javascript:alert(1))"
    versions[1].save()
    page = client.get("/charte/").content.decode()
    assert "<h1>Titre</h1>" in page and "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "<strong>Texte de remplacement</strong>" in page  # the placeholder says so


def test_signing_needs_a_mandate(client, versions, pole, manager):
    stranger = get_user_model().objects.create_user("autre", password="x-pass-1234")
    client.force_login(stranger)
    page = client.post(
        "/charte/signer/",
        {
            "signer": f"pole:{pole.pk}",
            "name": "X",
            "mandate": "président",
            "email": "x@example.org",
        },
    ).content.decode()
    assert "seulement pour un pôle" in page and not Signature.objects.exists()
    client.force_login(manager)
    page = client.post(
        "/charte/signer/",
        {
            "signer": f"pole:{pole.pk}",
            "name": "Chevalier",
            "mandate": "président",
            "email": "cc@archer.example",
        },
    ).content.decode()
    assert "cc@archer.example" in page and Signature.objects.get().status == "pending"


def test_opening_the_link_does_not_sign_only_the_button_does(client, versions, pole, manager):
    signature = services.signature_request(
        version=versions[1],
        signer=pole,
        name="Chevalier",
        mandate="président",
        email="cc@archer.example",
        actor=manager,
    )
    url = f"/charte/confirmer/{services.confirmation_token(signature)}/"
    page = client.get(url)  # a mail scanner opening the link
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    # the page says what is signed before the button
    html = page.content.decode()
    assert pole.name in html and "Chevalier, président" in html and "v2" in html
    signature.refresh_from_db()
    assert signature.status == "pending"
    response = client.post(url)
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.status == "signed"
    again = client.post(url)
    assert again.status_code == 400 and "déjà été utilisé" in again.content.decode()
    # a used, forged or cut link says so when opened, with no button to press
    for used_or_forged, message in (
        (url, "déjà été utilisé"),
        (url[:-3] + "x/", "n’est pas valide"),
        ("/charte/confirmer/abc/", "n’est pas valide"),
    ):
        page = client.get(used_or_forged)
        html = page.content.decode()
        assert page.status_code == 400 and message in html and "Je confirme" not in html


def test_public_list_exports_and_the_pole_page(client, versions, pole, manager):
    signature = services.signature_confirm(
        token=services.confirmation_token(
            services.signature_request(
                version=versions[1],
                signer=pole,
                name="Chevalier",
                mandate="=président",
                email="cc@archer.example",
                actor=manager,
            )
        )
    )
    page = client.get("/charte/signataires/").content.decode()
    assert "Pôle Sud Archer" in page and "empreinte publiée" in page
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/charte/signataires.csv").content.decode().lstrip("\ufeff"))
        )
    )
    assert rows[0]["organisation"] == "Pôle Sud Archer" and rows[0]["mandate"] == "'=président"
    data = client.get("/charte/signataires.json").json()
    assert data[0]["ledger_digest"] == signature.entries.get().digest
    ledger = client.get("/charte/registre.json").json()
    assert ledger["digest"] == data[0]["ledger_digest"]
    pole_page = client.get(f"/poles/{pole.slug}/").content.decode()
    assert "version 2" in pole_page and f"/charte/signataires/{signature.pk}/" in pole_page
    assert client.get(f"/charte/signataires/{signature.pk}/").status_code == 200


def test_the_charter_demo_signs_only_invented_poles(db):
    from io import StringIO

    from django.core.management import call_command

    from charter.models import CharterVersion

    call_command("load_demo", "--no-attendees", stdout=StringIO())
    call_command("load_registry_demo", stdout=StringIO())
    call_command("load_charter_demo", stdout=StringIO())
    call_command("load_charter_demo", stdout=StringIO())
    assert CharterVersion.objects.filter(is_placeholder=True).count() == 2
    signed = Signature.objects.filter(status="signed")
    assert signed.exists() and not signed.filter(pole__is_demo=False).exists()
    assert signed.count() == signed.values("pole").distinct().count()


def test_the_charter_demo_says_only_what_its_data_shows(client, db):
    """No signature « in the room » before its event, every signature of a version
    published before it, no count the data does not hold, demo signatures marked."""
    import re
    from io import StringIO

    from django.core.management import call_command

    from charter import ledger, selectors
    from charter.models import CharterVersion

    call_command("load_demo", "--no-attendees", stdout=StringIO())
    call_command("load_registry_demo", stdout=StringIO())
    call_command("load_charter_demo", stdout=StringIO())
    signed = Signature.objects.filter(status="signed").select_related("version", "event")
    assert signed.count() == 8
    for signature in signed:
        assert signature.signed_at.date() >= signature.version.published_on
        if signature.channel == Signature.Channel.CEREMONY:
            assert signature.event and signature.signed_at >= signature.event.starts_at
    assert not ledger.verify(selectors.ledger_entries())
    # a number of signatures said in a version's summary must be the register's count
    for version in CharterVersion.objects.all():
        for number in re.findall(r"(\d+) pôles", version.summary):
            assert int(number) == selectors.signed_count(version)
    home = client.get("/charte/").content.decode()
    assert "8 signatures en vigueur" in home and "39" not in home
    page = client.get("/charte/signataires/").content.decode()
    assert page.count("données de démonstration") == 8
    assert "infalsifiable" not in page and "registre chaîné" in page
    regions = re.search(r'<select id="region".*?</select>', page, re.S).group(0)
    names = re.findall(r"<option value=\"\w+\"[^>]*>([^<]+)</option>", regions)
    assert names and len(names) == len(set(names))  # each region once
    diff = client.get("/charte/versions/1/comparer/2/").content.decode()
    article = diff[diff.index('class="card charter-diff"') :]
    assert "# Charte" not in article and "## " not in article and "*Texte" not in article
    assert "Charte de la démarche collective PTCE" in article
    assert "Rendre compte chaque année" in article.split("<ins>", 1)[1]
    assert "Comment lire cette page" in diff


def test_the_region_filter_lists_a_region_once_whatever_its_spelling(client, versions):
    from registry import services as registry_services
    from registry.models import Pole

    first = registry_services.pole_save(data={"name": "Pôle Basse-Terre", "commune_code": "97105"})
    second = registry_services.pole_save(data={"name": "Pôle Pointe", "commune_code": "97120"})
    Pole.objects.filter(pk=second.pk).update(region_code="1")  # an older spelling of « 01 »
    for pole in (first, second):
        services.ceremony_record(
            version=versions[1], event=None, signer=pole, name="X", mandate="présidence", actor=None
        )
    page = client.get("/charte/signataires/").content.decode()
    assert page.count(">Guadeloupe</option>") == 1
    assert '<option value="01"' in page
    listed = client.get("/charte/signataires/", {"region": "01"}).content.decode()
    assert "Pôle Basse-Terre" in listed and "Pôle Pointe" in listed
    assert "Pôle Pointe" in client.get("/charte/signataires/", {"region": "1"}).content.decode()


def test_the_comparison_shows_text_not_markdown(client, versions):
    versions[0].body = "# Titre\n\nUn deux **trois** quatre.\n\n1. Premier\n2. Second\n"
    versions[0].save()
    versions[1].body = "# Titre\n\nUn deux *cinq* quatre.\n\n1. Premier\n2. Second\n3. Troisième\n"
    versions[1].save()
    page = client.get("/charte/versions/1/comparer/2/").content.decode()
    article = page[page.index('class="card charter-diff"') :]
    assert "**" not in article and "# Titre" not in article and "*cinq*" not in article
    assert '<del><span class="visually-hidden">retiré\u00a0: </span>trois</del>' in article
    assert '<ins><span class="visually-hidden">ajouté\u00a0: </span>cinq</ins>' in article
    assert '<span class="diff-marker">3.</span> <ins>' in article
    assert "2 passages modifiés." in page


def test_the_register_and_its_pages_speak_french(client, versions, pole):
    signature = services.ceremony_record(
        version=versions[1], event=None, signer=pole, name="X", mandate="présidence", actor=None
    )
    page = client.get(f"/charte/signataires/{signature.pk}/").content.decode()
    assert "Inscription n°\u00a01 (signature)" in page and "signed" not in page
    register = client.get("/charte/registre.json").json()
    assert register["algorithm"].startswith("SHA-256 de l’empreinte précédente")
    listing = client.get("/charte/signataires/").content.decode()
    assert 'data-digest="' + register["digest"] + '"' in listing
    assert "Empreinte publiée, après 1 inscription (dernière inscription le " in listing
    assert "ce que cela ne prouve pas" in listing.lower()


@pytest.mark.parametrize(
    "path",
    [
        "/charte/",
        "/charte/versions/2/",
        "/charte/versions/1/comparer/2/",
        "/charte/signataires/",
        "/charte/signer/",
    ],
)
def test_charter_pages_have_open_graph_tags(client, versions, path, settings):
    page = client.get(path).content.decode()
    for prop in (
        "og:title",
        "og:description",
        "og:type",
        "og:url",
        "og:image",
        "og:image:width",
        "og:image:height",
        "og:image:alt",
    ):
        assert f'<meta property="{prop}" content="' in page, prop
    assert f'<meta property="og:url" content="{settings.SITE_URL}{path}">' in page
    image = f"{settings.SITE_URL}/static/core/img/og-default.png"
    assert f'<meta property="og:image" content="{image}">' in page
    assert 'content="">' not in page  # no empty tag


@pytest.fixture
def event_with_organiser(db):
    from charter.tests.helpers import under_way
    from events.tests.factories import EventFactory

    event = EventFactory(slug="journee", starts_at=under_way())
    organiser = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(organiser)
    return event, organiser


def test_ceremony_mode_search_confirm_done(client, versions, pole, event_with_organiser):
    event, organiser = event_with_organiser
    url = "/gestion/charte/ceremonie/journee/"
    client.force_login(organiser)
    page = client.get(url, {"q": "sud archer"}).content.decode()
    assert f"?signer=pole:{pole.pk}" in page
    page = client.post(
        url, {"signer": f"pole:{pole.pk}", "name": "Chevalier", "mandate": "<i>président</i>"}
    ).content.decode()
    assert "pas de HTML" in page and not Signature.objects.exists()
    response = client.post(
        url, {"signer": f"pole:{pole.pk}", "name": "Chevalier", "mandate": "président"}
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (
        signature.channel == "ceremony"
        and signature.event == event
        and signature.status == "signed"
    )
    state = client.get("/charte/projection/journee/etat.json").json()
    assert state["count"] == 1 and state["signatures"][0]["name"] == "Pôle Sud Archer"
    # searched again, the pole that signed is not offered a second time
    page = client.get(url, {"q": "sud archer"}).content.decode()
    assert f"?signer=pole:{pole.pk}" not in page
    assert "Pôle Sud Archer — a déjà signé la version" in page


def test_ceremony_mode_needs_the_organiser_role(
    client, versions, pole, event_with_organiser, manager
):
    client.force_login(manager)  # a pole manager, not an organiser of the event
    url = "/gestion/charte/ceremonie/journee/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"signer": f"pole:{pole.pk}", "name": "X", "mandate": "Y"})
    assert response.status_code == 403 and not Signature.objects.exists()
    client.force_login(event_with_organiser[1])  # the organiser, of another event
    assert client.get("/gestion/charte/ceremonie/pas-un-evenement/").status_code == 404


def test_managers_withdraw_their_signature_which_stays_visible(client, versions, pole, manager):
    signature = services.signature_confirm(
        token=services.confirmation_token(
            services.signature_request(
                version=versions[1],
                signer=pole,
                name="Chevalier",
                mandate="président",
                email="cc@archer.example",
                actor=manager,
            )
        )
    )
    url = f"/charte/signataires/{signature.pk}/retirer/"
    stranger = get_user_model().objects.create_user("autre", password="x-pass-1234")
    client.force_login(stranger)
    assert client.post(url, {"reason": "pirate"}).status_code == 403
    client.force_login(manager)
    page = client.get(f"/charte/signataires/{signature.pk}/").content.decode()
    assert "Retirer la signature" in page
    bad = client.post(url, {"reason": "<b>non</b>"})
    assert bad.status_code == 400 and "pas de HTML" in bad.content.decode()
    assert client.post(url, {"reason": "Le pôle a cessé son activité"}).status_code == 302
    signature.refresh_from_db()
    assert signature.status == "withdrawn"
    assert client.post(url, {"reason": "encore"}).status_code == 404  # no longer in force
    assert client.post("/charte/signataires/999999/retirer/", {"reason": "x"}).status_code == 404
    listing = client.get("/charte/signataires/").content.decode()
    assert "retirée" in listing and "Pôle Sud Archer" in listing


def test_projection_of_a_draft_event_is_not_public(client, db):
    from events.models import Event
    from events.tests.factories import EventFactory

    EventFactory(slug="brouillon", status=Event.Status.DRAFT)
    assert client.get("/charte/projection/brouillon/").status_code == 404
    assert client.get("/charte/projection/brouillon/etat.json").status_code == 404


def test_signing_without_an_account_shows_the_way_through_the_claim(client, versions, pole):
    page = client.get("/charte/signer/").content.decode()
    assert "Qui signe pour un pôle" in page and "/compte/connexion/?next=/charte/signer/" in page
    page = client.get("/charte/signer/", {"q": "SUD archer"}).content.decode()
    assert f"/poles/{pole.slug}/revendiquer/?next=/charte/signer/" in page
    assert "Aucun pôle" in client.get("/charte/signer/", {"q": "zzz"}).content.decode()
    # a pole that signed already is said so, with no claim link
    services.ceremony_record(
        version=versions[1], event=None, signer=pole, name="X", mandate="présidence", actor=None
    )
    page = client.get("/charte/signer/", {"q": "archer"}).content.decode()
    assert "a déjà signé la version 2" in page and "revendiquer" not in page
    # posting without an account writes nothing: off to sign in
    response = client.post("/charte/signer/", {"signer": f"pole:{pole.pk}", "name": "X"})
    assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/")
    assert Signature.objects.count() == 1


def test_an_account_managing_nothing_is_shown_the_way_too(client, versions, pole):
    client.force_login(get_user_model().objects.create_user("rien", password="x-pass-1234"))
    page = client.get("/charte/signer/").content.decode()
    assert "Votre compte ne gère encore aucune fiche" in page
    assert "/compte/connexion/" not in page.split("<main", 1)[1].split("</main>")[0]


def test_charter_dates_read_as_an_editor_writes_them(client, versions, pole):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    versions[1].published_on = versions[1].published_on.replace(day=1)  # 1er juin 2021
    versions[1].save()
    signature = services.ceremony_record(
        version=versions[1], event=None, signer=pole, name="X", mandate="présidence", actor=None
    )
    Signature.objects.filter(pk=signature.pk).update(
        signed_at=datetime(2026, 12, 1, 14, 26, tzinfo=ZoneInfo("Europe/Paris"))
    )
    home = client.get("/charte/").content.decode()
    assert "1er juin 2021" in home and "1 juin" not in home
    page = client.get(f"/charte/signataires/{signature.pk}/").content.decode()
    assert "1er décembre 2026 à 14\u00a0h\u00a026" in page and "14:26" not in page
    listing = client.get("/charte/signataires/").content.decode()
    assert "1er décembre 2026" in listing and ">1 décembre" not in listing


def test_a_version_summary_follows_its_title_with_a_french_colon(client, db):
    """« … — v2 (1er juin 2021) : Révision… »: the colon before a version's summary has its
    no-break space in French (it was a plain space typed in the template)."""
    from io import StringIO

    from django.core.management import call_command

    from charter.models import CharterVersion

    call_command("load_charter_demo", stdout=StringIO())
    page = client.get("/charte/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    summaries = [v.summary for v in CharterVersion.objects.exclude(summary="")]
    assert summaries
    for summary in summaries:
        assert f'\u00a0: <span lang="fr">{summary}</span>' in page
        assert f" : {summary}" not in page


def test_the_charter_demo_text_has_its_no_break_spaces(db):
    """The demo's own French (summaries and the placeholder text) puts a no-break space
    before « : », as the rest of the site does."""
    import re
    from io import StringIO

    from django.core.management import call_command

    from charter.models import CharterVersion

    call_command("load_charter_demo", stdout=StringIO())
    for version in CharterVersion.objects.all():
        for text in (version.summary, version.body):
            assert not re.search(r" [:;!?]", text), text


def test_a_pole_without_signature_in_the_register_is_not_said_to_be_unsigned(client, db):
    """The 2014 signatures on paper are not in the register: the pole page says what the
    register holds (nothing yet) and where the charter is, not « non signée »."""
    from registry import services as registry_services

    pole = registry_services.pole_save(data={"name": "Pôle Sans Signature"})
    page = client.get(f"/poles/{pole.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "non signée" not in page
    assert "aucune signature dans le registre de la plateforme pour l’instant" in page
    assert 'href="/charte/"' in page


def test_a_refused_signing_keeps_the_pole_chosen(client, versions, pole, manager):
    """A manager of two poles who forgets a field finds the pole they chose still
    chosen: sending again must not ask the signature for the other one."""
    other = registry_services.pole_save(
        data={"name": "Pôle Nord Brasseur", "commune_code": "26281"}
    )
    other.managers.add(manager)
    client.force_login(manager)
    page = client.post(
        "/charte/signer/",
        {"signer": f"pole:{other.pk}", "name": "Chevalier", "mandate": "", "email": "c@x.example"},
    ).content.decode()
    assert "Indiquez le mandat" in page
    assert f'<option value="pole:{other.pk}" selected>' in page
    assert f'<option value="pole:{pole.pk}">' in page


def test_an_empty_filtered_list_says_no_signature_matches_not_none_yet(client, versions, pole):
    services.ceremony_record(
        version=versions[1],
        event=None,
        signer=pole,
        name="X",
        mandate="présidence",
        actor=None,
    )
    page = client.get("/charte/signataires/", {"kind": "network"}).content.decode()
    assert "Aucune signature ne correspond à ces filtres." in page
    assert "Aucune signature pour l’instant." not in page


def test_the_sign_page_shows_a_signed_pole_as_signed_not_as_a_choice(
    client, versions, pole, manager
):
    """A manager whose pole already signed the version in force is told so, with a link to
    the signature, before typing anything (the refusal came only after the form)."""
    signature = services.signature_confirm(
        token=services.confirmation_token(
            services.signature_request(
                version=versions[1],
                signer=pole,
                name="Chevalier",
                mandate="président",
                email="cc@archer.example",
                actor=manager,
            )
        )
    )
    client.force_login(manager)
    page = client.get("/charte/signer/").content.decode()
    assert f'value="pole:{pole.pk}"' not in page and 'name="mandate"' not in page
    assert "Pôle Sud Archer a signé la version 2" in page
    assert f'href="/charte/signataires/{signature.pk}/"' in page
    assert "Toutes les fiches que vous gérez ont signé cette version." in page
    # a second pole, not signed: the only one offered
    other = registry_services.pole_save(
        data={"name": "Pôle Nord Brasseur", "commune_code": "26281"}
    )
    other.managers.add(manager)
    page = client.get("/charte/signer/").content.decode()
    assert f'<option value="pole:{other.pk}">' in page
    assert f'value="pole:{pole.pk}"' not in page
    assert "Pôle Sud Archer a signé la version 2" in page
    services.signature_withdraw(signature=signature, reason="Fusion de pôles", actor=manager)
    page = client.get("/charte/signer/").content.decode()
    assert "Pôle Sud Archer a signé la version 2" in page and "Elle a été retirée depuis." in page
    assert f'value="pole:{pole.pk}"' not in page  # the service refuses a second signature


def test_the_signing_form_links_to_the_charter_s_privacy_notice(client, versions, pole, manager):
    """What a signatory gives is published (name, mandate): the form says so and links to
    the charter's part of the privacy notice, as the claim and suggestion forms do theirs."""
    client.force_login(manager)
    page = client.get("/charte/signer/").content.decode()
    form = page[page.index('<form method="post" class="card') :]
    form = form[: form.index("</form>")]
    assert 'href="/donnees-personnelles/#charte"' in form
    assert "publiés dans la liste des signataires" in form
