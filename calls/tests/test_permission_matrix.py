"""Who reaches what (issue 12, part 5): every URL of the calls app, for every role, and
what must not leak to a conflicted juror or another pole (pages, JSON, exports, emails).

The URL names are read from the resolver: a new URL without its row here fails the test."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from calls.models import (
    Application,
    Assignment,
    Call,
    CallDocument,
    Conflict,
    Decision,
    Juror,
    Question,
)
from calls.services import applications as apply_services
from calls.services import decisions as decide_services
from calls.services import jury as jury_services
from calls.services import reviews as review_services
from calls.tests import decide_helpers
from calls.tests.apply_helpers import PDF, make_pole, upload
from calls.tests.conftest import make_call, make_user
from calls.tokens import invitation_token

# distinctive strings of A's file: none may reach the conflicted juror or pole B's manager
A_TITLE = "Conserverie Zéphyrine"
A_POLE = "Pôle Azurite des Combes"
A_SUMMARY = "Résumé-Pangolin des surplus"
A_COMMENT = "Commentaire-Xylophone"
A_MESSAGE = "Discussion-Quetzal sur le budget"
A_AMOUNT = "91234"
A_FILE = "budget-azurite.pdf"
B_TITLE = "Ressourcerie Orbitale"
B_POLE = "Pôle Basalte du Val"
OTHER_AMOUNT = "77777"  # a laureate of a call whose results are not published

ROLES = (
    "anonymous",
    "pole_a",
    "pole_b",
    "juror_assigned",
    "juror_conflicted",
    "juror_other",
    "manager",
    "calls_staff",
    "staff",
)


def _fill(application, actor, title, summary):
    question = Question.objects.get(section__call=application.call)
    return apply_services.application_save_draft(
        application=application,
        data={
            "project_title": title,
            "summary": summary,
            "amount_requested": "120000",
            f"q{question.pk}": "Cinq structures coopèrent.",
        },
        version=application.version,
        actor=actor,
    )


# The world is built once for the module, in a transaction rolled back after it; each test
# runs in a savepoint of it (its writes are undone before the next), its files in one
# folder, and one worker runs them all (conftest.py: pytest_itemcollected).
pytestmark = pytest.mark.django_db


def _storages(location) -> dict:
    return {
        **settings.STORAGES,
        "calls": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }


@pytest.fixture(scope="module")
def _world_files(tmp_path_factory):
    return tmp_path_factory.mktemp("calls-matrix")


@pytest.fixture(autouse=True)
def _private_files(settings, _world_files):
    """The calls' files in the world's folder (instead of each test's, conftest)."""
    settings.STORAGES = _storages(_world_files)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _world_files):
    """The whole flow, emails included: two poles apply, a jury is invited, a conflict is
    confirmed, A's file is scored and discussed, decided, notified and published. The
    emails sent are kept in ``outbox`` (the tests' mailbox is emptied before each)."""
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=_storages(_world_files)),
        translation.override("fr"),
        transaction.atomic(),
    ):
        mail.outbox = []
        w = _build_world()
        w["outbox"] = list(mail.outbox)
        yield w
        transaction.set_rollback(True)


