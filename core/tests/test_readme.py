"""The README's first screen tells a newcomer where each part is (issue 10 §5): its table
« Où est chaque partie » names an address of every area of the site (the prefixes of
config/urls.py that people open), each in the first 40 lines."""

from pathlib import Path

from django.conf import settings
from django.urls import get_resolver

# prefixes that are not a part a person looks for: Django's own, the door's API, a file
NOT_PARTS = {"admin/", "i18n/", "i18n/setlang/", "api/accueil/", "favicon.ico"}


def first_screen() -> str:
    lines = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8").splitlines()
    head = "\n".join(lines[:40])
    assert "Où est chaque partie" in head
    return head


def test_the_first_screen_names_every_area_of_the_site():
    head = first_screen()
    prefixes = {str(p.pattern) for p in get_resolver().url_patterns} - NOT_PARTS - {""}
    assert {"appels/", "jury/", "gestion/appels/", "charte/", "accueil/"} <= prefixes
    missing = sorted(p for p in prefixes if f"`/{p}" not in head)
    assert not missing, f"the README's first screen does not say where these are: {missing}"


def test_the_first_screen_names_the_public_pages_of_each_app():
    head = first_screen()
    for path in ("/evenements/", "/poles/", "/poles/carte/", "/reseaux/", "/donnees/", "/compte/"):
        assert f"`{path}" in head, path
