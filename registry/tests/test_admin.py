import pytest
from django.contrib.auth import get_user_model

from registry.models import Organisation, Pole

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", password="x-pass-1234")
    client.force_login(user)
    return client


def organisation_form(**extra):
    return {
        "name": "Archer",
        "slug": "archer",
        "ess_status": "association",
        "category": "ess_enterprise",
        "commune_code": "26281",
        "siren": "",
        "siret": "",
        **extra,
    }


def test_the_admin_checks_siret_and_commune_and_fills_the_place(admin_client):
    url = "/admin/registry/organisation/add/"
    page = admin_client.post(url, organisation_form(siret="73282932000075", commune_code="99999"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "clé de contrôle est fausse" in text and "n’est pas un code INSEE" in text
    assert not Organisation.objects.exists()
    response = admin_client.post(url, organisation_form(siret="73282932000074"))
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.siren == "732829320" and organisation.department_code == "26"


def test_a_pole_saved_in_the_admin_is_checked(admin_client):
    data = {
        "name": "Pôle Sud Archer",
        "slug": "pole-sud-archer",
        "commune_code": "26281",
        "siren": "",
        "strategy": "",
        "territory-TOTAL_FORMS": "1",
        "territory-INITIAL_FORMS": "0",
        "territory-0-code": "ZZ",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "laureates-TOTAL_FORMS": "0",
        "laureates-INITIAL_FORMS": "0",
    }
    page = admin_client.post("/admin/registry/pole/add/", data)
    assert page.status_code == 200 and "n’est ni un code INSEE" in page.content.decode()
    data["territory-0-code"] = "26"
    assert admin_client.post("/admin/registry/pole/add/", data).status_code == 302
    pole = Pole.objects.get()
    assert pole.territory.get().kind == "department"
    assert pole.checked_at is not None and pole.check_report["rules"]["R6"] == "holds"
    assert pole.status == Pole.Status.INCOMPLETE  # no members yet: to be completed, not contrary


def test_the_admin_refuses_invisible_characters_in_names(admin_client):
    url = "/admin/registry/organisation/add/"
    page = admin_client.post(url, organisation_form(name="Archer\u202e reicnanif"))
    assert page.status_code == 200 and "U+202E" in page.content.decode()
    assert not Organisation.objects.exists()
    assert admin_client.post(url, organisation_form(name="  Archer   SA ")).status_code == 302
    assert Organisation.objects.get().name == "Archer SA"


def test_a_pole_renamed_in_the_admin_is_found_by_its_new_name(admin_client, pole, org):
    """The admin writes through the services, inlines included: the search text, the
    history, the audit log and the check follow (issue 11)."""
    from core.models import AuditEntry
    from registry import services
    from registry.models import Membership, PoleRevision

    target = pole()
    archer, romans = org("Archer"), org("Chaussures Romans", category="enterprise")
    membership = services.membership_set(pole=target, organisation=archer, role="initiator")
    area = target.territory.get()
    assert b"pole-sud-archer" in admin_client.get("/poles/?q=sud+archer").content
    data = {
        "name": "Coopérative des Collines",
        "slug": target.slug,
        "commune_code": "26281",
        "siren": "",
        "legal_form": target.legal_form,
        "strategy": target.strategy,
        "territory-TOTAL_FORMS": "1",
        "territory-INITIAL_FORMS": "1",
        "territory-0-id": str(area.pk),
        "territory-0-pole": str(target.pk),
        "territory-0-code": "26",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(membership.pk),
        "memberships-0-pole": str(target.pk),
        "memberships-0-organisation": str(archer.pk),
        "memberships-0-role": "initiator",
        "memberships-1-organisation": str(romans.pk),
        "memberships-1-role": "member",
        "laureates-TOTAL_FORMS": "0",
        "laureates-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/registry/pole/{target.pk}/change/", data)
    assert response.status_code == 302
    found = admin_client.get("/poles/?q=collines").content
    assert b"pole-sud-archer" in found and "Coopérative des Collines".encode() in found
    assert b"pole-sud-archer" not in admin_client.get("/poles/?q=sud+archer").content
    scope = f"registry.pole:{target.pk}"
    assert AuditEntry.objects.filter(action="registry.pole.saved", scope=scope).exists()
    revision = PoleRevision.objects.get(pole=target, user__username="root", changes__has_key="name")
    assert revision.changes["name"] == ["Pôle Sud Archer", "Coopérative des Collines"]
    # the inline's new member went through membership_set: kept, audited, checked
    assert Membership.objects.filter(pole=target, organisation=romans, role="member").exists()
    assert AuditEntry.objects.filter(action="registry.membership.saved", scope=scope).count() == 2
    assert target.territory.get().code == "26"


def test_an_organisation_saved_in_the_admin_goes_through_the_service(admin_client):
    from core.models import AuditEntry

    url = "/admin/registry/organisation/add/"
    assert admin_client.post(url, organisation_form(name="Archer Collines")).status_code == 302
    organisation = Organisation.objects.get()
    assert "collines" in organisation.search_text
    assert AuditEntry.objects.filter(
        action="registry.organisation.saved", object_id=organisation.pk
    ).exists()
