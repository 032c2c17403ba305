"""Claims, editing with history, suggestions to moderation, likely duplicates."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail

from core.errors import DomainError
from registry import selectors, services
from registry.models import PoleClaim, PoleRevision, Suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def pole(db):
    return services.pole_save(
        data={"name": "Pôle Sud Archer", "commune_code": "26281", "territory": ["26"]}
    )


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("editeur", password="x-pass-1234", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["change_pole"]))
    return user


CLAIM = {
    "name": "Christophe Chevalier",
    "email": "cc@archer.example",
    "role": "président du groupe Archer",
    "message": "",
}


def test_a_claim_approved_makes_a_manager_who_sets_a_password_and_edits(
    client, pole, editor, django_capture_on_commit_callbacks
):
    response = client.post(f"/poles/{pole.slug}/revendiquer/", CLAIM)
    assert "Demande envoyée" in response.content.decode()
    claim = PoleClaim.objects.get()
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/gestion/annuaire/moderation/", {"claim": claim.pk, "action": "approve"})
    claim.refresh_from_db()
    assert claim.status == "approved" and pole.managers.filter(email="cc@archer.example").exists()
    [message] = mail.outbox
    assert message.to == ["cc@archer.example"] and "Pôle Sud Archer" in message.subject
    link = re.search(r"http://testserver(/compte/mot-de-passe/[^\s]+)", message.body).group(1)
    client.logout()
    page = client.get(link, follow=True)
    assert page.status_code == 200
    client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"new_password1": "Coop-Romans-2014!", "new_password2": "Coop-Romans-2014!"},
    )
    assert client.login(username="cc@archer.example", password="Coop-Romans-2014!")
    edit = f"/gestion/annuaire/poles/{pole.slug}/"
    response = client.post(
        edit,
        {
            "description": "Groupe d'entreprises de l'ESS à Romans.",
            "strategy": "Reprendre des entreprises et créer des emplois sur le bassin romanais.",
            "territory": "26 26281",
            "commune_code": "26281",
            "year_founded": "2007",
        },
    )
    assert response.status_code == 302
    revision = PoleRevision.objects.filter(source="edit").get()
    assert revision.user.email == "cc@archer.example"
    assert revision.changes["year_founded"] == ["", "2007"]
    assert revision.changes["territory"] == ["26", "26 26281"]
    page = client.get(edit).content.decode()
    assert "Historique" in page and "2007" in page


def test_the_editor_is_told_what_the_decision_did(client, pole, editor):
    """« C’est fait » told the editor nothing: the approval says who manages the entry now
    and that a password link went to them; a refusal says the person is told."""
    from django.contrib.auth import get_user_model

    client.force_login(editor)
    for action, email in (("approve", "cc@archer.example"), ("reject", "autre@archer.example")):
        claim = services.claim_submit(pole=pole, **{**CLAIM, "email": email})
        page = client.post(
            "/gestion/annuaire/moderation/", {"claim": claim.pk, "action": action}, follow=True
        ).content.decode()
        assert "C’est fait." not in page
        if action == "approve":
            assert (
                "Christophe Chevalier gère désormais la fiche «\u00a0Pôle Sud Archer\u00a0»\u00a0: "
                "un e-mail part à cc@archer.example avec un lien pour choisir son mot de passe."
            ) in page
        else:
            assert "Demande refusée\u00a0: un e-mail en informe Christophe Chevalier." in page
    # someone who has an account already gets no password link
    other = services.pole_save(data={"name": "Pôle Nord", "commune_code": "26281"})
    get_user_model().objects.create_user("amina", email="amina@example.org", password="x-pass-1")
    claim = services.claim_submit(
        pole=other, **{**CLAIM, "name": "Amina", "email": "amina@example.org"}
    )
    page = client.post(
        "/gestion/annuaire/moderation/", {"claim": claim.pk, "action": "approve"}, follow=True
    ).content.decode()
    assert (
        "Amina gère désormais la fiche «\u00a0Pôle Nord\u00a0»\u00a0: un e-mail l’en informe."
        in page
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"email": "pas-une-adresse"}, "registry.invalid_email"),
        ({"role": ""}, "registry.required"),
        ({"name": ""}, "registry.required"),
    ],
)
def test_bad_claims_are_refused_in_french(pole, change, code):
    with pytest.raises(DomainError) as caught:
        services.claim_submit(pole=pole, **{**CLAIM, **change})
    assert caught.value.code == code and caught.value.message
    assert caught.value.field == next(iter(change))
    assert not PoleClaim.objects.exists()


def test_one_pending_claim_per_address_and_a_decision_is_final(
    pole, editor, django_capture_on_commit_callbacks
):
    claim = services.claim_submit(pole=pole, **CLAIM)
    assert services.claim_submit(pole=pole, **CLAIM) == claim  # not recorded twice
    assert PoleClaim.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_decide(claim=claim, approve=False, actor=editor)
    with pytest.raises(DomainError) as caught:
        services.claim_decide(claim=claim, approve=True, actor=editor)
    assert caught.value.code == "registry.claim_decided"
    assert not pole.managers.exists()
    assert "pas été acceptée" in mail.outbox[0].body


def test_nobody_edits_someone_elses_pole(client, pole):
    other = services.pole_save(data={"name": "Autre pôle", "commune_code": "21231"})
    manager = get_user_model().objects.create_user("gestionnaire", password="x-pass-1234")
    other.managers.add(manager)
    client.force_login(manager)
    edit = f"/gestion/annuaire/poles/{pole.slug}/"
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"description": "piraté"}).status_code == 403
    pole.refresh_from_db()
    assert pole.description == "" and not PoleRevision.objects.filter(source="edit").exists()
    assert client.get("/gestion/annuaire/moderation/").status_code == 403


def test_a_bad_edit_saves_nothing(client, pole):
    manager = get_user_model().objects.create_user("gestionnaire", password="x-pass-1234")
    pole.managers.add(manager)
    client.force_login(manager)
    page = client.post(
        f"/gestion/annuaire/poles/{pole.slug}/",
        {"territory": "26 ZZ", "commune_code": "26281", "description": "nouveau"},
    ).content.decode()
    assert "n’est ni un code INSEE" in page and 'aria-invalid="true"' in page
    pole.refresh_from_db()
    assert pole.description == ""


def test_public_suggestions_go_to_moderation(client, pole, editor):
    client.post(f"/poles/{pole.slug}/suggerer/", {"message": "trop court"[:5]})
    assert not Suggestion.objects.exists()
    client.post(f"/poles/{pole.slug}/suggerer/", {"message": "x", "website_url": "spam"})
    assert not Suggestion.objects.exists()  # the robots' field
    text = "Le siège est à Valence depuis 2019 (source : site du groupe)."
    assert (
        "Merci" in client.post(f"/poles/{pole.slug}/suggerer/", {"message": text}).content.decode()
    )
    suggestion = Suggestion.objects.get()
    client.force_login(editor)
    assert text in client.get("/gestion/annuaire/moderation/").content.decode()
    client.post("/gestion/annuaire/moderation/", {"suggestion": suggestion.pk, "action": "accept"})
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.decided_by == editor


def test_likely_duplicates_are_flagged(pole):
    services.pole_save(data={"name": "Pole Sud-Archer", "commune_code": "26281"})
    services.pole_save(data={"name": "Pôle Nord", "commune_code": "26281"})
    for siret in ("73282932000074", "73282932000082"):
        services.organisation_save(
            data={
                "name": f"Usine {siret[-2:]}",
                "category": "enterprise",
                "ess_status": "not_ess",
                "siret": siret,
            }
        )
    found = selectors.likely_duplicates()
    assert [{a[1], b[1]} for a, b in found["similar_poles"]] == [
        {"Pôle Sud Archer", "Pole Sud-Archer"}
    ]
    assert [g["siren"] for g in found["same_siren"]] == ["732829320"]


def test_member_changes_and_admin_edits_are_in_the_history(client, pole, editor):
    organisation = services.organisation_save(
        data={"name": "Archer", "category": "ess_enterprise", "ess_status": "association"}
    )
    membership = services.membership_set(pole=pole, organisation=organisation, role="member")
    services.membership_set(pole=pole, organisation=organisation, role="initiator")
    services.membership_remove(membership=membership)
    history = [r.changes for r in PoleRevision.objects.filter(pole=pole).order_by("pk")]
    assert {"member: Archer": ["", "membre"]} in history
    assert {"member: Archer": ["membre", "porteur"]} in history
    assert {"member: Archer": ["porteur", ""]} in history
    root = get_user_model().objects.create_superuser("root", password="x-pass-1234")
    client.force_login(root)
    response = client.post(
        f"/admin/registry/pole/{pole.pk}/change/",
        {
            "name": "Pôle Sud Archer",
            "slug": pole.slug,
            "commune_code": "26281",
            "siren": "",
            "strategy": "",
            "description": "Modifié dans l'admin",
            "territory-TOTAL_FORMS": "0",
            "territory-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "laureates-TOTAL_FORMS": "0",
            "laureates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    last = PoleRevision.objects.filter(pole=pole).first()  # newest first
    assert last.user == root and last.changes["description"] == ["", "Modifié dans l'admin"]


def test_a_claim_never_hands_over_an_existing_account(
    pole, editor, django_capture_on_commit_callbacks
):
    """Look-alike addresses are refused; a staff account is never attached by a claim; an
    existing account gets no password link, and is written to at its own address."""
    users = get_user_model().objects
    users.create_user("chef", email="admin@ptce.example", password=None, is_staff=True)
    with pytest.raises(DomainError) as caught:
        services.claim_submit(pole=pole, **{**CLAIM, "email": "admın@ptce.example"})
    assert caught.value.code == "registry.invalid_email"
    claim = services.claim_submit(pole=pole, **{**CLAIM, "email": "ADMIN@ptce.example"})
    with pytest.raises(DomainError) as caught:
        services.claim_decide(claim=claim, approve=True, actor=editor)
    assert caught.value.code == "registry.claim_privileged_account" and not pole.managers.exists()
    member = users.create_user("membre", email="membre@archer.example", password=None)
    users.create_user("membre@archer.example-x", email="autre@example.org")
    claim = services.claim_submit(pole=pole, **{**CLAIM, "email": "Membre@Archer.example"})
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_decide(claim=claim, approve=True, actor=editor)
    [message] = mail.outbox
    assert message.to == ["membre@archer.example"] and "mot-de-passe" not in message.body
    assert pole.managers.filter(pk=member.pk).exists()


def test_a_taken_username_does_not_block_an_approval(pole, editor):
    get_user_model().objects.create_user("cc@archer.example", email="old@example.org")
    claim = services.claim_submit(pole=pole, **CLAIM)
    services.claim_decide(claim=claim, approve=True, actor=editor)
    claim.refresh_from_db()
    assert claim.new_account and claim.user.username == "cc@archer.example-2"


def test_the_claim_form_does_not_tell_whether_an_address_already_asked(client, pole):
    """The same answer for a first request and a repeated one (before: « a request from
    this address is already waiting »), and the repeat is not recorded twice."""
    url = f"/poles/{pole.slug}/revendiquer/"
    first = client.post(url, CLAIM)
    again = client.post(url, {**CLAIM, "message": "Je relance ma demande."})
    assert first.status_code == again.status_code == 200
    assert first.templates[0].name == again.templates[0].name == "registry/public/claim_sent.html"
    assert "déjà" not in again.content.decode()
    assert PoleClaim.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "char"),
    [
        ("Archer \u202eresirpertne", "U+202E"),  # right-to-left override
        ("Arc\u200bher", "U+200B"),  # zero-width space
        ("Archer \u2066x\u2069", "U+2066"),  # isolate
        ("Archer\u00ad", "U+00AD"),  # soft hyphen
    ],
)
def test_invisible_format_characters_are_refused_in_registry_texts(pole, text, char):
    """Bidi overrides and embeddings, zero-width and other format characters (Cf) are
    refused with a message that names them, in every registry text."""
    calls = [
        lambda: services.claim_submit(pole=pole, **{**CLAIM, "name": text}),
        lambda: services.claim_submit(pole=pole, **{**CLAIM, "message": text}),
        lambda: services.suggestion_submit(pole=pole, name="", email="", message=text * 3),
        lambda: services.pole_save(data={"name": text, "commune_code": "26281"}),
        lambda: services.pole_save(
            data={"name": "Autre", "commune_code": "26281", "description": text}
        ),
        lambda: services.organisation_save(
            data={"name": text, "category": "enterprise", "ess_status": "not_ess"}
        ),
    ]
    for call in calls:
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.code == "registry.text_control" and char in str(caught.value.message)
    assert not PoleClaim.objects.exists() and not Suggestion.objects.exists()


def test_moderation_ignores_ids_that_are_not_ids(client, pole, editor):
    client.force_login(editor)
    for field, value in (("claim", "abc"), ("claim", "²"), ("suggestion", "1e3"), ("claim", "")):
        response = client.post(
            "/gestion/annuaire/moderation/",
            {field: value, "action": "approve" if field == "claim" else "accept"},
            follow=True,
        )
        assert response.status_code == 200
        assert "n’existe plus" in response.content.decode()


def test_pole_edit_ignores_activity_ids_that_are_not_ids(client, pole):
    """« ² » passed isdigit() and then broke int(): a 500 before."""
    from registry.models import Activity

    activity = Activity.objects.create(name="Recyclerie", slug="recyclerie")
    manager = get_user_model().objects.create_user("gestionnaire", password="x-pass-1234")
    pole.managers.add(manager)
    client.force_login(manager)
    response = client.post(
        f"/gestion/annuaire/poles/{pole.slug}/",
        {
            "commune_code": "26281",
            "territory": "26",
            "activities": ["²", "abc", "-1", str(activity.pk), "99999999999999999999999"],
        },
    )
    assert response.status_code == 302
    assert list(pole.activities.all()) == [activity]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/charte/signer/", "/charte/signer/"),
        ("//ailleurs.example/", ""),
        ("https://ailleurs.example/", ""),
        ("/\\ailleurs.example", ""),
        ("/charte/\nsigner/", ""),
        ("charte/signer/", ""),
    ],
)
def test_a_claim_remembers_only_a_page_of_this_site_to_come_back_to(
    client, pole, editor, given, kept, django_capture_on_commit_callbacks
):
    form = client.get(f"/poles/{pole.slug}/revendiquer/", {"next": given}).content.decode()
    assert ('<input type="hidden" name="next"' in form) == bool(kept)
    client.post(f"/poles/{pole.slug}/revendiquer/", {**CLAIM, "next": given})
    claim = PoleClaim.objects.get()
    assert claim.return_to == kept
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_decide(claim=claim, approve=True, actor=editor)
    [message] = mail.outbox
    link = re.search(r"http://testserver(/compte/mot-de-passe/\S+)", message.body).group(1)
    assert link.endswith("/?next=%2Fcharte%2Fsigner%2F") == bool(kept)
    assert "ailleurs" not in message.body


def test_claims_and_suggestions_from_one_connection_are_limited(client, pole):
    """Each claim or suggestion is a row an editor must read: a robot must not fill the
    moderation queue. Past the limit: 429, Retry-After, a French message, nothing written."""
    from registry.views.public import PUBLIC_FORMS_PER_IP

    claim_url = f"/poles/{pole.slug}/revendiquer/"
    for n in range(PUBLIC_FORMS_PER_IP.limit):
        client.post(claim_url, {**CLAIM, "email": f"p{n}@archer.example"})
    assert PoleClaim.objects.count() == PUBLIC_FORMS_PER_IP.limit
    # the suggestions share the limit
    refused = client.post(
        f"/poles/{pole.slug}/suggerer/",
        {"name": "Zoé", "email": "z@archer.example", "message": "La commune a changé de nom."},
    )
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Trop de demandes ont été envoyées depuis votre connexion" in refused.content.decode()
    assert not Suggestion.objects.exists()
    assert client.post(claim_url, {**CLAIM, "email": "last@archer.example"}).status_code == 429
    assert PoleClaim.objects.count() == PUBLIC_FORMS_PER_IP.limit
    # another connection is not refused
    other = client.post(
        claim_url, {**CLAIM, "email": "b@archer.example"}, REMOTE_ADDR="198.51.100.4"
    )
    assert other.status_code == 200
    assert PoleClaim.objects.filter(email="b@archer.example").exists()
