"""The events app's declared errors: each one translated and raised somewhere."""

from pathlib import Path

import pytest
from django.utils import translation

from core.errors import ErrorCode
from events import errors

APP = Path(errors.__file__).resolve().parent
DECLARED = {name: value for name, value in vars(errors).items() if isinstance(value, ErrorCode)}


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_each_code_is_prefixed_translated_and_raised(name):
    error = DECLARED[name]
    assert error.code == f"events.{name.lower()}"
    with translation.override("fr"):
        french = str(error.message)
    with translation.override("en"):
        assert french != str(error.message), error.code
    sources = [
        path.read_text(encoding="utf-8")
        for path in APP.rglob("*.py")
        if "tests" not in path.parts and path.name != "errors.py"
    ]
    assert any(f"errors.{name}" in text for text in sources), f"{error.code} is never raised"
