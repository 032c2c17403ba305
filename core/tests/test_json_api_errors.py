"""A JSON API never answers an HTML page: Django's own 403 (CSRF), 404 and 405 come in the
one error envelope on the door's API and the .json addresses (core.middleware)."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)["error"]


def test_a_refused_csrf_on_the_door_api_is_json():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr")
    error = _error(client.post("/api/accueil/v1/liste", {}), 403)
    assert error == {"code": "core.forbidden", "message": "Cette requête est refusée."}


def test_a_wrong_method_on_the_door_api_is_json_and_says_what_is_allowed():
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/api/accueil/v1/sync")
    error = _error(response, 405)
    assert error["code"] == "core.method_not_allowed"
    assert "POST" in response["Allow"]


@pytest.mark.parametrize(
    "path", ["/api/accueil/v1/inconnu", "/api/rien", "/charte/projection/inconnu/etat.json"]
)
def test_an_unknown_api_address_is_json(path):
    error = _error(Client(HTTP_ACCEPT_LANGUAGE="en").get(path), 404)
    assert error == {"code": "core.not_found", "message": "Nothing answers at this address."}


def test_a_page_not_found_stays_a_page():
    response = Client().get("/poles/inconnu-de-tous/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