def _build_world() -> dict:
    w = {}
    manager = make_user("gestionnaire")
    calls_staff = make_user("equipe-appels", is_staff=True)
    calls_staff.user_permissions.add(Permission.objects.get(codename="change_call"))
    staff = make_user("equipe", is_staff=True)
    w["users"] = users = {
        "manager": manager,
        "calls_staff": calls_staff,
        "staff": staff,
        "pole_a": make_user("porteuse-a"),
        "pole_b": make_user("porteur-b"),
        "juror_assigned": make_user("jure-assigne"),
        "juror_conflicted": make_user("jure-conflit"),
        "juror_other": make_user("jure-autre"),
    }
    the_call = make_call(slug="appel-matrice", budget=Decimal("500000"))
    the_call.managers.add(manager)
    stage = the_call.stages.get()
    pole_a = make_pole(A_POLE, managers=[users["pole_a"]])
    pole_b = make_pole(B_POLE, "21231", managers=[users["pole_b"]])

    with TestCase.captureOnCommitCallbacks(execute=True):
        app_a = apply_services.application_start(call=the_call, pole=pole_a, actor=users["pole_a"])
        app_a = _fill(app_a, users["pole_a"], A_TITLE, A_SUMMARY)
        attachment = apply_services.attachment_add(
            application=app_a, upload=upload(PDF, A_FILE), actor=users["pole_a"]
        )
        app_a.refresh_from_db()
        app_a = apply_services.application_submit(
            application=app_a, version=app_a.version, actor=users["pole_a"]
        )
        app_b = apply_services.application_start(call=the_call, pole=pole_b, actor=users["pole_b"])
        app_b = _fill(app_b, users["pole_b"], B_TITLE, "Réparer et revendre.")
        app_b = apply_services.application_submit(
            application=app_b, version=app_b.version, actor=users["pole_b"]
        )
    Call.objects.filter(pk=the_call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    the_call.refresh_from_db()
    Application.objects.filter(pk__in=[app_a.pk, app_b.pk]).update(stage=stage)

    seats = {}
    for role in ("juror_assigned", "juror_conflicted"):
        u = users[role]
        with TestCase.captureOnCommitCallbacks(execute=True):  # sent before accepting
            seat = jury_services.juror_invite(
                stage=stage, name=u.username, email=u.email, actor=manager
            )
        Juror.objects.filter(pk=seat.pk).update(
            user=u, accepted_at=timezone.now(), declared_at=timezone.now()
        )
        seat.refresh_from_db()
        seats[role] = seat
    with TestCase.captureOnCommitCallbacks(execute=True):
        # an invitation still waiting: its link is the ``accept`` row
        w["pending"] = jury_services.juror_invite(
            stage=stage, name="Invitée", email="invitee@example.org", actor=manager
        )
    conflict = Conflict.objects.create(
        juror=seats["juror_conflicted"],
        application=app_a,
        level=Conflict.Level.CONFLICT,
        reason="declared",
        note="Je siège au bureau du pôle.",
        source=Conflict.Source.JUROR,
        status=Conflict.Status.CONFIRMED,
        decided_by=manager,
        decided_at=timezone.now(),
    )
    assignment_a = Assignment.objects.create(
        stage=stage, application=app_a, juror=seats["juror_assigned"], source="hand"
    )
    assignment_b = Assignment.objects.create(
        stage=stage, application=app_b, juror=seats["juror_conflicted"], source="hand"
    )
    criteria = list(stage.criteria.all())
    with TestCase.captureOnCommitCallbacks(execute=True):
        review_services.review_save(
            assignment=assignment_a,
            scores={c.pk: "4" for c in criteria},
            comments={criteria[0].pk: A_COMMENT},
            submit=True,
            actor=users["juror_assigned"],
        )
        review_services.message_post(
            application=app_a,
            juror=seats["juror_assigned"],
            body=A_MESSAGE,
            actor=users["juror_assigned"],
        )
        review_services.review_save(
            assignment=assignment_b,
            scores={c.pk: "2" for c in criteria},
            comments={},
            submit=True,
            actor=users["juror_conflicted"],
        )
        decide_services.decision_record(
            application=app_a, outcome="laureate", amount=A_AMOUNT, reason="Bravo", actor=manager
        )
        decide_services.decision_record(
            application=app_b, outcome="refused", reason="Ancrage faible", actor=manager
        )
        decide_services.results_notify(call=the_call, actor=manager)
        decide_services.results_publish(
            call=the_call,
            actor=manager,
            grantor_name="État",
            grantor_siret="11000201100044",
            payments_from=date(2026, 1, 1),
            payments_until=date(2026, 12, 31),
        )
    the_call.refresh_from_db()

    # another call: its own jury (juror_other) and a laureate not yet published
    other_call = make_call(slug="autre-appel", title="Un autre appel")
    other_stage = other_call.stages.get()
    seats["juror_other"] = Juror.objects.create(
        stage=other_stage,
        name="Autre",
        email=users["juror_other"].email,
        user=users["juror_other"],
        accepted_at=timezone.now(),
        declared_at=timezone.now(),
    )
    other_app = decide_helpers.submitted(other_call, title="Projet secret")
    Decision.objects.create(
        application=other_app,
        outcome="laureate",
        amount=Decimal(OTHER_AMOUNT),
        reason="Bien",
        decided_by=manager,
        decided_at=timezone.now(),
    )

    document = CallDocument(call=the_call, title="Cahier des charges", position=1)
    document.file.save("cdc.pdf", ContentFile(PDF), save=False)
    document.content_type, document.size, document.sha256 = "application/pdf", len(PDF), "0" * 64
    document.save()

    w.update(
        call=the_call,
        stage=stage,
        app_a=app_a,
        app_b=app_b,
        attachment=attachment,
        seats=seats,
        conflict=conflict,
        assignment_a=assignment_a,
        assignment_b=assignment_b,
        document=document,
        question=Question.objects.get(section__call=the_call),
    )
    return w


# --- the matrix -----------------------------------------------------------------------------
# OK: the view answers (2xx, or a redirect elsewhere than the login page; for a POST, also a
# refusal of the empty form, 400/409: the access check was passed). LOGIN: redirected to
# log in. 403, 404: refused. GET on a POST-only view is checked apart (405 or LOGIN).

OK, LOGIN = "ok", "login"
EVERYONE = dict.fromkeys(ROLES, OK)
SIGNED_IN = {**EVERYONE, "anonymous": LOGIN}
MANAGERS = {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN, "manager": OK, "calls_staff": OK}
APPLICANT = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN}
APPLICANT.update(pole_a=OK, manager=OK, calls_staff=OK)
REVIEWER = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN, "juror_assigned": OK}


