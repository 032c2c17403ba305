import os

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
