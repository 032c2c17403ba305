import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _french():
    """The messages are checked in French, whatever LANGUAGE_CODE says."""
    with translation.override("fr"):
        yield
