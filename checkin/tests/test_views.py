import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from checkin import services
from checkin.models import Device, DoorRole
from checkin.tokens import enrolment_token
from events import services as event_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(event):
    user = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    event.managers.add(user)
    return user


def test_organiser_creates_a_device_and_sees_its_enrolment_qr(client, organiser, event):
    client.force_login(organiser)
    url = reverse("checkin_manage:device_add", args=[event.slug])
    assert client.post(url, {"name": "Poste 1"}).status_code == 302
    page = client.get(reverse("checkin_manage:door", args=[event.slug])).content.decode()
    assert "Poste 1" in page and "/accueil/enregistrer/" in page and "<svg" in page
    client.post(url, {"name": "Poste 1"})
    assert Device.objects.filter(event=event).count() == 1  # the same name refused
    client.post(url, {"name": ""})
    assert Device.objects.filter(event=event).count() == 1


def test_door_page_only_for_the_event_organisers(client, agent, event):
    client.force_login(agent)
    assert client.get(reverse("checkin_manage:door", args=[event.slug])).status_code == 403
    response = client.post(reverse("checkin_manage:device_add", args=[event.slug]), {"name": "X"})
    assert response.status_code == 403 and not Device.objects.exists()


def test_enrolment_on_the_phone_hands_over_the_secret_once(client, organiser, agent, event):
    device = services.device_create(event=event, name="Poste 1", actor=organiser)
    url = reverse("checkin:enrol", args=[enrolment_token(device)])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(agent)
    asking = client.get(url)
    assert asking.status_code == 200 and "data-secret" not in asking.content.decode()
    done = client.post(url).content.decode()
    secret = re.search(r'data-secret="([^"]+)"', done).group(1)
    assert services.device_from_secret(secret) == device
    again = client.post(url)
    assert again.status_code == 400 and "data-secret" not in again.content.decode()
    forged = client.get(reverse("checkin:enrol", args=["forged-token"]))
    assert forged.status_code == 404


def test_enrolment_needs_a_door_role(client, organiser, event):
    device = services.device_create(event=event, name="Poste 1", actor=organiser)
    stranger = get_user_model().objects.create_user("stranger", password="x-pass-1234")
    client.force_login(stranger)
    assert client.post(reverse("checkin:enrol", args=[enrolment_token(device)])).status_code == 403
    device.refresh_from_db()
    assert device.enrolled_at is None


def test_scanning_page_and_its_service_worker(client, agent, event):
    url = reverse("checkin:scanner", args=[event.slug])
    assert client.get(url).status_code == 302
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert 'id="door"' in page and 'data-sync-url="/api/accueil/v1/sync"' in page
    manifest = client.get(reverse("checkin:manifest", args=[event.slug])).json()
    assert manifest["start_url"] == url and manifest["lang"] == "fr"
    worker = client.get(reverse("checkin:service_worker"))
    assert worker["Service-Worker-Allowed"] == "/accueil/"
    assert worker["Content-Type"].startswith("text/javascript")


def test_revoking_from_the_door_page(client, organiser, event):
    client.force_login(organiser)
    device = services.device_create(event=event, name="Poste 1", actor=organiser)
    url = reverse("checkin_manage:device_revoke", args=[event.slug, device.pk])
    assert client.post(url).status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None


def test_badges_a6_and_four_up_with_long_names(client, organiser, event, ticket, prepared):
    from checkin.models import Admission

    ticket(first_name="Marie-Anne-Sophie-Charlotte", last_name="de La Tour d'Auvergne-Lauraguais")
    ticket(last_name="Ольга")
    ticket()
    client.force_login(organiser)
    # the old addresses lead to the documents page, where badges are prepared
    old = client.get(reverse("checkin_manage:badges", args=[event.slug]) + "?format=a4x4")
    assert old.status_code == 302 and old["Location"].endswith("#document-badges_a4x4")
    a6, a6_pdf = prepared(client, event, "badges_a6")
    assert a6["Content-Type"] == "application/pdf" and a6_pdf.startswith(b"%PDF")
    _, four_pdf = prepared(client, event, "badges_a4x4")
    assert four_pdf.startswith(b"%PDF")

    def pages(pdf: bytes) -> int:
        return len(re.findall(rb"/Type /Page\b(?!s)", pdf))

    assert (pages(a6_pdf), pages(four_pdf)) == (3, 1)
    assert not Admission.objects.exists()  # printing a badge is not an entry


