import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from charter import errors, ledger, selectors, services
from charter.models import LedgerEntry, Signature
from charter.tests.helpers import under_way
from core.errors import DomainError
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

SIGNATORY = {"name": "Christophe Chevalier", "mandate": "président", "email": "cc@archer.example"}


def request(versions, pole, manager, **change):
    return services.signature_request(
        version=versions[1], signer=pole, actor=manager, **{**SIGNATORY, **change}
    )


def test_a_signature_counts_once_its_email_link_is_opened(
    versions, pole, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = request(versions, pole, manager)
    assert signature.status == "pending" and not LedgerEntry.objects.exists()
    [message] = mail.outbox
    assert message.to == ["cc@archer.example"] and "/charte/confirmer/" in message.body
    token = services.confirmation_token(signature)
    signed = services.signature_confirm(token=token)
    assert signed.status == "signed" and signed.signed_at
    with pytest.raises(DomainError) as caught:  # the link works once
        services.signature_confirm(token=token)
    assert caught.value.code == "charter.link_used"
    assert LedgerEntry.objects.count() == 1


def test_expired_forged_links_are_refused(versions, pole, manager):
    import time_machine
    from django.utils import timezone

    signature = request(versions, pole, manager)
    token = services.confirmation_token(signature)
    with pytest.raises(DomainError) as caught:
        services.signature_confirm(token=token[:-3] + "xyz")
    assert caught.value.code == "charter.link_invalid"
    with (
        time_machine.travel(timezone.now() + services.LINK_MAX_AGE + timezone.timedelta(minutes=1)),
        pytest.raises(DomainError) as caught,
    ):
        services.signature_confirm(token=token)
    assert caught.value.code == "charter.link_expired"
    signature.refresh_from_db()
    assert signature.status == "pending"


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"mandate": "<b>présidente</b>"}, errors.TEXT_MARKUP, "mandate"),
        ({"name": "<script>alert(1)</script>"}, errors.TEXT_MARKUP, "name"),
        ({"mandate": ""}, errors.TEXT_REQUIRED, "mandate"),
        ({"email": "pas-une-adresse"}, errors.INVALID_EMAIL, "email"),
        ({"mandate": "x" * 201}, errors.TEXT_TOO_LONG, "mandate"),
        ({"mandate": "présidente\x00"}, errors.TEXT_CONTROL, "mandate"),
    ],
)
def test_bad_signature_requests_save_nothing(versions, pole, manager, change, error, field):
    with pytest.raises(DomainError) as caught:
        request(versions, pole, manager, **change)
    assert (caught.value.code, caught.value.field) == (error.code, field)
    assert caught.value.message
    assert not Signature.objects.exists()


def test_one_signature_per_organisation_and_version(versions, pole, manager):
    first = request(versions, pole, manager)
    second = request(versions, pole, manager, name="Autre personne", email="autre@archer.example")
    services.signature_confirm(token=services.confirmation_token(first))
    with pytest.raises(DomainError) as caught:
        services.signature_confirm(token=services.confirmation_token(second))
    assert caught.value.code == "charter.already_signed"
    with pytest.raises(DomainError) as caught:
        request(versions, pole, manager)
    assert caught.value.code == "charter.already_signed"
    assert Signature.objects.filter(status="signed").count() == 1


def test_an_old_version_cannot_be_signed(versions, pole, manager):
    with pytest.raises(DomainError) as caught:
        services.signature_request(version=versions[0], signer=pole, actor=manager, **SIGNATORY)
    assert caught.value.code == "charter.version_not_current"


def test_withdrawal_stays_visible_and_cannot_be_signed_again(versions, pole, manager):
    signature = services.signature_confirm(
        token=services.confirmation_token(request(versions, pole, manager))
    )
    services.signature_withdraw(signature=signature, reason="Fin du pôle", actor=manager)
    rows = list(selectors.signature_list(selectors.SignatureFilters()))
    assert [r.status for r in rows] == ["withdrawn"]
    with pytest.raises(DomainError) as caught:
        services.signature_withdraw(signature=signature, reason="encore", actor=manager)
    assert caught.value.code == "charter.not_signed"
    with pytest.raises(DomainError) as caught:
        request(versions, pole, manager)
    assert caught.value.code == "charter.already_signed"


def test_ceremony_signatures_count_at_once(versions, pole, manager):
    event = EventFactory(starts_at=under_way())
    signature = services.ceremony_record(
        version=versions[1],
        event=event,
        signer=pole,
        name="Chevalier",
        mandate="président",
        actor=manager,
    )
    assert signature.status == "signed" and signature.channel == "ceremony"
    with pytest.raises(DomainError) as caught:
        services.ceremony_record(
            version=versions[1], event=event, signer=pole, name="X", mandate="Y", actor=manager
        )
    assert caught.value.code == "charter.already_signed"


