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
