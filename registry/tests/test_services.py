import pytest

from core.errors import DomainError
from core.models import AuditEntry
from registry import selectors, services
from registry.models import Organisation, Pole

pytestmark = pytest.mark.django_db


# --- SIREN / SIRET ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("siren", "siret"),
    [
        ("732 829 320", "732 829 320 00074"),
        ("356000000", "35600000000048"),  # La Poste: its establishments follow another rule
        ("", ""),
    ],
)
def test_valid_siren_and_siret_are_kept_compact(org, siren, siret):
    organisation = org(siren=siren, siret=siret)
    assert organisation.siren == siren.replace(" ", "")
    assert organisation.siret == siret.replace(" ", "")


def test_the_siren_follows_from_the_siret(org):
    assert org(siret="73282932000074").siren == "732829320"


@pytest.mark.parametrize(
    ("field", "value", "code", "words"),
    [
        ("siren", "73282932", "registry.invalid_siren", "9 chiffres"),
        ("siren", "732829321", "registry.invalid_siren", "clé"),
        ("siren", "73282932A", "registry.invalid_siren", "chiffres"),
        ("siret", "7328293200007", "registry.invalid_siret", "14 chiffres"),
        ("siret", "73282932000075", "registry.invalid_siret", "clé"),
        ("siret", "35600000000049", "registry.invalid_siret", "clé"),
        ("commune_code", "99999", "registry.unknown_commune", "INSEE"),
        ("category", "vip", "registry.invalid_choice", "attendues"),
        ("ess_status", "", "registry.invalid_choice", "attendues"),
        ("name", "x" * 201, "registry.too_long", "200"),
        ("name", "   ", "registry.required", "obligatoire"),
    ],
)
def test_bad_organisation_data_is_refused_in_french_and_nothing_saved(
    field, value, code, words, db
):
    data = {
        "name": "Archer",
        "category": "ess_enterprise",
        "ess_status": "association",
        "commune_code": "26281",
        field: value,
    }
    with pytest.raises(DomainError) as caught:
        services.organisation_save(data=data)
    assert caught.value.code == code and caught.value.field == field
    assert words in str(caught.value.message)
    assert not Organisation.objects.exists() and not AuditEntry.objects.exists()


def test_siret_of_another_siren_is_refused(db):
    with pytest.raises(DomainError) as caught:
        services.organisation_save(
            data={
                "name": "Archer",
                "category": "ess_enterprise",
                "ess_status": "association",
                "siren": "356000000",
                "siret": "73282932000074",
            }
        )
    assert caught.value.code == "registry.siret_siren_mismatch"


def test_the_same_siret_twice_is_refused(org):
    org(siret="73282932000074")
    with pytest.raises(DomainError) as caught:
        org(siret="73282932000074")
    assert caught.value.code == "registry.duplicate_siret"
    assert Organisation.objects.count() == 1


def test_place_fields_follow_from_the_commune(org):
    organisation = org(commune="21231")
    assert organisation.commune_name == "Dijon" and organisation.cog_year == 2026
    assert organisation.department_code == "21" and organisation.region_code == "27"
    assert 47 < organisation.latitude < 48 and 4 < organisation.longitude < 6


# --- poles and the check ------------------------------------------------------------------


def test_a_pole_with_its_three_kinds_of_members_is_checked_against_the_law(complete_pole):
    assert complete_pole.status == Pole.Status.CHECKED
    summary = complete_pole.check_report
    assert summary["rules"]["R1"] == summary["rules"]["R2"] == summary["rules"]["R3"] == "holds"
    assert summary["rules"]["R7"] == "declared" and summary["meets_the_law"]


def test_a_recorded_grouping_without_an_ess_enterprise_is_contrary_and_says_why(pole, org):
    target = pole()
    for name, category in (("Usine", "enterprise"), ("Agglo", "local_authority")):
        services.membership_set(
            pole=target,
            organisation=org(name, category=category, ess_status="not_ess"),
            role="member",
        )
    target.refresh_from_db()
    # two organisations recorded: the list is not read as complete yet
    assert target.status == Pole.Status.INCOMPLETE
    assert services.pole_check(target).by_id()["R1"].outcome == "missing"
    services.membership_set(
        pole=target,
        organisation=org("Lycée", category="training", ess_status="not_ess"),
        role="member",
    )
    target.refresh_from_db()
    assert target.status == Pole.Status.CONTRARY
    r1 = services.pole_check(target).by_id()["R1"]
    assert r1.outcome == "fails" and "n’est une entreprise de l’ESS" in r1.explanation
    assert "3 structures renseignées" in r1.explanation


