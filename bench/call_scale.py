"""A call at scale: conflicts of interest and assignment for 2,000 applications and 60
jurors (k = 3), with the registry at 10,000 poles.

What it does (a few minutes at the default size on a 2-core machine, most of it the
registry's generation):

1. uses the PostgreSQL database of ``DATABASE_URL``, which must be empty (``createdb``; the
   run refuses a database with tables, and leaves it filled), or, without it, a throwaway
   one (``_harness.database``, dropped afterwards); migrates it;
2. generates the registry with ``directory_scale.generate`` (COPY, the values the services
   would write: ``--poles`` poles, ``--organisations`` organisations, ``--memberships``
   memberships, networks, territories);
3. seeds one call with one national stage (``--k`` jurors per file), ``--applications``
   submitted applications of poles drawn at random, ``--jurors`` jurors, each in an
   organisation of the registry (one in three drawn among the members of applying poles,
   so that conflicts appear; the others at random) with an account, a few of which manage
   an applying pole (bulk inserts: the seeding is not measured);
4. times, in this process, what the call manager's « compute the conflicts and the
   assignment » does: reading the inputs from the database (``calls.selectors_conflicts``:
   jurors, then the applying poles' members, networks and territories), the conflict
   matrix (``calls.conflicts.conflict_matrix``), then the assignment
   (``calls.assignment.assign``, a min-cost flow) with the blocking pairs forbidden;
   checks the result (no conflicted pair, k jurors a file, loads at most one apart);
5. prints the figures as JSON (and ``--json FILE`` writes them); exits 1 when an invariant
   failed, or when the goal (conflicts + assignment under 10 s) is missed with
   ``--strict-goals``.

6. then the ranking page (``calls_manage:ranking``, its first page) as the call's manager:
   the assignment stored, every pair given a submitted review (a score per criterion) and
   one entry appended to the call's log, as the services do (the page's standing is
   cached until the log's next entry); its query counts, computed and cached, with a tenth
   of the files reviewed and with all (equal, or the run fails); p50 and p95 of
   ``--requests`` GETs through Django's test client with the standing cached (« warm »,
   goal: p95 under 200 ms), and of ``--cold-requests`` GETs each after a new log entry
   (« cold »: the first request after a change computes the standing).

The deadline rush of submissions (500 through HTTP, 100 clients) is ``bench/call_rush.py``.

    createdb -h 127.0.0.1 -U postgres ptce_demo_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ptce_demo_bench \\
        .venv/bin/python bench/call_scale.py
    .venv/bin/python bench/call_scale.py --poles 1000 --organisations 20000 \\
        --memberships 40000 --applications 300   # quick, on a throwaway database
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import _harness as h

GOAL_S = 10.0
RANKING_GOAL_MS = 200


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--poles", type=int, default=10_000)
    add("--organisations", type=int, default=200_000)
    add("--memberships", type=int, default=400_000)
    add("--applications", type=int, default=2_000)
    add("--jurors", type=int, default=60)
    add("--k", type=int, default=3, help="jurors per file")
    add("--seed", type=int, default=2025)
    add("--requests", type=int, default=30, help="timed requests of the ranking page")
    add("--cold-requests", type=int, default=10, help="timed requests after a change")
    add("--strict-goals", action="store_true", help="a missed goal fails the run")
    add("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.applications > args.poles:
        parser.error("--applications: at most one per pole")
    args.fifty = args.five = 0  # directory_scale.generate: no pole of fixed size
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    h.header("call at scale benchmark")
    with h.Cleanup() as cleanup:
        url = os.environ.get("DATABASE_URL", "")
        if url:
            db = h.Database(url.rsplit("/", 1)[-1], url, Path(tempfile.mkdtemp()))
            with db.connect() as conn:
                tables = conn.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                ).fetchone()[0]
            if tables:  # never someone's working database: the run fills it
                print(f"DATABASE_URL: {db.name} is not empty ({tables} tables); give an empty one")
                return 2
        else:
            db = cleanup.enter_context(h.database())
        h.setup_django(h.app_env(db, TASKS_BACKEND="dummy", EMAIL_BACKEND="locmem"))
        figures = run(db, args)
    failures = figures["failures"]
    missed = [] if figures["goal_met"] else [f"conflicts + assignment under {GOAL_S:.0f} s"]
    if figures.get("ranking") and not figures["ranking"]["goal_met"]:
        missed.append(f"ranking page p95 under {RANKING_GOAL_MS} ms")
    print(json.dumps(figures, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    if failures or (missed and args.strict_goals):
        return 1
    return 0


def run(db, args) -> dict:
    import directory_scale
    from django.core.management import call_command
    from django.db import connection

    figures: dict = {"args": {k: v for k, v in vars(args).items() if k != "json"}}
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    figures["migrate_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    generated = directory_scale.generate(db.url, args, random.Random(args.seed))
    figures["generation_s"] = round(time.perf_counter() - t, 1)
    figures["registry"] = generated.counts
    connection.close()  # generate wrote through its own connection
    t = time.perf_counter()
    stage, applications, jurors = seed(args, random.Random(args.seed))
    figures["seeding_s"] = round(time.perf_counter() - t, 1)
    figures["database"] = f"{connection.vendor} {db.name}"
    figures.update(measure(stage, applications, jurors, args.k))
    if not figures["failures"]:
        figures["ranking"] = measure_ranking(stage, args, random.Random(args.seed))
        figures["failures"] += figures["ranking"].pop("failures")
    return figures


def seed(args, rng: random.Random):
    """One call, one national stage, the applications and the jurors (bulk inserts)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from calls.models import Application, Call, Criterion, Juror, Stage
    from registry.models import Membership, Organisation, Pole

    now = timezone.now()
    call = Call.objects.create(
        title="Appel à l'échelle (banc d'essai)",
        slug="banc-appel",
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=1),
        published_at=now - timedelta(days=41),
    )
    stage = Stage.objects.create(
        call=call, name="Jury national", kind=Stage.Kind.NATIONAL, jurors_per_file=args.k
    )
    for position, label in enumerate(["Coopération", "Ancrage territorial", "Utilité sociale"]):
        Criterion.objects.create(stage=stage, label=label, weight=1, position=position)
    pole_ids = sorted(Pole.objects.values_list("pk", flat=True))
    applying = rng.sample(pole_ids, args.applications)
    Application.objects.bulk_create(
        [
            Application(
                call=call,
                pole_id=pole_id,
                stage=stage,
                status=Application.Status.SUBMITTED,
                submitted_at=now - timedelta(days=2, seconds=n),
                sha256=f"{n:064x}",
            )
            for n, pole_id in enumerate(applying)
        ],
        batch_size=1000,
    )
    members = list(
        Membership.objects.filter(pole_id__in=applying)
        .order_by("pk")
        .values_list("organisation_id", flat=True)
    )
    organisation_ids = sorted(Organisation.objects.values_list("pk", flat=True))
    User = get_user_model()
    User.objects.bulk_create(
        [
            User(username=f"jure-banc-{n:03d}", email=f"jure{n}@example.org")
            for n in range(args.jurors)
        ]
    )
    users = list(User.objects.filter(username__startswith="jure-banc-").order_by("username"))
    for user, pole_id in zip(users[: args.jurors // 10], applying, strict=False):
        Pole.managers.through.objects.create(pole_id=pole_id, user_id=user.pk)
    # one juror in three from a member of an applying pole: conflicts appear
    chosen = [
        rng.choice(members) if n % 3 == 0 else rng.choice(organisation_ids)
        for n in range(args.jurors)
    ]
    organisations = Organisation.objects.in_bulk(chosen)
    Juror.objects.bulk_create(
        [
            Juror(
                stage=stage,
                name=f"Juré {n}",
                email=user.email,
                user=user,
                organisation=organisation,
                region_code=organisation.region_code,
                declared_at=now,
            )
            for n, (user, organisation) in enumerate(
                zip(users, (organisations[pk] for pk in chosen), strict=True)
            )
        ]
    )
    jurors = list(Juror.objects.filter(stage=stage).select_related("organisation"))
    applications = list(Application.objects.filter(call=call).select_related("pole"))
    return stage, applications, jurors


def measure(stage, applications, jurors, k: int) -> dict:
    from calls import selectors_conflicts
    from calls.assignment import assign, check_assignment
    from calls.conflicts import CONFLICT, conflict_matrix

    by_pole = {a.pole_id: a for a in applications}
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    juror_inputs = selectors_conflicts.conflict_jurors(jurors)
    pole_inputs = selectors_conflicts.conflict_poles(set(by_pole))
    t1 = time.perf_counter()
    matrix = conflict_matrix(juror_inputs, pole_inputs)
    t2, cpu2 = time.perf_counter(), time.process_time()
    # the registry's « conflict » level blocks; « to review » waits for the manager
    forbidden = {
        (juror_id, by_pole[pole_id].pk)
        for (juror_id, pole_id), found in matrix.items()
        if any(c.level == CONFLICT for c in found)
    }
    files = {a.pk: a.pole.region_code or None for a in applications}
    result = assign(files, {j.pk: j.region_code or None for j in jurors}, forbidden, k)
    t3, cpu3 = time.perf_counter(), time.process_time()
    failures = []
    if any((j, f) in forbidden for f, js in result.assignment.items() for j in js):
        failures.append("a conflicted pair was assigned")
    if any(len(js) != k for js in result.assignment.values()):
        failures.append(f"a file without {k} jurors")
    loads = result.loads.values()
    if max(loads) - min(loads) > 1:
        failures.append("loads more than one apart")
    failures += [str(p.message) for p in result.problems]
    juror_ids = [j.pk for j in jurors]
    failures += [str(e) for e in check_assignment(result.assignment, juror_ids, forbidden, k)]
    total = t3 - t0
    stage._bench_assignment = result.assignment  # stored by measure_ranking
    levels = [c.level for found in matrix.values() for c in found]
    return {
        "applications": len(applications),
        "jurors": len(jurors),
        "k": k,
        "conflicted_pairs": len(matrix),
        "blocking_pairs": len(forbidden),
        "to_review": levels.count("review"),
        "read_inputs_s": round(t1 - t0, 3),
        "conflict_matrix_s": round(t2 - t1, 3),
        "conflicts_s": round(t2 - t0, 3),
        "assignment_s": round(t3 - t2, 3),
        "total_s": round(total, 3),
        # this process's CPU: on a shared machine the wall time also counts the others
        "conflicts_cpu_s": round(cpu2 - cpu0, 3),
        "assignment_cpu_s": round(cpu3 - cpu2, 3),
        "goal_s": GOAL_S,
        "goal_met": total < GOAL_S,
        "loads": [min(loads), max(loads)],
        "failures": failures,
    }


def measure_ranking(stage, args, rng: random.Random) -> dict:
    """The ranking page of the stage, as its call manager sees it.

    Stores the computed assignment (bulk), gives a tenth of the files their k submitted
    reviews (one score per criterion) and counts the page's queries, then the rest and
    counts again (the count must not grow with the files), then times ``--requests`` GETs
    (after two warm-ups): p50, p95."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from calls import ledger
    from calls.models import Assignment, Call, Review, Score

    now = timezone.now()
    criteria = list(stage.criteria.all())
    assignment = stage._bench_assignment
    Assignment.objects.bulk_create(
        [
            Assignment(stage=stage, application_id=f, juror_id=j, source=Assignment.Source.SOLVER)
            for f in sorted(assignment)
            for j in assignment[f]
        ],
        batch_size=2000,
    )
    pairs = list(Assignment.objects.filter(stage=stage).order_by("application_id", "juror_id"))
    manager = get_user_model().objects.create_user(
        username="gestion-banc", email="gestion@example.org", password=None
    )
    stage.call.managers.add(manager)
    client = Client()
    client.force_login(manager)
    url = reverse("calls_manage:ranking", kwargs={"slug": stage.call.slug, "stage": stage.pk})
    failures: list[str] = []

    def review(pairs):
        reviews = Review.objects.bulk_create(
            [Review(assignment=a, total=None, submitted_at=now) for a in pairs], batch_size=2000
        )
        Score.objects.bulk_create(
            [
                Score(review=r, criterion=c, value=Decimal(rng.randint(0, stage.scale_max)))
                for r in reviews
                for c in criteria
            ],
            batch_size=2000,
        )

    def logged_change():
        """What a service does after its write: an entry in the call's log (a new key for
        the cached standing)."""
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=stage.call_id)
            ledger.record(call, "bench.reviews.seeded", stage)

    def counted():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            failures.append(f"ranking page: HTTP {response.status_code}")
        return len(queries)

    def timed(n: int, before=None) -> tuple[float, float, float]:
        """p50 and p95 of the wall time, p50 of this process's CPU (the same on a busy
        machine; the database's own time is not in it)."""
        times, cpu = [], []
        for _ in range(n):
            if before is not None:
                before()
            t, c = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        times.sort()
        cpu.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        return times[len(times) // 2], p95, cpu[len(cpu) // 2]

    files = sorted({a.application_id for a in pairs})
    tenth = set(files[: len(files) // 10])
    review([a for a in pairs if a.application_id in tenth])
    logged_change()
    queries_tenth = (counted(), counted())  # computed, then cached
    review([a for a in pairs if a.application_id not in tenth])
    logged_change()
    queries_all = (counted(), counted())
    if queries_all != queries_tenth:
        failures.append(f"ranking page: {queries_tenth} queries → {queries_all} with 10× files")
    client.get(url)
    p50, p95, cpu50 = timed(args.requests)
    cold_p50, cold_p95, cold_cpu50 = timed(args.cold_requests, before=logged_change)
    return {
        "files": len(files),
        "submitted_reviews": len(pairs),
        "queries_with_a_tenth_reviewed": {"cold": queries_tenth[0], "warm": queries_tenth[1]},
        "queries_all_reviewed": {"cold": queries_all[0], "warm": queries_all[1]},
        "requests": args.requests,
        "p50_ms": round(p50),
        "p95_ms": round(p95),
        "cpu_p50_ms": round(cpu50),
        "cold_requests": args.cold_requests,
        "cold_p50_ms": round(cold_p50),
        "cold_p95_ms": round(cold_p95),
        "cold_cpu_p50_ms": round(cold_cpu50),
        "goal_ms": RANKING_GOAL_MS,
        "goal_met": p95 < RANKING_GOAL_MS,
        "failures": failures,
    }


if __name__ == "__main__":
    h.use_venv()
    sys.exit(main())
