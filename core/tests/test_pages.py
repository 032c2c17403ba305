"""The footer's pages: each renders in French and English, says who runs the platform
(from the settings), and the site map's links all answer."""

import re
from datetime import date

import pytest
from django.urls import reverse

from core.views import RESTRICTED, SITE_MAP

PAGES = ["core:contact", "core:legal", "core:accessibility", "core:privacy", "core:site_map"]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_each_footer_page_renders(client, db, name, language):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language


def test_the_footer_links_every_footer_page(client, db):
    html = client.get(reverse("portal:home")).content.decode()
    footer = html[html.index("<footer") : html.index("</footer>")]
    for name in PAGES:
        assert f'href="{reverse(name)}"' in footer, name
    assert "Accessibilité\u00a0: partiellement conforme" in footer


def test_operator_and_contact_come_from_the_settings(client, db, settings):
    settings.PTCE_OPERATOR_NAME = "Coopérative Essai"
    settings.PTCE_CONTACT_EMAIL = "bonjour@essai.example"
    settings.PTCE_PRIVACY_EMAIL = "dpo@essai.example"
    for name in ("core:contact", "core:legal"):
        html = client.get(reverse(name)).content.decode()
        assert "Coopérative Essai" in html and "bonjour@essai.example" in html
    privacy = client.get(reverse("core:privacy")).content.decode()
    assert "Coopérative Essai" in privacy and 'href="mailto:dpo@essai.example"' in privacy


def test_privacy_policy_says_what_the_law_asks(client, db):
    html = client.get(reverse("core:privacy")).content.decode()
    for words in (
        "Responsable du traitement",
        "base légale",
        "Qui les voit",
        "Combien de temps",
        "Vos droits",
        "réclamation à la CNIL",
        "https://www.cnil.fr/fr/plaintes",
        'id="annuaire"',
        'id="evenements"',
    ):
        assert words in html, words


def test_accessibility_statement_is_honest(client, db):
    html = client.get(reverse("core:accessibility")).content.decode()
    assert "partiellement conforme" in html
    assert "axe-core" in html
    assert "%" not in html.split("<main", 1)[1]  # no compliance rate that was not measured
    assert "Défenseur des droits" in html


def test_site_map_lists_every_page_by_its_url_name_and_each_answers(client, db, django_user_model):
    from charter.models import CharterVersion

    CharterVersion.objects.create(
        number=1, title="Charte", published_on=date(2014, 9, 19), body="# Charte"
    )
    staff = django_user_model.objects.create_superuser("equipe", "equipe@example.org", "x-P-2014")
    anonymous = client.get(reverse("core:site_map")).content.decode()
    for name in RESTRICTED:  # not offered to people it would answer 403
        assert f'href="{reverse(name)}"' not in anonymous, name
    client.force_login(staff)
    html = client.get(reverse("core:site_map")).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    names = [name for _title, links in SITE_MAP for _label, name in links]
    for name in names:
        assert f'href="{reverse(name)}"' in main, name
    for href in re.findall(r'href="(/[^"]*)"', main):
        assert client.get(href).status_code == 200, href


def test_the_site_map_has_every_page_of_the_main_menu(client, db, django_user_model):
    """The site map lists at least what the header offers (the calls' page was in the
    menu but not in the map)."""
    staff = django_user_model.objects.create_superuser("equipe", "equipe@example.org", "x-P-2014")
    client.force_login(staff)
    home = client.get(reverse("portal:home")).content.decode()
    menu = home[home.index('class="site-nav"') : home.index("</nav>")]
    html = client.get(reverse("core:site_map")).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    hrefs = set(re.findall(r'href="(/[^"]*)"', menu))
    assert f'href="{reverse("calls:list")}"' in menu
    for href in hrefs:
        assert f'href="{href}"' in main, href


def test_the_contact_page_names_the_correction_link_as_the_pole_page_does(client, db):
    """The contact page sends people to a link of each pole's page: it must give that
    link's own words (it said « Proposer une correction » for « Suggérer une correction »)."""
    from django.utils import translation
    from django.utils.html import escape
    from django.utils.translation import gettext

    with translation.override("fr"):
        label = gettext("Suggest a correction")
    html = client.get(reverse("core:contact"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"«\u00a0{escape(label)}\u00a0»" in html


def test_the_publication_director_reads_inside_the_sentence(client, db):
    html = client.get(reverse("core:legal"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert "la présidence de l’association" in text
    assert "La présidence" not in text


@pytest.mark.parametrize("name", ["portal:home", "core:contact", "core:accessibility"])
def test_the_operator_name_is_never_glued_after_par_or_at_a_sentence_start(client, db, name):
    """An operator's name such as « Association PTCE Démo » takes an article in a sentence
    (« par l’Association… »), which the platform cannot guess: it is given as a label
    (« Éditeur : Association PTCE Démo ») or in apposition, never as « Gérée par Association… »."""
    from django.conf import settings

    html = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    operator = settings.PTCE_OPERATOR_NAME
    assert not re.search(rf"\b(?:par|de|à)\s+{re.escape(operator)}", text)
    assert not re.search(rf"{re.escape(operator)}\s+s’engage", text)
    assert "Gérée par" not in text


def test_the_footer_names_the_publisher_as_the_legal_notice_does(client, db):
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    footer = html[html.index("<footer") : html.index("</footer>")]
    assert "Éditeur\u00a0: Association PTCE Démo." in footer
