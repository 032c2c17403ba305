"""On PostgreSQL: two signatures of the same pole confirmed at the same moment → one."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from charter import services
from charter.models import CharterVersion, Signature
from core.errors import DomainError
from registry import services as registry_services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_signatures_of_one_pole_make_one():
    version = CharterVersion.objects.create(
        number=1, title="Charte", published_on=date(2021, 6, 1), body="Texte"
    )
    pole = registry_services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": "26281"})
    user = get_user_model().objects.create_user("gestion")
    pending = [
        services.signature_request(
            version=version,
            signer=pole,
            name=f"Signataire {i}",
            mandate="président",
            email=f"s{i}@archer.example",
            actor=user,
        )
        for i in range(2)
    ]
    tokens = [services.confirmation_token(s) for s in pending]
    barrier = threading.Barrier(2)

    def confirm(token):
        try:
            barrier.wait(timeout=30)
            return services.signature_confirm(token=token).status
        except DomainError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(confirm, tokens))
    assert outcomes == ["charter.already_signed", "signed"]
    assert Signature.objects.filter(status="signed").count() == 1


def test_simultaneous_signatures_of_different_poles_all_enter_the_ledger_in_order():
    """The ledger's head is locked: without it two entries would take the same place."""
    from charter import ledger, selectors

    version = CharterVersion.objects.create(
        number=1, title="Charte", published_on=date(2021, 6, 1), body="Texte"
    )
    user = get_user_model().objects.create_user("gestion")
    tokens = []
    for index, commune in enumerate(["26281", "21231", "63113", "93039"]):
        pole = registry_services.pole_save(
            data={"name": f"Pôle {'ABCD'[index]}", "commune_code": commune}
        )
        signature = services.signature_request(
            version=version,
            signer=pole,
            name="Signataire",
            mandate="président",
            email=f"s{index}@example.org",
            actor=user,
        )
        tokens.append(services.confirmation_token(signature))
    barrier = threading.Barrier(len(tokens))

    def confirm(token):
        try:
            barrier.wait(timeout=30)
            return services.signature_confirm(token=token).status
        except DomainError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        outcomes = list(pool.map(confirm, tokens))
    assert outcomes == ["signed"] * 4
    entries = selectors.ledger_entries()
    assert [e["sequence"] for e in entries] == [1, 2, 3, 4]
    assert ledger.verify(entries) == []
