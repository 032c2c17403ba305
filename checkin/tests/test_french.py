"""The door's pages count in French as an editor does: « 1 entrée validée », « 2 entrées
validées », never « 2 entrée validée »."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from checkin import services

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").split())


@pytest.fixture
def organiser_client(client, event):
    user = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    client.force_login(user)
    return client


def admit(device, user, token):
    return services.scan_record(
        device=device,
        user=user,
        token=token,
        nonce=str(uuid.uuid4()),
        scanned_at=timezone.now(),
        id_checked=True,
    )


def test_door_counts_agree_with_their_number(organiser_client, event, agent, enrolled, ticket):
    device, _ = enrolled()
    tickets = [ticket(email=f"p{n}@example.org") for n in range(3)]
    door = reverse("checkin_manage:door", args=[event.slug])
    projection = reverse("checkin_manage:projection", args=[event.slug])

    admit(device, agent, tickets[0][1])
    text = text_of(organiser_client.get(door))
    assert "1 entrée validée" in text and "2 personnes encore attendues" in text
    assert "3 inscriptions confirmées" in text and "0 conflit " in text
    assert "1 entrée validée" in text_of(organiser_client.get(projection))

    admit(device, agent, tickets[1][1])
    text = text_of(organiser_client.get(door))
    assert "2 entrées validées" in text and "1 personne encore attendue" in text
    projected = text_of(organiser_client.get(projection))
    assert "2 entrées validées · 1 encore attendue" in projected
    # the scan log writes « 14 h 03 min 05 s », not « 14:03:05 »
    assert not re.search(r"\b\d{1,2}:\d{2}\b", text)
