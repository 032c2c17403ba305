"""The crawl test of issue 10 (§3 and §5): every page of the demo, public and organiser,
read as a French editor, a phone and the outside validators would read it.

What it does, once per module (about two minutes):
1. loads the demo (`load_demo --demo-account`, `load_registry_demo`, `load_charter_demo`)
   and adds what the demo lacks to reach every page: an editor (staff with the registry
   and charter permissions) unless the demo has one, a door device waiting for its
   enrolment, a charter signature waiting for its confirmation, a checked import file;
2. follows the links of every page from `/` (anonymous), from `/` and `/gestion/` (the
   demo organiser, then the editor), in French and in English (cookie
   `django_language`), with Django's test client: same origin, GET only, never the
   logout, the language switch or the admin (Django's own pages), bounded — at most
   CRAWL_PER_ROUTE (3) URLs per route of the resolver (3 pole pages, not 300) and
   CRAWL_MAX_PAGES per role and language;
3. then requests the routes of the resolver that no link reached, filled from the demo
   (FILLERS: the personal page of a registration, the enrolment of a device, …);
4. opens the French pages in Debian's Chromium at 360 × 740 (each page once, as the
   first role that reached it; CRAWL_BROWSER_PER_ROUTE (2) per route): width, axe-core;
5. runs the Nu HTML Checker (vnu.jar) on the HTML of every French page, in one batch
   (started as soon as the pages are fetched: it works while Chromium does).

The French catalogues (django.po, djangojs.po) are read with the same rules: messages
shown after an action and emails are not reached by a GET crawl.

Each rule is one test and fails with the list « page → problem »; the whole list is also
written to var/crawl-report.txt. CRAWL_REPORT_ONLY=1 prints every failure and passes
(while fixing: `CRAWL_REPORT_ONLY=1 pytest core/tests/test_crawl.py -s`).

vnu.jar comes from the npm devDependency `vnu-jar` (node_modules/vnu-jar/build/dist/) or
from the path in VNU_JAR; without it (or without java) the Nu test is skipped, and fails
under CI=true. Without Chromium the browser tests are skipped (failed under CI=true), as
the other browser tests are.

The French rules read the visible text of the server's HTML: not attributes, not
<script> (JSON-LD), <style>, <code>, <pre>, <textarea> or <template>, nor an element
whose `lang` is not French (the « English » button); <time>'s text is read, its
`datetime` is not. In Chromium the rendered text is read again (text written by
JavaScript, such as the map's controls) with the accessible names (aria-label, title,
alt, placeholder) for the English words.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from conftest import BLOCKING_IMPACTS, IN_CI, chromium_browser
from core.tests import fuzzkit as fk

REPORT_ONLY = os.environ.get("CRAWL_REPORT_ONLY", "") not in ("", "0")
PER_ROUTE = int(os.environ.get("CRAWL_PER_ROUTE", "3"))
BROWSER_PER_ROUTE = int(os.environ.get("CRAWL_BROWSER_PER_ROUTE", "2"))
MAX_PAGES = int(os.environ.get("CRAWL_MAX_PAGES", "250"))  # per role and language
REPORT = Path(settings.BASE_DIR) / "var" / "crawl-report.txt"
VNU_DEFAULT = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PHONE = {"width": 360, "height": 740}
DEMO_SLUG = "2e-journee-nationale-des-ptce"

# never requested: they act (logout, language), or are files (checked apart)
SKIP_PREFIXES = ("/i18n/", "/compte/deconnexion/", "/static/", "/media/")
# Django's admin: its links are checked, its pages are not read
NOT_READ = ("/admin/",)
# routes that are not pages a person opens (the door's API, forms' targets): not required
# to be reached by the crawl
NOT_PAGES = {
    ":set_language",
    "accounts:logout",
    "events_manage:document_prepare",
    "checkin_api:list",
    "checkin_api:sync",
    "checkin_api:override",
    "checkin_api:walk_in",
    "favicon.ico",
}
HTML_TYPES = ("text/html",)
# the database is set up only for a session that has tests marked so
pytestmark = pytest.mark.django_db


# --- the rules ----------------------------------------------------------------------------

SP = r"[ \u00a0\u202f]"
FR_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
FR_MONTHS_SHORT = r"janv\.?|févr\.?|avr\.?|juil\.?|sept\.?|oct\.?|nov\.?|déc\.?"
EN_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
EN_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# English a French page must not show: interface words of libraries and templates left
# untranslated, the open data's titles, raw values of choices. Exact case, whole words.
ENGLISH_WORDS = [
    "Zoom in",
    "Zoom out",
    "signed",
    "withdrawn",
    "confirmed",
    "cancelled",
    "Submit",
    "Search",
    "Home",
    "Next",
    "Previous",
    "Loading",
    "Download",
    "Required",
    "Dashboard",
    "Sign in",
    "Log in",
    "Log out",
    "Cancel",
    "Close",
    "Poles",
    "Memberships",
    "members and partners",
    "which",
    "None",
    "True",
    "False",
    "JavaScript library",
]
LETTER = r"[^\W\d_]"

FRENCH_RULES = {
    "iso-date": (
        re.compile(r"(?<![\w/.-])\d{4}-[01]\d-[0-3]\d(?:T[\d:.]+Z?)?(?![\w/-])"),
        "ISO date in French text (write « 27 novembre 2026 »)",
    ),
    "hh-mm-time": (
        re.compile(r"(?<![\w:.,/-])(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?![\w:])"),
        "HH:MM time in French text (write « 9 h 30 »)",
    ),
    "first-of-month": (
        re.compile(rf"(?<![\w,.])1{SP}+(?:{FR_MONTHS}|{FR_MONTHS_SHORT})(?!\w)", re.IGNORECASE),
        "« 1 » before a month (write « 1er décembre »)",
    ),
    "plural-s": (
        re.compile(rf"{LETTER}\((?:s|es|x)\)"),
        "« (s) » plural (use ngettext)",
    ),
    "english-words": (
        re.compile(r"(?<![\w’'-])(?:" + "|".join(map(re.escape, ENGLISH_WORDS)) + r")(?![\w’'-])"),
        "English on a French page",
    ),
    "straight-apostrophe": (
        re.compile(rf"{LETTER}+'{LETTER}+"),
        "straight apostrophe ' in French text (write ’)",
    ),
}
ENGLISH_RULES = {
    "en-iso-date": (FRENCH_RULES["iso-date"][0], "ISO date in English text"),
    "en-lowercase-month": (
        re.compile(rf"(?<![\w])\d{{1,2}}(?:st|nd|rd|th)?{SP}+(?:{EN_MONTHS})\b"),
        "lowercase month in English text (write « 19 September 2031 »)",
    ),
    "en-lowercase-day": (
        re.compile(rf"\b(?:{EN_DAYS}){SP}+\d{{1,2}}\b"),
        "lowercase day in English text (write « Friday 19 September »)",
    ),
    "en-french-date": (
        re.compile(
            rf"\b\d{{1,2}}(?:er)?{SP}+(?:{FR_MONTHS}){SP}+\d{{4}}|\b\d{{1,2}}{SP}h(?:{SP}\d\d)?\b",
            re.IGNORECASE,
        ),
        "French date or time on an English page",
    ),
    "en-plural-s": (FRENCH_RULES["plural-s"][0], "« (s) » plural in English text"),
}
RULE_TITLES = {
    "http-error": "a link answering 400 or more",
    "unlinked-error": "a page of the resolver (not linked) answering 400 or more",
    "not-crawled": "a route of the resolver the crawl cannot reach (add it to FILLERS)",
    "too-wide": "wider than 360 px on a 360 × 740 phone (Chromium)",
    "axe": "axe-core: serious or critical violation",
    "vnu": "Nu HTML Checker error",
    **{key: title for key, (_, title) in FRENCH_RULES.items()},
    **{key: title for key, (_, title) in ENGLISH_RULES.items()},
}

SKIPPED_TEXT = {"script", "style", "code", "pre", "textarea", "template", "svg", "math"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "label",
    "legend",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "section",
    "select",
    "summary",
    "table",
    "td",
    "th",
    "title",
    "tr",
    "ul",
}


class PageReader(HTMLParser):
    """The page's language, its visible text (per language) and the URLs it points to."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.stack: list[tuple[str, bool, str]] = []  # (tag, skips text, language)
        self.text: dict[str, list[str]] = defaultdict(list)
        self.links: list[str] = []  # <a href>, GET forms
        self.assets: list[str] = []  # stylesheets, scripts, images, icons, manifest

    def _current(self) -> tuple[bool, str]:
        if not self.stack:
            return False, self.lang
        return any(skip for _, skip, _ in self.stack), self.stack[-1][2]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = (attrs.get("lang") or "").split("-")[0].lower()
            return
        if tag in ("a", "area") and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.links.append(attrs.get("action") or "")
        elif tag in ("script", "img", "iframe", "source") and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower()
            if any(word in rel for word in ("stylesheet", "icon", "manifest")):
                self.assets.append(attrs["href"])
        if tag in BLOCKS:
            self._text("\n")
        if tag in VOID:
            return
        skip, lang = self._current()
        if attrs.get("lang") is not None:
            lang = (attrs.get("lang") or "").split("-")[0].lower()
        self.stack.append((tag, tag in SKIPPED_TEXT, lang))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._text("\n")
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def _text(self, data):
        skip, lang = self._current()
        if not skip:
            self.text[lang].append(data)

    def handle_data(self, data):
        self._text(data)


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


