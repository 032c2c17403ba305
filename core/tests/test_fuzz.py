"""Fuzz test of issue 9: every route of the project, every form and JSON endpoint, as every
role, in production settings (DEBUG off), with hostile values (hand-picked per category
and drawn by Hypothesis with a fixed seed) in every path parameter, query parameter, form
field, JSON field and header. No answer may be a 5xx, and a refused request writes nothing.

How it finds what to fuzz, so that a new page is covered without anyone thinking of it:
- the routes come from the URL resolver; each path parameter is filled from FILLERS
  (a new route whose parameter is not there fails test_every_route_can_be_filled);
- the query parameters a view reads are recorded while it runs (QueryDict reads), plus
  those of the page's own links and GET forms;
- the form fields come from the page's HTML forms (a small parser) and from the POST
  keys the view reads when sent an empty form.

Bounded: one dataset (the three demo commands plus the roles), a fixed catalogue, a fixed
number of Hypothesis draws (derandomized), every request in a savepoint rolled back.
A summary is printed and written to var/fuzz-summary.txt.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.tests import fuzzkit as fk

DEMO_SLUG = "2e-journee-nationale-des-ptce"
ROLES = [
    "anonymous",
    "registrant",  # anonymous, holding a personal link (the token routes)
    "organiser",
    "other_organiser",
    "agent",
    "supervisor",
    "pole_manager",
    "editor",
    "superuser",
    "call_manager",  # the calls' demo manager (load_calls_demo)
    "juror",  # the calls' demo juror, seated in a stage, with files to score
]
ADMIN_ROLES = ["anonymous", "organiser", "editor", "superuser"]
ADMIN_OWN_KEYS = {
    "_facets",
    "_popup",
    "_selected_action",
    "_to_field",
    "_changelist_filters",
    "all",
}
# order of preference for the role that fuzzes a page it can open
PRIVILEGED = [
    "superuser",
    "organiser",
    "editor",
    "pole_manager",
    "supervisor",
    "agent",
    "call_manager",
    "juror",
]
# How much to send. The default keeps `make test` within a few minutes on a small machine
# (about 8,000 requests); FUZZ_PROFILE=thorough sends every value of the catalogue to
# every field (about four times more), for a release or after a change of input handling.
PROFILES = {
    "default": {"query": 1, "form": 1, "api": 1, "draws": 3, "matrix_post_roles": 5},
    "thorough": {"query": 2, "form": None, "api": 2, "draws": 5, "matrix_post_roles": 9},
}
PROFILE = PROFILES[os.environ.get("FUZZ_PROFILE", "default")]
# FUZZ_PHASES=api,headers runs only these phases after the discovery (while working on one
# area); `make test` runs them all
ALL_PHASES = ("path", "query", "forms", "api", "headers")
PHASES = set(filter(None, os.environ.get("FUZZ_PHASES", ",".join(ALL_PHASES)).split(",")))
# an empty POST to every route as these roles (the others share their code paths)
MATRIX_POST_ROLES = [
    "anonymous",
    "superuser",
    "other_organiser",
    "pole_manager",
    "agent",
    "registrant",
    "organiser",
    "editor",
    "supervisor",
][: PROFILE["matrix_post_roles"]]
HYPOTHESIS_DRAWS = 40  # values drawn once (fixed seed), shared out over the fields
DRAWS_PER_FIELD = PROFILE["draws"]
DEBUG = bool(os.environ.get("FUZZ_DEBUG"))
SUMMARY = Path(
    os.environ.get("FUZZ_SUMMARY", Path(__file__).resolve().parents[2] / "var" / "fuzz-summary.txt")
)


# --- the dataset -------------------------------------------------------------------------


@dataclass
class Dataset:
    users: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


def build_dataset() -> Dataset:
    from charter import services as charter_services
    from charter.models import CharterVersion, Signature
    from checkin import services as checkin_services
    from checkin.models import DoorRole
    from checkin.tokens import enrolment_token
    from events import services as event_services
    from events.models import Event, Registration
    from events.tests.factories import EventFactory
    from events.tokens import personal_link_token, ticket_token
    from registry import importing as registry_importing
    from registry import services as registry_services
    from registry.models import Network, Organisation, Pole

    out = StringIO()
    call_command("load_demo", "--demo-account", stdout=out, stderr=out)
    call_command("load_registry_demo", stdout=out, stderr=out)
    call_command("load_charter_demo", stdout=out, stderr=out)
    call_command("load_calls_demo", "--demo-account", stdout=out, stderr=out)

    User = get_user_model()
    ds = Dataset()
    # the demo's day is today: the door takes scans from a few hours before the start
    starts_at = timezone.now() + timedelta(hours=1)
    Event.objects.filter(slug=DEMO_SLUG).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=7)
    )
    event = Event.objects.get(slug=DEMO_SLUG)
    past = Event.objects.get(slug="1re-journee-ptce")
    organiser = User.objects.get(username="organisatrice")
    other = User.objects.create_user("autre-orga", password="x-pass-1234", is_staff=True)
    other.user_permissions.add(*organiser.user_permissions.all())
    draft = EventFactory(slug="brouillon-autre-orga", capacity=3, registration_required=True)
    draft.managers.add(other)
    superuser = User.objects.create_superuser("fuzz-admin", "admin@example.org", "x-pass-1234")
    agent = User.objects.create_user("fuzz-agent", password="x-pass-1234")
    supervisor = User.objects.create_user("fuzz-superviseur", password="x-pass-1234")
    DoorRole.objects.create(event=event, user=agent, role=DoorRole.Role.AGENT)
    DoorRole.objects.create(event=event, user=supervisor, role=DoorRole.Role.SUPERVISOR)
    # a role nobody else relies on, for the page that removes one
    spare_role = DoorRole.objects.create(
        event=event,
        user=User.objects.create_user("fuzz-renfort", password="x-pass-1234"),
        role=DoorRole.Role.AGENT,
    )
    editor = User.objects.create_user("fuzz-editrice", password="x-pass-1234", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["registry", "charter"])
    )
    pole_manager = User.objects.create_user(
        "fuzz-gestion", email="gestion@example.org", password="x-pass-1234"
    )
    signed_poles = Signature.objects.filter(pole__isnull=False).values("pole")
    pole = Pole.objects.filter(is_demo=True).exclude(pk__in=signed_poles).order_by("slug").first()
    other_pole = Pole.objects.exclude(pk=pole.pk).order_by("slug").first()
    pole.managers.add(pole_manager)
    network = Network.objects.order_by("slug").first()
    network.managers.add(pole_manager)
    organisation = Organisation.objects.order_by("slug").first()
    ds.users = {
        "anonymous": None,
        "registrant": None,
        "organiser": organiser,
        "other_organiser": other,
        "agent": agent,
        "supervisor": supervisor,
        "pole_manager": pole_manager,
        "editor": editor,
        "superuser": superuser,
        "call_manager": User.objects.get(username="gestionnaire-appels"),
        "juror": None,  # below, once the calls' demo is read
    }

    # registrations: confirmed (demo attendees), cancelled, then waiting (event full)
    def register(n, target=event):
        return event_services.registration_create(
            event=target,
            first_name="Zoé",
            last_name=f"Fuzz {'ABCD'[n - 1]}",
            email=f"fuzz{n}@example.org",
            organisation="Pôle fuzz",
            category="ptce_member",
            consent=True,
        ).registration

    confirmed = register(1)
    cancelled = register(2)
    event_services.registration_cancel(registration=cancelled)
    confirmed_count = Registration.objects.filter(event=event, status="confirmed").count()
    event_services.event_set_capacity(event=event, capacity=confirmed_count)
    waiting = register(3)
    assert waiting.status == "waiting"
    draft_registration = register(4, target=draft)
    Event.objects.filter(pk=draft.pk).update(status=Event.Status.DRAFT)  # then unpublished

    device = checkin_services.device_create(event=event, name="Poste 1", actor=organiser)
    device, secret = checkin_services.device_enrol(
        device_id=device.pk, enrolment_nonce=device.enrolment_nonce
    )
    pending_device = checkin_services.device_create(event=event, name="Poste 2", actor=organiser)
    draft_device = checkin_services.device_create(event=draft, name="Poste B", actor=other)
    draft_device, draft_secret = checkin_services.device_enrol(
        device_id=draft_device.pk, enrolment_nonce=draft_device.enrolment_nonce
    )
    checkin_services.scan_record(
        device=device,
        user=agent,
        token=ticket_token(confirmed),
        nonce="fuzz-scan-0001",
        scanned_at=timezone.now(),
        id_checked=True,
    )

    registry_services.claim_submit(
        pole=other_pole, name="Zoé Fuzz", email="claim@example.org", role="présidente"
    )
    registry_services.suggestion_submit(
        pole=other_pole,
        name="Zoé Fuzz",
        email="sugg@example.org",
        message="Le site du pôle a changé d'adresse depuis l'an dernier.",
    )
    _, import_batch = registry_importing.batch_check(
        raw=b"name;category;ess_status;commune_code\n"
        b"Structure du fuzz;ess_enterprise;association;14118\n",
        kind="structures",
        actor=editor,
    )
    version = CharterVersion.objects.in_force()
    pending = charter_services.signature_request(
        version=version,
        signer=pole,
        name="Zoé Fuzz",
        mandate="présidente",
        email="signe@example.org",
        actor=pole_manager,
    )
    signed = Signature.objects.filter(status="signed").order_by("pk").first()
    numbers = sorted(CharterVersion.objects.values_list("number", flat=True))
    # a call open to applications, and the pole manager's draft for their pole
    from calls.models import Call, Question, Section
    from calls.services import applications as apply_services

    calls_call = Call.objects.create(
        title="Appel du fuzz",
        slug="appel-fuzz",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=10),
        published_at=timezone.now() - timedelta(days=1),
    )
    section = Section.objects.create(call=calls_call, title="Le projet")
    Question.objects.create(section=section, label="Coopération", kind="text", max_words=50)
    application = apply_services.application_start(call=calls_call, pole=pole, actor=pole_manager)
    # a call for projects: published, open, with its form, grid and a document
    from django.core.files.uploadedfile import SimpleUploadedFile

    from calls.models import Call, Criterion, Question, Section, Stage
    from calls.services import calls as calls_services

    now = timezone.now()
    call = Call.objects.create(
        title="Appel fuzz",
        slug="appel-fuzz-grille",
        summary="Un appel pour le fuzz.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        published_at=now - timedelta(days=1),
        rules=["R1", "R8"],
        charter_signed=True,
    )
    call_stage = Stage.objects.create(call=call, name="National", kind="national")
    Criterion.objects.create(stage=call_stage, label="Coopération", weight=1)
    call_question = Question.objects.create(
        section=Section.objects.create(call=call, title="Projet"), label="Décrivez", kind="text"
    )
    call_document = calls_services.calldocument_add(
        call=call,
        actor=None,
        title="Cahier des charges",
        upload=SimpleUploadedFile("cahier.pdf", b"%PDF-1.4\n%%EOF\n"),
    )

    # the calls' demo: the juror's seat and files, the other rows of the jury and decide
    # pages, the 2013 call with its results published
    from calls.models import Assignment, Attachment, Conflict, Juror
    from calls.services import jury as jury_services
    from calls.tokens import invitation_token

    demo_call = Call.objects.get(slug="demo-appel-ptce-deux-temps")
    # a juror of the stage still open (the national cell), with a file to score
    juror_assignment = (
        Assignment.objects.filter(
            stage__call=demo_call, stage__closed_at__isnull=True, juror__user__isnull=False
        )
        .order_by("pk")
        .first()
    )
    juror_user = ds.users["juror"] = juror_assignment.juror.user
    other_assignment = (
        Assignment.objects.filter(stage__call=demo_call)
        .exclude(juror__user=juror_user)
        .order_by("pk")
        .first()
    )
    demo_stage = juror_assignment.stage
    seat = juror_assignment.juror
    other_seat = Juror.objects.filter(stage=demo_stage).exclude(pk=seat.pk).order_by("pk").first()
    invited = jury_services.juror_invite(
        stage=demo_stage,
        name="Zoé Invitée",
        email="invitee@example.org",
        organisation=None,
        region_code="",
        actor=ds.users["call_manager"],
    )
    conflict = Conflict.objects.filter(juror__stage__call=demo_call).order_by("pk").first()
    juror_attachment = (
        Attachment.objects.filter(application=juror_assignment.application).first()
        or Attachment.objects.filter(application__call=demo_call).first()
    )
    demo_application = juror_assignment.application

    ds.objects = {
        "event": event,
        "draft": draft,
        "past": past,
        "device": device,
        "confirmed": confirmed,
        "pole": pole,
    }
    ds.values = {
        "event_slugs": [event.slug, draft.slug, past.slug],
        "link_tokens": [
            personal_link_token(confirmed),
            personal_link_token(waiting),
            personal_link_token(cancelled),
            personal_link_token(draft_registration),
        ],
        "ticket": ticket_token(confirmed),
        "ticket_waiting": ticket_token(waiting),
        "ticket_cancelled": ticket_token(cancelled),
        "ticket_draft": ticket_token(draft_registration),
        "device_secret": secret,
        "draft_device_secret": draft_secret,
        "door_pass": checkin_services.door_pass_issue(device=device, user=agent),
        "enrol_tokens": [enrolment_token(pending_device), enrolment_token(draft_device)],
        "registration_pks": [str(confirmed.pk), str(waiting.pk), str(draft_registration.pk)],
        "device_pks": [str(pending_device.pk), str(device.pk), str(draft_device.pk)],
        "door_role_pks": [str(spare_role.pk), "0"],
        "pole_slugs": [pole.slug, other_pole.slug],
        "organisation_slugs": [organisation.slug],
        "network_slugs": [network.slug],
        "signature_pks": [str(signed.pk), str(pending.pk)],
        "confirm_tokens": [charter_services.confirmation_token(pending)],
        "import_pks": [str(import_batch.pk), "999999999"],
        "call_slugs": [calls_call.slug, call.slug, "appel-inconnu"],
        "decide_slugs": [demo_call.slug, "appel-a-projets-ptce-2013", "appel-inconnu"],
        "laureate_slugs": ["appel-a-projets-ptce-2013", demo_call.slug, "appel-inconnu"],
        "demo_stage_pks": [str(demo_stage.pk), str(call_stage.pk), "0"],
        "demo_application_pks": [str(demo_application.pk), str(application.pk), "0"],
        "juror_seat_pks": [str(seat.pk), str(other_seat.pk), "0"],
        "juror_assignment_pks": [str(juror_assignment.pk), str(other_assignment.pk), "0"],
        "juror_attachment_pks": [str(juror_attachment.pk) if juror_attachment else "1", "0"],
        "conflict_pks": [str(conflict.pk) if conflict else "1", "0"],
        "invitation_tokens": [invitation_token(invited), "jeton-faux"],
        "invited_juror_pks": [str(invited.pk), str(seat.pk), "0"],
        "application_pks": [str(application.pk), "0"],
        "attachment_pks": ["1", "0"],
        "version_numbers": [str(n) for n in numbers],
        "call_question_pks": [str(call_question.pk), "0"],
        "call_stage_pks": [str(call_stage.pk), "0"],
        "call_document_pks": [str(call_document.pk), "0"],
        "event_content_type": [str(ContentType.objects.get_for_model(Event).pk), "0", "x"],
        "password_set": (
            urlsafe_base64_encode(force_bytes(pole_manager.pk)),
            default_token_generator.make_token(pole_manager),
        ),
    }
    return ds


# --- how to fill each path parameter -----------------------------------------------------


def _ev(ds):
    return ds.values["event_slugs"]


def _call(ds):
    return ds.values["call_slugs"]


def _application(ds):
    return ds.values["application_pks"]


def _attachment(ds):
    return ds.values["attachment_pks"]


def _decide(ds):
    return ds.values["decide_slugs"]


def _demo_stage(ds):
    return ds.values["demo_stage_pks"]


def _demo_application(ds):
    return ds.values["demo_application_pks"]


def _seat(ds):
    return ds.values["juror_seat_pks"]


def _juror_assignment(ds):
    return ds.values["juror_assignment_pks"]


# route key (namespace:name) → {parameter: values}; the first value is the page a person
# with the right role really opens, the others are the neighbours an attacker tries
FILLERS = {
    "events:detail": {"slug": _ev},
    "events:ics": {"slug": _ev},
    "events:privacy": {"slug": _ev},
    "events:register": {"slug": _ev},
    "events:register_sent": {"slug": _ev},
    "events:embed": {"slug": _ev},
    "events:embed_sent": {"slug": _ev},
    "events:personal": {"token": lambda ds: ds.values["link_tokens"]},
    "events:personal_correct": {"token": lambda ds: ds.values["link_tokens"]},
    "events:personal_cancel": {"token": lambda ds: ds.values["link_tokens"]},
    "events:personal_ticket": {"token": lambda ds: ds.values["link_tokens"]},
    "events:personal_data": {"token": lambda ds: ds.values["link_tokens"]},
    "events:personal_erase": {"token": lambda ds: ds.values["link_tokens"]},
    "events_manage:event": {"slug": _ev},
    "events_manage:edit": {"slug": _ev},
    "events_manage:outbox": {"slug": _ev},
    "events_manage:reminders": {"slug": _ev},
    "events_manage:registration_cancel": {
        "slug": _ev,
        "pk": lambda ds: ds.values["registration_pks"],
    },
    "events_manage:export_csv": {"slug": _ev},
    "events_manage:export_xlsx": {"slug": _ev},
    "events_manage:security_csv": {"slug": _ev},
    "events_manage:security_pdf": {"slug": _ev},
    "checkin_manage:door": {"slug": _ev},
    "checkin_manage:device_add": {"slug": _ev},
    "checkin_manage:projection": {"slug": _ev},
    "checkin_manage:projection_state": {"slug": _ev},
    "checkin_manage:badges": {"slug": _ev},
    "checkin_manage:badge": {"slug": _ev, "pk": lambda ds: ds.values["registration_pks"]},
    "checkin_manage:attendance_csv": {"slug": _ev},
    "checkin_manage:device_revoke": {"slug": _ev, "pk": lambda ds: ds.values["device_pks"]},
    "checkin_manage:door_role_add": {"slug": _ev},
    "checkin_manage:door_role_remove": {"slug": _ev, "pk": lambda ds: ds.values["door_role_pks"]},
    "checkin:enrol": {"token": lambda ds: ds.values["enrol_tokens"]},
    "checkin:certificate": {"token": lambda ds: ds.values["link_tokens"]},
    "checkin:scanner": {"slug": _ev},
    "checkin:manifest": {"slug": _ev},
    "checkin:jsi18n": {"lang": lambda ds: ["fr", "en", "xx"]},
    "charter:version": {"number": lambda ds: ds.values["version_numbers"]},
    "charter:diff": {
        "old": lambda ds: ds.values["version_numbers"][:1],
        "new": lambda ds: ds.values["version_numbers"][-1:],
    },
    "charter:confirm": {"token": lambda ds: ds.values["confirm_tokens"]},
    "charter:signature": {"pk": lambda ds: ds.values["signature_pks"]},
    "charter:withdraw": {"pk": lambda ds: ds.values["signature_pks"]},
    "charter:projection": {"slug": _ev},
    "charter:projection_state": {"slug": _ev},
    "charter_manage:ceremony": {"slug": _ev},
    "calls:call": {"slug": lambda ds: ds.values["call_slugs"]},
    "calls:document": {
        "slug": lambda ds: ds.values["call_slugs"],
        "document_id": lambda ds: ds.values["call_document_pks"],
    },
    "calls_manage:call": {"slug": lambda ds: ds.values["call_slugs"]},
    "calls_manage:publish": {"slug": lambda ds: ds.values["call_slugs"]},
    "calls_manage:form": {"slug": lambda ds: ds.values["call_slugs"]},
    "calls_manage:question": {
        "slug": lambda ds: ds.values["call_slugs"],
        "question_id": lambda ds: ds.values["call_question_pks"],
    },
    "calls_manage:stages": {"slug": lambda ds: ds.values["call_slugs"]},
    "calls_manage:stage": {
        "slug": lambda ds: ds.values["call_slugs"],
        "stage_id": lambda ds: ds.values["call_stage_pks"],
    },
    "calls_manage:documents": {"slug": lambda ds: ds.values["call_slugs"]},
    "registry:pole": {"slug": lambda ds: ds.values["pole_slugs"]},
    "registry:claim": {"slug": lambda ds: ds.values["pole_slugs"]},
    "registry:suggest": {"slug": lambda ds: ds.values["pole_slugs"]},
    "registry:organisation": {"slug": lambda ds: ds.values["organisation_slugs"]},
    "registry:network": {"slug": lambda ds: ds.values["network_slugs"]},
    "registry:open_data_file": {
        "name": lambda ds: ["poles", "structures", "adhesions"],
        "fmt": lambda ds: ["csv", "json", "xlsx"],
    },
    "registry_manage:pole_edit": {"slug": lambda ds: ds.values["pole_slugs"]},
    "registry_manage:import_status": {"pk": lambda ds: ds.values["import_pks"]},
    "events_manage:documents": {"slug": _ev},
    "events_manage:documents_status": {"slug": _ev},
    "events_manage:document_prepare": {
        "slug": _ev,
        "kind": lambda ds: ["security_pdf", "badges_a6", "nope"],
    },
    "events_manage:document_download": {
        "slug": _ev,
        "kind": lambda ds: ["security_pdf", "registrations_csv", "nope"],
    },
    "admin:view_on_site": {
        "content_type_id": lambda ds: ds.values["event_content_type"],
        "object_id": lambda ds: [str(ds.objects["event"].pk), "0", "é"],
    },
    "admin:auth_user_password_change": {
        "id": lambda ds: [str(ds.users["pole_manager"].pk), "0", "x"],
    },
    "calls:apply_start": {"slug": _call},
    "calls:apply_draft": {"slug": _call, "pk": _application},
    "calls:apply_attach": {"slug": _call, "pk": _application},
    "calls:apply_attachment": {"slug": _call, "pk": _application, "attachment_pk": _attachment},
    "calls:apply_detach": {"slug": _call, "pk": _application, "attachment_pk": _attachment},
    "calls:apply_submit": {"slug": _call, "pk": _application},
    "calls:apply_receipt": {"slug": _call, "pk": _application},
    "calls:apply_receipt_pdf": {"slug": _call, "pk": _application},
    "calls:apply_withdraw": {"slug": _call, "pk": _application},
    "calls:laureates": {"slug": lambda ds: ds.values["laureate_slugs"]},
    "calls_manage:decisions": {"slug": _decide},
    "calls_manage:decision_record": {"slug": _decide, "application": _demo_application},
    "calls_manage:ranking": {"slug": _decide, "stage": _demo_stage},
    "calls_manage:minutes": {"slug": _decide},
    "calls_manage:results_notify": {"slug": _decide},
    "calls_manage:results_publish": {"slug": _decide},
    "calls_manage:stage_jury": {"pk": _demo_stage},
    "calls_manage:stage_jury_invite": {"pk": _demo_stage},
    "calls_manage:stage_jury_reinvite": {
        "pk": _demo_stage,
        "juror": lambda ds: ds.values["invited_juror_pks"],
    },
    "calls_manage:stage_jury_detect": {"pk": _demo_stage},
    "calls_manage:stage_jury_decide": {
        "pk": _demo_stage,
        "conflict": lambda ds: ds.values["conflict_pks"],
    },
    "calls_manage:stage_jury_run": {"pk": _demo_stage},
    "calls_manage:stage_jury_conflict_add": {"pk": _demo_stage},
    "calls_manage:applications": {"slug": _decide},
    "calls_manage:application_reopen": {"slug": _decide, "pk": _demo_application},
    "calls_manage:stage_jury_assign": {"pk": _demo_stage},
    "calls_manage:stage_jury_unassign": {"pk": _demo_stage, "assignment": _juror_assignment},
    "calls_jury:accept": {"token": lambda ds: ds.values["invitation_tokens"]},
    "calls_jury:declare": {"pk": _seat},
    "calls_jury:grid": {"pk": _juror_assignment},
    "calls_jury:message": {"pk": _juror_assignment},
    "calls_jury:conflict": {"pk": _juror_assignment},
    "calls_jury:attachment": {"pk": lambda ds: ds.values["juror_attachment_pks"]},
    "accounts:password_set": {
        "uidb64": lambda ds: [ds.values["password_set"][0]],
        "token": lambda ds: [ds.values["password_set"][1], "set-password"],
    },
}
# routes written as regular expressions: the URLs to request
REGEX_ROUTES = {
    "admin:app_list": lambda ds: ["/admin/events/", "/admin/registry/", "/admin/nope/"],
    r"admin/(?P<url>.*)$": lambda ds: ["/admin/nope/", "/admin/%00/", "/admin/" + "x" * 3000],
}
ADMIN_OBJECT = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<path:object_id>/")


def route_urls(route: fk.Route, ds: Dataset) -> list[str]:
    """The URLs of a route, the first being the main one; ValueError if it cannot be
    filled (a new route: add it to FILLERS)."""
    if route.is_regex:
        for key in (route.key, route.pattern):
            if key in REGEX_ROUTES:
                return REGEX_ROUTES[key](ds)
        raise ValueError(f"no way to fill the regex route {route.pattern!r} ({route.key})")
    params = route.params()
    if not params:
        return [route.build({})]
    admin_match = ADMIN_OBJECT.match(route.pattern)
    if admin_match and [p for _, p in params] == ["object_id"]:
        model = _admin_model(admin_match["app"], admin_match["model"])
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        values = {"object_id": [str(pk) if pk is not None else "1"]}
    else:
        table = FILLERS.get(route.key)
        missing = [name for _, name in params if not table or name not in table]
        if missing:
            raise ValueError(
                f"no way to fill {', '.join(missing)} of {route.pattern!r} ({route.key}): "
                "add it to FILLERS in core/tests/test_fuzz.py"
            )
        values = {name: table[name](ds) for _, name in params}
    urls = [route.build({n: _segment(v[0]) for n, v in values.items()})]
    for name, options in values.items():
        for option in options[1:]:
            main = {n: _segment(v[0]) for n, v in values.items()}
            main[name] = _segment(option)
            urls.append(route.build(main))
    return urls


def hostile_path_urls(route: fk.Route, ds: Dataset) -> list[tuple[str, str, str]]:
    """(url, parameter, value) with a hostile value in each path parameter in turn."""
    if route.is_regex:
        return []
    params = route.params()
    if not params:
        return []
    main_url = route_urls(route, ds)[0]
    main_match = resolve(main_url)
    out = []
    for conv, name in params:
        if conv == "int":
            values = ["0", "99999999999999999999", "9223372036854775808"]
        elif conv == "slug":
            values = ["x" * 3000, "-", "_0"]
        elif route.namespace == "admin":
            values = ["\x00", "é", "9" * 30]
        else:
            values = ["\x00", "é", "\ud800", "x" * 5000, "²", "..", "%", "{{x}}", "\u202e"]
        for value in values:
            kwargs = {k: _segment(str(v)) for k, v in main_match.kwargs.items()}
            kwargs[name] = _segment(value)
            out.append((route.build(kwargs), name, value))
    return out


def _segment(value: str) -> str:
    return quote_from_bytes(fk.to_bytes(value), safe="-_.~")


def _admin_model(app_label, model_name):
    for model in admin.site._registry:
        if model._meta.app_label == app_label and model._meta.model_name == model_name:
            return model
    raise ValueError(f"no admin model {app_label}.{model_name}")


# --- recording what a view reads ---------------------------------------------------------


class Recorder:
    """Records the keys read from request.GET / request.POST (any QueryDict) while on."""

    def __init__(self):
        self.keys: set[str] = set()
        self._saved = {}

    def __enter__(self):
        from django.http import QueryDict

        recorder = self
        originals = {
            name: getattr(MultiValueDict, name)
            for name in ("__getitem__", "_getlist", "__contains__")
        }
        self._saved = originals

        def wrap(name):
            original = originals[name]

            def method(self, key, *args, **kwargs):
                if isinstance(self, QueryDict) and isinstance(key, str):
                    recorder.keys.add(key)
                return original(self, key, *args, **kwargs)

            return method

        for name in originals:
            setattr(MultiValueDict, name, wrap(name))
        return self

    def __exit__(self, *exc):
        for name, original in self._saved.items():
            setattr(MultiValueDict, name, original)


IGNORED_KEYS = {"csrfmiddlewaretoken"}


# --- fixtures ----------------------------------------------------------------------------


# Hundreds of sign-in attempts: a fast hasher (the slow one is not what is under test).
FAST_HASHER = override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """The demo plus every role, built once for the module and rolled back after it."""
    with FAST_HASHER, django_db_blocker.unblock(), transaction.atomic():
        ds = build_dataset()
        yield ds
        transaction.set_rollback(True)


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.PASSWORD_HASHERS = FAST_HASHER.options["PASSWORD_HASHERS"]
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    import logging

    quiet = [logging.getLogger(n) for n in ("django.request", "django.security", "django")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL + 1)
    yield
    for logger, level in zip(quiet, levels, strict=True):
        logger.setLevel(level)


def role_cookies(ds: Dataset) -> dict:
    cookies = {}
    for role, user in ds.users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        cookies[role] = client.cookies
    return cookies


# --- the tests ---------------------------------------------------------------------------


def test_catalogue_covers_every_category_of_the_issue():
    missing = fk.ISSUE_CATEGORIES - set(fk.HOSTILE)
    assert not missing, f"hostile categories of issue 9 missing from the catalogue: {missing}"
    assert all(fk.HOSTILE[c] for c in fk.ISSUE_CATEGORIES)
    values = [v for _, v in fk.catalogue()]
    assert {c for c, _ in fk.catalogue(1)} == set(fk.HOSTILE), "each category in every profile"
    assert "\x00" in values and "²" in values and "\u202eetaD" in values
    assert any(isinstance(v, str) and len(v) >= 100_000 for v in values)
    for email in fk.HOSTILE["long_email_casefold"][:2]:
        validate_email(email)  # a valid address…
        assert len(email) <= 254 < len(email.casefold())  # …that grows past 254 when folded
    json_categories = {c for c, _ in fk.JSON_VALUES} | {c for c, _ in fk.RAW_BODIES}
    assert {"dates", "token", "surrogate", "nested_brackets", "huge_number"} <= json_categories
    assert any(v == "2031-02-30T10:00:00+01:00" for _, v in fk.JSON_VALUES)
    assert any(isinstance(v, str) and v.endswith("+24:00") for _, v in fk.JSON_VALUES)
    assert {"charset_utf16", "huge_content_length"} <= {c for c, _, _ in fk.BODY_VARIANTS}
    assert {"host", "accept_language"} <= {c for c, _ in fk.HEADER_VARIANTS}
    drawn = fk.generated_values(10)
    assert drawn == fk.generated_values(10), "the Hypothesis draws must not change between runs"


def test_every_route_can_be_filled(dataset, db):
    """Each route of the project is reachable by the fuzz test: a new page (or a new path
    parameter) must be given a way to fill it in FILLERS, so that nobody adds a page
    without fuzz coverage."""
    problems = []
    routes = fk.all_routes()
    assert len(routes) > 50
    for route in routes:
        try:
            urls = route_urls(route, dataset)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        try:
            match = resolve(urls[0].split("?")[0])
        except Resolver404:
            problems.append(f"{urls[0]} built for {route.pattern!r} does not resolve")
            continue
        if not route.is_regex and match.route != route.pattern:
            problems.append(f"{urls[0]} resolves to {match.route!r}, not {route.pattern!r}")
    unused = set(FILLERS) - {r.key for r in routes}
    assert not unused, f"FILLERS names routes that no longer exist: {sorted(unused)}"
    assert not problems, "\n".join(problems)


@dataclass
class Page:
    """What the discovery saw of one route."""

    route: fk.Route
    url: str
    get_ok: dict = field(default_factory=dict)  # role → status
    query_keys: dict = field(default_factory=lambda: defaultdict(set))  # role → keys read
    post_keys: dict = field(default_factory=lambda: defaultdict(set))
    post_allowed: set = field(default_factory=set)  # roles for which POST was not a 405


def test_fuzz_every_route(dataset, db, production, client):
    started = time.monotonic()
    client.raise_request_exception = False
    ds = dataset
    routes = fk.all_routes()
    hypothesis_values = fk.generated_values(HYPOTHESIS_DRAWS)
    draws = iter(range(10**9))

    def some_draws():
        n = next(draws)
        return [
            hypothesis_values[(n * DRAWS_PER_FIELD + i) % len(hypothesis_values)]
            for i in range(DRAWS_PER_FIELD)
        ]

    short = fk.catalogue(PROFILE["query"])

    SUMMARY.parent.mkdir(exist_ok=True)
    log = SUMMARY.with_name("fuzz-failures.log")
    with fk.Fuzzer(client, role_cookies(ds), log=log) as fuzz:
        pages: dict[str, Page] = {}
        forms: dict[str, list[tuple[str, str, fk.Form]]] = defaultdict(list)  # route → forms

        fuzz.phase("matrix")

        # 1. discovery, and the role × URL matrix: every route as every role (GET and an
        #    empty POST), on the main object and on its neighbours
        for route in routes:
            urls = route_urls(route, ds)
            page = pages[route.key] = Page(route, urls[0])
            is_admin = route.namespace == "admin"
            for index, url in enumerate(urls):
                roles = ROLES if index == 0 else ["anonymous", "organiser", "other_organiser"]
                if "token" not in route.pattern:
                    roles = [r for r in roles if r != "registrant"]  # same as anonymous
                if is_admin:  # the other roles are all sent to the sign-in page alike
                    roles = ADMIN_ROLES if index == 0 else ["superuser"]
                for role in roles:
                    with Recorder() as rec:
                        status, response = fuzz.send("GET", url, role=role, category="matrix")
                    if index == 0 and isinstance(status, int) and status < 300:
                        page.get_ok[role] = status
                        page.query_keys[role] |= rec.keys - IGNORED_KEYS
                        if response is not None and "html" in response.get("Content-Type", ""):
                            parsed = fk.parse_html(fk.read_body(response))
                            here = urlsplit(url).path
                            page.query_keys[role] |= {
                                k
                                for path, k in parsed.link_params
                                if k and len(k) < 60 and path in ("", here)
                            }
                            for form in parsed.forms:
                                target = _form_target(form, url)
                                if target is not None:
                                    forms[target].append((role, url, form))
                    if index > 0 or role not in MATRIX_POST_ROLES:
                        continue  # the neighbours: GET only
                    with Recorder() as rec:
                        status, response = fuzz.send(
                            "POST",
                            url,
                            role=role,
                            body=b"",
                            content_type="application/x-www-form-urlencoded",
                            category="matrix",
                            check_writes=True,
                        )
                    if index == 0 and status != 405:
                        page.post_allowed.add(role)
                        page.post_keys[role] |= rec.keys - IGNORED_KEYS
        # GET forms give query parameters of their target
        for target, found in forms.items():
            if target in pages:
                for role, _, form in found:
                    if form.method == "get":
                        pages[target].query_keys[role] |= set(form.names()) - IGNORED_KEYS

        fuzz.phase("path")

        # 2. hostile path parameters (GET, and POST where the route takes it)
        for route in routes if "path" in PHASES else []:
            page = pages[route.key]
            role = _best_role(page.get_ok) or _best_role(dict.fromkeys(page.post_allowed, 1))
            role = role or "anonymous"
            for url, name, value in hostile_path_urls(route, ds):
                fuzz.send("GET", url, role=role, field_name=name, value=value, category="path")
                if role in page.post_allowed and route.namespace != "admin":
                    fuzz.send(
                        "POST",
                        url,
                        role=role,
                        content_type="application/x-www-form-urlencoded",
                        field_name=name,
                        value=value,
                        category="path",
                        check_writes=True,
                    )

        fuzz.phase("query")

        # 3. hostile query parameters: each parameter a view reads, one at a time, as the
        #    roles that can open the page; then all of them at once
        fuzzed_sets = set()  # (app, keys): pages of one app reading the same parameters
        for page in pages.values() if "query" in PHASES else []:
            if page.route.namespace == "checkin_api":
                continue  # JSON API: step 5
            is_admin = page.route.namespace == "admin"
            app = page.route.view.split(".")[0]
            for number, role in enumerate(_fuzz_roles(page.get_ok)):
                keys = sorted(page.query_keys.get(role, set()))
                if is_admin:  # Django's own parameters left out, the filters kept
                    keys = [k for k in keys if k not in ADMIN_OWN_KEYS]
                # the admin's many filters, and a second role on a page already fuzzed
                # anonymously, get the sharpest values only
                # (a list, a map and an export of the same filters share one parser: the
                # first gets every value, the others the sharpest)
                if is_admin:
                    catalogue = fk.SHARP[:4]
                elif number > 0 or (app, tuple(keys)) in fuzzed_sets:
                    catalogue = fk.SHARP
                else:
                    catalogue = short + some_draws()
                    fuzzed_sets.add((app, tuple(keys)))
                if DEBUG:
                    print(f"    query {page.url} as {role}: {keys}", flush=True)
                for key in keys:
                    for category, value in catalogue:
                        fuzz.send(
                            "GET",
                            page.url,
                            role=role,
                            query=[(key, value)],
                            field_name=key,
                            value=value,
                            category=category,
                        )
                    # the parameter given twice, and as a list
                    fuzz.send(
                        "GET",
                        page.url,
                        role=role,
                        query=[(key, "1"), (key, "²")],
                        field_name=key,
                        value=["1", "²"],
                        category="repeated",
                    )
                if len(keys) > 1 and not is_admin:
                    for category, value in fk.SHARP:
                        fuzz.send(
                            "GET",
                            page.url,
                            role=role,
                            query=[(k, value) for k in keys],
                            field_name="*all*",
                            value=value,
                            category=category,
                        )

        fuzz.phase("forms")

        # 4. hostile form fields: every field of every form (found in the pages' HTML,
        #    plus the POST keys the view reads), one at a time, the others filled as a
        #    person would; a refused form must write nothing
        for target, found in forms.items() if "forms" in PHASES else []:
            page = pages.get(target)
            if page is None or page.route.namespace == "checkin_api":
                continue
            for role, url, form, baseline in _distinct_forms(found, page):
                if DEBUG:
                    print(f"    form {target} as {role}: {[k for k, _ in baseline]}", flush=True)
                _fuzz_form(fuzz, page, role, url, form, baseline, some_draws)

        fuzz.phase("api")

        # 5. the door's JSON API
        if "api" in PHASES:
            _fuzz_api(fuzz, ds, some_draws)

        fuzz.phase("headers")

        # 6. hostile headers, bodies and methods, spread over every route
        if "headers" in PHASES:
            _fuzz_headers(fuzz, pages)

    fuzz.phase("end")
    elapsed = time.monotonic() - started
    summary = f"{fuzz.summary()}; {elapsed:.0f} s"
    report = fuzz.report()
    SUMMARY.parent.mkdir(exist_ok=True)
    SUMMARY.write_text(summary + "\n\n" + report + "\n")
    print("\n" + summary)
    assert not fuzz.failures, report


# --- helpers of the fuzz test ------------------------------------------------------------

HOSTILE_FILES: list[tuple[str, bytes]] = [
    ("csv_nul_late", b"nom;commune\n" + b"P;26281\n" * 600 + b"P\x00le;26281\n"),
    ("csv_huge_field", b"nom;commune\n" + b"x" * 140_000 + b";26281\n"),
    ("csv_mixed_encoding", "nom;commune\nPôle;26281\nÉcole\n".encode() + b"Caf\xe9;26281\n"),
    ("csv_unicode_id", b"id;nom;commune\n\xc2\xb2;P;26281\n"),
    ("csv_empty", b""),
    ("csv_binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("csv_utf16", "nom;commune\nPôle;26281\n".encode("utf-16")),
    ("csv_quotes", b'nom;commune\n"P;26281\n'),
    ("csv_bidi", "nom;commune\n\u202ePôle;26281\n".encode()),
    ("csv_formula", b'nom;commune\n=HYPERLINK("x");26281\n'),
]


def _fuzz_form(fuzz: fk.Fuzzer, page: Page, role, url, form: fk.Form, baseline, some_draws):
    """Each field of one form in turn with every hostile value, each field missing, and
    hostile files in its file fields; the admin's long forms get all their fields at once
    with each of the sharpest values."""
    action = _form_action(form, url)
    keys = [k for k, _ in baseline if k not in IGNORED_KEYS]
    keys += sorted(page.post_keys.get(role, set()) - set(keys))
    keys = list(dict.fromkeys(keys))
    files = fk.file_fields(form)
    is_admin = page.route.namespace == "admin"
    default_files = dict.fromkeys(files, ("poles.csv", b"nom;commune\nP\xc3\xb4le;26281\n"))
    multipart = bool(files) or form.enctype == "multipart/form-data"

    def post(data, *, name, value, category, files_=None):
        if multipart:
            body = fk.multipart(data, default_files if files_ is None else files_)
            content_type = "multipart/form-data; boundary=fuzzboundary"
        else:
            body = fk.urlencode(data).encode()
            content_type = "application/x-www-form-urlencoded"
        fuzz.send(
            "POST",
            action,
            role=role,
            body=body,
            content_type=content_type,
            field_name=name,
            value=value,
            category=category,
            check_writes=True,
            after=_read_back(fuzz, role, action),
        )

    post(baseline, name="", value=None, category="baseline")
    if is_admin:
        # Django's model forms, long: every field at once with each of the sharpest values
        hidden = {f["name"] for f in form.fields if f.get("type") == "hidden" and f.get("name")}
        for category, value in fk.SHARP:
            data = [(k, v) for k, v in baseline if k in hidden]
            data += [(k, value) for k in keys if k not in hidden]
            post(data, name="*all*", value=value, category=category)
        return
    for key in keys:
        values = fk.catalogue(PROFILE["form"]) + some_draws()
        others = [(k, v) for k, v in baseline if k != key]
        for category, value in values:
            post([*others, (key, value)], name=key, value=value, category=category)
        post(others, name=key, value="(missing)", category="missing")
    for name in files:
        for category, content in HOSTILE_FILES:
            post(
                baseline,
                name=name,
                value=content[:40],
                category=category,
                files_={name: ("fichier.csv", content)},
            )


def _form_target(form: fk.Form, page_url: str) -> str | None:
    path = urlsplit(form.action).path if form.action else urlsplit(page_url).path
    if form.action and urlsplit(form.action).netloc not in ("", "testserver"):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace:
        return f"{match.namespace}:{match.url_name}" if match.url_name else match.route
    return match.url_name or match.route


def _form_action(form: fk.Form, page_url: str) -> str:
    if not form.action:
        return urlsplit(page_url).path
    parts = urlsplit(form.action)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _distinct_forms(found, page):
    """One of each POST form (by field names and submit values), the role first in
    PRIVILEGED that saw it, plus anonymous when anonymous can use it."""
    seen = {}
    order = {role: i for i, role in enumerate(["anonymous", "registrant", *PRIVILEGED])}
    for role, url, form in sorted(found, key=lambda f: order.get(f[0], 99)):
        if form.method != "post":
            continue
        buttons = tuple(
            sorted(
                f.get("value") or "" for f in form.fields if f["tag"] == "button" and f.get("name")
            )
        )
        signature = (tuple(sorted(set(form.names()))), buttons, _form_action(form, url))
        roles = seen.setdefault(signature, [])
        if len(roles) < 2 and not (roles and roles[0][0] != "anonymous" and role != "anonymous"):
            roles.append((role, url, form))
    out = []
    for items in seen.values():
        for role, url, form in items:
            # one variant per submit button value (approve / reject …)
            buttons = [f for f in form.fields if f["tag"] == "button" and f.get("name")]
            variants = buttons[:3] or [None]
            for button in variants:
                baseline = fk.form_baseline(form)
                if button is not None:
                    baseline = [(k, v) for k, v in baseline if k != button["name"]]
                    baseline.append((button["name"], button.get("value") or ""))
                out.append((role, url, form, baseline))
    return out[:12]


def _best_role(statuses: dict) -> str | None:
    for role in PRIVILEGED:
        if role in statuses:
            return role
    for role in ("anonymous", "registrant", "other_organiser", "pole_manager"):
        if role in statuses:
            return role
    return None


def _fuzz_roles(statuses: dict) -> list[str]:
    roles = []
    if "anonymous" in statuses:
        roles.append("anonymous")
    best = _best_role(statuses)
    if best and best not in roles:
        roles.append(best)
    return roles


READERS = {  # where an app's writes are read back (one or two pages each, for time)
    "events": [f"/gestion/evenements/{DEMO_SLUG}/"],
    "checkin": [f"/gestion/evenements/{DEMO_SLUG}/accueil/"],
    "registry": ["/poles/", "/donnees/poles.csv"],
    "charter": ["/charte/signataires.json"],
}


def _read_back(fuzz: fk.Fuzzer, role: str, action: str):
    """After a form was accepted: what it wrote must read back (the page it redirects to,
    and the app's main lists), inside the same savepoint."""

    def after(response):
        targets = []
        location = response.get("Location") if response is not None else None
        if location and urlsplit(location).netloc in ("", "testserver"):
            parts = urlsplit(location)
            targets.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        app = _app_of(action)
        targets += READERS.get(app, [])
        for url in targets:
            fuzz.use_role("superuser")
            response = fuzz.client.get(url)
            if response.status_code >= 500:
                fuzz.fail(
                    fk.Failure(
                        "5xx",
                        "GET",
                        url,
                        "superuser",
                        "(read-back after an accepted POST to " + action + ")",
                        "",
                        response.status_code,
                        fuzz._exc[-1] if fuzz._exc else "read-back failed",
                    )
                )
            fuzz.sent["GET"] += 1
        fuzz.use_role(role)

    return after


def _app_of(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return ""
    return match.func.__module__.split(".")[0]


def _fuzz_api(fuzz: fk.Fuzzer, ds: Dataset, some_draws):
    values = ds.values
    device = {"HTTP_AUTHORIZATION": f"Device {values['device_secret']}"}
    with_pass = {**device, "HTTP_X_DOOR_PASS": values["door_pass"]}
    nonce = iter(range(10**9))

    def scan(**overrides):
        item = {
            "nonce": f"fuzz-{next(nonce):08d}",
            "token": values["ticket"],
            "scanned_at": fk.now_iso(),
            "id_checked": True,
            "offline": True,
        }
        item.update(overrides)
        return item

    def batch(scans, **overrides):
        data = {"version": 1, "device_time": fk.now_iso(), "scans": scans}
        data.update(overrides)
        return data

    def read_back(response):
        # what a batch stored must read back everywhere admissions are shown
        # (the projection, the attendance CSV and the certificate read the same rows)
        for url, role, headers in [
            ("/api/accueil/v1/liste", "agent", device),
            (f"/gestion/evenements/{DEMO_SLUG}/accueil/", "organiser", {}),
        ]:
            fuzz.use_role(role)
            result = fuzz.client.get(url, **headers)
            fuzz.sent["GET"] += 1
            if result.status_code >= 500:
                fuzz.fail(
                    fk.Failure(
                        "5xx",
                        "GET",
                        url,
                        role,
                        "(read-back after an accepted sync)",
                        "",
                        result.status_code,
                        fuzz._exc[-1] if fuzz._exc else "read-back failed",
                    )
                )

    def sync(data, *, name, value, category, role="agent", headers=with_pass, raw=None):
        fuzz.send(
            "POST",
            "/api/accueil/v1/sync",
            role=role,
            body=raw if raw is not None else fk.json_body(data),
            content_type="application/json",
            headers=headers,
            field_name=name,
            value=value,
            category=category,
            check_writes=True,
            rejected=lambda r: r.status_code >= 400,
            after=read_back,
        )

    tickets = [values["ticket"], values["ticket_waiting"], values["ticket_cancelled"]]
    tickets.append(values["ticket_draft"])
    # each field of a scan, and of the batch, with every hostile JSON value and string
    strings = [(c, v) for c, v in fk.catalogue(PROFILE["api"]) if isinstance(v, str)]
    for key in ("nonce", "token", "scanned_at", "id_checked", "offline"):
        for category, value in fk.JSON_VALUES + strings + some_draws():
            sync(
                batch([scan(**{key: value})]), name=f"scans[].{key}", value=value, category=category
            )
            if key not in ("token", "scanned_at"):
                continue
            # a bad scan followed by a good one, in one batch
            sync(
                batch([scan(**{key: value}), scan()]),
                name=f"scans[0].{key} + good scan",
                value=value,
                category=category,
            )
    for key in ("version", "device_time", "scans"):
        for category, value in fk.JSON_VALUES + strings[:20]:
            sync({**batch([scan()]), key: value}, name=key, value=value, category=category)
    # device_time far from scanned_at (a date overflow when one is moved by the other)
    for device_time, scanned_at in [
        ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"),
        ("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"),
        ("0001-01-02T00:00:00+14:00", fk.now_iso()),
        (fk.now_iso(), "0001-01-01T00:30:00+01:00"),
        (fk.now_iso(), fk.now_iso(timedelta(days=3650))),
    ]:
        sync(
            batch([scan(scanned_at=scanned_at)], device_time=device_time),
            name="device_time/scanned_at",
            value=(device_time, scanned_at),
            category="dates",
        )
    for ticket in tickets:
        sync(batch([scan(token=ticket)]), name="token", value=ticket[:20], category="tickets")
    for category, raw in fk.RAW_BODIES:
        sync(None, name="(body)", value=raw[:30], category=category, raw=raw)
    # who sends it: no device, another event's device, a forged pass, a revoked device
    for label, headers, role in [
        ("no device", {}, "agent"),
        (
            "draft event's device",
            {"HTTP_AUTHORIZATION": f"Device {values['draft_device_secret']}"},
            "agent",
        ),
        ("forged pass", {**device, "HTTP_X_DOOR_PASS": "x" * 500}, "anonymous"),
        ("hostile secret", {"HTTP_AUTHORIZATION": "Device \u00e9\x00" + "x" * 3000}, "agent"),
        ("not a device", {"HTTP_AUTHORIZATION": "Bearer x"}, "supervisor"),
    ]:
        sync(
            batch([scan()]), name="(auth)", value=label, category="auth", role=role, headers=headers
        )
        fuzz.send(
            "GET",
            "/api/accueil/v1/liste",
            role=role,
            headers=headers,
            field_name="(auth)",
            value=label,
            category="auth",
        )
    # the door list with hostile query parameters
    for category, value in fk.catalogue(1):
        fuzz.send(
            "GET",
            "/api/accueil/v1/liste",
            role="agent",
            query=[("since", value), ("version", value)],
            headers=device,
            field_name="since,version",
            value=value,
            category=category,
        )

    # supervisor calls: override and walk-in, each field with every hostile value
    def supervisor_call(url, data, *, name, value, category, raw=None):
        fuzz.send(
            "POST",
            url,
            role="supervisor",
            body=raw if raw is not None else fk.json_body(data),
            content_type="application/json",
            headers=device,
            field_name=name,
            value=value,
            category=category,
            check_writes=True,
            rejected=lambda r: r.status_code >= 400,
            after=read_back,
        )

    override = {
        "version": 1,
        "nonce": "fuzz-override-1",
        "token": values["ticket_cancelled"],
        "reason": "Annulation par erreur, vérifiée à l'accueil.",
        "id_checked": True,
    }
    walk_in = {
        "version": 1,
        "nonce": "fuzz-walkin-01",
        "first_name": "Zoé",
        "last_name": "Sur-Place",
        "email": "sur.place@example.org",
        "organisation": "Pôle fuzz",
        "category": "ptce_member",
        "consent": True,
        "id_checked": True,
    }
    for url, base in [
        ("/api/accueil/v1/derogation", override),
        ("/api/accueil/v1/sur-place", walk_in),
    ]:
        supervisor_call(url, base, name="(baseline)", value=None, category="baseline")
        for key in base:
            for category, value in fk.JSON_VALUES + strings + some_draws():
                supervisor_call(url, {**base, key: value}, name=key, value=value, category=category)
        for category, raw in fk.RAW_BODIES:
            supervisor_call(url, None, name="(body)", value=raw[:30], category=category, raw=raw)
    for ticket in tickets:
        supervisor_call(
            "/api/accueil/v1/derogation",
            {**override, "token": ticket},
            name="token",
            value=ticket[:20],
            category="tickets",
        )


def _fuzz_headers(fuzz: fk.Fuzzer, pages: dict):
    """Every hostile header on a few pages, and each route with a share of them; bodies
    of the wrong charset or shape to every POST route; unusual methods on every route."""
    pages_list = list(pages.values())
    key_pages = [
        p
        for p in pages_list
        if p.route.key
        in (
            "events:home",
            "events:register",
            "registry:directory",
            "charter:sign",
            "accounts:login",
        )
    ]
    for index, page in enumerate(pages_list):
        role = _best_role(page.get_ok) or "anonymous"
        variants = (
            fk.HEADER_VARIANTS
            if page in key_pages
            else [fk.HEADER_VARIANTS[(index * 3 + i) % len(fk.HEADER_VARIANTS)] for i in range(3)]
        )
        for category, headers in variants:
            fuzz.send(
                "GET",
                page.url,
                role=role,
                headers=headers,
                field_name="(header)",
                value=headers,
                category=category,
            )
        for method in fk.METHODS if (page in key_pages or index % 3 == 0) else fk.METHODS[:1]:
            fuzz.send(
                method, page.url, role=role, field_name="(method)", value=method, category="method"
            )
        if page.post_allowed:
            post_role = role if role in page.post_allowed else sorted(page.post_allowed)[0]
            for category, content_type, body in fk.BODY_VARIANTS:
                headers = (
                    {"CONTENT_LENGTH": "99999999999"} if category == "huge_content_length" else {}
                )
                fuzz.send(
                    "POST",
                    page.url,
                    role=post_role,
                    body=body,
                    content_type=content_type,
                    headers=headers,
                    field_name="(body)",
                    value=category,
                    category=category,
                    check_writes=True,
                )


@pytest.mark.urls("core.tests.fuzz_selfcheck_urls")
def test_the_sender_sees_5xx_and_half_written_requests(db, production, client):
    """The fuzz test cannot pass for want of looking: a crash, a crash in the middle of a
    streamed file, and a refused request that wrote are each reported; an accepted write
    is not."""
    client.raise_request_exception = False
    user = get_user_model().objects.create_user("fuzz-check", password="x-pass-1234")
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(user)
    cookies = {"anonymous": anonymous.cookies, "someone": signed_in.cookies}
    with fk.Fuzzer(client, cookies) as fuzz:
        fuzz.send("GET", "/crash/", role="anonymous", query=[("n", "²")], field_name="n")
        fuzz.send("GET", "/stream/", role="someone")
        fuzz.send("POST", "/half-written/", role="anonymous", check_writes=True)
        fuzz.send("POST", "/accepted/", role="anonymous", check_writes=True)
    kinds = [(f.kind, urlsplit(f.url).path, f.role) for f in fuzz.failures]
    assert kinds == [
        ("5xx", "/crash/", "anonymous"),
        ("5xx", "/stream/", "someone"),
        ("half-written", "/half-written/", "anonymous"),
    ], fuzz.report()
    assert "ValueError" in fuzz.failures[0].cause
    assert "core.AuditEntry +1" in fuzz.failures[2].cause
    assert "/crash/ — ValueError" in fuzz.report()