def test_single_badge_at_the_desk_for_supervisors_only(client, organiser, agent, event, ticket):
    from checkin.models import DoorRole

    registration, _ = ticket()
    url = reverse("checkin_manage:badge", args=[event.slug, registration.pk])
    client.force_login(agent)
    assert client.get(url).status_code == 403
    DoorRole.objects.filter(user=agent).update(role=DoorRole.Role.SUPERVISOR)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_attendance_by_category(client, organiser, event, ticket, enrolled, agent, prepared):
    import csv
    import io

    from django.utils import timezone

    device, _ = enrolled()
    _, token = ticket(category="press")
    ticket(category="press")
    services.scan_record(
        device=device,
        user=agent,
        token=token,
        nonce="nonce-0001",
        scanned_at=timezone.now(),
        id_checked=True,
    )
    client.force_login(organiser)
    _, content = prepared(client, event, "attendance_csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1:] == ["2", "1", "1"]
    assert rows[-1][1:] == ["2", "1", "1"]


def test_arrivals_chart_and_projection_page(client, organiser, event, ticket, enrolled, agent):
    from datetime import timedelta

    from django.utils import timezone

    from checkin import selectors

    device, _ = enrolled()
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    for minute in (0, 1, 12):
        _, token = ticket()
        services.scan_record(
            device=device,
            user=agent,
            token=token,
            nonce=f"nonce-{minute:04d}",
            scanned_at=start + timedelta(minutes=minute),
            id_checked=True,
        )
    slots = selectors.arrivals_per_slot(event=event)
    assert [s["count"] for s in slots][-1] == 1 and slots[-1]["total"] == 3
    assert sum(s["count"] for s in slots) == 3
    client.force_login(organiser)
    page = client.get(reverse("checkin_manage:projection", args=[event.slug])).content.decode()
    # refreshed by its script from etat.json, never a meta refresh (axe: critical); a link
    # reloads it without JavaScript
    assert 'http-equiv="refresh"' not in page
    state_url = reverse("checkin_manage:projection_state", args=[event.slug])
    assert f'data-state-url="{state_url}"' in page and "checkin/projection.js" in page
    projection_url = reverse("checkin_manage:projection", args=[event.slug])
    assert f'<a id="projection-reload" href="{projection_url}">' in page
    assert page.count('<rect class="bar"') == len(slots)
    assert "Lefèvre" not in page and "LEFÈVRE" not in page  # no names on the screen
    state = client.get(state_url).json()
    assert (state["admitted"], state["still_expected"], state["expected"]) == (3, 0, 3)
    assert state["chart_html"].count('<rect class="bar"') == len(slots)
    assert "Lefèvre" not in json.dumps(state, ensure_ascii=False)
    _, token = ticket()
    services.scan_record(
        device=device,
        user=agent,
        token=token,
        nonce="nonce-late",
        scanned_at=timezone.now(),
        id_checked=True,
    )
    assert client.get(state_url).json()["admitted"] == 4
    client.force_login(agent)
    assert client.get(reverse("checkin_manage:projection", args=[event.slug])).status_code == 403
    assert client.get(state_url).status_code == 403


def test_attendance_certificate_from_the_personal_link(client, event, ticket, enrolled, agent):
    from django.utils import timezone

    from events.tokens import personal_link_token

    device, _ = enrolled()
    registration, token = ticket()
    link = personal_link_token(registration)
    personal = reverse("events:personal", args=[link])
    certificate = reverse("checkin:certificate", args=[link])
    assert certificate not in client.get(personal).content.decode()  # not admitted yet
    refused = client.get(certificate)
    assert refused.status_code == 403 and b"%PDF" not in refused.content
    services.scan_record(
        device=device,
        user=agent,
        token=token,
        nonce="nonce-0001",
        scanned_at=timezone.now(),
        id_checked=True,
    )
    # admitted an hour before the start: the certificate waits for the event itself
    assert certificate not in client.get(personal).content.decode()
    assert client.get(certificate).status_code == 403
    with time_machine.travel(event.starts_at + timedelta(minutes=1)):
        assert certificate in client.get(personal).content.decode()
        pdf = client.get(certificate)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("checkin:certificate", args=[link[:-3] + "abc"])).status_code == 404


