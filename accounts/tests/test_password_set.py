"""The one-time link to choose a password keeps where the person was going."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db


def _link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/compte/mot-de-passe/{uid}/{default_token_generator.make_token(user)}/"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/charte/signer/", "/charte/signer/"),
        ("//ailleurs.example/x", ""),
        ("https://ailleurs.example/", ""),
    ],
)
def test_the_password_link_leads_on_to_its_next_page(client, given, kept):
    user = get_user_model().objects.create_user("cc@archer.example", email="cc@archer.example")
    page = client.get(_link(user), {"next": given}, follow=True)
    form_url = page.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Coop-Romans-2014!", "new_password2": "Coop-Romans-2014!"}
    )
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "Mot de passe enregistré" in done
    if kept:
        assert response["Location"].endswith("?next=%2Fcharte%2Fsigner%2F")
        assert "/compte/connexion/?next=/charte/signer/" in done
    else:
        assert "?next" not in response["Location"] and "ailleurs" not in done
    user.refresh_from_db()
    assert user.check_password("Coop-Romans-2014!")
