"""Error codes: each declared once, in its app's ``errors.py``, prefixed by the app, with a
French message and an HTTP status; the code raises only declared codes, and uses each."""

import ast
import importlib
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from core.errors import REGISTRY, DomainError, ErrorCatalogue, ErrorCode, error_response

ROOT = Path(settings.BASE_DIR)
APPS = ["core", "accounts", "registry", "charter", "calls", "events", "checkin", "portal"]


def _declared() -> dict[str, tuple[str, ErrorCode]]:
    """code -> (app, constant name) for every ErrorCode of every app's errors module."""
    found = {}
    for app in APPS:
        if not (ROOT / app / "errors.py").exists():
            continue
        module = importlib.import_module(f"{app}.errors")
        for name, value in vars(module).items():
            if isinstance(value, ErrorCode):
                found[value.code] = (app, name)
    return found


def _sources(app: str | None = None):
    for each in [app] if app else APPS:
        for path in (ROOT / each).rglob("*.py"):
            if not {"tests", "migrations"} & set(path.parts) and path.name != "errors.py":
                yield path


def test_every_code_is_its_apps_declared_once_with_a_status():
    declared = _declared()
    assert {app for app, _ in declared.values()} >= {"registry", "charter", "events", "checkin"}
    assert set(declared) == set(REGISTRY), "an ErrorCode outside its app's errors module"
    for code, (app, name) in declared.items():
        assert code == f"{app}.{name.lower()}", f"{app}.errors.{name} is {code}"
        assert 400 <= REGISTRY[code].status < 600, code
    app, _, name = next(iter(declared)).partition(".")
    with pytest.raises(ImproperlyConfigured):
        ErrorCatalogue(app).declare(name, "x")


def test_every_message_is_translated_into_french():
    untranslated = []
    for code in _declared():
        with translation.override("en"):
            english = str(REGISTRY[code].message)
        with translation.override("fr"):
            french = str(REGISTRY[code].message)
        if french == english:
            untranslated.append(f"{code}: {english}")
    assert not untranslated, "\n".join(untranslated)


def test_the_code_raises_declared_codes_only():
    """No code written as a string, nor built at run time (« "invalid_" + name »)."""
    bare = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "DomainError"
                and not (
                    node.args and isinstance(node.args[0], ast.Attribute | ast.Name | ast.Subscript)
                )
            ):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare, "DomainError without a declared code: " + ", ".join(bare)


def test_every_declared_code_is_used():
    texts = {app: "\n".join(p.read_text(encoding="utf-8") for p in _sources(app)) for app in APPS}
    unused = [
        code
        for code, (app, name) in _declared().items()
        if f"errors.{name}" not in texts[app] and f"errors.{name}" not in "".join(texts.values())
    ]
    assert not unused, "declared and never used: " + ", ".join(unused)


def test_every_api_error_has_one_envelope():
    code = next(iter(_declared()))
    response = error_response(DomainError(REGISTRY[code], field="email"), version=1)
    body = json.loads(response.content)
    assert response.status_code == REGISTRY[code].status
    assert body["version"] == 1
    assert body["error"] == {
        "code": code,
        "message": str(REGISTRY[code].message),
        "field": "email",
    }


def test_a_precise_message_is_kept_as_given():
    # a validator's message may quote what was typed: it is not a template (an origin
    # typed as « %(field)s%(x)s » once made the service raise KeyError instead)
    typed = "“%(field)s%(x)s %d” is not an origin such as https://www.example.org"
    error = DomainError(REGISTRY["events.invalid_field"], typed, field="embed_origins")
    assert error.message == typed
    assert error.field == "embed_origins"


def test_the_declared_message_names_its_field():
    with translation.override("en"):
        error = DomainError(REGISTRY["checkin.invalid_text"], field="token")
        assert str(error.message) == "“token” must be a text."


@pytest.mark.django_db
def test_an_origin_quoting_a_placeholder_is_refused_with_its_message():
    from events import errors as event_errors
    from events.models import Event
    from events.services import EVENT_EDITABLE_FIELDS, event_update

    event = Event.objects.create(
        title="Journée",
        slug="journee",
        starts_at="2031-09-19T09:00:00+02:00",
        ends_at="2031-09-19T17:00:00+02:00",
        capacity=10,
    )
    data = {name: getattr(event, name) for name in EVENT_EDITABLE_FIELDS}
    data["embed_origins"] = "%(field)s%(x)s"
    with pytest.raises(DomainError) as raised:
        event_update(event=event, data=data)
    assert raised.value.error is event_errors.INVALID_FIELD
    assert raised.value.field == "embed_origins"
    assert "%(field)s%(x)s" in str(raised.value.message)