def excerpt(text: str, match: re.Match) -> str:
    start, end = max(0, match.start() - 30), min(len(text), match.end() + 30)
    return "…" + " ".join(text[start:end].split()) + "…"


def check_text(text: str, rules: dict, typed=()) -> list[tuple[str, str, str]]:
    """(rule, what matched, where in the text) of each match of the rules. `typed`: what
    people typed about themselves (a registrant's name), whose apostrophes are theirs."""
    found = []
    for key, (pattern, _) in rules.items():
        for match in pattern.finditer(text):
            matched = match.group().strip()
            if key == "straight-apostrophe" and any(
                matched.casefold() in words.casefold() for words in typed
            ):
                continue
            found.append((key, matched, excerpt(text, match)))
    return found


def check_html(html: str, typed=()) -> list[tuple[str, str, str]]:
    """The text rules of a page: the French ones on French text, the English ones on
    English text (a page's language is its <html lang>, or an element's lang)."""
    reader = read_page(html)
    found = []
    for lang, chunks in reader.text.items():
        text = "".join(chunks)
        if lang == "fr":
            found += check_text(text, FRENCH_RULES, typed)
        elif lang == "en":
            found += check_text(text, ENGLISH_RULES)
    return found


# --- the dataset --------------------------------------------------------------------------


@dataclass
class Demo:
    users: dict = field(default_factory=dict)  # role → user (None: anonymous)
    fillers: dict = field(default_factory=dict)  # route key → (role, [url], ok statuses)
    typed: tuple = ()  # what registrants typed (names, organisation): not the interface's


