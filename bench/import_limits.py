"""The CSV import at its stated limits: 20,000 rows, 5 MB, through the dry run and the
confirmation, on SQLite, in seconds.

What it measures and checks, and the results: README, « Bancs d'essai ».

"""

import argparse
import os
import sys
import time

import _harness as h


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=19_999)
    parser.add_argument("--bytes", type=int, default=5 * 1024 * 1024 - 4096)
    parser.add_argument("--goal", type=float, default=60.0)
    parser.add_argument("--strict-goals", action="store_true")
    args = parser.parse_args()

    with h.Cleanup() as cleanup:
        db = cleanup.enter_context(h.database(sqlite=True))
        # DEBUG on unless said otherwise, as before the harness
        h.setup_django(h.app_env(db, DEBUG=os.environ.get("DEBUG", "1"), TASKS_BACKEND="immediate"))
        return run(args)


def run(args) -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from registry import importing, services
    from registry.models import ImportBatch, Membership, Organisation
    from registry.tests.big_csv import organisations_csv

    call_command("migrate", verbosity=0)
    pole = services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": "26281"})
    user = get_user_model().objects.create_user("bench", password="x-pass-1234", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_organisation", "add_pole"])
    )
    raw = organisations_csv(args.rows, pole=pole.name, row_bytes=args.bytes // (args.rows + 1))
    limit = f"{importing.MAX_BYTES / 2**20:.0f} MB, {importing.MAX_ROWS} rows"
    print(f"file: {args.rows} rows, {len(raw) / 2**20:.2f} MB (limits: {limit})")
    client = Client()
    client.force_login(user)
    failures = []
    timings = {}

    start = time.perf_counter()
    page = client.post(
        "/gestion/annuaire/import/",
        {"kind": "structures", "file": SimpleUploadedFile("big.csv", raw, "text/csv")},
    )
    timings["dry run (request)"] = time.perf_counter() - start
    batch = ImportBatch.objects.filter(created_by=user).first()
    if page.status_code != 200 or batch is None:
        failures.append(f"dry run: {page.status_code}, no checked file kept")
        print("\n".join(failures))
        return 1
    body = f"batch={batch.pk}&csrfmiddlewaretoken=" + "x" * 64
    start = time.perf_counter()
    response = client.post("/gestion/annuaire/import/", {"batch": batch.pk})
    timings["confirmation + import (immediate backend)"] = time.perf_counter() - start
    print(f"confirmation body: about {len(body)} bytes (Django's limit: 2.5 MB)")
    batch.refresh_from_db()
    if response.status_code != 302 or batch.status != "done":
        failures.append(
            f"confirmation: {response.status_code}, import {batch.status} {batch.error}"
        )
    if Organisation.objects.count() != args.rows:
        failures.append(f"{Organisation.objects.count()} organisations, {args.rows} expected")
    if Membership.objects.filter(pole=pole).count() != args.rows:
        failures.append("memberships missing")
    start = time.perf_counter()
    again = importing.plan(raw, "structures")
    timings["dry run again (all unchanged)"] = time.perf_counter() - start
    if again.counts()["unchanged"] != args.rows:
        failures.append(f"second dry run: {again.counts()}")
    for step, seconds in timings.items():
        goal = "met" if seconds <= args.goal else "MISSED"
        print(f"{step}: {seconds:.1f} s (goal {args.goal:.0f} s: {goal})")
        if args.strict_goals and seconds > args.goal:
            failures.append(f"{step} over {args.goal} s")
    print("\n".join(failures) if failures else "all invariants hold")
    return 1 if failures else 0


if __name__ == "__main__":
    h.use_venv()
    sys.exit(main())
