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


def _env(**overrides) -> dict:
    """The environment of a child process with DEBUG off and nothing of this one's."""
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "PTCE_")) and k not in ("SITE_URL", "DEBUG")
        },
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PTCE_ENV_FILE": "/nonexistent/ptce.env",
        "DEBUG": "0",
        "SECRET_KEY": GOOD,
        **overrides,
    }
    return {k: v for k, v in env.items() if v is not None}


def _start(**overrides):
    """Start Django in a child process with DEBUG off; (returncode, stdout, stderr)."""
    env = _env(**overrides)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SITE_URL, settings.SECURE_HSTS_SECONDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return result.returncode, result.stdout.strip(), result.stderr


def test_production_does_not_start_without_site_url():
    code, _out, err = _start()
    assert code != 0
    assert "ImproperlyConfigured" in err and "SITE_URL must be set" in err
    code, _out, err = _start(SITE_URL="ptce.example.org")
    assert code != 0 and "http:// or https://" in err
    # the demo (DEBUG on) keeps its local default
    code, out, err = _start(DEBUG="1")
    assert code == 0, err
    assert out == "http://127.0.0.1:8000 0"


def test_hsts_is_on_by_default_when_the_site_is_https():
    code, out, err = _start(SITE_URL="https://ptce.example.org/")
    assert code == 0, err
    assert out == "https://ptce.example.org 31536000"
    code, out, err = _start(SITE_URL="https://ptce.example.org", SECURE_HSTS_SECONDS="0")
    assert (code, out) == (0, "https://ptce.example.org 0")
    code, out, err = _start(SITE_URL="http://intranet.example.org")
    assert (code, out) == (0, "http://intranet.example.org 0")


def test_make_demo_passes_its_port_to_the_site_url():
    result = subprocess.run(
        ["make", "-n", "demo", "PORT=8123", "-o", "install"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "SITE_URL"},
    )
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert len(commands) == 6  # migrate, the four demos, runserver
    assert all("SITE_URL=http://127.0.0.1:8123" in line for line in commands), commands


def test_commands_run_in_production_before_the_static_files_are_collected(tmp_path):
    """`manage.py migrate` comes before `collectstatic` in a deployment: loading the URLs
    must not look up a static file in a manifest that does not exist yet."""
    env = _env(SITE_URL="https://ptce.example.org", STATIC_ROOT=str(tmp_path / "static"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
