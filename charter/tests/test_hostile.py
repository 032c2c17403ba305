"""Hostile input on the charter's pages: never a 500, nothing half-written."""

import pytest
from django.core.cache import cache

from charter import services
from charter.models import Signature
from charter.views import public
from core.errors import DomainError
from registry.models import Network

pytestmark = pytest.mark.django_db

CEREMONY = "/gestion/charte/ceremonie/journee/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def event_with_organiser(db):
    from django.contrib.auth import get_user_model

    from charter.tests.helpers import under_way
    from events.tests.factories import EventFactory

    event = EventFactory(slug="journee", starts_at=under_way())
    organiser = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(organiser)
    return event, organiser


@pytest.mark.parametrize("url", ["/charte/signataires/", "/charte/signataires.csv"])
@pytest.mark.parametrize("version", ["²", "٣", "1²", "99999999999999999999999", "-1", "\x00"])
def test_the_list_of_signatories_ignores_a_version_that_is_not_a_number(
    client, versions, url, version
):
    assert client.get(url, {"version": version}).status_code == 200


def test_the_json_list_ignores_a_version_that_is_not_a_number(client, versions):
    assert client.get("/charte/signataires.json", {"version": "²"}).json() == []


@pytest.mark.parametrize("signer", ["pole:²", "pole:٣", "network:²", "pole:", "pole:-1", "x:1"])
def test_signing_for_a_signer_that_is_not_an_id_is_refused(client, versions, manager, signer):
    client.force_login(manager)
    response = client.post(
        "/charte/signer/",
        {"signer": signer, "name": "Chevalier", "mandate": "président", "email": "c@a.example"},
    )
    assert response.status_code == 400
    assert "seulement pour un pôle" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize("signer", ["pole:²", "network:²", "pole:99999999999999999999999"])
def test_the_ceremony_refuses_a_signer_that_is_not_an_id(
    client, versions, pole, event_with_organiser, signer
):
    client.force_login(event_with_organiser[1])
    assert client.get(CEREMONY, {"signer": signer}).status_code == 200
    response = client.post(CEREMONY, {"signer": signer, "name": "Chevalier", "mandate": "maire"})
    assert response.status_code == 200
    assert "Choisissez d’abord" in response.content.decode() or response.context["errors"]
    assert not Signature.objects.exists()


def test_the_ceremony_search_drops_nul_and_control_characters(
    client, versions, pole, event_with_organiser
):
    client.force_login(event_with_organiser[1])
    response = client.get(CEREMONY, {"q": "sud\x00 ar\u202echer"})
    assert response.status_code == 200
    assert response.context["query"] == "sud ar cher"
    assert "\x00" not in response.content.decode()
    assert client.get(CEREMONY, {"q": "sud archer\x00"}).context["query"] == "sud archer"
    assert f"?signer=pole:{pole.pk}" in client.get(CEREMONY, {"q": "\x00archer"}).content.decode()


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Chevalier\u202e"),  # right-to-left override
        ("name", "Che\u200bvalier"),  # zero-width space
        ("mandate", "\u2066président\u2069"),  # isolates
        ("mandate", "prési\x00dent"),
        ("email", "cc@arch\u202eer.example"),
    ],
)
def test_bidi_and_invisible_characters_are_refused_in_a_signature(
    client, versions, pole, manager, field, value
):
    data = {"signer": f"pole:{pole.pk}", "name": "Chevalier", "mandate": "maire"}
    data["email"] = "cc@archer.example"
    data[field] = value
    client.force_login(manager)
    response = client.post("/charte/signer/", data)
    assert response.status_code == 400
    assert field in response.context["errors"]
    assert not Signature.objects.exists()


def test_the_services_refuse_invisible_characters_with_a_stable_code(
    versions, pole, manager, event_with_organiser
):
    with pytest.raises(DomainError) as error:
        services.signature_request(
            version=versions[1],
            signer=pole,
            name="Cheva\u200blier",
            mandate="maire",
            email="c@a.example",
            actor=manager,
        )
    assert (error.value.code, error.value.field) == ("charter.text_control", "name")
    with pytest.raises(DomainError) as error:
        services.ceremony_record(
            version=versions[1],
            event=event_with_organiser[0],
            signer=pole,
            name="Chevalier",
            mandate="\u202emaire",
            actor=event_with_organiser[1],
        )
    assert (error.value.code, error.value.field) == ("charter.text_control", "mandate")
    assert not Signature.objects.exists()


def test_signatory_names_are_stored_in_nfc(versions, pole, manager):
    signature = services.signature_request(
        version=versions[1],
        signer=pole,
        name="Chevalier Le\u0301a",  # e + combining acute
        mandate="pre\u0301sidente",
        email="c@a.example",
        actor=manager,
    )
    assert signature.signatory_name == "Chevalier Léa"
    assert signature.signatory_mandate == "présidente"


