import pytest

from registry import services


@pytest.fixture
def org(db):
    """Make an organisation through the service: org(name, category, ess_status, commune)."""
    counter = iter(range(10_000))

    def _org(
        name=None, category="ess_enterprise", ess_status="association", commune="26281", **extra
    ):
        data = {
            "name": name or f"Structure {next(counter)}",
            "category": category,
            "ess_status": ess_status,
            "commune_code": commune,
            **extra,
        }
        return services.organisation_save(data=data)

    return _org


@pytest.fixture
def pole(db):
    def _pole(**extra):
        data = {
            "name": "Pôle Sud Archer",
            "siren": "",
            "legal_form": "Association",
            "commune_code": "26281",
            "territory": ["26"],
            "strategy": "Mutualiser les fonctions support et créer des emplois durables sur le "
            "bassin de Romans, avec les entreprises et la collectivité.",
            **extra,
        }
        return services.pole_save(data=data)

    return _pole


@pytest.fixture
def complete_pole(pole, org):
    """A pole that meets the law: ESS enterprise, other enterprise, local authority."""
    from registry import services as s

    target = pole(siren="732829320", legal_form="Association loi 1901")
    s.membership_set(
        pole=target, organisation=org("Archer", ess_status="association"), role="initiator"
    )
    s.membership_set(
        pole=target,
        organisation=org("Chaussures Romans", category="enterprise", ess_status="not_ess"),
        role="member",
    )
    s.membership_set(
        pole=target,
        organisation=org("Valence Romans Agglo", category="local_authority", ess_status="not_ess"),
        role="member",
    )
    target.refresh_from_db()
    return target
