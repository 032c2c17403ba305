"""The audit's fixes on the applying side (issue 12): uploads cut short past the call's
limit, a cap on attachments, no application under embargo, no cached jury page."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import timezone

from calls.models import Attachment
from calls.services import applications as services
from calls.tests.apply_helpers import PDF, make_pole, upload
from calls.views.apply import apply_attach
from core.errors import DomainError


@pytest.fixture
def manager(user):
    return user("gestionnaire")


@pytest.fixture
def draft(call, manager):
    pole = make_pole("Pôle Sud Archer", managers=[manager])
    c = call()
    c.max_file_size = 100 * 1024
    c.save(update_fields=["max_file_size"])
    return services.application_start(call=c, pole=pole, actor=manager)


def _url(application, tail=""):
    return f"/appels/{application.call.slug}/candidature/{application.pk}/{tail}"


@pytest.mark.parametrize("size", [120 * 1024, 3 * 1024**2])  # just past the limit; far past
def test_an_upload_past_the_calls_limit_is_refused_in_french(client, draft, manager, size):
    client.force_login(manager)
    big = PDF + b"0" * (size - len(PDF))
    response = client.post(_url(draft, "pieces/"), {"file": upload(big, "gros.pdf")}, follow=True)
    html = response.content.decode()
    assert "Le fichier dépasse 102\u00a0ko" in html
    assert not Attachment.objects.exists()


def test_an_upload_within_the_limit_is_attached(client, draft, manager):
    client.force_login(manager)
    small = PDF + b"0" * (90 * 1024)
    client.post(_url(draft, "pieces/"), {"file": upload(small, "budget.pdf")})
    assert draft.attachments.count() == 1


def test_the_global_cap_bounds_the_calls_limit(client, draft, manager, settings):
    settings.CALLS_MAX_UPLOAD_BYTES = 10 * 1024
    client.force_login(manager)
    client.post(_url(draft, "pieces/"), {"file": upload(PDF + b"0" * 20 * 1024, "b.pdf")})
    assert not Attachment.objects.exists()


def test_a_body_too_large_is_not_read_to_its_end(draft, manager):
    """The handler stops at the file's first bytes: most of the 3 MB body stays unread."""
    body = PDF + b"0" * (3 * 1024**2)
    request = RequestFactory().post(_url(draft, "pieces/"), {"file": upload(body, "gros.pdf")})
    request.user = manager
    request.session = {}
    request._dont_enforce_csrf_checks = True  # as the test client does
    request._messages = FallbackStorage(request)
    response = apply_attach(request, slug=draft.call.slug, pk=draft.pk)
    assert response.status_code == 302
    assert request.upload_too_large
    assert len(request.META["wsgi.input"].read()) > 2 * 1024**2
    assert [str(m) for m in get_messages(request)][0].startswith("Le fichier dépasse")
    assert not Attachment.objects.exists()


def test_attachments_per_application_are_capped(draft, manager):
    for n in range(services.MAX_ATTACHMENTS):
        services.attachment_add(application=draft, upload=upload(PDF, f"p{n}.pdf"), actor=manager)
    with pytest.raises(DomainError) as exc:
        services.attachment_add(
            application=draft, upload=upload(PDF, "une-de-trop.pdf"), actor=manager
        )
    assert "20 pièces jointes au plus" in exc.value.message
    assert draft.attachments.count() == services.MAX_ATTACHMENTS


def test_a_call_under_embargo_cannot_be_applied_for(client, call, manager):
    make_pole("Pôle Sud Archer", managers=[manager])
    future = call(published_at=timezone.now() + timedelta(days=2))
    client.force_login(manager)
    assert client.get(f"/appels/{future.slug}/candidature/").status_code == 404
    assert client.post(f"/appels/{future.slug}/candidature/", {"pole": "1"}).status_code == 404
    published = call(slug="appel-publie", published_at=timezone.now() - timedelta(days=1))
    assert client.get(f"/appels/{published.slug}/candidature/").status_code == 200


def test_jury_pages_are_never_cached(client, user):
    client.force_login(user("amina"))
    response = client.get("/jury/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_decision_amount_refusal_is_a_clear_french_message(call, user):
    from calls.services import decisions
    from calls.tests import jury_helpers as h

    c = call()
    manager = user("gestion")
    c.managers.add(manager)
    file = h.submitted(c)
    for typed in ("1e30", "1234,567", "-5"):
        with pytest.raises(DomainError) as exc:
            decisions.decision_record(
                application=file, outcome="laureate", amount=typed, reason="motif", actor=manager
            )
        assert exc.value.message.startswith("Montant")


def test_the_attach_view_still_checks_csrf(draft, manager):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(_url(draft, "pieces/"), {"file": upload(PDF, "budget.pdf")})
    assert response.status_code == 403
    assert not Attachment.objects.exists()
