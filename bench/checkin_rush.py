"""Check-in rush: the doors open and every ticket is scanned through the sync API.

What it measures and checks, and the results: README, « Bancs d'essai ».

    .venv/bin/python bench/checkin_rush.py
    .venv/bin/python bench/checkin_rush.py --runs 3 --batch 10
    .venv/bin/python bench/checkin_rush.py --profile 200   # cProfile of 200 sync requests
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import random
import re
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass
from datetime import UTC, datetime

import _harness as h

GOAL_PER_S, GOAL_P99_MS = 400.0, 100.0
SYNC, LIST = "/api/accueil/v1/sync", "/api/accueil/v1/liste"


# --- in the app's process (harness.call) ------------------------------------------------------


def _event(slug: str, tickets: int, organiser):
    from datetime import timedelta

    from django.utils import timezone
    from registration_surge import letters, make_event

    from events import services
    from events.tokens import ticket_token

    start = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    event = make_event(slug, max(tickets, 1), start, programme=False)
    event.managers.add(organiser)
    tokens = []
    for i in range(tickets):
        outcome = services.registration_create(
            event=event,
            first_name="Bench",
            last_name=f"{letters(i)} {letters(i // 7 + 3)}",
            email=f"rush.{slug}.{i}@example.org",
            organisation=f"Pôle fictif {letters(i % 97, 3)}",
            category=["ptce_member", "network", "local_authority", "other"][i % 4],
            consent=True,
        )
        assert outcome.registration.status == "confirmed", outcome.registration.status
        tokens.append(ticket_token(outcome.registration))
    return event, tokens


def _devices(event, count: int, sessions: int, organiser) -> list[dict]:
    """Enrolled phones, each with a door agent signed in ``sessions`` times."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from checkin import services
    from checkin.models import DoorRole

    out = []
    for d in range(count):
        agent = get_user_model().objects.create_user(f"{event.slug}-agent-{d}", password=None)
        DoorRole.objects.create(event=event, user=agent, role=DoorRole.Role.AGENT)
        device = services.device_create(event=event, name=f"Téléphone {d + 1}", actor=organiser)
        device, secret = services.device_enrol(
            device_id=device.pk, enrolment_nonce=device.enrolment_nonce
        )
        cookies = []
        for _ in range(sessions):
            client = Client()
            client.force_login(agent)
            cookies.append(client.cookies["sessionid"].value)
        out.append({"id": device.pk, "secret": secret, "sessions": cookies})
    return out