def test_supervisor_tools_on_the_scanner_and_their_log_for_the_organiser(
    client, organiser, agent, event, ticket, enrolled
):
    url = reverse("checkin:scanner", args=[event.slug])
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert 'id="override-form"' not in page and 'id="walk-in"' not in page
    DoorRole.objects.filter(user=agent).update(role=DoorRole.Role.SUPERVISOR)
    page = client.get(url).content.decode()
    assert 'id="override-form"' in page and 'id="walk-in"' not in page  # walk-ins not opened
    event.walk_ins_allowed = True
    event.save()
    page = client.get(url).content.decode()
    assert 'id="walk-in"' in page and "Inscrire une personne sur place" in page

    device, _ = enrolled()
    registration, token = ticket(last_name="Dupré")
    event_services.registration_cancel(registration=registration)
    services.admission_override(
        device=device,
        user=agent,
        token=token,
        nonce="override-01",
        reason="Annulée par erreur, vue avec l'équipe.",
        id_checked=True,
    )
    services.walk_in_admit(
        device=device,
        user=agent,
        nonce="walk-in-01",
        first_name="Aïcha",
        last_name="Ngoma",
        email="aicha@example.org",
        category="network",
        consent=True,
        id_checked=True,
    )
    client.force_login(organiser)
    page = client.get(reverse("checkin_manage:door", args=[event.slug])).content.decode()
    assert "Annulée par erreur, vue avec l&#x27;équipe." in page and "DUPRÉ" in page
    assert "<strong>1</strong> inscription sur place" in page
    assert "<strong>1</strong> dérogation" in page


@pytest.mark.parametrize("kind", ["badges_a6", "badges_a4x4", "attendance_csv"])
def test_door_documents_queries_do_not_grow(kind, event, document_storage, settings):
    """Badges read the people and their ticket secrets in one query (not one per badge)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events import document_services
    from events.models import EventDocument
    from events.tasks import build_event_document
    from events.tests.factories import EventFactory, RegistrationFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    counts = []
    for size in (1, 30):
        target = EventFactory(capacity=50)
        RegistrationFactory.create_batch(size, event=target)
        document = document_services.document_request(event=target, kind=kind)
        with CaptureQueriesContext(connection) as captured:
            outcome = build_event_document.func(
                document_id=document.pk, build_token=document.build_token
            )
        assert outcome == "ready"
        assert EventDocument.objects.get(pk=document.pk).rows == size
        # the progress written now and then (at most 20 times) aside
        reads = [q["sql"] for q in captured.captured_queries if 'SET "progress"' not in q["sql"]]
        counts.append(len(reads))
    assert counts[0] == counts[1]


def test_the_javascript_catalogue_is_in_the_language_of_its_address(client):
    """The service worker keeps it under its address: the same address, the same words,
    whatever the cookie or the browser's languages."""
    french = client.get("/accueil/jsi18n/fr/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    english = client.get("/accueil/jsi18n/en/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "D\\u00e9j\\u00e0 entr\\u00e9" in french or "Déjà entré" in french
    assert "Déjà" not in english and "D\\u00e9j\\u00e0" not in english
    assert client.get("/accueil/jsi18n/xx/").status_code == 404


def test_the_scanning_page_is_named_door_check_not_home(client, agent, event):
    """« Accueil » means a site's home page: the scanning page is « Contrôle à l’entrée »,
    as the organiser's menu calls it (title and heading)."""
    client.force_login(agent)
    page = client.get(reverse("checkin:scanner", args=[event.slug])).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    for text in (title, heading):
        assert text.startswith(f"Contrôle à l’entrée – {event.title}")
        assert "Accueil" not in text


def test_the_door_counts_by_category_in_plural_columns(client, organiser, event, ticket):
    ticket(category="press")
    client.force_login(organiser)
    html = client.get(
        reverse("checkin_manage:door", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert '<th scope="col">Entrées</th><th scope="col">Confirmées</th>' in html


def test_a_device_last_seen_another_day_says_which_day(client, organiser, event):
    """« dernière connexion 9 h 05 min 00 s » read as today for a phone last seen days
    before: the day is said, as for its enrolment."""
    from django.utils import timezone

    device = services.device_create(event=event, name="Poste 1", actor=organiser)
    services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)
    seen = timezone.make_aware(timezone.datetime(2026, 3, 1, 9, 5))
    Device.objects.filter(pk=device.pk).update(last_seen_at=seen)
    client.force_login(organiser)
    page = client.get(reverse("checkin_manage:door", args=[event.slug])).content.decode()
    assert "dernière connexion 1er mars à 9\u00a0h\u00a005" in page
