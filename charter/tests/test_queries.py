"""Query counts pinned: every list page of the charter makes as many queries for 30 rows
as for 1 (no query per row), the number in ``PINNED``. Each page is requested once before
counting (to warm what a first request sets up, the same for both sizes)."""

import pytest
from django.contrib.auth import get_user_model

from charter import services
from charter.models import Signature
from charter.tests.helpers import under_way
from conftest import page_queries
from registry import services as registry_services
from registry.models import Network

pytestmark = pytest.mark.django_db

MANY = 30


@pytest.fixture
def room(versions):
    """An event taking place now and its organiser (who records the signatures in the
    room and asked for some online)."""
    from events.tests.factories import EventFactory

    event = EventFactory(slug="journee", starts_at=under_way())
    organiser = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(organiser)
    return event, organiser


def add_signatures(room, versions, start: int, stop: int) -> None:
    """Signatures number start..stop-1, of poles and (one in five) networks, all managed
    by the organiser: recorded in the room, one in three then withdrawn, and a pending
    request online for each, all by the organiser."""
    event, organiser = room
    for i in range(start, stop):
        if i % 5 == 4:
            signer = Network.objects.create(name=f"Réseau essai {i}", slug=f"reseau-essai-{i}")
            signer.managers.add(organiser)
        else:
            signer = registry_services.pole_save(
                data={"name": f"Pôle essai {i:02d}", "commune_code": "26281"}
            )
            signer.managers.add(organiser)
        signature = services.ceremony_record(
            version=versions[1],
            event=event,
            signer=signer,
            name=f"Signataire {i}",
            mandate="présidence",
            actor=organiser,
        )
        if i % 3 == 2:
            services.signature_withdraw(signature=signature, reason="essai", actor=organiser)
        Signature.objects.create(
            version=versions[0],
            signatory_name=f"Demandeur {i}",
            signatory_mandate="direction",
            signatory_email=f"d{i}@essai.example",
            channel=Signature.Channel.ONLINE,
            requested_by=organiser,
            **({"pole": signer} if signature.pole_id else {"network": signer}),
        )


PAGES = [
    "/charte/",
    "/charte/signataires/",
    "/charte/signataires/?kind=pole&region=84&version=2&channel=ceremony",
    "/charte/signataires/?channel=ceremony&version=2",
    "/charte/signataires.csv",
    "/charte/signataires.json?kind=pole&region=84",
    "/charte/registre.json",
    "/charte/projection/journee/etat.json",
    "/gestion/charte/ceremonie/journee/",
    "/gestion/charte/ceremonie/journee/?q=essai",
    "/compte/",  # the account space lists the signatures a person asked for
]


@pytest.mark.parametrize("url", PAGES)
def test_a_list_page_makes_as_many_queries_for_30_rows_as_for_1(client, versions, room, url):
    client.force_login(room[1])
    add_signatures(room, versions, 0, 1)
    one = page_queries(client, url)
    add_signatures(room, versions, 1, MANY)
    assert Signature.objects.made().count() == MANY
    many = page_queries(client, url)
    assert many == one, f"{url}: {one} queries for 1 row, {many} for {MANY}"
    assert one == PINNED[url], f"{url}: {one} queries, {PINNED[url]} pinned"


# The pinned counts (session and user of the signed-in pages included).
PINNED = {
    "/charte/": 5,
    "/charte/signataires/": 6,
    "/charte/signataires/?kind=pole&region=84&version=2&channel=ceremony": 6,
    "/charte/signataires/?channel=ceremony&version=2": 6,
    "/charte/signataires.csv": 2,
    "/charte/signataires.json?kind=pole&region=84": 2,
    "/charte/registre.json": 2,
    "/charte/projection/journee/etat.json": 5,
    "/gestion/charte/ceremonie/journee/": 6,
    "/gestion/charte/ceremonie/journee/?q=essai": 9,
    "/compte/": 16,
}