def seed(tickets: int, devices: int, clients: int, warm: int, runs: int) -> dict:
    """Events ``rush-1`` … ``rush-<runs>`` and ``warmup``, with tokens and phones."""
    from django.contrib.auth import get_user_model

    organiser = get_user_model().objects.create_user("bench-orga", password=None, is_staff=True)
    out = {}
    for slug, n, phones in [
        *((f"rush-{r}", tickets, devices) for r in range(1, runs + 1)),
        ("warmup", warm, 1),
    ]:
        event, tokens = _event(slug, n, organiser)
        sessions = -(-clients // phones) if slug != "warmup" else 1
        out[slug] = {
            "id": event.pk,
            "tokens": tokens,
            "devices": _devices(event, phones, sessions, organiser),
        }
    return out


def census(tickets: int, profile: int) -> list[dict]:
    """Queries and in-process time of sync requests (Django test client) on an event of its
    own; with ``profile``, cProfile over that many single-scan requests (printed)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from checkin import services
    from checkin.views import api

    api.RATE_LIMIT = 10**9  # one process sends more than a phone may: lifted here only
    organiser = get_user_model().objects.get(username="bench-orga")
    event, tokens = _event("census", tickets + 2 * profile + 20, organiser)
    (device,) = _devices(event, 1, 0, organiser)
    agent = get_user_model().objects.get(username="census-agent-0")
    client = Client()
    client.force_login(agent)
    auth = {"HTTP_AUTHORIZATION": f"Device {device['secret']}"}
    door_pass = client.get(LIST, **auth).json()["door_pass"]
    counter, rows = iter(range(10**9)), []

    def scan(token):
        return {
            "nonce": f"census-{next(counter):08d}",
            "token": token,
            "scanned_at": timezone.now().isoformat(),
            "id_checked": True,
        }

    def post(scans):
        response = client.post(
            SYNC,
            data=json.dumps({"scans": scans}),
            content_type="application/json",
            HTTP_X_DOOR_PASS=door_pass,
            **auth,
        )
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return response

    def count(label, scans):
        response, queries, ms = h.queries_of(lambda: post(scans))
        verdicts = sorted({r["verdict"] for r in response.json().get("results", [])})
        sql = [q["sql"][:150] for q in queries]
        rows.append(
            {"label": label, "queries": len(queries), "ms": ms, "verdicts": verdicts, "sql": sql}
        )

    post([scan(tokens.pop())])  # first call: imports, connection; not counted
    first = scan(tokens.pop())
    count("1 scan, admitted", [first])
    count("1 scan, already", [scan(first["token"])])
    count("1 scan, replayed", [first])
    count("1 scan, by name", [scan("h:" + services.ticket_hash(tokens.pop()))])
    count("10 scans, admitted", [scan(tokens.pop()) for _ in range(10)])
    if profile:
        start = time.perf_counter()
        for _ in range(profile):
            post([scan(tokens.pop())])
        plain = (time.perf_counter() - start) / profile * 1000
        print(f"\n-- {profile} single-scan sync requests, {plain:.2f} ms each without profiler")
        batches = [[scan(tokens.pop())] for _ in range(profile)]
        calls = [lambda b=b: post(b) for b in batches]
        h.profile(calls, "single-scan sync requests", r"(checkin|events|core)/", (20, 15))
    return rows


def database_counts(event_id: int) -> dict:
    from django.db.models import Count, Exists, OuterRef

    from checkin.models import Admission, Scan
    from events.models import Registration

    confirmed = Registration.objects.filter(event_id=event_id, status="confirmed")
    admissions = Admission.objects.filter(event_id=event_id)
    scans = Scan.objects.filter(event_id=event_id)
    admitted = Admission.objects.filter(registration=OuterRef("pk"))
    return {
        "registrations": confirmed.count(),
        "admissions": admissions.count(),
        "admitted_registrations": admissions.values("registration").distinct().count(),
        "registrations_without_admission": confirmed.exclude(Exists(admitted)).count(),
        "admissions_of_other_events": admissions.exclude(registration__event_id=event_id).count(),
        "scans": scans.count(),
        "conflicts": scans.filter(conflict=True).count(),
        "scans_without_registration": scans.filter(registration=None).count(),
        "scan_verdicts": dict(scans.values_list("verdict").annotate(n=Count("pk")).order_by()),
        "nonces": sorted(scans.values_list("nonce", flat=True)),
    }


# --- the plan and the load ----------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    ticket: int  # index into the tokens
    device: int  # index into the devices
    second: bool  # the ticket's second scan (expects "already admitted")
    by_name: bool


def make_plan(tickets: int, devices: int, duplicates: int, by_name: float, rng) -> list[Planned]:
    """Every ticket once, on a random phone, in random order; ``duplicates`` tickets a
    second time on another phone, at a random point after their first scan."""
    firsts = [
        Planned(t, rng.randrange(devices), False, rng.random() < by_name) for t in range(tickets)
    ]
    rng.shuffle(firsts)
    plan = list(firsts)
    for position in sorted(rng.sample(range(tickets), duplicates), reverse=True):
        first = firsts[position]
        other = (first.device + rng.randrange(1, devices)) % devices if devices > 1 else 0
        plan.insert(rng.randint(position + 1, tickets), Planned(first.ticket, other, True, False))
    return plan


class Phone:
    """One client: a connection, its phone's headers, the door pass, what it sent."""

    def __init__(self, port: int, device: dict, session: str, timeout: float):
        self.conn = h.Connection(port, timeout)
        self.headers = {
            "Accept-Language": "fr",
            "Authorization": f"Device {device['secret']}",
            "Cookie": f"sessionid={session}",
        }

    async def load_list(self, port: int, door_pass: bool = True) -> tuple[int, int]:
        status, _, body = await self.conn.request(h.http_request("GET", LIST, port, self.headers))
        answer = json.loads(body) if status == 200 else {}
        if door_pass and answer.get("door_pass"):
            self.headers["X-Door-Pass"] = answer["door_pass"]
        return status, len(answer.get("tickets", [])) if status == 200 else -1

    def close(self) -> None:
        self.conn.close()


def rush(port: int, event: dict, plan: list[Planned], clients: int, args, tag: str):
    """The clients of a phone share its queue of scans and take ``batch`` at a time.
    Returns the load (one latency a request) and the nonces sent."""
    devices, tokens = event["devices"], event["tokens"]
    queues = [deque(s for s in plan if s.device == d) for d in range(len(devices))]
    sequence, sent, verdicts = iter(range(10**9)), set(), Counter()

    def batches(queue):
        while queue:
            yield [queue.popleft() for _ in range(min(args.batch, len(queue)))]

    sources = [batches(q) for q in queues]

    async def setup(index: int) -> Phone:
        device = devices[index % len(devices)]
        phone = Phone(
            port,
            device,
            device["sessions"][(index // len(devices)) % len(device["sessions"])],
            args.request_timeout,
        )
        await phone.load_list(port, door_pass=not args.no_pass)
        return phone

    async def step(load: h.Load, phone: Phone, items: list[Planned], t0: float) -> None:
        scans = []
        for item in items:
            token = tokens[item.ticket]
            if item.by_name:
                token = "h:" + hashlib.sha256(token.encode()).hexdigest()
            scans.append(
                {
                    "nonce": f"{tag}-{next(sequence):07d}",
                    "token": token,
                    "scanned_at": datetime.now(UTC).isoformat(),
                    "id_checked": True,
                    "offline": False,
                }
            )
        body = json.dumps({"version": 1, "scans": scans}).encode()
        status, _, answer = await phone.conn.request(
            h.http_request("POST", SYNC, port, phone.headers, body)
        )
        elapsed = time.perf_counter() - t0
        sent.update(s["nonce"] for s in scans)
        if status != 200:
            kind = "429" if status == 429 else "5xx" if status >= 500 else "other status"
            return load.fail(kind, f"POST sync -> {status} {answer[:200]!r}")
        try:
            answered = {r.get("nonce"): r.get("verdict") for r in json.loads(answer)["results"]}
        except (ValueError, KeyError, TypeError, AttributeError):
            return load.fail("bad answer", f"no results: {answer[:200]!r}")
        expected = {
            s["nonce"]: "already_admitted" if item.second else "admitted"
            for s, item in zip(scans, items, strict=True)
        }
        if set(answered) != set(expected):
            return load.fail("bad answer", f"nonces {sorted(answered)} != {sorted(expected)}")
        load.ok(elapsed)
        verdicts.update(answered.values())
        for nonce, verdict in answered.items():
            # a second scan may overtake its first (two phones): then the second is
            # admitted and the first hears "already admitted"
            if verdict not in ("admitted", "already_admitted"):
                load.fail("bad answer", f"{nonce}: unexpected verdict {verdict!r}")
            elif verdict != expected[nonce]:
                verdicts["overtaken"] += 1

    load = asyncio.run(
        h.closed_loop(
            clients,
            step,
            lambda i: sources[i % len(devices)],
            setup=setup,
            rate=args.rate,
            deadline_s=args.phase_timeout,
        )
    )
    return load, sent, verdicts


def load_lists(port: int, event: dict, timeout: float) -> list[tuple[int, int]]:
    async def one(device):
        phone = Phone(port, device, device["sessions"][0], timeout)
        try:
            return await phone.load_list(port)
        finally:
            phone.close()

    async def every():
        return await asyncio.gather(*(one(d) for d in event["devices"]))

    return list(asyncio.run(every()))


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--tickets", type=int, default=300, help="confirmed registrations")
    add("--devices", type=int, default=4, help="enrolled phones")
    add("--clients", type=int, default=20, help="concurrent clients, spread over the phones")
    add("--batch", type=int, default=1, help="scans per sync request")
    add("--runs", type=int, default=1, help="rushes, each on its own event")
    add("--duplicates", type=float, default=0.10, help="share scanned again on another phone")
    add("--by-name", type=float, default=0.0, help="share of first scans sent as h:<sha256>")
    add(
        "--no-pass",
        action="store_true",
        help="no door pass: every scan loads the session, the user and the door role",
    )
    add(
        "--rate",
        type=float,
        default=0.0,
        help="requests a second offered in all (open loop); default 0, a closed loop",
    )
    add("--seed", type=int, default=2014, help="seed of the plan of scans")
    add("--warmup", type=int, default=40, help="warm-up scans on another event")
    add("--no-census", action="store_true", help="skip the query census")
    add("--profile", type=int, default=0, metavar="N", help="cProfile N sync requests")
    add("--phase-timeout", type=float, default=120.0, help="seconds for a rush")
    h.server_arguments(parser)
    args = h.parse(parser, argv)
    if min(args.tickets, args.devices, args.clients, args.batch, args.workers, args.runs) < 1:
        parser.error("--tickets, --devices, --clients, --batch, --workers, --runs must be > 0")
    if args.rate < 0 or args.batch > 500:
        parser.error("--rate must be positive; --batch 500 at most (the API's MAX_BATCH)")
    if not 0 <= args.duplicates <= 1 or not 0 <= args.by_name <= 1:
        parser.error("--duplicates and --by-name are shares between 0 and 1")
    if args.duplicates > 0 and args.devices < 2:
        parser.error("--duplicates needs two phones at least (a second scan is on another)")
    return args


def main(argv=None) -> int:  # noqa: C901 - one linear scenario
    args = parse_args(argv)
    h.header("check-in rush benchmark")
    source = (h.ROOT / "checkin" / "views" / "api.py").read_text()
    limit = int(re.search(r"^RATE_LIMIT\s*=\s*(\d+)", source, re.MULTILINE).group(1))
    duplicates = round(args.duplicates * args.tickets)
    plan = make_plan(args.tickets, args.devices, duplicates, args.by_name, random.Random(args.seed))
    per_phone = Counter(s.device for s in plan)
    most = max(math.ceil(n / args.batch) + 1 for n in per_phone.values())
    print(
        f"plan    : {len(plan)} scans ({args.tickets} tickets, {duplicates} second scans, "
        f"{sum(s.by_name for s in plan)} by name), {args.devices} phones, {args.clients} "
        f"clients, {args.batch} scan(s) a request, seed {args.seed}; up to {most} requests a "
        f"phone, rate limit {limit}/min per phone per worker"
    )
    if most > limit:
        print(
            f"  WARNING: a phone sends more than {limit} requests: 429 answers (errors) are "
            "possible (checkin.views.api.RATE_LIMIT; no setting changes it)"
        )
    failures: list[str] = []
    missed: list[str] = []
    figures: dict = {"args": vars(args) | {"json": None}, "runs": []}
    rows: dict[str, dict] = {}
    with h.served(args, failures) as (db, env, server):
        port = server.port
        t = time.perf_counter()
        h.manage(env, "migrate", "--noinput")
        sizes = {k: getattr(args, k) for k in ("tickets", "devices", "clients", "runs")}
        seeded = h.call(env, "checkin_rush:seed", warm=args.warmup, **sizes)
        print(
            f"database: {db.name}, migrated and seeded with {args.runs} x {args.tickets} "
            f"registrations in {time.perf_counter() - t:.1f} s"
        )
        server.start("/evenements/rush-1/")
        if args.warmup:
            warm_plan = [Planned(i, 0, False, False) for i in range(args.warmup)]
            clients = min(args.warmup, 2 * args.workers * args.threads)
            warm, _, _ = rush(port, seeded["warmup"], warm_plan, clients, args, "warm")
            if warm.errors:
                failures.append(f"warm-up: {warm.errors} errors {warm.samples}")
        if not args.no_census or args.profile:
            census = h.call(env, "checkin_rush:census", tickets=args.tickets, profile=args.profile)
            print("\n-- queries per sync request (Django test client, one process) --")
            for row in census:
                print(
                    f"  {row['label']:<20} {row['queries']:2d} queries  {row['ms']:6.1f} ms"
                    f"  {','.join(row['verdicts'])}"
                )
            print("  SQL of '1 scan, admitted':\n    " + "\n    ".join(census[0]["sql"]))
        for n in range(1, args.runs + 1):
            event = seeded[f"rush-{n}"]
            lists = load_lists(port, event, args.request_timeout)
            print(
                f"\n-- run {n}: {len(plan)} scans, {args.clients} clients on {args.devices} "
                f"phones, {args.batch} scan(s) a request, "
                + (f"{args.rate:g} requests/s offered" if args.rate else "closed loop")
                + f"; lists {lists} --"
            )
            with h.CpuMeter(server, db.name) as cpu, h.PgActivity(db) as pg:
                load, sent, verdicts = rush(port, event, plan, args.clients, args, f"r{n}")
            c = h.call(env, "checkin_rush:database_counts", event_id=event["id"])
            answered = verdicts["admitted"] + verdicts["already_admitted"]
            print(
                f"  {answered} scans answered in {load.outcomes['ok']} requests, "
                f"{load.wall_s:.2f} s; verdicts {dict(verdicts)}; answers "
                f"{dict(load.outcomes)}"
            )
            print(
                f"  database: {c['admissions']} admissions for {c['registrations']} "
                f"confirmed ({c['admitted_registrations']} distinct, "
                f"{c['registrations_without_admission']} without); {c['scans']} scans "
                f"{c['scan_verdicts']}, {c['conflicts']} conflicts"
            )
            cpu.print(answered, "scan")
            pg.print("a registration row")
            load.print_samples()
            other = {k: v for k, v in verdicts.items() if k != "overtaken" and v}
            seconds = verdicts["already_admitted"] == duplicates
            h.check(f"run {n}", failures, {
                "offline lists": all(s == 200 and k == args.tickets for s, k in lists),
                "every scan answered": answered == len(plan),
                "admitted answers == tickets": verdicts["admitted"] == args.tickets,
                "already-admitted answers == second scans": seconds,
                "admissions == tickets": c["admissions"] == args.tickets,
                "one admission per registration": c["admitted_registrations"] == args.tickets
                and c["registrations_without_admission"] == 0,
                "admissions of this event only": c["admissions_of_other_events"] == 0,
                "Scan rows == scans sent": c["scans"] == len(sent),
                "no scan lost": set(c["nonces"]) == sent,
                "Scan verdicts == answers": c["scan_verdicts"] == other,
                "no conflict (all online)": c["conflicts"] == 0,
                "every scan has its registration": c["scans_without_registration"] == 0,
                "zero errors": load.errors == 0,
            })  # fmt: skip
            if load.outcomes["5xx"]:
                print("  gunicorn log tail:\n" + server.tail())
            rows[f"run {n}"] = load.row(unit=answered) | {"req_per_s": load.row()["per_s"]}
            figures["runs"].append(
                {
                    "rush": rows[f"run {n}"],
                    "verdicts": verdicts,
                    "cpu": cpu.report,
                    "pg": pg.summary,
                }
            )
    if rows:
        h.table("rush: scans/s, latency per request", rows, "scan")
        m = h.median_row(list(rows.values()))
        if m["per_s"] < GOAL_PER_S:
            missed.append(f"{m['per_s']:.0f} scans/s < {GOAL_PER_S:.0f}")
        if not m["p99"] < GOAL_P99_MS:
            missed.append(f"p99 {m['p99']:.0f} ms >= {GOAL_P99_MS:.0f} ms")
    return h.verdict(
        failures,
        missed,
        strict=args.strict_goals,
        figures=figures,
        json_path=args.json,
        goals=">= 400 scans/s, p99 < 100 ms, zero errors",
    )


if __name__ == "__main__":
    h.use_venv()
    sys.exit(main())
