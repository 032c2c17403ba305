"""Production refuses to start on a placeholder SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import check_secret_key

ROOT = Path(__file__).resolve().parents[2]
GOOD = "k3Y-" + "aB9xQ2zR7mT5wL1pV8nC4sD6fG0hJ" * 2


@pytest.mark.parametrize(
    "key",
    [
        "change-me-to-a-long-random-string",  # .env.example's
        "insecure-local-development-key-do-not-use-in-production",
        "django-insecure-" + "x" * 50,
        "tests-only-not-secret",
        "a" * 49 + "b",  # long enough, but two characters
        "s3cr3t",
        "",
    ],
)
def test_a_placeholder_or_short_key_is_refused_when_debug_is_off(key):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        check_secret_key(key, debug=False)


def test_a_long_random_key_is_kept_and_debug_allows_anything():
    assert check_secret_key(GOOD, debug=False) == GOOD
    assert check_secret_key("change-me-to-a-long-random-string", debug=True)
    assert check_secret_key("", debug=True)


def test_the_site_does_not_start_with_the_example_key():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PTCE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PTCE_ENV_FILE": "/nonexistent/ptce.env",
        "DEBUG": "0",
        "SECRET_KEY": "change-me-to-a-long-random-string",
    }
    code = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
    env["SECRET_KEY"] = GOOD
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
