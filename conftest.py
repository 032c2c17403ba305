import os
from contextlib import contextmanager
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL.

    On SQLite they are skipped locally; under CI=true the SQLite pass leaves them to the
    PostgreSQL pass (deselected, and said so), and the PostgreSQL pass must really be on
    PostgreSQL, or the run fails.
    """
    from django.db import connection

    needs_pg = [item for item in items if "postgres" in item.keywords]
    if connection.vendor == "postgresql":
        return
    if os.environ.get("DATABASE_URL") and IN_CI:
        raise pytest.UsageError("DATABASE_URL is set but the database is not PostgreSQL.")
    if IN_CI:
        items[:] = [item for item in items if item not in needs_pg]
        config.hook.pytest_deselected(items=needs_pg)
        print(f"\n{len(needs_pg)} PostgreSQL test(s) left to the PostgreSQL pass of .ci/run")
        return
    for item in needs_pg:
        item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))


def pytest_itemcollected(item):
    """The tests of a module that share a module-scoped fixture (a loaded demo, the crawl,
    a Chromium) run on one worker of pytest-xdist (``--dist loadgroup``, pyproject), which
    builds it once; the others are spread one by one."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return
    if any(defs[-1].scope == "module" for defs in info.name2fixturedefs.values() if defs):
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """MD5 for the passwords of the tests: Django's PBKDF2 (a million rounds) costs about a
    second per account made or signed in with a password on the CI machine, thousands of
    times over, and it is Django's, not what the tests check. A test that needs another
    hasher sets its own (the ``settings`` fixture)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, as pytest-django makes it; on PostgreSQL, the sessions that a
    test's threads left open (a live server's, a concurrency test's) are ended before it is
    dropped, else the drop fails with « is being accessed by other users »."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def page_queries(client, url: str, *, warm: bool = True) -> int:
    """The queries of one GET of ``url``, read to its end (a streamed file too); with
    ``warm``, after a first GET (what a first request caches is not counted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warm:
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # The embedding page of the embed tests is served by Playwright itself (page.route),
    # which Chromium counts as a public address: its Local Network Access check would
    # then stop the frame before our headers are even read.
    "--disable-features=LocalNetworkAccessChecks",
]


def wait_for_mail(count: int | None = None, *, where=None, timeout: float = 10.0) -> list:
    """The emails sent so far, once there are ``count`` of them (or, with ``where``, once
    one matches it; then the matching ones): the server sends them after its response
    has gone (core/tasks_backend.py), while the browser already shows the next page."""
    import time

    from django.core import mail

    def found():
        if where is not None:
            return [m for m in mail.outbox if where(m)]
        return mail.outbox if len(mail.outbox) >= count else []

    deadline = time.monotonic() + timeout
    while not found() and time.monotonic() < deadline:
        time.sleep(0.05)
    if where is None:
        assert len(mail.outbox) == count, mail.outbox
        return mail.outbox
    assert found(), [m.subject for m in mail.outbox]
    return found()


@contextmanager
def chromium_browser(extra_args=()):
    """Debian's Chromium driven by Playwright (skipped, or failed in CI, without it)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is not installed (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed: apt-get install chromium")
    # Playwright's sync API keeps an event loop in this thread: Django would then refuse
    # database calls from the test body ("you cannot call this from an async context").
    # Allowed only while the browser runs.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_api.sync_playwright().start()
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args]
            )
            try:
                yield chromium
            finally:
                chromium.close()
        finally:
            playwright.stop()


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (startup is slow)."""
    with chromium_browser() as chromium:
        yield chromium


# --- helpers of the browser tests of every app ----------------------------------------------

SHOTS = Path("/tmp/ptce-shots")  # noqa: S108 - screenshots, for people to look at
VIEWPORTS = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 900},
}
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def new_page(browser):
    """Open a page in a fresh French-speaking context at a given viewport."""
    contexts = []

    def _open(viewport="phone"):
        context = browser.new_context(
            viewport=VIEWPORTS[viewport], locale="fr-FR", timezone_id="Europe/Paris"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def axe_scan(page) -> dict:
    """axe-core's results for the page (checked to have really run)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    assert results["passes"], "axe-core checked nothing: was it blocked?"
    return results


def no_horizontal_scroll(page) -> bool:
    """Content reflows to the viewport width (WCAG 1.4.10), nothing sticks out."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.extend(f"    {node['target']}" for node in violation["nodes"])
    return "\n".join(lines)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    """Each test starts with nothing counted against the shared limits of core.throttle
    (every test posts from one address: the limits of one test must not refuse the
    requests of the next, e.g. the claims of the fuzz test before a browser test's)."""
    import uuid

    from core import throttle

    monkeypatch.setattr(throttle, "KEY_PREFIX", f"test-ratelimit-{uuid.uuid4().hex}")