def _kwargs(w) -> dict:
    slug = w["call"].slug
    a = w["app_a"].pk
    return {
        "calls:list": {},
        "calls:call": {"slug": slug},
        "calls:document": {"slug": slug, "document_id": w["document"].pk},
        "calls:laureates": {"slug": slug},
        "calls:apply_start": {"slug": slug},
        "calls:apply_draft": {"slug": slug, "pk": a},
        "calls:apply_attach": {"slug": slug, "pk": a},
        "calls:apply_detach": {"slug": slug, "pk": a, "attachment_pk": w["attachment"].pk},
        "calls:apply_attachment": {"slug": slug, "pk": a, "attachment_pk": w["attachment"].pk},
        "calls:apply_submit": {"slug": slug, "pk": a},
        "calls:apply_receipt": {"slug": slug, "pk": a},
        "calls:apply_receipt_pdf": {"slug": slug, "pk": a},
        "calls:apply_withdraw": {"slug": slug, "pk": a},
        "calls_jury:home": {},
        "calls_jury:accept": {"token": invitation_token(w["pending"])},
        "calls_jury:declare": {"pk": w["seats"]["juror_assigned"].pk},
        "calls_jury:grid": {"pk": w["assignment_a"].pk},
        "calls_jury:message": {"pk": w["assignment_a"].pk},
        "calls_jury:conflict": {"pk": w["assignment_a"].pk},
        "calls_jury:attachment": {"pk": w["attachment"].pk},
        "calls_manage:list": {},
        "calls_manage:create": {},
        "calls_manage:call": {"slug": slug},
        "calls_manage:publish": {"slug": slug},
        "calls_manage:form": {"slug": slug},
        "calls_manage:question": {"slug": slug, "question_id": w["question"].pk},
        "calls_manage:stages": {"slug": slug},
        "calls_manage:stage": {"slug": slug, "stage_id": w["stage"].pk},
        "calls_manage:documents": {"slug": slug},
        "calls_manage:decisions": {"slug": slug},
        "calls_manage:decision_record": {"slug": slug, "application": a},
        "calls_manage:ranking": {"slug": slug, "stage": w["stage"].pk},
        "calls_manage:minutes": {"slug": slug},
        "calls_manage:results_notify": {"slug": slug},
        "calls_manage:results_publish": {"slug": slug},
        "calls_manage:stage_jury": {"pk": w["stage"].pk},
        "calls_manage:stage_jury_invite": {"pk": w["stage"].pk},
        "calls_manage:stage_jury_reinvite": {
            "pk": w["stage"].pk,
            "juror": w["seats"]["juror_assigned"].pk,
        },
        "calls_manage:stage_jury_detect": {"pk": w["stage"].pk},
        "calls_manage:stage_jury_conflict_add": {"pk": w["stage"].pk},
        "calls_manage:applications": {"slug": slug},
        "calls_manage:application_reopen": {"slug": slug, "pk": a},
        "calls_manage:stage_jury_decide": {"pk": w["stage"].pk, "conflict": w["conflict"].pk},
        "calls_manage:stage_jury_run": {"pk": w["stage"].pk},
        "calls_manage:stage_jury_assign": {"pk": w["stage"].pk},
        "calls_manage:stage_jury_unassign": {
            "pk": w["stage"].pk,
            "assignment": w["assignment_a"].pk,
        },
    }


