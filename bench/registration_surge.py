"""Registration surge: N people register at once for one event, through gunicorn.

What it measures and checks, and the results: README, « Bancs d'essai ».

    .venv/bin/python bench/registration_surge.py
    .venv/bin/python bench/registration_surge.py --runs 3
    .venv/bin/python bench/registration_surge.py --registrations 200 --clients 20 \
        --capacity 50 --page-requests 500 --warmup 20     # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import _harness as h

CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CATEGORIES = ["ptce_member", "network", "local_authority", "state", "press", "speaker", "other"]
GOAL_PER_S, GOAL_P99_MS, GOAL_PAGE_PER_S = 150.0, 1000.0, 400.0


def letters(index: int, width: int = 4) -> str:
    """Base-26 spelling of ``index`` in letters only (names may hold no digit): Aaaa, Aaab…"""
    chars = []
    for _ in range(width):
        index, rest = divmod(index, 26)
        chars.append(chr(ord("a") + rest))
    return "".join(reversed(chars)).capitalize()


# --- in the app's process (harness.call) ------------------------------------------------------


def make_event(slug: str, capacity: int, start, programme: bool = True):
    """A published event with a waiting list; with ``programme``, 6 sessions, 8 speakers
    and 6 partners, so that its page weighs what a real one does."""
    from datetime import timedelta

    from events.models import Event, Partner, Session, Speaker

    event = Event.objects.create(
        slug=slug,
        title="Journée nationale des PTCE (banc d'essai)",
        status="published",
        capacity=capacity,
        waiting_list_enabled=True,
        registration_required=True,
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        summary="Une journée pour les pôles territoriaux de coopération économique. " * 4,
        venue_name="Ministère de l'Économie",
        venue_room="Centre de conférences",
        street="139 rue de Bercy",
        postal_code="75012",
        city="Paris",
        access="RER A ou D : Gare de Lyon\nMétro 1 et 14 : Gare de Lyon\nBus 24 et 87",
        organiser_name="Le Labo de l'ESS",
        organiser_url="https://www.lelabo-ess.org",
    )
    speakers = [
        Speaker.objects.create(
            event=event,
            name=f"Intervenant {chr(65 + i)}",
            role="Directrice",
            organisation="Réseau fictif",
        )
        for i in range(8 if programme else 0)
    ]
    for i in range(6 if programme else 0):
        session = Session.objects.create(
            event=event,
            kind="round_table",
            title=f"Table ronde {i + 1}",
            description="Échanges avec la salle. " * 5,
            starts_at=start + timedelta(hours=i),
            ends_at=start + timedelta(hours=i, minutes=50),
        )
        session.speakers.set(speakers[i % 4 : i % 4 + 3])
        Partner.objects.create(
            event=event, name=f"Réseau partenaire {chr(65 + i)}", url="https://example.org", order=i
        )
    return event


def seed(capacity: int, runs: int) -> dict[str, int]:
    """The events under test, ``bench-1`` … ``bench-<runs>``, and ``warmup``: slug -> id."""
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now().replace(microsecond=0) + timedelta(days=30)
    events = [(f"bench-{n}", capacity) for n in range(1, runs + 1)] + [("warmup", 1_000_000)]
    return {slug: make_event(slug, places, start).pk for slug, places in events}


def census() -> list[dict]:
    """Queries and time of each request of a registration, in one process (the code path
    of gunicorn's minus the socket), on the warm-up event."""
    from django.test import Client

    client, rows = Client(enforce_csrf_checks=True), []

    def count(label, call):
        response, queries, ms = h.queries_of(call)
        rows.append(
            {"label": label, "status": response.status_code, "queries": len(queries), "ms": ms}
        )

    client.get("/evenements/warmup/")  # first calls load templates: not timed
    client.get("/evenements/warmup/inscription/")
    count("GET event page", lambda: client.get("/evenements/warmup/"))
    count("GET form", lambda: client.get("/evenements/warmup/inscription/"))
    token = client.cookies["csrftoken"].value
    for i, who in enumerate(["Census", "Censusb"]):
        form = {"csrfmiddlewaretoken": token, "first_name": "Query", "last_name": who}
        form |= {"email": f"census{i}@example.org", "organisation": "Bench", "consent": "on"}
        form |= {"category": "other", "phone": ""}
        url = "/evenements/warmup/inscription/"
        count(f"POST form (#{i + 1})", lambda f=form, url=url: client.post(url, f))
    return rows


def counts(event_id: int) -> dict[str, int]:
    """The event's registrations as the database has them."""
    from django.db.models import Count

    from core.models import OutboundEmail
    from events.models import Event, Registration

    mine = Registration.objects.filter(event_id=event_id)
    by_status = dict(mine.values_list("status").annotate(n=Count("pk")).order_by())
    event = Event.objects.get(pk=event_id)
    duplicates = (
        mine.exclude(status="cancelled")
        .values("email_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "confirmed": by_status.get("confirmed", 0),
        "waiting": by_status.get("waiting", 0),
        "cancelled": by_status.get("cancelled", 0),
        "confirmed_count": event.confirmed_count,
        "capacity": event.capacity,
        "duplicate_emails": duplicates,
        "emails_for_event": OutboundEmail.objects.filter(scope=f"events.event:{event_id}").count(),
    }


def email_status() -> dict:
    from django.db.models import Count

    from core.models import OutboundEmail
    from events.models import Registration

    emails = OutboundEmail.objects.values_list("status").annotate(n=Count("pk")).order_by()
    failed = (
        OutboundEmail.objects.filter(status="failed")
        .values_list("kind", "last_error")
        .annotate(n=Count("pk"))
        .order_by("-n")[:3]
    )
    return {
        "registrations": Registration.objects.count(),
        **dict(emails),
        "error_samples": [[k, (e or "")[:300], n] for k, e, n in failed],
    }


# --- the load -------------------------------------------------------------------------------------


def person(index: int, run_tag: str) -> dict[str, str]:
    return {
        "first_name": "Bench",
        "last_name": f"{letters(index)} {letters(index // 7 + 3)}-{letters(index % 11, 2)}",
        "email": f"bench.{run_tag}.{index}@example.org",
        "organisation": f"Pôle fictif {letters(index % 97, 3)}",
        "category": CATEGORIES[index % len(CATEGORIES)],
        "phone": "",
        "consent": "on",
    }


def surge(port: int, slug: str, count: int, clients: int, run_tag: str, args) -> h.Load:
    """Each person: a fresh connection per request (``Connection: close``), the csrftoken
    cookie carried by hand, as a browser would. Latencies: "" GET + POST, "post" alone."""
    form, sent = f"/evenements/{slug}/inscription/", f"/evenements/{slug}/inscription/envoyee/"
    common = {"Accept-Language": "fr", "Connection": "close"}

    async def step(load: h.Load, conn: h.Connection, index: int, t0: float) -> None:
        status, headers, body = await conn.request(h.http_request("GET", form, port, common))
        match = CSRF_RE.search(body)
        cookies = [c.split(";", 1)[0] for c in headers.get("set-cookie", [])]
        cookie = next((c for c in cookies if c.startswith("csrftoken=")), None)
        if status != 200 or match is None or cookie is None:
            kind = "5xx" if status >= 500 else "other status"
            return load.fail(kind, f"GET form -> {status}, token {match is not None}")
        data = {"csrfmiddlewaretoken": match.group(1).decode(), **person(index, run_tag)}
        headers = common | {"Cookie": cookie, "Referer": f"http://127.0.0.1:{port}{form}"}
        t1 = time.perf_counter()
        body, kind = urlencode(data).encode(), "application/x-www-form-urlencoded"
        status, headers, body = await conn.request(
            h.http_request("POST", form, port, headers, body, kind)
        )
        location = urlsplit(headers.get("location", [""])[0]).path
        if status == 302 and location == sent:
            t2 = time.perf_counter()
            load.ok(t2 - t0, post=t2 - t1)
        else:
            kind = "5xx" if status >= 500 else "400" if status == 400 else "other status"
            load.fail(kind, f"POST -> {status} {location} {data['last_name']!r}")

    async def setup(_index: int) -> h.Connection:
        return h.Connection(port, args.request_timeout)

    return asyncio.run(
        h.closed_loop(clients, step, range(count), setup=setup, deadline_s=args.phase_timeout)
    )


def send_emails(env: dict[str, str], workers: int, timeout: float) -> float:
    """``workers`` batch db_workers side by side; returns the wall time."""
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
    command += ["--no-reload", "--verbosity", "0"]
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            command, cwd=h.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(workers)
    ]
    problems = []
    for proc in procs:
        try:
            out, _ = proc.communicate(timeout=max(1.0, timeout - (time.perf_counter() - start)))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        if proc.returncode:
            problems.append(f"db_worker exited {proc.returncode}: {out.decode()[-2000:]}")
    if problems:
        raise RuntimeError("\n".join(problems))
    return time.perf_counter() - start


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--capacity", type=int, default=300)
    parser.add_argument("--runs", type=int, default=1, help="surges, each on its own event")
    parser.add_argument("--page-requests", type=int, default=5000)
    parser.add_argument("--page-connections", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=60, help="warm-up registrations")
    parser.add_argument("--email-workers", type=int, default=2, help="0 skips the emails")
    parser.add_argument(
        "--phase-timeout",
        type=float,
        default=300.0,
        help="seconds per phase: what is left then counts as errors",
    )
    parser.add_argument("--no-census", action="store_true", help="skip the query census")
    h.server_arguments(parser)
    args = h.parse(parser, argv)
    if min(args.registrations, args.clients, args.workers, args.threads, args.runs) < 1:
        parser.error("--registrations, --clients, --workers, --threads, --runs must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    h.header("registration surge benchmark")
    failures: list[str] = []
    missed: list[str] = []
    figures: dict = {"args": vars(args) | {"json": None}, "runs": []}
    surges: dict[str, dict] = {}
    posts: dict[str, dict] = {}
    pages: dict[str, dict] = {}
    with h.served(args, failures) as (db, env, server):
        port = server.port
        t = time.perf_counter()
        h.manage(env, "migrate", "--noinput")
        events = h.call(env, "registration_surge:seed", capacity=args.capacity, runs=args.runs)
        print(f"database: {db.name}, migrated and seeded in {time.perf_counter() - t:.1f} s")
        server.start("/evenements/bench-1/")
        clients = min(args.warmup, 2 * args.workers * args.threads) or 1
        warm = surge(port, "warmup", args.warmup, clients, "warm", args)
        h.get_load(port, ["/evenements/bench-1/"] * 200, connections=10, deadline_s=30)
        if warm.errors:
            failures.append(f"warm-up: {warm.errors} errors {warm.samples}")
        if not args.no_census:
            print("\n-- queries per request (Django test client, one process) --")
            for row in h.call(env, "registration_surge:census"):
                print(
                    f"  {row['label']:<18} {row['status']}  {row['queries']:2d} queries  "
                    f"{row['ms']:6.1f} ms"
                )
        for n in range(1, args.runs + 1):
            slug = f"bench-{n}"
            print(
                f"\n-- run {n}: {args.registrations} registrations, {args.clients} "
                f"clients, {args.capacity} places --"
            )
            with h.CpuMeter(server, db.name) as cpu, h.PgActivity(db) as pg:
                load = surge(port, slug, args.registrations, args.clients, f"r{n}", args)
            c = h.call(env, "registration_surge:counts", event_id=events[slug])
            print(
                f"  {load.outcomes['ok']} registered in {load.wall_s:.1f} s; answers "
                f"{dict(load.outcomes)}"
            )
            print(
                f"  database: {c['confirmed']} confirmed, {c['waiting']} waiting, "
                f"{c['cancelled']} cancelled; confirmed_count {c['confirmed_count']}/"
                f"{c['capacity']}; {c['duplicate_emails']} duplicate emails; "
                f"{c['emails_for_event']} emails queued"
            )
            cpu.print(load.outcomes["ok"], "registration")
            pg.print("the event row")
            load.print_samples()
            confirmed = min(args.capacity, args.registrations)
            h.check(f"run {n}", failures, {
                "confirmed == capacity": c["confirmed"] == confirmed,
                "waiting == rest": c["waiting"] == args.registrations - confirmed,
                "confirmed_count == confirmed rows": c["confirmed_count"] == c["confirmed"],
                "no duplicate email": c["duplicate_emails"] == 0,
                "zero 5xx": load.outcomes["5xx"] == 0,
                "zero errors": load.errors == 0,
                "one email queued per registration": c["emails_for_event"] == args.registrations,
            })  # fmt: skip
            if load.outcomes["5xx"]:
                print("  gunicorn log tail:\n" + server.tail())
            surges[f"run {n}"] = load.row()
            posts[f"run {n}"] = load.row(name="post")
            page = h.get_load(
                port,
                [f"/evenements/{slug}/"] * args.page_requests,
                connections=args.page_connections,
                deadline_s=args.phase_timeout,
                headers={"Accept-Language": "fr"},
            )
            print(f"  event page: {page.outcomes['ok']} x 200 in {page.wall_s:.1f} s")
            page.print_samples()
            if page.errors:
                failures.append(f"run {n}, event page: {page.errors} failed requests")
            pages[f"run {n}"] = page.row()
            run = {"surge": surges[f"run {n}"], "post": posts[f"run {n}"], "page": page.row()}
            figures["runs"].append(run | {"counts": c, "cpu": cpu.report, "pg": pg.summary})
        server.stop()
        if args.email_workers > 0:
            before = h.call(env, "registration_surge:email_status")
            print(
                f"\n-- emails: {before.get('queued', 0)} queued, {args.email_workers} x "
                "manage.py db_worker --batch (file backend) --"
            )
            elapsed = send_emails(env, args.email_workers, args.phase_timeout * 2)
            after = h.call(env, "registration_surge:email_status")
            files = list(Path(env["EMAIL_FILE_PATH"]).iterdir())
            # the file backend appends to one file when names collide: count the
            # 79-dash separator it writes after each message
            written = sum(f.read_bytes().count(b"\n" + b"-" * 79 + b"\n") for f in files)
            sent = after.get("sent", 0)
            print(
                f"  {sent} sent, {after.get('failed', 0)} failed, "
                f"{after.get('queued', 0)} still queued in {elapsed:.1f} s "
                f"({sent / elapsed:.0f} emails/s); {written} messages written"
            )
            for kind, error, n in after["error_samples"]:
                print(f"  failed x {n} {kind}: {error}")
            h.check("emails", failures, {
                "every queued email sent": not after.get("failed") and not after.get("queued"),
                "one sent per registration": sent == after["registrations"],
                "one written per sent": written == sent,
            })  # fmt: skip
            figures["emails"] = {"sent": sent, "seconds": elapsed}
    if surges:
        h.table("registrations (GET form + POST)", surges, "reg")
        h.table("POST alone", posts, "reg")
        h.table(f"event page, {args.page_connections} connections", pages)
        surge_m, page_m = h.median_row(list(surges.values())), h.median_row(list(pages.values()))
        if surge_m["per_s"] < GOAL_PER_S:
            missed.append(f"{surge_m['per_s']:.0f} registrations/s < {GOAL_PER_S:.0f}")
        if not surge_m["p99"] < GOAL_P99_MS:
            missed.append(f"registration p99 {surge_m['p99']:.0f} ms >= {GOAL_P99_MS:.0f} ms")
        if page_m["per_s"] < GOAL_PAGE_PER_S:
            missed.append(f"event page {page_m['per_s']:.0f} requests/s < {GOAL_PAGE_PER_S:.0f}")
    return h.verdict(
        failures,
        missed,
        strict=args.strict_goals,
        figures=figures,
        json_path=args.json,
        goals=">= 150 registrations/s with p99 < 1 s, page >= 400 requests/s",
    )


if __name__ == "__main__":
    h.use_venv()
    sys.exit(main())