def load_demo() -> Demo:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.contrib.auth.tokens import default_token_generator
    from django.core.management import call_command
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from charter import services as charter_services
    from charter.models import CharterVersion, Signature
    from checkin import services as checkin_services
    from checkin.models import DoorRole
    from checkin.tokens import enrolment_token
    from events.models import Event, Registration
    from events.tokens import personal_link_token
    from registry import importing
    from registry.models import Network, Organisation, Pole

    out = StringIO()
    call_command("load_demo", "--demo-account", stdout=out, stderr=out)
    call_command("load_registry_demo", stdout=out, stderr=out)
    call_command("load_charter_demo", stdout=out, stderr=out)
    call_command("load_calls_demo", "--demo-account", stdout=out, stderr=out)

    User = get_user_model()
    organiser = User.objects.get(username="organisatrice")
    editor = (
        User.objects.filter(is_staff=True, is_active=True, user_permissions__codename="change_pole")
        .exclude(pk=organiser.pk)
        .first()
    )
    if editor is None:  # the demo has no editor yet: one with the editor's permissions
        editor = User.objects.create_user(
            "crawl-editrice", email="editrice@example.org", password="x-pass-1234", is_staff=True
        )
        editor.user_permissions.add(
            *Permission.objects.filter(content_type__app_label__in=["registry", "charter"])
        )
    event = Event.objects.get(slug=DEMO_SLUG)
    device = checkin_services.device_create(event=event, name="Tablette 2", actor=organiser)
    door_role = DoorRole.objects.create(
        event=event,
        user=User.objects.create_user("crawl-accueil", password="x-pass-1234"),
        role=DoorRole.Role.AGENT,
    )
    signed = Signature.objects.filter(pole__isnull=False).values("pole")
    pole = Pole.objects.filter(is_demo=True).exclude(pk__in=signed).order_by("slug").first()
    pending = charter_services.signature_request(
        version=CharterVersion.objects.in_force(),
        signer=pole,
        name="Zoé Martin",
        mandate="présidente",
        email="zoe.martin@example.org",
        actor=None,
    )
    _, batch = importing.batch_check(
        raw=b"name;category;ess_status;commune_code\n"
        b"Structure du crawl;ess_enterprise;association;14118\n",
        kind="structures",
        actor=editor,
    )
    registrations = Registration.objects.filter(event=event)
    people = [
        r
        for r in (
            registrations.filter(status="confirmed").order_by("pk").first(),
            registrations.filter(status="waiting").order_by("pk").first(),
        )
        if r is not None
    ]
    links = [personal_link_token(r) for r in people]
    # a call open to applications; the editor also manages a pole, which applies to it
    from datetime import timedelta

    from django.utils import timezone

    from calls.models import Call, Question, Section
    from calls.services import applications as apply_services

    calls_call = Call.objects.create(
        title="Appel à projets du crawl",
        slug="appel-crawl-candidature",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=10),
        published_at=timezone.now() - timedelta(days=1),
    )
    section = Section.objects.create(call=calls_call, title="Le projet")
    Question.objects.create(section=section, label="Coopération", kind="text", max_words=50)
    pole.managers.add(editor)
    application = apply_services.application_start(call=calls_call, pole=pole, actor=editor)
    applying = f"/appels/{calls_call.slug}/candidature/"
    poles = list(Pole.objects.order_by("-is_demo", "slug").values_list("slug", flat=True)[:2])
    versions = sorted(CharterVersion.objects.values_list("number", flat=True))
    signature = Signature.objects.filter(status="signed").order_by("pk").first()
    uid = urlsafe_base64_encode(force_bytes(editor.pk))
    person = people[0].pk if people else 0
    # the calls' demo: its manager, a juror of the stage still open (files to score), a
    # juror invited who has not accepted yet, the 2013 call with its results published
    from calls.models import Assignment, Attachment, Conflict
    from calls.services import jury as jury_services
    from calls.tokens import invitation_token

    demo_call = Call.objects.get(slug="demo-appel-ptce-deux-temps")
    call_manager = User.objects.get(username="gestionnaire-appels")
    juror_assignment = (
        Assignment.objects.filter(
            stage__call=demo_call, stage__closed_at__isnull=True, juror__user__isnull=False
        )
        .order_by("pk")
        .first()
    )
    juror = juror_assignment.juror
    invited = jury_services.juror_invite(
        stage=juror_assignment.stage,
        name="Zoé Invitée",
        email="zoe.invitee@example.org",
        actor=call_manager,
    )
    demo_conflict = Conflict.objects.filter(juror__stage__call=demo_call).order_by("pk").first()
    demo_attachment = Attachment.objects.filter(application__call=demo_call).first()
    demo = Demo(
        users={
            "anonymous": None,
            "organiser": organiser,
            "editor": editor,
            "call_manager": call_manager,
            "juror": juror.user,
        }
    )
    demo.typed = tuple(
        {
            value
            for row in Registration.objects.values_list("first_name", "last_name", "organisation")
            for value in row
            if "'" in (value or "")
        }
    )
    # a call for projects, open, managed by the organiser (no demo call yet)
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from calls.models import Call, Criterion, Question, Section, Stage
    from calls.services import calls as calls_services

    now = timezone.now()
    call = Call.objects.create(
        title="Appel du crawl",
        slug="appel-crawl",
        summary="Un appel pour le crawl.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        published_at=now - timedelta(days=1),
        rules=["R1", "R8"],
    )
    call.managers.add(organiser)
    call_stage = Stage.objects.create(call=call, name="National", kind="national")
    Criterion.objects.create(stage=call_stage, label="Coopération", weight=1)
    call_question = Question.objects.create(
        section=Section.objects.create(call=call, title="Projet"), label="Décrivez", kind="text"
    )
    call_document = calls_services.calldocument_add(
        call=call,
        actor=organiser,
        title="Cahier des charges",
        upload=SimpleUploadedFile("cahier.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    manage = f"/gestion/evenements/{DEMO_SLUG}"
    one = {200}
    # route → (role, URLs, answers that are right); the routes no link leads to are
    # requested from here (a route missing here and linked from nowhere fails the test)
    demo.fillers = {
        **{
            key: ("anonymous", [pattern.format(t) for t in links], one)
            for key, pattern in {
                "events:personal": "/inscription/{}/",
                "events:personal_ticket": "/inscription/{}/billet.pdf",
                "events:personal_data": "/inscription/{}/mes-donnees.json",
            }.items()
        },
        # forms' targets: GET is refused (405), nothing to render
        **{
            key: ("anonymous", [pattern.format(links[0])], {200, 405})
            for key, pattern in {
                "events:personal_correct": "/inscription/{}/corriger/",
                "events:personal_cancel": "/inscription/{}/annuler/",
                "events:personal_erase": "/inscription/{}/effacer/",
            }.items()
        },
        # no one came in yet (404), or the event has not started: the page says from when
        # the certificate can be had (403)
        "checkin:certificate": (
            "anonymous",
            [f"/accueil/attestation/{links[0]}/"],
            {200, 403, 404},
        ),
        # the door's words in each language (the scanning page loads it by script)
        "checkin:jsi18n": ("anonymous", ["/accueil/jsi18n/fr/", "/accueil/jsi18n/en/"], one),
        # a form's target: GET is refused (405)
        "checkin_manage:door_role_remove": (
            "organiser",
            [f"{manage}/accueil/equipe/{organiser.pk}/retirer/"],
            {404, 405},
        ),
        "checkin:enrol": ("anonymous", [f"/accueil/enregistrer/{enrolment_token(device)}/"], one),
        "checkin:scanner": ("organiser", [f"/accueil/{DEMO_SLUG}/"], one),
        "checkin:manifest": ("organiser", [f"/accueil/{DEMO_SLUG}/manifest.webmanifest"], one),
        "charter:confirm": (
            "anonymous",
            [f"/charte/confirmer/{charter_services.confirmation_token(pending)}/"],
            one,
        ),
        "charter:version": ("anonymous", [f"/charte/versions/{n}/" for n in versions], one),
        "charter:diff": (
            "anonymous",
            [f"/charte/versions/{versions[0]}/comparer/{versions[-1]}/"],
            one,
        ),
        "charter:signature": ("anonymous", [f"/charte/signataires/{signature.pk}/"], one),
        "charter:withdraw": (
            "anonymous",
            [f"/charte/signataires/{signature.pk}/retirer/"],
            {200, 405},
        ),
        "charter:projection": ("anonymous", [f"/charte/projection/{DEMO_SLUG}/"], one),
        "charter:projection_state": (
            "anonymous",
            [f"/charte/projection/{DEMO_SLUG}/etat.json"],
            one,
        ),
        "charter_manage:ceremony": ("organiser", [f"/gestion/charte/ceremonie/{DEMO_SLUG}/"], one),
        "accounts:password_set": (
            "anonymous",
            [f"/compte/mot-de-passe/{uid}/{default_token_generator.make_token(editor)}/"],
            one,
        ),
        "calls:call": ("anonymous", [f"/appels/{call.slug}/"], one),
        "calls:document": (
            "anonymous",
            [f"/appels/{call.slug}/documents/{call_document.pk}/"],
            one,
        ),
        **{
            f"calls_manage:{name}": ("organiser", [f"/gestion/appels/{call.slug}/{tail}"], one)
            for name, tail in {
                "call": "",
                "form": "formulaire/",
                "question": f"formulaire/{call_question.pk}/",
                "stages": "etapes/",
                "stage": f"etapes/{call_stage.pk}/",
                "documents": "documents/",
            }.items()
        },
        # a form's target: GET is refused (405)
        "calls_manage:publish": (
            "organiser",
            [f"/gestion/appels/{call.slug}/publier/"],
            {405},
        ),
        # only the staff who manage every call create one
        "calls_manage:create": ("organiser", ["/gestion/appels/nouveau/"], {403}),
        "registry:pole": ("anonymous", [f"/poles/{slug}/" for slug in poles], one),
        "registry:claim": ("anonymous", [f"/poles/{poles[0]}/revendiquer/"], one),
        "registry:suggest": ("anonymous", [f"/poles/{poles[0]}/suggerer/"], one),
        "registry:organisation": (
            "anonymous",
            [f"/structures/{Organisation.objects.order_by('slug').first().slug}/"],
            one,
        ),
        "registry:network": (
            "anonymous",
            [f"/reseaux/{Network.objects.order_by('slug').first().slug}/"],
            one,
        ),
        "registry:open_data_file": (
            "anonymous",
            [f"/donnees/{name}.csv" for name in ("poles", "structures", "adhesions")],
            one,
        ),
        "registry_manage:pole_edit": ("editor", [f"/gestion/annuaire/poles/{poles[0]}/"], one),
        "registry_manage:import_status": ("editor", [f"/gestion/annuaire/import/{batch.pk}/"], one),
        **{
            f"events:{name}": ("anonymous", [f"/evenements/{DEMO_SLUG}/{tail}"], one)
            for name, tail in {
                "detail": "",
                "ics": "agenda.ics",
                "privacy": "confidentialite/",
                "register": "inscription/",
                "register_sent": "inscription/envoyee/",
                "embed": "integrer/",
                "embed_sent": "integrer/envoyee/",
            }.items()
        },
        **{
            f"events_manage:{name}": ("organiser", [f"{manage}/{tail}"], one)
            for name, tail in {
                "event": "",
                "outbox": "emails/",
                "reminders": "rappels/",
                "export_csv": "inscriptions.csv",
                "export_xlsx": "inscriptions.xlsx",
                "security_csv": "liste-securite.csv",
                "security_pdf": "liste-securite.pdf",
                "documents": "documents/",
                "documents_status": "documents/etat.json",
                "registration_cancel": f"inscriptions/{person}/annuler/",
            }.items()
        },
        # a document not prepared yet: 404
        "events_manage:document_download": (
            "organiser",
            [f"{manage}/documents/security_pdf/telecharger/"],
            {200, 404},
        ),
        **{
            f"checkin_manage:{name}": ("organiser", [f"{manage}/accueil/{tail}"], one)
            for name, tail in {
                "door": "",
                "device_add": "appareils/",
                "projection": "projection/",
                "badges": "badges.pdf",
                "badge": f"badges/{person}.pdf",
                "attendance_csv": "presence.csv",
                "device_revoke": f"appareils/{device.pk}/revoquer/",
                "door_role_remove": f"equipe/{door_role.pk}/retirer/",
            }.items()
        },
    }
    demo.fillers.update(
        {
            "calls:apply_start": ("editor", [applying], one),
            "calls:apply_draft": ("editor", [f"{applying}{application.pk}/"], one),
            "calls:apply_submit": ("editor", [f"{applying}{application.pk}/depot/"], one),
            "calls:apply_withdraw": ("editor", [f"{applying}{application.pk}/retrait/"], one),
            # a draft has no receipt yet: to the draft (302), its PDF not found (404)
            "calls:apply_receipt": ("editor", [f"{applying}{application.pk}/recu/"], {200, 302}),
            "calls:apply_receipt_pdf": (
                "editor",
                [f"{applying}{application.pk}/recu.pdf"],
                {200, 404},
            ),
            # forms' targets (405) and a file that does not exist (404)
            "calls:apply_attach": ("editor", [f"{applying}{application.pk}/pieces/"], {405}),
            "calls:apply_attachment": (
                "editor",
                [f"{applying}{application.pk}/pieces/0/"],
                {404},
            ),
            "calls:apply_detach": (
                "editor",
                [f"{applying}{application.pk}/pieces/0/retirer/"],
                {405},
            ),
        }
    )
    jury = f"/gestion/appels/etapes/{juror.stage_id}/jury"
    decide = f"/gestion/appels/{demo_call.slug}"
    demo.fillers.update(
        {
            "calls:laureates": ("anonymous", ["/appels/appel-a-projets-ptce-2013/laureats/"], one),
            "calls_manage:decisions": ("call_manager", [f"{decide}/decisions/"], one),
            "calls_manage:decision_record": (
                "call_manager",
                [f"{decide}/decisions/{juror_assignment.application_id}/"],
                {200, 405},
            ),
            "calls_manage:ranking": (
                "call_manager",
                [f"{decide}/etapes/{juror.stage_id}/classement/"],
                one,
            ),
            "calls_manage:minutes": ("call_manager", [f"{decide}/proces-verbal.pdf"], {200, 404}),
            "calls_manage:results_notify": (
                "call_manager",
                [f"{decide}/resultats/envoyer/"],
                {200, 405},
            ),
            "calls_manage:results_publish": (
                "call_manager",
                [f"{decide}/resultats/publier/"],
                {200, 405},
            ),
            "calls_manage:stage_jury": ("call_manager", [f"{jury}/"], one),
            "calls_manage:applications": ("call_manager", [f"{decide}/dossiers/"], one),
            "calls_manage:application_reopen": (
                "call_manager",
                [f"{decide}/dossiers/{juror_assignment.application_id}/rouvrir/"],
                {405},
            ),
            **{
                f"calls_manage:stage_jury_{name}": ("call_manager", [f"{jury}/{tail}"], {405})
                for name, tail in {
                    "invite": "inviter/",
                    "reinvite": f"membres/{invited.pk}/relancer/",
                    "detect": "conflits/",
                    "decide": f"conflits/{demo_conflict.pk if demo_conflict else 0}/",
                    "run": "repartition/",
                    "conflict_add": "conflits/ajouter/",
                    "assign": "affecter/",
                    "unassign": f"affectations/{juror_assignment.pk}/retirer/",
                }.items()
            },
            "calls_jury:home": ("juror", ["/jury/"], one),
            "calls_jury:accept": (
                "anonymous",
                [f"/jury/invitation/{invitation_token(invited)}/"],
                one,
            ),
            # declared already: back to the jury's home
            "calls_jury:declare": ("juror", [f"/jury/sieges/{juror.pk}/declaration/"], {200, 302}),
            "calls_jury:grid": ("juror", [f"/jury/dossiers/{juror_assignment.pk}/"], one),
            "calls_jury:message": (
                "juror",
                [f"/jury/dossiers/{juror_assignment.pk}/message/"],
                {405},
            ),
            "calls_jury:conflict": (
                "juror",
                [f"/jury/dossiers/{juror_assignment.pk}/conflit/"],
                {405},
            ),
            "calls_jury:attachment": (
                "juror",
                [f"/jury/pieces/{demo_attachment.pk if demo_attachment else 0}/"],
                {200, 404},
            ),
        }
    )
    # forms' targets may refuse GET
    for key in (
        "checkin_manage:device_add",
        "checkin_manage:device_revoke",
        "checkin_manage:door_role_remove",
        "events_manage:reminders",
        "events_manage:registration_cancel",
    ):
        role, urls, _ = demo.fillers[key]
        demo.fillers[key] = (role, urls, {200, 405})
    return demo


# --- the crawl ----------------------------------------------------------------------------


@dataclass
class Page:
    role: str
    lang: str
    url: str  # as requested (path and query)
    status: int
    content_type: str
    route: str
    html: str = ""
    referrer: str = ""


@dataclass
class Crawl:
    pages: list[Page] = field(default_factory=list)
    # rule → {(page, key): Finding}: one line per problem and page, whoever saw it
    findings: dict = field(default_factory=lambda: defaultdict(dict))
    demo: Demo | None = None
    unlinked: list = field(default_factory=list)  # routes reached through FILLERS only
    slow: list = field(default_factory=list)  # (seconds of axe, page)
    nu: object = None  # the Nu HTML Checker, running
    seconds: dict = field(default_factory=dict)

    def add(self, rule, page, what, *, key=None, role="", source="html") -> None:
        finding = self.findings[rule].setdefault((page, key or what), Finding(what))
        finding.roles.add(role)
        finding.sources.add(source)


@dataclass
class Finding:
    what: str  # the first one seen
    roles: set = field(default_factory=set)
    sources: set = field(default_factory=set)  # html, rendered, name (accessible name)


def route_key(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return "?" + path
    return f"{match.namespace}:{match.url_name}" if match.url_name else match.route


def same_origin_path(href: str, base: str) -> str | None:
    """The path and query of a same-origin link, or None (other site, mailto:, #…)."""
    href = (href or "").strip()
    if href.startswith(("mailto:", "tel:", "javascript:", "data:", "blob:")):
        return None
    absolute = urljoin("http://testserver" + base, href)
    absolute, _ = urldefrag(absolute)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc not in ("testserver",):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def label(page: Page) -> str:
    return f"[{page.lang}] {page.url}"


def make_client(user, lang: str) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def fetch(client: Client, url: str):
    response = client.get(url, follow=True)
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    html = ""
    if content_type in HTML_TYPES and not getattr(response, "streaming", False):
        html = response.content.decode(response.charset or "utf-8", "replace")
    final = response.redirect_chain[-1][0] if response.redirect_chain else url
    final = same_origin_path(final, url) or url
    response.close()
    return response.status_code, content_type, html, final


@dataclass
class Walker:
    """The crawl of one role in one language: what it has seen, how many per route."""

    role: str
    lang: str
    client: Client
    visited: set = field(default_factory=set)
    per_route: Counter = field(default_factory=Counter)


def walk(crawl: Crawl, walker: Walker, seeds, seen_routes: set, assets: dict) -> None:
    """Breadth first from the seeds [(url, statuses that are fine)], following links."""
    queue = deque((url, "", ok) for url, ok in seeds)
    while queue and len(walker.visited) < MAX_PAGES:
        url, referrer, ok = queue.popleft()
        if url in walker.visited or url.startswith(SKIP_PREFIXES):
            continue
        route = route_key(url.split("?")[0])
        if walker.per_route[route] >= PER_ROUTE:
            continue
        walker.visited.add(url)
        walker.per_route[route] += 1
        status, content_type, html, final = fetch(walker.client, url)
        page = Page(walker.role, walker.lang, url, status, content_type, route, html, referrer)
        crawl.pages.append(page)
        seen_routes.add(route)
        seen_routes.add(route_key(final.split("?")[0]))
        if status >= 400 and status not in (ok or ()):
            if referrer:
                crawl.add(
                    "http-error",
                    label(page),
                    f"{status} (linked from {referrer})",
                    key=str(status),
                    role=page.role,
                )
            else:
                crawl.add("unlinked-error", label(page), str(status), role=page.role)
        if not html or url.startswith(NOT_READ):
            continue
        for rule, matched, context in check_html(html, crawl.demo.typed):
            crawl.add(rule, label(page), f"« {matched} » in {context}", key=matched, role=page.role)
        reader = read_page(html)
        for href in reader.assets:
            path = same_origin_path(href, final)
            if path:
                assets.setdefault(path, label(page))
        for href in reader.links:
            path = same_origin_path(href, final)
            if path and path not in walker.visited:
                queue.append((path, url, None))


def check_assets(crawl: Crawl, assets: dict) -> None:
    """Stylesheets, scripts, images and icons the pages load answer 200."""
    client = Client()
    for path, where in sorted(assets.items()):
        response = client.get(path)
        if response.status_code >= 400:
            crawl.add("http-error", where, f"{path} answers {response.status_code}", key=path)
        response.close()


def fallback(route) -> bool:
    """A new page of an event (its only parameter the event's slug) is filled with the
    demo event; any other parameter needs a filler."""
    return [name for _, name in route.params()] == ["slug"] and (
        "evenements/" in route.pattern or "accueil/" in route.pattern
    )


def unlinked_urls(crawl: Crawl, seen_routes: set) -> dict[str, list]:
    """Role → [(url, statuses that are fine)] of the routes no link reached."""
    todo = defaultdict(list)
    for route in fk.all_routes():
        if route.is_regex or route.pattern.startswith(("admin/", "i18n/", "static/")):
            continue
        if route.key in seen_routes or route.key in NOT_PAGES:
            continue
        if route.key in crawl.demo.fillers:
            role, urls, ok = crawl.demo.fillers[route.key]
            todo[role] += [(url, ok) for url in urls[:PER_ROUTE]]
        elif not route.params() or fallback(route):
            url = route.build({"slug": DEMO_SLUG})
            role = "anonymous"
            if url.startswith("/gestion/annuaire/"):
                role = "editor"
            elif url.startswith("/gestion/"):
                role = "organiser"
            todo[role].append((url, {200, 405}))
        else:
            crawl.add("not-crawled", route.key, f"/{route.pattern}: no link, no filler")
            continue
        crawl.unlinked.append(route.key)
    return todo


def run_crawl(demo: Demo) -> Crawl:
    crawl = Crawl(demo=demo)
    started = time.monotonic()
    seeds = {
        "anonymous": ["/"],
        "organiser": ["/", "/gestion/"],
        "editor": ["/gestion/", "/"],
        "call_manager": ["/", "/gestion/"],
        "juror": ["/"],
    }
    seen_routes: set[str] = set()
    assets: dict[str, str] = {}
    walkers = {
        (role, lang): Walker(role, lang, make_client(demo.users[role], lang))
        for lang in ("fr", "en")
        for role in seeds
    }
    for (role, _), walker in walkers.items():
        walk(crawl, walker, [(url, None) for url in seeds[role]], seen_routes, assets)
    todo = unlinked_urls(crawl, seen_routes)
    for (role, _), walker in walkers.items():
        walk(crawl, walker, todo.get(role, []), seen_routes, assets)
    check_assets(crawl, assets)
    crawl.seconds["http"] = time.monotonic() - started
    return crawl


# --- the browser --------------------------------------------------------------------------

# the rendered text (as the HTML reader reads it) and the accessible names
RENDERED_TEXT_JS = """() => {
  const fr = (el) => {
    const l = el.closest('[lang]');
    return !l || l.lang.split('-')[0] === 'fr';
  };
  const blockOf = (el) => {
    while (el && getComputedStyle(el).display.startsWith('inline')) el = el.parentElement;
    return el;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  let block = null;
  while (walker.nextNode()) {
    const node = walker.currentNode; const el = node.parentElement;
    if (!el || el.closest('script,style,code,pre,textarea,template,noscript,svg')) continue;
    if (!fr(el) || !el.getClientRects().length) continue;
    const here = blockOf(el);
    if (here !== block) parts.push('\\n');
    block = here;
    parts.push(node.data);
  }
  const names = [];
  for (const el of document.body.querySelectorAll('[aria-label],[title],[alt],[placeholder]')) {
    if (!fr(el)) continue;
    for (const a of ['aria-label','title','alt','placeholder']) {
      if (el.hasAttribute(a)) names.push(el.getAttribute(a));
    }
  }
  return {text: parts.join(''), names: names.join('\\n')};
}"""


def browser_pass(crawl: Crawl, chromium, server_url: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    started = time.monotonic()
    axe = Axe()
    contexts = {}

    def context_for(role):
        if role not in contexts:
            context = chromium.new_context(
                viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris"
            )
            context.set_default_timeout(15_000)
            user = crawl.demo.users[role]
            cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "fr", "url": server_url}]
            if user is not None:
                client = make_client(user, "fr")
                session = client.cookies[settings.SESSION_COOKIE_NAME].value
                cookies.append(
                    {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server_url}
                )
            context.add_cookies(cookies)
            contexts[role] = context.new_page()
        return contexts[role]

    done, per_route = set(), Counter()
    try:
        for page in crawl.pages:
            if page.lang != "fr" or not page.html or page.status >= 400 or page.url in done:
                continue
            if per_route[page.route] >= BROWSER_PER_ROUTE or page.url.startswith(NOT_READ):
                continue
            done.add(page.url)
            per_route[page.route] += 1
            tab = context_for(page.role)
            where = label(page)
            try:
                tab.goto(server_url + page.url, wait_until="load")
            except Exception as error:  # noqa: BLE001 - reported as a problem of the page
                what = f"could not be opened: {error}".splitlines()[0]
                crawl.add("too-wide", where, what, key="open", role=page.role)
                continue
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                culprit = tab.evaluate(WIDEST_JS, PHONE["width"])
                what = f"{width} px wide ({culprit})"
                crawl.add("too-wide", where, what, key="width", role=page.role)
            rendered = tab.evaluate(RENDERED_TEXT_JS)
            typed = crawl.demo.typed
            for rule, matched, context in check_text(rendered["text"], FRENCH_RULES, typed):
                what = f"« {matched} » in {context}"
                crawl.add(rule, where, what, key=matched, role=page.role, source="rendered")
            english = {"english-words": FRENCH_RULES["english-words"]}
            for rule, matched, context in check_text(rendered["names"], english):
                what = f"« {matched} » in an accessible name: {context}"
                crawl.add(rule, where, what, key=matched, role=page.role, source="name")
            axe_started = time.monotonic()
            results = axe.run(tab).response
            spent = time.monotonic() - axe_started
            crawl.seconds["axe"] = crawl.seconds.get("axe", 0) + spent
            crawl.slow.append((round(spent, 1), where))
            if not results["passes"]:
                crawl.add("axe", where, "axe-core checked nothing (blocked?)", role=page.role)
            for violation in results["violations"]:
                if violation["impact"] in BLOCKING_IMPACTS:
                    targets = ", ".join(str(n["target"]) for n in violation["nodes"][:3])
                    crawl.add(
                        "axe",
                        where,
                        f"[{violation['impact']}] {violation['id']}: {violation['help']} "
                        f"— {len(violation['nodes'])} × {targets}",
                        key=violation["id"],
                        role=page.role,
                    )
    finally:
        for tab in contexts.values():
            tab.context.close()
    crawl.seconds["browser"] = time.monotonic() - started


# the element that sticks out furthest, for a readable report
WIDEST_JS = """(limit) => {
  let worst = null, right = limit;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > right + 0.5 && r.width > 0) { right = r.right; worst = el; }
  }
  if (!worst) return 'no single element';
  const id = worst.id ? '#' + worst.id : '';
  const cls = worst.classList.length ? '.' + [...worst.classList].join('.') : '';
  return worst.tagName.toLowerCase() + id + cls + ' reaches ' + Math.round(right) + ' px';
}"""


# --- the Nu HTML Checker ------------------------------------------------------------------


def find_vnu() -> Path | None:
    path = Path(os.environ.get("VNU_JAR") or VNU_DEFAULT)
    return path if path.is_file() else None


@dataclass
class Nu:
    """vnu.jar, started on the pages as soon as they are fetched (it runs while Chromium
    works); its answer is read by the Nu test."""

    process: subprocess.Popen
    folder: tempfile.TemporaryDirectory
    names: dict  # file name → page
    started: float


def vnu_start(crawl: Crawl) -> Nu | None:
    jar, java = find_vnu(), shutil.which("java")
    if jar is None or java is None:
        return None
    folder = tempfile.TemporaryDirectory(prefix="ptce-vnu-")
    names, checked = {}, set()
    for index, page in enumerate(crawl.pages):
        # the English pages share the French ones' templates
        if (
            not page.html
            or page.lang != "fr"
            or page.url in checked
            or page.url.startswith(NOT_READ)
        ):
            continue
        checked.add(page.url)
        name = f"page-{index:04d}.html"
        Path(folder.name, name).write_text(page.html, encoding="utf-8")
        names[name] = label(page)
    command = [java, "-jar", str(jar), "--format", "json", "--errors-only", "--exit-zero-always"]
    process = subprocess.Popen(
        [*command, folder.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return Nu(process, folder, names, time.monotonic())


def vnu_finish(crawl: Crawl, nu: Nu) -> None:
    try:
        out, err = nu.process.communicate(timeout=300)
    finally:
        nu.folder.cleanup()
    try:
        messages = json.loads(err or out)["messages"]
    except (ValueError, KeyError) as error:
        raise AssertionError(f"vnu.jar said: {err[:2000]}") from error
    for message in messages:
        if message.get("type") != "error":
            continue
        name = Path(urlsplit(message.get("url", "")).path).name
        where = nu.names.get(name, name)
        text = message.get("message", "")
        crawl.add("vnu", where, f"{text} (line {message.get('lastLine', '?')})", key=text)
    crawl.seconds["vnu"] = time.monotonic() - nu.started


# --- fixtures and report ------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker):
    """The demo, crawled once for the whole module (the database is emptied after)."""
    from django.core.management import call_command

    result = None
    with django_db_blocker.unblock():
        try:
            started = time.monotonic()
            demo = load_demo()
            loaded = time.monotonic() - started
            result = run_crawl(demo)
            result.seconds["demo"] = loaded
            result.nu = vnu_start(result)
            yield result
        finally:
            if result is not None and result.nu is not None:
                result.nu.process.kill()
                result.nu.process.communicate()
                result.nu.folder.cleanup()
            write_report(result)
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def browser_crawl(crawl):
    """The French pages in Chromium (the live server shares the crawl's database)."""
    from pytest_django.live_server_helper import LiveServer

    with chromium_browser() as chromium:
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            browser_pass(crawl, chromium, server.url)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
    return crawl


def format_findings(crawl: Crawl, rules, limit: int | None = 60) -> str:
    lines = []
    for rule in rules:
        found = sorted(crawl.findings.get(rule, {}).items())
        if not found:
            continue
        pages = {page for (page, _), _ in found}
        lines.append(f"== {rule}: {RULE_TITLES[rule]} — {len(found)} on {len(pages)} page(s)")
        shown = found if limit is None else found[:limit]
        for (page, _), finding in shown:
            roles = "/".join(sorted(r for r in finding.roles if r))
            seen = "" if "html" in finding.sources else f" [{'/'.join(sorted(finding.sources))}]"
            lines.append(f"  {page}{f' ({roles})' if roles else ''} → {finding.what}{seen}")
        if len(shown) < len(found):
            lines.append(f"  … and {len(found) - len(shown)} more (see {REPORT})")
    return "\n".join(lines)


def write_report(crawl: Crawl | None) -> None:
    if crawl is None:
        return
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    roles = Counter((p.role, p.lang) for p in crawl.pages)
    head = [
        f"pages requested: {len(crawl.pages)} "
        + ", ".join(f"{r}/{lang}: {n}" for (r, lang), n in sorted(roles.items())),
        f"routes: {len({p.route for p in crawl.pages})}; seconds: "
        + ", ".join(f"{k} {v:.0f}" for k, v in crawl.seconds.items()),
        "slowest pages for axe-core: " + ", ".join(f"{p} {t}s" for t, p in sorted(crawl.slow)[-8:]),
        "routes no link reaches (requested from FILLERS; GET may answer 405 for a form's "
        "target): " + ", ".join(sorted(crawl.unlinked)),
        "",
    ]
    REPORT.write_text(
        "\n".join(head) + format_findings(crawl, RULE_TITLES, limit=None) + "\n",
        encoding="utf-8",
    )


def verdict(crawl: Crawl, *rules: str) -> None:
    text = format_findings(crawl, rules)
    if not text:
        return
    if REPORT_ONLY:
        print("\n" + text)
        return
    pytest.fail(text, pytrace=False)


# --- the tests ----------------------------------------------------------------------------


def test_the_crawl_reaches_the_pages_of_the_demo(crawl):
    """The crawl really ran: public and organiser pages, both languages, and every route
    of the resolver is reached (a new route with parameters needs a filler)."""
    reached = {(p.role, p.route) for p in crawl.pages if p.status < 400}
    for role, route in [
        ("anonymous", "events:home"),
        ("anonymous", "registry:pole"),
        ("anonymous", "charter:home"),
        ("organiser", "events_manage:dashboard"),
        ("organiser", "events_manage:event"),
        ("editor", "registry_manage:moderation"),
    ]:
        assert (role, route) in reached, f"the crawl did not reach {route} as {role}"
    assert {p.lang for p in crawl.pages} == {"fr", "en"}
    verdict(crawl, "not-crawled")


def test_no_link_answers_an_error(crawl):
    verdict(crawl, "http-error", "unlinked-error")


@pytest.mark.parametrize("rule", list(FRENCH_RULES))
def test_french_text(crawl, rule):
    verdict(crawl, rule)


@pytest.mark.parametrize("rule", list(ENGLISH_RULES))
def test_english_text(crawl, rule):
    verdict(crawl, rule)


@pytest.mark.browser
def test_every_page_fits_a_360_px_phone(browser_crawl):
    verdict(browser_crawl, "too-wide")


@pytest.mark.browser
def test_axe_finds_nothing_serious_on_any_page(browser_crawl):
    verdict(browser_crawl, "axe")


@pytest.mark.browser
def test_rendered_text_follows_the_french_rules(browser_crawl):
    """Text written by JavaScript (read in Chromium) and the accessible names: the
    findings the server's HTML does not show (marked [rendered] or [name]); run after the
    French rules above, this one fails on those only."""
    rendered = {
        rule: {key: f for key, f in found.items() if "html" not in f.sources}
        for rule, found in browser_crawl.findings.items()
        if rule in FRENCH_RULES
    }
    only = Crawl(findings=defaultdict(dict, rendered))
    verdict(only, *FRENCH_RULES)


def test_the_nu_html_checker_finds_no_error(crawl):
    """vnu.jar (npm devDependency vnu-jar, or VNU_JAR) on every page, in one batch."""
    if crawl.nu is None:
        missing = "java" if shutil.which("java") is None else f"vnu.jar ({VNU_DEFAULT} or VNU_JAR)"
        if IN_CI:
            pytest.fail(f"{missing} is missing: `npm ci` installs vnu-jar; Debian: openjdk")
        pytest.skip(f"{missing} is missing (npm ci installs vnu-jar)")
    nu, crawl.nu = crawl.nu, None
    vnu_finish(crawl, nu)
    write_report(crawl)
    verdict(crawl, "vnu")


# --- the rules themselves (fast, no demo) -------------------------------------------------


def _rules(html: str) -> list[str]:
    return sorted({rule for rule, _, _ in check_html(html)})


def test_the_french_rules_find_what_they_look_for():
    page = (
        "<html lang='fr'><body><p>Règles du 2026-11-27, ouverture à 09:30 le "
        "1 décembre ; 3 rappel(s) ; Zoom in ; l'inscription</p><p>2026-11-27T14:23</p>"
        "</body></html>"
    )
    assert _rules(page) == sorted(
        [
            "iso-date",
            "hh-mm-time",
            "first-of-month",
            "plural-s",
            "english-words",
            "straight-apostrophe",
        ]
    )
    assert _rules("<html lang='fr'><p>le <strong>1</strong> déc. 2026</p></html>") == [
        "first-of-month"
    ]


def test_the_french_rules_leave_alone_what_is_right():
    page = (
        "<html lang='fr'><head><script type='application/ld+json'>"
        '{"startDate": "2026-12-01T09:30"}</script><style>a{b:1}</style></head><body>'
        "<p>le 1er décembre 2026 à 9 h 30, 21 décembre, 11 mai, l’inscription</p>"
        "<time datetime='2026-12-01T09:30'>1er décembre</time>"
        "<code>2026-11-27 09:30 l'x</code><pre>rappel(s)</pre>"
        "<a href='/x/2026-11-27/' title=\"l'aide\">registre-2026-11-27.json</a>"
        "<button lang='en'>English Home</button><p>Homeland, Nextcloud, signedness</p>"
        "<input value='09:30'><p>18 décembre, 1 234 €, 4:3</p></body></html>"
    )
    assert _rules(page) == []


def test_the_english_rules():
    assert _rules("<html lang='en'><p>Friday 19 september 2031</p></html>") == [
        "en-lowercase-month"
    ]
    assert _rules("<html lang='en'><p>on friday 19 September</p></html>") == ["en-lowercase-day"]
    assert _rules("<html lang='en'><p>19 septembre 2031 at 9 h 30</p></html>") == ["en-french-date"]
    assert _rules("<html lang='en'><p>Friday 19 September 2031, 9:30, Home</p></html>") == []


def test_links_are_same_origin_paths():
    assert same_origin_path("/poles/?q=a#x", "/") == "/poles/?q=a"
    assert same_origin_path("carte/", "/poles/") == "/poles/carte/"
    assert same_origin_path("https://www.openstreetmap.org/", "/") is None
    assert same_origin_path("mailto:a@b.fr", "/") is None
    assert same_origin_path("http://testserver/charte/", "/") == "/charte/"


def test_what_registrants_typed_keeps_its_apostrophes():
    """A registrant's own spelling of their name is theirs, the interface's text is not."""
    text = "Zoé N'DIAYE-LEFÈVRE, l'inscription"  # shown in capitals
    found = check_text(text, FRENCH_RULES, typed=("N'Diaye-Lefèvre",))
    assert [matched for _, matched, _ in found] == ["l'inscription"]
    assert len(check_text(text, FRENCH_RULES)) == 2


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def test_the_french_catalogue_follows_the_rules():
    """What the GET crawl cannot see (messages after an action, emails, JavaScript): the
    French catalogues follow the same rules (English words aside: msgids are English)."""
    import gettext

    rules = {k: v for k, v in FRENCH_RULES.items() if k != "english-words"}
    found = Crawl()
    for domain in ("django", "djangojs"):
        path = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / f"{domain}.mo"
        with path.open("rb") as catalogue:
            messages = gettext.GNUTranslations(catalogue)._catalog
        for msgid, msgstr in messages.items():
            if not msgid:
                continue  # the header
            text = PLACEHOLDER.sub("", msgstr)
            for rule, matched, _ in check_text(text, rules):
                source = msgid[0] if isinstance(msgid, tuple) else msgid
                found.add(rule, f"{domain}.po", f"« {matched} » in « {msgstr} »", key=source)
    verdict(found, *rules)


def test_the_crawler_reports_a_broken_link_with_its_page(monkeypatch):
    """The walk itself (answers made up): a link answering 404 is reported with the page
    that holds it, a route is not requested more than CRAWL_PER_ROUTE times, the text
    rules run on each page."""
    site = {
        "/": '<html lang="fr"><a href="/poles/a/">a</a><a href="/poles/b/">b</a>'
        '<a href="/poles/c/">c</a><a href="/poles/d/">d</a><a href="/absente/">x</a>'
        '<a href="https://example.org/">ailleurs</a></html>',
        "/poles/a/": '<html lang="fr"><p>le 1 mai</p></html>',
    }
    asked = []

    def answer(client, url):
        asked.append(url)
        html = site.get(url, '<html lang="fr"><p>Pôle</p></html>')
        return (404 if url == "/absente/" else 200), "text/html", html, url

    monkeypatch.setattr(f"{__name__}.fetch", answer)
    crawl = Crawl(demo=Demo())
    walk(crawl, Walker("anonymous", "fr", None), [("/", None)], set(), {})
    assert sorted(crawl.findings["http-error"]) == [("[fr] /absente/", "404")]
    assert "linked from /" in crawl.findings["http-error"][("[fr] /absente/", "404")].what
    assert len([url for url in asked if url.startswith("/poles/")]) == min(PER_ROUTE, 4)
    assert ("[fr] /poles/a/", "1 mai") in crawl.findings["first-of-month"]