# {url name: (method, {role: expected})}
MATRIX = {
    "calls:list": ("GET", EVERYONE),
    "calls:call": ("GET", EVERYONE),
    "calls:document": ("GET", EVERYONE),
    "calls:laureates": ("GET", EVERYONE),
    "calls:apply_start": ("GET", SIGNED_IN),
    "calls:apply_draft": ("GET", APPLICANT),
    "calls:apply_attach": ("POST", APPLICANT),
    "calls:apply_detach": ("POST", APPLICANT),
    "calls:apply_attachment": ("GET", APPLICANT),
    "calls:apply_submit": ("GET", APPLICANT),
    "calls:apply_receipt": ("GET", APPLICANT),
    "calls:apply_receipt_pdf": ("GET", APPLICANT),
    "calls:apply_withdraw": ("GET", APPLICANT),
    "calls_jury:home": ("GET", SIGNED_IN),
    # a token link: whoever holds it sees the invitation (name of the stage, no file)
    "calls_jury:accept": ("GET", EVERYONE),
    "calls_jury:declare": ("GET", REVIEWER),
    "calls_jury:grid": ("GET", REVIEWER),
    "calls_jury:message": ("POST", REVIEWER),
    "calls_jury:conflict": ("POST", REVIEWER),
    "calls_jury:attachment": ("GET", REVIEWER),
    "calls_manage:list": ("GET", MANAGERS),
    "calls_manage:create": ("GET", {**MANAGERS, "manager": 403}),
    "calls_manage:call": ("GET", MANAGERS),
    "calls_manage:publish": ("POST", MANAGERS),
    "calls_manage:form": ("GET", MANAGERS),
    "calls_manage:question": ("GET", MANAGERS),
    "calls_manage:stages": ("GET", MANAGERS),
    "calls_manage:stage": ("GET", MANAGERS),
    "calls_manage:documents": ("GET", MANAGERS),
    "calls_manage:decisions": ("GET", MANAGERS),
    "calls_manage:decision_record": ("POST", MANAGERS),
    "calls_manage:ranking": ("GET", MANAGERS),
    "calls_manage:minutes": ("GET", MANAGERS),
    "calls_manage:results_notify": ("POST", MANAGERS),
    "calls_manage:results_publish": ("POST", MANAGERS),
    "calls_manage:stage_jury": ("GET", MANAGERS),
    "calls_manage:stage_jury_conflict_add": ("POST", MANAGERS),
    "calls_manage:applications": ("GET", MANAGERS),
    "calls_manage:application_reopen": ("POST", MANAGERS),
    "calls_manage:stage_jury_invite": ("POST", MANAGERS),
    "calls_manage:stage_jury_reinvite": ("POST", MANAGERS),
    "calls_manage:stage_jury_detect": ("POST", MANAGERS),
    "calls_manage:stage_jury_decide": ("POST", MANAGERS),
    "calls_manage:stage_jury_run": ("POST", MANAGERS),
    "calls_manage:stage_jury_assign": ("POST", MANAGERS),
    "calls_manage:stage_jury_unassign": ("POST", MANAGERS),
}


