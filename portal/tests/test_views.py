"""The home page of the movement and the account space."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from events.tests.factories import EventFactory

HOME = reverse("portal:home")
ACCOUNT = reverse("portal:account")


def link(name, args=()) -> str:
    return f'href="{reverse(name, args=args)}"'


def page(client, url, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.content.decode()


# --- home --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_home_shows_each_part_of_the_movement(client, world, language):
    html = page(client, HOME, HTTP_ACCEPT_LANGUAGE=language)
    event = world["event"]
    assert event.title in html
    assert link("events:register", args=[event.slug]) in html
    assert f'action="{reverse("registry:directory")}"' in html
    assert 'name="q"' in html
    assert link("registry:map") in html
    assert link("charter:home") in html
    assert link("registry:networks") in html
    assert link("registry:open_data") in html
    if language == "fr":
        assert "2\u00a0pôles dans l’annuaire" in html or "2 pôles dans l’annuaire" in html
        assert "Signée par 1\u00a0pôle ou réseau" in html or "Signée par 1 pôle ou réseau" in html
    else:
        assert "2 poles in the directory" in html
        assert "Signed by 1 pole or network" in html


def test_home_says_full_with_waiting_list_truthfully(client, world):
    Event.objects.filter(pk=world["event"].pk).update(capacity=3, confirmed_count=3)
    html = page(client, HOME)
    assert "Complet\u00a0: liste d’attente ouverte." in html
    assert "Rejoindre la liste d’attente" in html or "liste d’attente" in html


def test_home_says_full_without_waiting_list(client, world):
    Event.objects.filter(pk=world["event"].pk).update(
        capacity=3, confirmed_count=3, waiting_list_enabled=False
    )
    html = page(client, HOME)
    assert "Complet." in html
    assert reverse("events:register", args=[world["event"].slug]) not in html


def test_home_shows_the_next_event_not_a_later_one(client, db):
    soon = EventFactory(title="Bientôt", starts_at=timezone.now() + timedelta(days=3))
    EventFactory(title="Plus tard", starts_at=timezone.now() + timedelta(days=60))
    html = page(client, HOME)
    assert soon.title in html
    assert "Plus tard" not in html


def test_home_without_upcoming_event_shows_no_event_panel(client, db):
    EventFactory(
        title="Passée",
        starts_at=timezone.now() - timedelta(days=10),
    )
    EventFactory(title="Brouillon", status=Event.Status.DRAFT)
    html = page(client, HOME)
    assert "Passée" not in html and "Brouillon" not in html
    assert "Prochain événement" not in html
    assert "S’inscrire" not in html


def _call(slug, *, opens, closes, published=True):
    from calls.models import Call

    now = timezone.now()
    return Call.objects.create(
        title=f"Appel {slug}",
        slug=slug,
        opens_at=now + opens,
        closes_at=now + closes,
        published_at=now - timedelta(days=1) if published else None,
    )


def test_home_shows_the_open_calls_for_projects(client, db):
    later = _call("ferme-tard", opens=-timedelta(days=2), closes=timedelta(days=40))
    first = _call("ferme-tot", opens=-timedelta(days=2), closes=timedelta(days=12))
    _call("brouillon", opens=-timedelta(days=2), closes=timedelta(days=5), published=False)
    _call("clos", opens=-timedelta(days=90), closes=-timedelta(days=2))
    html = page(client, HOME)
    panel = html[html.index('id="panel-calls"') :]
    panel = panel[: panel.index("</section>")]
    assert "2 appels à projets ouverts aux candidatures." in panel
    assert link("calls:call", args=[first.slug]) in panel  # the one closing first
    assert "Clôture dans 12 jours" in panel or "Clôture dans 11 jours" in panel
    assert later.slug not in panel and "brouillon" not in panel and "Appel clos" not in panel
    assert link("calls:list") in panel


def test_home_says_when_no_call_is_open(client, db):
    upcoming = _call("a-venir", opens=timedelta(days=5), closes=timedelta(days=40))
    html = page(client, HOME)
    panel = html[html.index('id="panel-calls"') :]
    panel = panel[: panel.index("</section>")]
    assert "Aucun appel à projets n’est ouvert aux candidatures." in panel
    assert link("calls:call", args=[upcoming.slug]) in panel and "Ouvre le" in panel
    assert link("calls:list") in panel
    upcoming.delete()
    html = page(client, HOME)
    panel = html[html.index('id="panel-calls"') :]
    assert "Ouvre le" not in panel[: panel.index("</section>")]


def test_home_asks_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(5):
        EventFactory(starts_at=timezone.now() + timedelta(days=40 + n))
    client.get(HOME)  # warm the caches (sessions, translations)
    with django_assert_max_num_queries(6):
        assert client.get(HOME).status_code == 200


def test_header_links_all_resolve(client, world):
    client.force_login(world["editor"])
    html = page(client, HOME)
    header = html[html.index("<header") : html.index("</header>")]
    for name in [
        "events:home",
        "registry:directory",
        "registry:map",
        "registry:networks",
        "charter:home",
        "registry:open_data",
        "portal:account",
        "events_manage:dashboard",
    ]:
        assert f'href="{reverse(name)}"' in header, name
    for href in set(__import__("re").findall(r'href="(/[^"]*)"', header)):
        assert client.get(href).status_code == 200, href


def test_header_offers_sign_in_to_visitors(client, db):
    html = page(client, HOME)
    header = html[html.index("<header") : html.index("</header>")]
    assert reverse("accounts:login") in header
    assert f'href="{ACCOUNT}"' not in header
    assert f'href="{reverse("events_manage:dashboard")}"' not in header


# --- account space ---------------------------------------------------------------------------


def test_account_sends_visitors_to_sign_in_and_back(client, db):
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={ACCOUNT}"


def test_sign_in_leads_to_the_account_space(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": "porte", "password": "Espace-pass-2014"}
    )
    assert response.status_code == 302
    assert response.url == ACCOUNT


def test_account_of_a_pole_manager(client, world):
    client.force_login(world["manager"])
    html = page(client, ACCOUNT)
    assert reverse("registry_manage:pole_edit", args=[world["pole"].slug]) in html
    assert "Pôle Sud Archer" in html
    assert reverse("registry:network", args=["reseau-sud"]) in html
    # the signature made, and the claim still waiting (same address, any case)
    assert "Les signatures de la charte que vous avez faites" in html
    assert "version 1" in html
    assert "Demandes faites avec votre adresse e-mail, en attente d’un éditeur" in html
    assert "rien n’est accordé avant qu’un éditeur l’accepte" in html
    assert "Pôle des Deux Rives" in html
    assert link("registry_manage:moderation") not in html
    assert link("events_manage:dashboard") not in html


def test_account_says_which_managed_entries_signed_the_charter(client, world):
    """Each pole or network a person manages says whether it signed the version in force,
    whoever signed it (here, the network in the room, not by this person)."""
    from charter.models import CharterVersion, Signature
    from registry.models import Network

    client.force_login(world["manager"])
    html = page(client, ACCOUNT)
    section = html[html.index('id="space-poles"') :]
    section = section[: section.index("</section>")]
    signature = Signature.objects.get(pole=world["pole"])
    assert link("charter:signature", args=[signature.pk]) in section  # the pole signed
    assert "Charte non signée" in section  # the network did not
    assert link("charter:sign") in section
    network = Network.objects.get(slug="reseau-sud")
    Signature.objects.create(
        version=CharterVersion.objects.get(),
        network=network,
        signatory_name="Paul Martin",
        signatory_mandate="Président",
        channel=Signature.Channel.CEREMONY,
        status=Signature.Status.SIGNED,
        signed_at=timezone.now(),
    )
    html = page(client, ACCOUNT)
    section = html[html.index('id="space-poles"') :]
    section = section[: section.index("</section>")]
    assert "Charte non signée" not in section
    assert section.count("Charte signée (version 1)") == 2
    assert link("charter:sign") not in section  # nothing left to sign


def test_account_of_an_organiser(client, world):
    client.force_login(world["organiser"])
    html = page(client, ACCOUNT)
    slug = world["event"].slug
    assert link("events_manage:event", args=[slug]) in html
    assert link("checkin_manage:door", args=[slug]) in html
    assert link("events_manage:dashboard") in html
    assert reverse("registry_manage:pole_edit", args=[world["pole"].slug]) not in html


def test_account_of_door_staff(client, world):
    client.force_login(world["door"])
    html = page(client, ACCOUNT)
    assert reverse("checkin:scanner", args=[world["event"].slug]) in html
    assert reverse("events_manage:event", args=[world["event"].slug]) not in html
    assert link("events_manage:dashboard") not in html


def test_account_of_an_editor(client, world):
    client.force_login(world["editor"])
    html = page(client, ACCOUNT)
    assert link("registry_manage:moderation") in html
    assert link("registry_manage:import") in html
    assert link("events_manage:dashboard") in html
    assert client.get(reverse("registry_manage:moderation")).status_code == 200


def test_account_of_a_plain_person(client, world):
    client.force_login(world["plain"])
    html = page(client, ACCOUNT)
    assert "Rien à gérer pour l’instant" in html
    for name in ("registry_manage:moderation", "registry_manage:import", "events_manage:dashboard"):
        assert link(name) not in html
    assert link("accounts:password_change") in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_account_renders_in_both_languages(client, world, language):
    client.force_login(world["manager"])
    html = page(client, ACCOUNT, HTTP_ACCEPT_LANGUAGE=language)
    assert ("Mon espace" if language == "fr" else "My space") in html


def test_account_is_never_cached(client, world):
    client.force_login(world["plain"])
    assert "no-store" in client.get(ACCOUNT)["Cache-Control"]