def test_a_withdrawal_reason_with_a_bidi_override_is_refused(client, versions, pole, manager):
    signature = services.signature_request(
        version=versions[1],
        signer=pole,
        name="Chevalier",
        mandate="maire",
        email="c@a.example",
        actor=manager,
    )
    services.signature_confirm(token=services.confirmation_token(signature))
    client.force_login(manager)
    response = client.post(f"/charte/signataires/{signature.pk}/retirer/", {"reason": "\u202eok"})
    assert response.status_code == 400
    signature.refresh_from_db()
    assert signature.status == "signed"


def sign(client, pole, email, ip="203.0.113.7"):
    return client.post(
        "/charte/signer/",
        {"signer": f"pole:{pole.pk}", "name": "Chevalier", "mandate": "maire", "email": email},
        REMOTE_ADDR=ip,
    )


def test_confirmation_links_to_one_address_are_rate_limited(client, versions, pole, manager):
    from core.models import OutboundEmail

    client.force_login(manager)
    for _ in range(public.EMAILS_PER_ADDRESS):
        assert sign(client, pole, "cible@victime.example").status_code == 200
    sent = Signature.objects.count()
    response = sign(client, pole, "CIBLE@victime.example ", ip="198.51.100.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == public.EMAIL_WINDOW  # as every other 429
    assert "Trop de liens de confirmation" in response.content.decode()
    assert Signature.objects.count() == sent == public.EMAILS_PER_ADDRESS
    assert OutboundEmail.objects.count() == public.EMAILS_PER_ADDRESS
    # another address is still served
    assert sign(client, pole, "autre@exemple.example", ip="198.51.100.1").status_code == 200


def test_confirmation_links_from_one_address_are_rate_limited(client, versions, pole, manager):
    client.force_login(manager)
    for n in range(public.EMAILS_PER_IP):
        assert sign(client, pole, f"p{n}@exemple.example").status_code == 200
    response = sign(client, pole, "encore@exemple.example")
    assert response.status_code == 429
    assert Signature.objects.count() == public.EMAILS_PER_IP
    assert sign(client, pole, "encore@exemple.example", ip="198.51.100.1").status_code == 200


def test_a_network_signer_still_resolves(client, versions, manager):
    network = Network.objects.create(name="Réseau Test", slug="reseau-test")
    network.managers.add(manager)
    client.force_login(manager)
    response = client.post(
        "/charte/signer/",
        {
            "signer": f"network:{network.pk}",
            "name": "Chevalier",
            "mandate": "président",
            "email": "c@a.example",
        },
    )
    assert response.status_code == 200
    assert Signature.objects.get().network == network


def _signed(versions, manager, numbers):
    from registry import services as registry_services

    for n in numbers:
        pole = registry_services.pole_save(
            data={"name": f"Pôle numéro {n}", "commune_code": "26281"}
        )
        pole.managers.add(manager)
        signature = services.signature_request(
            version=versions[1],
            signer=pole,
            name="Chevalier",
            mandate="maire",
            email=f"p{n}@exemple.example",
            actor=manager,
        )
        services.signature_confirm(token=services.confirmation_token(signature))


@pytest.mark.parametrize(
    "url, queries",
    [("/charte/signataires/", 4), ("/charte/signataires.csv", 2), ("/charte/signataires.json", 2)],
)
def test_the_lists_of_signatories_take_the_same_queries_whatever_their_length(
    client, versions, manager, django_assert_num_queries, url, queries
):
    _signed(versions, manager, range(2))
    with django_assert_num_queries(queries):
        assert client.get(url, {"version": "²"}).status_code == 200
    _signed(versions, manager, range(2, 8))
    with django_assert_num_queries(queries):
        response = client.get(url, {"version": "2"})
    assert response.status_code == 200
    assert response.content.decode().count("Pôle numéro") >= 8


def test_the_confirmation_email_is_in_the_language_the_person_signs_in(
    client, versions, pole, manager
):
    from core.models import OutboundEmail

    client.force_login(manager)
    client.cookies["django_language"] = "en"
    assert sign(client, pole, "en@exemple.example").status_code == 200
    client.cookies["django_language"] = "fr"
    assert sign(client, pole, "fr@exemple.example", ip="198.51.100.1").status_code == 200
    languages = dict(OutboundEmail.objects.values_list("to", "language"))
    assert languages == {"en@exemple.example": "en", "fr@exemple.example": "fr"}


def test_a_request_refused_for_a_typing_error_does_not_use_up_the_email_limit(
    client, versions, pole, manager
):
    client.force_login(manager)
    for _ in range(public.EMAILS_PER_ADDRESS + 2):
        refused = client.post(
            "/charte/signer/",
            {
                "signer": f"pole:{pole.pk}",
                "name": "Chevalier",
                "mandate": "",
                "email": "c@v.example",
            },
            REMOTE_ADDR="203.0.113.7",
        )
        assert refused.status_code == 400
    assert sign(client, pole, "c@v.example").status_code == 200
    assert Signature.objects.count() == 1
