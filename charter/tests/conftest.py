from datetime import date

import pytest
from django.contrib.auth import get_user_model

from charter.models import CharterVersion
from registry import services as registry_services


@pytest.fixture
def versions(db):
    old = CharterVersion.objects.create(
        number=1,
        title="Charte de la démarche collective PTCE",
        published_on=date(2014, 9, 19),
        body="# Charte\n\nTexte de remplacement.\n\nLigne ancienne.",
        is_placeholder=True,
    )
    new = CharterVersion.objects.create(
        number=2,
        title="Charte de la démarche collective PTCE",
        published_on=date(2021, 6, 1),
        summary="Révision de juin 2021",
        body="# Charte\n\nTexte de remplacement.\n\nLigne nouvelle.",
        is_placeholder=True,
    )
    return old, new


@pytest.fixture
def pole(db):
    return registry_services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": "26281"})


@pytest.fixture
def manager(pole):
    user = get_user_model().objects.create_user("gestion", password="x-pass-1234")
    pole.managers.add(user)
    return user
