"""The door's error codes: declared once (checkin/errors.py), prefixed, translated, and
never written as a bare string where the door raises or answers an error."""

import re
from pathlib import Path

from django.utils import translation

from checkin import errors
from core.errors import REGISTRY, ErrorCode

CHECKIN = Path(errors.__file__).resolve().parent


def declared() -> list[ErrorCode]:
    found = [value for value in vars(errors).values() if isinstance(value, ErrorCode)]
    return found + list(errors.INVALID_TEXT.values())


def test_every_code_is_prefixed_registered_and_translated():
    for error in declared():
        assert error.code.startswith("checkin.") and REGISTRY[error.code] is error
        with translation.override("en"):
            english = str(error.message)
        with translation.override("fr"):
            french = str(error.message)
        assert french and french != english, error.code


def test_a_text_field_has_its_own_fixed_code_and_message():
    assert errors.INVALID_TEXT["reason"] is errors.INVALID_REASON
    with translation.override("fr"):
        french = str(errors.INVALID_TEXT["first_name"].message)
    assert "first_name" in french and "texte" in french
    assert errors.INVALID_TEXT["email"].code == "checkin.invalid_email"


def test_no_code_is_written_as_a_bare_string():
    """Every error the door raises or answers is a declared one (``errors.X``)."""
    bare = re.compile(r"""DomainError\(\s*["']|ScanRejection\([^)]*?["'][a-z_]+["']""")
    for path in [*CHECKIN.glob("*.py"), *CHECKIN.glob("views/*.py")]:
        assert not bare.search(path.read_text(encoding="utf-8")), path.name
