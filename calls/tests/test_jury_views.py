"""The jury's pages and the manager's jury pages: what each shows, each refusal, and the
rule above all: a conflicted juror never sees that file, its scores or its discussion,
on any jury URL."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from calls.models import Assignment, Attachment, Conflict, Juror, Message, Review
from calls.services import jury, reviews
from calls.tests import jury_helpers as h
from calls.tokens import invitation_token
from conftest import page_queries


@pytest.fixture
def stage(call):
    return call().stages.get()


@pytest.fixture
def panel(stage, user, client):
    """Two jurors on one file; a third juror on it is conflicted (a declared conflict)."""
    amina, bruno, chloe = user("amina"), user("bruno"), user("chloe")
    file = h.submitted(stage.call, title="Projet Alpha")
    seats = [
        h.seat(stage, u, name=n) for u, n in ((amina, "Amina"), (bruno, "Bruno"), (chloe, "Chloé"))
    ]
    assignments = [
        Assignment.objects.create(stage=stage, application=file, juror=s, source="hand")
        for s in seats
    ]
    c1, c2 = stage.criteria.all()
    # Chloé scores and writes before her conflict is confirmed
    reviews.review_save(
        assignment=assignments[2],
        scores={c1.pk: "1", c2.pk: "1"},
        comments={c1.pk: "Note-de-Chloé"},
        submit=True,
        actor=chloe,
    )
    reviews.message_post(application=file, juror=seats[2], body="Message-de-Chloé", actor=chloe)
    Conflict.objects.create(
        juror=seats[2],
        application=file,
        level="conflict",
        reason="organisation_member",
        source="registry",
    )
    attachment = Attachment.objects.create(
        application=file,
        original_name="budget.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
    )
    attachment.file.save("x", ContentFile(b"%PDF"), save=True)
    return {
        "file": file,
        "users": (amina, bruno, chloe),
        "seats": seats,
        "assignments": assignments,
        "criteria": (c1, c2),
        "attachment": attachment,
    }


def _grid(a):
    return reverse("calls_jury:grid", args=[a.pk])


def test_home_lists_the_seats_and_files_never_a_blocked_one(client, panel):
    amina, _bruno, chloe = panel["users"]
    client.force_login(amina)
    page = client.get(reverse("calls_jury:home")).content.decode()
    assert "Projet Alpha" in page and _grid(panel["assignments"][0]) in page
    client.force_login(chloe)
    page = client.get(reverse("calls_jury:home")).content.decode()
    assert "Projet Alpha" not in page
    assert "Aucun dossier ne vous est encore confié." in page


def test_a_conflicted_juror_sees_nothing_of_the_file_on_any_jury_url(client, panel):
    _amina, _bruno, chloe = panel["users"]
    mine = panel["assignments"][2]
    client.force_login(chloe)
    assert client.get(_grid(mine)).status_code == 404
    assert client.post(_grid(mine), {"action": "save"}).status_code == 404
    assert (
        client.post(reverse("calls_jury:message", args=[mine.pk]), {"body": "x"}).status_code == 404
    )
    assert (
        client.post(reverse("calls_jury:conflict", args=[mine.pk]), {"note": "x"}).status_code
        == 404
    )
    assert (
        client.get(reverse("calls_jury:attachment", args=[panel["attachment"].pk])).status_code
        == 404
    )
    assert Message.objects.count() == 1


def test_the_others_never_see_a_conflicted_jurors_scores_or_messages(client, panel):
    amina, bruno, _chloe = panel["users"]
    c1, c2 = panel["criteria"]
    reviews.review_save(
        assignment=panel["assignments"][1],
        scores={c1.pk: "5", c2.pk: "5"},
        comments={},
        submit=True,
        actor=bruno,
    )
    client.force_login(amina)
    page = client.get(_grid(panel["assignments"][0])).content.decode()
    assert "Message-de-Chloé" not in page and "Chloé" not in page
    assert "Bruno" not in page  # not before Amina submits
    client.post(
        _grid(panel["assignments"][0]),
        {f"score_{c1.pk}": "1", f"score_{c2.pk}": "1", "action": "submit", "confirm": "1"},
    )
    page = client.get(_grid(panel["assignments"][0])).content.decode()
    assert "Bruno" in page and "Chloé" not in page and "Note-de-Chloé" not in page


def test_grid_saves_a_draft_then_submits(client, panel, stage):
    amina = panel["users"][0]
    a = panel["assignments"][0]
    c1, c2 = panel["criteria"]
    client.force_login(amina)
    page = client.get(_grid(a)).content.decode()
    assert 'id="grid-total"' in page and "calls/grid.js" in page
    response = client.post(
        _grid(a), {f"score_{c1.pk}": "3,5", f"comment_{c1.pk}": "Bien", "action": "save"}
    )
    assert response.status_code == 302
    review = Review.objects.get(assignment=a)
    assert review.submitted_at is None and review.scores.get().comment == "Bien"
    client.post(
        _grid(a), {f"score_{c1.pk}": "4", f"score_{c2.pk}": "1", "action": "submit", "confirm": "1"}
    )
    review.refresh_from_db()
    assert review.submitted_at is not None and str(review.total) == "3.0000"
    page = client.get(_grid(a)).content.decode()
    assert "ne peut plus être modifiée" in page and "3,00" in page


def test_grid_refuses_a_score_outside_the_scale_in_french(client, panel):
    amina = panel["users"][0]
    a = panel["assignments"][0]
    c1, c2 = panel["criteria"]
    client.force_login(amina)
    response = client.post(
        _grid(a), {f"score_{c1.pk}": "7", f"score_{c2.pk}": "2", "action": "submit", "confirm": "1"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "La note de «\u00a0Coopération\u00a0» doit être comprise entre 0 et 5." in page
    assert 'aria-invalid="true"' in page and 'value="7"' in page
    assert not Review.objects.filter(assignment=a).exists()


def test_spread_flag_shown_above_the_threshold(client, panel, stage):
    stage.spread_threshold = 1
    stage.save()
    amina, bruno, _ = panel["users"]
    c1, c2 = panel["criteria"]
    for u, a, v in ((bruno, panel["assignments"][1], "5"), (amina, panel["assignments"][0], "1")):
        reviews.review_save(
            assignment=a, scores={c1.pk: v, c2.pk: v}, comments={}, submit=True, actor=u
        )
    client.force_login(amina)
    page = client.get(_grid(panel["assignments"][0])).content.decode()
    assert "Au-dessus du seuil de l’étape" in page


def test_a_juror_who_has_not_declared_goes_to_the_declaration(client, stage, user):
    dora = user("dora")
    seat = h.seat(stage, dora, declared=False)
    a = Assignment.objects.create(
        stage=stage, application=h.submitted(stage.call), juror=seat, source="hand"
    )
    client.force_login(dora)
    response = client.get(_grid(a))
    assert response.status_code == 302 and response.url == reverse(
        "calls_jury:declare", args=[seat.pk]
    )
    response = client.post(response.url, {"declaration": "Aucun"})
    assert response.status_code == 400 and "Cochez la case" in response.content.decode()
    response = client.post(
        reverse("calls_jury:declare", args=[seat.pk]), {"declaration": "Aucun", "signed": "1"}
    )
    assert response.status_code == 302
    assert client.get(_grid(a)).status_code == 200
    # someone else's seat is not known
    client.force_login(user("eve"))
    assert client.get(reverse("calls_jury:declare", args=[seat.pk])).status_code == 404
    assert client.get(_grid(a)).status_code == 404


def test_attachment_download_for_an_assigned_juror_only(client, panel, user):
    client.force_login(panel["users"][0])
    response = client.get(reverse("calls_jury:attachment", args=[panel["attachment"].pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF"
    client.force_login(user("inconnu"))
    assert (
        client.get(reverse("calls_jury:attachment", args=[panel["attachment"].pk])).status_code
        == 404
    )


def test_message_and_conflict_declared_from_the_grid(client, panel):
    amina = panel["users"][0]
    a = panel["assignments"][0]
    client.force_login(amina)
    client.post(reverse("calls_jury:message", args=[a.pk]), {"body": "Avis d’Amina"})
    assert "Avis d’Amina" in client.get(_grid(a)).content.decode()
    response = client.post(
        reverse("calls_jury:conflict", args=[a.pk]), {"note": "Ancienne salariée"}, follow=True
    )
    assert "ne vous est plus confié" in response.content.decode()
    assert client.get(_grid(a)).status_code == 404


def test_invitation_page_accepts_once_and_refuses_reuse_and_forgery(client, stage, user):
    juror = Juror.objects.create(stage=stage, name="Farid", email="farid@example.org")
    token = invitation_token(juror)
    url = reverse("calls_jury:accept", args=[token])
    page = client.get(url).content.decode()
    assert "Accepter et créer mon compte" in page
    assert "/compte/connexion/?next=%2Fjury%2Finvitation%2F" in page
    farid = user("farid")
    client.force_login(farid)
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("calls_jury:declare", args=[juror.pk])
    response = client.get(url)
    assert response.status_code == 400 and "déjà été utilisé" in response.content.decode()
    forged = reverse("calls_jury:accept", args=[token[:-3] + "abc"])
    response = client.get(forged)
    assert response.status_code == 400 and "n’est pas valide" in response.content.decode()


def test_accepting_without_an_account(client, stage):
    juror = Juror.objects.create(stage=stage, name="Gaël", email="gael@example.org")
    response = client.post(reverse("calls_jury:accept", args=[invitation_token(juror)]))
    assert response.status_code == 200 and "choisir votre mot de passe" in response.content.decode()
    juror.refresh_from_db()
    assert juror.user.email == "gael@example.org"


# --- the manager's pages ---------------------------------------------------------------------


@pytest.fixture
def manager(stage, user):
    m = user("gestion")
    stage.call.managers.add(m)
    return m


def _manage(stage, name="stage_jury", *args):
    return reverse(f"calls_manage:{name}", args=[stage.pk, *args])


def test_manager_pages_refused_to_others(client, stage, user, manager):
    client.force_login(user("curieux"))
    assert client.get(_manage(stage)).status_code == 403
    assert client.post(_manage(stage, "stage_jury_run")).status_code == 403
    assert (
        client.post(
            _manage(stage, "stage_jury_invite"), {"name": "X", "email": "x@example.org"}
        ).status_code
        == 403
    )
    client.force_login(manager)
    assert client.get(reverse("calls_manage:stage_jury", args=[999999])).status_code == 404


def test_manager_invites_detects_decides_and_assigns(client, stage, manager, user):
    client.force_login(manager)
    response = client.post(
        _manage(stage, "stage_jury_invite"), {"name": "Hana", "email": "pas-une-adresse"}
    )
    assert (
        response.status_code == 400 and "adresse électronique valide" in response.content.decode()
    )
    response = client.post(
        _manage(stage, "stage_jury_invite"),
        {"name": "Hana", "email": "h@example.org", "organisation": "inconnue"},
    )
    assert response.status_code == 400 and "Aucune structure" in response.content.decode()
    assert not Juror.objects.exists()
    own = h.organisation()
    response = client.post(
        _manage(stage, "stage_jury_invite"),
        {"name": "Hana", "email": "h@example.org", "organisation": own.slug},
    )
    assert response.status_code == 302
    hana = Juror.objects.get()
    assert hana.organisation == own
    nonce = hana.invitation_nonce
    response = client.post(_manage(stage, "stage_jury_reinvite", hana.pk), follow=True)
    assert "Un nouveau lien est envoyé à Hana." in response.content.decode()
    hana.refresh_from_db()
    assert hana.invitation_nonce != nonce
    # Hana accepts and declares; her organisation is a partner of a pole that applies
    hana_user = user("hana")
    jury.juror_accept(token=invitation_token(hana), user=hana_user)
    jury.juror_declare(juror=Juror.objects.get(), declaration="", signed=True, actor=hana_user)
    p = h.pole(region="", department="", commune="")
    h.member(p, own, "partner")
    file = h.submitted(stage.call, p, title="Projet Partenaire")
    other = h.submitted(stage.call, title="Projet Libre")
    client.post(_manage(stage, "stage_jury_detect"))
    page = client.get(_manage(stage)).content.decode()
    assert "partenaire du pôle" in page
    conflict = Conflict.objects.get()
    response = client.post(
        _manage(stage, "stage_jury_decide", conflict.pk),
        {"decision": "dismiss", "reason": ""},
        follow=True,
    )
    assert "Dites pourquoi" in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.status == "open"
    client.post(_manage(stage, "stage_jury_run"))
    assert set(Assignment.objects.values_list("application_id", flat=True)) == {other.pk}
    page = client.get(_manage(stage)).content.decode()
    assert "Projet Partenaire" in page and "À examiner" in page
    response = client.post(
        _manage(stage, "stage_jury_assign"), {"application": file.pk, "juror": hana.pk}, follow=True
    )
    assert "conflit d’intérêts" in response.content.decode()
    assert not Assignment.objects.filter(application=file).exists()
    a = Assignment.objects.get()
    client.post(_manage(stage, "stage_jury_unassign", a.pk))
    assert not Assignment.objects.exists()


# --- pinned query counts ---------------------------------------------------------------------


def test_jury_home_and_grid_queries_do_not_grow_with_the_files(client, stage, user):
    dora = user("dora")
    seat = h.seat(stage, dora)
    others = [h.seat(stage, user()) for _ in range(3)]

    def add_files(n):
        for _ in range(n):
            f = h.submitted(stage.call)
            for s in (seat, *others):
                Assignment.objects.create(stage=stage, application=f, juror=s, source="hand")

    add_files(1)
    client.force_login(dora)
    home = reverse("calls_jury:home")
    a = Assignment.objects.filter(juror=seat).first()
    few_home, few_grid = page_queries(client, home), page_queries(client, _grid(a))
    add_files(5)
    c1, c2 = stage.criteria.all()
    for s in others:
        mine = Assignment.objects.get(juror=s, application=a.application)
        reviews.review_save(
            assignment=mine, scores={c1.pk: "2", c2.pk: "3"}, comments={}, submit=True, actor=s.user
        )
    reviews.review_save(
        assignment=a, scores={c1.pk: "2", c2.pk: "3"}, comments={}, submit=True, actor=dora
    )
    assert page_queries(client, home) == few_home
    # the session, the user, the seats, their files (with file, pole and review), then the
    # live registry check of the listed files, in one batch (seven queries)
    assert few_home == 11
    # once submitted, the page adds the others' reviews, their scores, and the criteria
    # of the spread: three queries, whatever the number of files and jurors
    # + the questions; +6: the access check reads the registry live for this juror × pole
    assert (few_grid, page_queries(client, _grid(a))) == (16, 19)


def test_grid_shows_the_whole_file_read_only_escaped(client, panel, stage):
    from calls.models import Question, Section

    file = panel["file"]
    section = Section.objects.create(call=stage.call, title="Le projet", position=1)
    questions = {
        kind: Question.objects.create(section=section, label=f"Question {kind}", kind=kind)
        for kind in ("text", "yes_no", "amount", "choice", "attachment")
    }
    empty = Question.objects.create(section=section, label="Question vide", kind="text")
    file.amount_requested = 40000
    file.answers = {
        str(questions["text"].pk): "Ligne 1\nLigne <b>2</b>",
        str(questions["yes_no"].pk): "yes",
        str(questions["amount"].pk): "15000.50",
        str(questions["choice"].pk): "Rural",
        str(empty.pk): "",
    }
    file.save()
    panel["attachment"].question = questions["attachment"]
    panel["attachment"].save()
    client.force_login(panel["users"][0])
    page = client.get(_grid(panel["assignments"][0])).content.decode()
    assert "Projet Alpha" in page and re.search(r"<dd>40\s000&nbsp;€</dd>", page)
    assert "Le projet" in page and "Question yes_no" in page
    assert "Ligne 1<br>Ligne &lt;b&gt;2&lt;/b&gt;" in page and "<b>2</b>" not in page
    assert "<dd>Oui</dd>" in page and "Rural" in page
    assert re.search(r"<dd>15\s000,50&nbsp;€</dd>", page)
    assert "aucune réponse" in page
    assert page.count(reverse("calls_jury:attachment", args=[panel["attachment"].pk])) == 2
    # never for the blocked juror
    client.force_login(panel["users"][2])
    assert client.get(_grid(panel["assignments"][2])).status_code == 404


def test_submitting_needs_the_confirmation_box_server_side(client, panel):
    a = panel["assignments"][0]
    c1, c2 = panel["criteria"]
    client.force_login(panel["users"][0])
    page = client.get(_grid(a)).content.decode()
    assert 'name="confirm"' in page and 'class="toolbar"' in page
    response = client.post(
        _grid(a), {f"score_{c1.pk}": "4", f"score_{c2.pk}": "1", "action": "submit"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Cochez la case pour confirmer" in page and 'value="4"' in page
    assert not Review.objects.filter(assignment=a).exists()
    # saving a draft needs no confirmation
    client.post(_grid(a), {f"score_{c1.pk}": "4", "action": "save"})
    assert Review.objects.get(assignment=a).submitted_at is None


def test_discussion_shows_author_and_date(client, panel):
    amina = panel["users"][0]
    reviews.message_post(
        application=panel["file"], juror=panel["seats"][0], body="Bonjour", actor=amina
    )
    client.force_login(amina)
    page = client.get(_grid(panel["assignments"][0])).content.decode()
    assert "<strong>Amina</strong> · <time datetime=" in page


def test_home_shows_each_files_state_for_this_juror(client, panel, stage):
    amina, bruno, _ = panel["users"]
    c1, c2 = panel["criteria"]
    reviews.review_save(
        assignment=panel["assignments"][1],
        scores={c1.pk: "5", c2.pk: "5"},
        comments={},
        submit=True,
        actor=bruno,
    )
    client.force_login(amina)
    page = client.get(reverse("calls_jury:home")).content.decode()
    files = page.split('<ul class="plain-list">')[1].split("</ul>")[0]
    assert "à noter" in files and "déposé" not in files and " · " not in files
    reviews.review_save(
        assignment=panel["assignments"][0],
        scores={c1.pk: "2"},
        comments={},
        submit=False,
        actor=amina,
    )
    page = client.get(reverse("calls_jury:home")).content.decode()
    assert "brouillon de notes" in page
    client.force_login(bruno)
    page = client.get(reverse("calls_jury:home")).content.decode()
    assert "notée" in page and "à noter" not in page


def test_manager_page_one_line_per_pair_clear_buttons_and_back_link(client, stage, manager):
    juror = h.seat(stage, name="Inès")
    file = h.submitted(stage.call, title="Projet Double")
    for reason, status in (("same_territory_region", "dismissed"), ("same_network", "open")):
        Conflict.objects.create(
            juror=juror,
            application=file,
            level="review",
            reason=reason,
            subject="84",
            source="registry",
            status=status,
            decision_reason="Aucun lien" if status == "dismissed" else "",
        )
    client.force_login(manager)
    page = client.get(_manage(stage)).content.decode()
    assert page.count("<h3>Inès · Projet Double</h3>") == 1
    assert "2 motifs différents" in page
    assert "Ce membre du jury est situé sur le territoire du pôle (région 84)." in page
    assert "conflit écarté" in page and "same_territory" not in page
    assert "Confirmer le conflit (ce membre du jury ne verra pas ce dossier)" in page
    assert "Pas de conflit" in page and "écarter ce membre" not in page
    assert reverse("calls_manage:call", args=[stage.call.slug]) in page


def test_manager_page_of_a_closed_stage_hides_the_forms(client, stage, manager):
    from django.utils import timezone

    juror = h.seat(stage, name="Inès")
    file = h.submitted(stage.call, title="Projet Clos")
    Conflict.objects.create(
        juror=juror, application=file, level="review", reason="same_network", source="registry"
    )
    Assignment.objects.create(stage=stage, application=h.submitted(stage.call), juror=juror)
    stage.closed_at = timezone.now()
    stage.save()
    client.force_login(manager)
    page = client.get(_manage(stage)).content.decode()
    assert "Cette étape est close" in page
    for name in ("stage_jury_detect", "stage_jury_run", "stage_jury_assign"):
        assert _manage(stage, name) not in page
    assert "/retirer/" not in page and "Pas de conflit" not in page


def test_running_the_assignment_says_when_nothing_is_assigned(client, stage, manager):
    h.seat(stage, name="Inès", declared=False)
    h.submitted(stage.call, title="Projet Seul")
    client.force_login(manager)
    response = client.post(_manage(stage, "stage_jury_run"), follow=True)
    page = response.content.decode()
    assert "Aucun membre du jury n’a encore signé sa déclaration" in page
    assert "Les dossiers sont répartis." not in page
    assert not Assignment.objects.exists()


def test_an_organisation_typed_with_a_nul_byte_is_an_unknown_organisation(client, stage, manager):
    """PostgreSQL refuses a NUL in a query (the fuzz found a 500): the typed address is a
    hint, cleaned before the lookup."""
    from calls.models import Juror

    client.force_login(manager)
    for typed in ("\x00", "inconnue\x00"):
        response = client.post(
            _manage(stage, "stage_jury_invite"),
            {"name": "Hana", "email": "h@example.org", "organisation": typed},
        )
        assert response.status_code in (302, 400)
    assert not Juror.objects.filter(organisation__isnull=False).exists()