@pytest.mark.parametrize("days", [30, -2])
def test_no_signature_in_the_room_outside_the_event_days(versions, pole, manager, days):
    from datetime import timedelta

    from django.utils import timezone

    event = EventFactory(starts_at=timezone.now() + timedelta(days=days))
    with pytest.raises(DomainError) as caught:
        services.ceremony_record(
            version=versions[1], event=event, signer=pole, name="X", mandate="Y", actor=manager
        )
    assert caught.value.code == "charter.not_event_day"
    assert "le jour de l’événement" in caught.value.message
    assert not Signature.objects.exists() and not LedgerEntry.objects.exists()


def test_the_ledger_is_tamper_evident(versions, pole, manager, tmp_path):
    import json

    signature = services.signature_confirm(
        token=services.confirmation_token(request(versions, pole, manager))
    )
    services.signature_withdraw(signature=signature, reason="Fin du pôle", actor=manager)
    entries = selectors.ledger_entries()
    assert ledger.verify(entries) == []
    call_command("verify_charter")
    exported = {"digest": entries[-1]["digest"], "entries": entries}
    path = tmp_path / "registre.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    published = exported["digest"]
    call_command("verify_charter", "--file", str(path), "--digest", published)
    with pytest.raises(CommandError, match="give --digest"):  # a file proves nothing alone
        call_command("verify_charter", "--file", str(path))
    entries[0]["payload"]["signatory"] = "Quelqu'un d'autre"  # altered after the fact
    path.write_text(json.dumps(exported), encoding="utf-8")
    with pytest.raises(CommandError, match="does not hold"):
        call_command("verify_charter", "--file", str(path), "--digest", published)
    # altered and the whole chain recomputed: the published digest still catches it
    previous = ledger.GENESIS
    for entry in entries:
        entry["previous"], entry["digest"] = previous, ledger.chain(previous, entry["payload"])
        previous = entry["digest"]
    exported["digest"] = previous
    path.write_text(json.dumps(exported), encoding="utf-8")
    with pytest.raises(CommandError, match="does not hold"):
        call_command("verify_charter", "--file", str(path), "--digest", published)
    assert ledger.verify(entries[1:], published)  # cut: caught too
    # a row edited behind the services' back: the database check sees it
    Signature.objects.filter(pk=signature.pk).update(signatory_name="Autre nom")
    with pytest.raises(CommandError, match="does not hold"):
        call_command("verify_charter")


def test_a_new_version_invites_the_signatories_of_the_old_one(
    versions, pole, manager, tmp_path, django_capture_on_commit_callbacks
):
    from datetime import date

    from charter.models import CharterVersion

    signature = services.signature_confirm(
        token=services.confirmation_token(request(versions, pole, manager))
    )
    mail.outbox.clear()
    path = tmp_path / "v3.md"
    path.write_text("# Charte\n\nTexte de remplacement, version 3.", encoding="utf-8")
    with pytest.raises(CommandError, match="version_order"):
        call_command("publish_charter_version", "2", str(path), "--date", "2024-01-01")
    with pytest.raises(CommandError, match="version_future"):
        call_command("publish_charter_version", "3", str(path), "--date", "2999-01-01")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_charter_version", "3", str(path), "--date", "2024-01-01")
    assert CharterVersion.objects.filter(number=3).exists()
    [invitation] = mail.outbox
    assert invitation.to == [signature.signatory_email]
    assert "/charte/versions/2/comparer/3/" in invitation.body
    # the public list still shows version 2 until they sign the new one
    assert [r.version.number for r in selectors.signature_list(selectors.SignatureFilters())] == [2]
    with pytest.raises(DomainError) as caught:
        services.version_publish(number=4, title="", body="", published_on=date(2025, 1, 1))
    assert caught.value.code == "charter.version_incomplete"


def test_attestations_for_the_calls_say_what_the_register_knows(versions, pole, manager):
    """The registry's pole_attestations slot, filled by the charter: no signature in this
    register is « not known » (the 2014 signatures on paper are not in it), a signature in
    force is signed with its version, a withdrawn one is not signed."""
    from registry.hooks import attestations_for

    assert attestations_for(pole) == {"charter.signed": None, "charter.version": None}
    signature = services.signature_confirm(
        token=services.confirmation_token(request(versions, pole, manager))
    )
    assert attestations_for(pole) == {"charter.signed": True, "charter.version": 2}
    services.signature_withdraw(signature=signature, reason="Fin du pôle", actor=manager)
    assert attestations_for(pole) == {"charter.signed": False, "charter.version": 2}