# the views that answer both: their POST (an empty form) passes the same check as their
# GET, but where a row of POST_RULES says otherwise
GET_AND_POST = {
    "calls:apply_start",
    "calls:apply_draft",
    "calls:apply_submit",
    "calls:apply_withdraw",
    "calls_jury:accept",
    "calls_jury:declare",
    "calls_jury:grid",
    "calls_manage:create",
    "calls_manage:call",
    "calls_manage:form",
    "calls_manage:question",
    "calls_manage:stages",
    "calls_manage:stage",
    "calls_manage:documents",
    "calls_manage:ranking",
}


POST_RULES = {
    # starting a file names one of the user's poles: an empty form names none (404)
    "calls:apply_start": {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN},
    # the call's managers read a file, only its pole's managers write it
    "calls:apply_draft": {**APPLICANT, "manager": 403, "calls_staff": 403},
}


def _resolver_names() -> set[str]:
    names = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in (
            "calls",
            "calls_jury",
            "calls_manage",
        ):
            for pattern in entry.url_patterns:
                assert not isinstance(pattern, URLResolver), "nested includes: extend the test"
                names.add(f"{entry.namespace}:{pattern.name}")
    return names


def test_every_url_of_the_app_has_its_row():
    names = _resolver_names()
    assert len(names) > 30
    assert names == set(MATRIX)