def test_a_member_outside_the_territory_is_a_warning_not_an_error(complete_pole, org):
    services.membership_set(
        pole=complete_pole, organisation=org("Lointaine", commune="21231"), role="member"
    )
    report = services.pole_check(complete_pole)
    r6 = report.by_id()["R6"]
    assert r6.outcome == "holds"
    assert any("Lointaine" in w and "Dijon" in w for w in r6.warnings)
    complete_pole.refresh_from_db()
    assert complete_pole.status == Pole.Status.CHECKED


def test_laureates_are_laureates_and_no_longer_eligible_to_calls(complete_pole):
    assert selectors.pole_eligibility(complete_pole).eligible is True
    services.laureate_add(pole=complete_pole, year=2013, source_url="https://example.org/2013")
    complete_pole.refresh_from_db()
    assert complete_pole.status == Pole.Status.LAUREATE
    # R8 is a condition of the calls, not of the definition: not in the check, not counted
    assert "R8" not in complete_pole.check_report["rules"]
    assert complete_pole.check_report["meets_the_law"] is True
    eligibility = selectors.pole_eligibility(complete_pole)
    assert eligibility.eligible is False
    assert [r.rule.id for r in eligibility.results if r.fails] == ["R8"]


def test_changing_a_member_re_runs_the_check(complete_pole):
    ess = complete_pole.memberships.get(organisation__name="Archer").organisation
    services.organisation_save(
        data={"name": "Archer", "category": "enterprise", "ess_status": "not_ess"}, organisation=ess
    )
    complete_pole.refresh_from_db()
    assert complete_pole.status == Pole.Status.CONTRARY  # three recorded, none ESS


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"territory": ["26", "ZZ"]}, "registry.unknown_area"),
        ({"commune_code": "2A999"}, "registry.unknown_commune"),
        ({"siren": "123"}, "registry.invalid_siren"),
        ({"year_founded": "1789"}, "registry.invalid_year"),
        ({"jobs": "beaucoup"}, "registry.invalid_jobs"),
        ({"strategy": "x" * 5001}, "registry.too_long"),
    ],
)
def test_bad_pole_data_saves_nothing(pole, change, code):
    with pytest.raises(DomainError) as caught:
        pole(**change)
    assert caught.value.code == code and caught.value.field == next(iter(change))
    assert not Pole.objects.exists()


def test_territory_accepts_communes_epci_and_departments(pole):
    target = pole(territory=["26281", "200068781", "07", "26"])
    kinds = dict(target.territory.values_list("code", "kind"))
    assert kinds == {
        "26281": "commune",
        "200068781": "epci",
        "07": "department",
        "26": "department",
    }


def test_check_all_counts_by_status(complete_pole, pole):
    pole(name="Pôle vide", strategy="")
    Pole.objects.update(status=Pole.Status.LAUREATE)  # stale: the command puts it right
    assert services.check_all() == {"checked": 1, "incomplete": 1}


def test_a_pole_known_only_by_its_department_or_region_is_placed_at_its_centre(pole):
    by_department = pole(name="Réuniverre", commune_code="", department_code="974")
    assert by_department.region_code == "04" and by_department.located_by == "department"
    assert -22 < by_department.latitude < -20
    by_region = pole(name="Projet PHARE", commune_code="", region_code="93", territory=[])
    assert by_region.department_code == "" and by_region.located_by == "region"
    with pytest.raises(DomainError) as caught:
        pole(name="Nulle part", commune_code="", department_code="100")
    assert caught.value.code == "registry.unknown_department"
    with pytest.raises(DomainError) as caught:
        pole(name="Nulle part", commune_code="", region_code="99")
    assert caught.value.code == "registry.unknown_region"


def test_overseas_collectivities_have_three_digit_region_codes(org):
    """Papeete (French Polynesia): region 987, a code of three digits."""
    organisation = org(commune="98735")
    organisation.refresh_from_db()
    assert organisation.region_code == "987" and organisation.department_code == "987"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org", "pas une adresse"])
def test_websites_are_web_addresses_only(org, url):
    with pytest.raises(DomainError) as caught:
        org(website=url)
    assert (
        caught.value.code == "registry.invalid_url"
        and caught.value.field == "website"
        and "https://" in str(caught.value.message)
    )
    assert not Organisation.objects.exists()


def test_invisible_control_characters_are_refused(org):
    with pytest.raises(DomainError) as caught:
        org(name="Archer\x00")
    assert caught.value.code == "registry.text_control" and caught.value.field == "name"