def _client(w, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(w["users"][role])
    return client


def _outcome(response) -> object:
    if response.status_code in (301, 302, 303) and response["Location"].startswith(
        reverse("accounts:login")
    ):
        return LOGIN
    if response.status_code in (403, 404, 405):
        return response.status_code
    if response.status_code < 400 or response.status_code in (400, 409):
        return OK
    return response.status_code


def _request(client, method, url, **extra):
    """One request whose writes are undone: every role meets the same ground."""
    cache.clear()
    with transaction.atomic():
        response = getattr(client, method.lower())(url, **extra)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response


def test_the_permission_matrix(world):
    kwargs = _kwargs(world)
    assert set(kwargs) == set(MATRIX)
    got, wanted = {}, {}
    for role in ROLES:
        client = _client(world, role)
        for name, (method, expected) in MATRIX.items():
            url = reverse(name, kwargs=kwargs[name])
            response = _request(client, method, url)
            got[(name, role)] = _outcome(response)
            wanted[(name, role)] = expected[role]
            if name in GET_AND_POST:
                got[(name, role, "POST")] = _outcome(_request(client, "POST", url))
                wanted[(name, role, "POST")] = POST_RULES.get(name, expected)[role]
            if method == "POST":
                # a POST-only view never answers a GET
                refused = _outcome(_request(client, "GET", url))
                got[(name, role, "GET")] = refused
                wanted[(name, role, "GET")] = refused if refused in (405, LOGIN) else 405
    wrong = {k: (got[k], wanted[k]) for k in got if got[k] != wanted[k]}
    assert wrong == {}, "\n".join(f"{k}: got {g}, expected {e}" for k, (g, e) in wrong.items())


# --- what must not leak ---------------------------------------------------------------------

A_SECRETS = (A_TITLE, A_SUMMARY, A_COMMENT, A_MESSAGE, A_FILE)


def _text(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _leaks(text: str, secrets) -> list[str]:
    return [s for s in secrets if s in text]


@pytest.mark.parametrize("role", ["juror_conflicted", "pole_b", "juror_other", "staff"])
def test_no_page_a_role_reaches_tells_of_a_file(world, role):
    """Every page the role opens (the public results aside: A is a published laureate)
    keeps A's title, summary, file, scores and discussion to itself; the conflicted juror
    and the other jurors do not even see A's pole named."""
    kwargs = _kwargs(world)
    client = _client(world, role)
    secrets = A_SECRETS if role in ("pole_b", "staff") else (*A_SECRETS, A_POLE)
    pages = {name: reverse(name, kwargs=kwargs[name]) for name in MATRIX}
    pages["calls_jury:grid"] = reverse("calls_jury:grid", args=[world["assignment_b"].pk])
    seen = {}
    for name, url in pages.items():
        if name == "calls:laureates" or MATRIX[name][0] == "POST":
            continue
        response = _request(client, "GET", url, follow=True)
        if response.status_code == 200:
            seen[name] = _leaks(_text(response), secrets)
    assert "calls_jury:home" in seen
    if role == "juror_conflicted":
        assert "calls_jury:grid" in seen  # his grid for B: opened, and clean
    assert {k: v for k, v in seen.items() if v} == {}


def test_the_conflicted_juror_reaches_nothing_of_a_even_when_assigned(world):
    """An assignment made before the conflict was confirmed (never removed) opens nothing:
    grid, discussion, conflict form, attachment all answer 404, and his jury page does not
    list the file."""
    stale = Assignment.objects.create(
        stage=world["stage"],
        application=world["app_a"],
        juror=world["seats"]["juror_conflicted"],
        source="hand",
    )
    client = _client(world, "juror_conflicted")
    for name, method in (
        ("calls_jury:grid", "GET"),
        ("calls_jury:message", "POST"),
        ("calls_jury:conflict", "POST"),
    ):
        response = _request(client, method, reverse(name, args=[stale.pk]), data={"body": "x"})
        assert response.status_code == 404, name
    response = _request(
        client, "GET", reverse("calls_jury:attachment", args=[world["attachment"].pk])
    )
    assert response.status_code == 404
    home = _text(_request(client, "GET", reverse("calls_jury:home")))
    assert _leaks(home, (*A_SECRETS, A_POLE)) == []
    assert B_POLE in home  # the page does list his own file


def test_the_draft_autosave_answers_no_other_poles_data(world):
    """The JSON of the draft's autosave: B's manager posting to A's file gets a bare 404;
    A's manager posting to A's (closed) file gets an error that names nothing of B."""
    json = {"HTTP_ACCEPT": "application/json"}
    slug, a = world["call"].slug, world["app_a"].pk
    url = reverse("calls:apply_draft", args=[slug, a])
    data = {"version": "1", "project_title": "Piratage"}
    response = _request(_client(world, "pole_b"), "POST", url, data=data, **json)
    assert response.status_code == 404
    assert _leaks(_text(response), (*A_SECRETS, A_POLE)) == []
    response = _request(_client(world, "pole_a"), "POST", url, data=data, **json)
    assert response["Content-Type"].startswith("application/json")
    assert response.status_code >= 400
    assert _leaks(_text(response), (B_TITLE, B_POLE)) == []
    world["app_a"].refresh_from_db()
    assert world["app_a"].project_title == A_TITLE


def test_the_open_data_lists_only_published_laureates(world):
    response = Client().get(
        reverse("registry:open_data_file", kwargs={"name": "subventions", "fmt": "csv"})
    )
    assert response.status_code == 200
    text = _text(response)
    assert A_POLE in text and A_AMOUNT in text  # the published laureate
    assert B_POLE not in text  # refused
    assert OTHER_AMOUNT not in text and "Projet secret" not in text  # results not published
    assert _leaks(text, (A_COMMENT, A_MESSAGE, A_SUMMARY, A_FILE)) == []


def test_no_email_tells_a_conflicted_juror_or_another_pole_of_a_file(world):
    """Every email of the flow (receipts, invitations, decisions) is sent; those to the
    conflicted juror and to B's manager name nothing of A, and no juror is emailed A's
    scores or discussion."""
    to = {}
    for message in world["outbox"]:
        for address in message.to:
            to.setdefault(address, []).append(message)
    users = world["users"]
    conflicted, pole_b = users["juror_conflicted"].email, users["pole_b"].email
    assert to.get(conflicted) and len(to.get(pole_b, [])) >= 2  # invited; receipt + decision
    assert any(A_TITLE in m.body for m in to[users["pole_a"].email])  # the check can see it
    for address in (conflicted, pole_b):
        for message in to[address]:
            text = (
                message.subject
                + message.body
                + "".join(str(alt[0]) for alt in getattr(message, "alternatives", []))
            )
            assert _leaks(text, (*A_SECRETS, A_POLE, A_AMOUNT)) == [], (address, message.subject)
    for message in world["outbox"]:
        assert _leaks(message.body, (A_COMMENT, A_MESSAGE)) == [], message.subject
