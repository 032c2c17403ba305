"""Check-in rush: the doors open and every ticket is scanned through the sync API.

What it does, end to end (under half a minute on a 2-core machine; every phase is bounded by
--phase-timeout, each request by --request-timeout):

1. creates a throwaway PostgreSQL database, migrates it, creates the event under test
   with ``--tickets`` confirmed registrations (through ``registration_create``, as the
   public form does), ``--devices`` phones (``device_create`` + ``device_enrol``), one
   door agent per phone and one signed-in session per client; and a warm-up event;
2. starts gunicorn on a free localhost port with the production settings (DEBUG off,
   database task queue), waits until it answers, warms every worker up with scans of the
   warm-up event, and has every phone load its offline list (``GET …/v1/liste``);
3. counts the queries of one sync request in one process (Django test client) and, with
   ``--profile N``, profiles N single-scan sync requests with cProfile;
4. fires the rush: ``--clients`` concurrent clients, client i on phone i % devices (5
   clients per phone by default), each POSTing ``/api/accueil/v1/sync`` with the phone's
   ``Authorization: Device <secret>`` header and its agent's session cookie, ``--batch``
   scans per request (1, the online case, by default). Every ticket is scanned once, and
   ``--duplicates`` of them (10 % by default) a second time by another phone, placed at a
   random later point of the plan, so that "already admitted" answers, and sometimes two
   phones racing for the same registration lock, are exercised. Scans are online ones
   (``offline: false``, ``id_checked: true``, a fresh nonce each, the ticket's QR code as
   token); ``--by-name`` turns a share of the first scans into "found by name" scans
   (``h:<sha256 of the code>``, as the phone sends for a person without their ticket).
   By default a closed loop (each client sends again as soon as answered: the server's
   full speed); ``--rate R`` offers R requests a second instead and counts each latency
   from when its request was due;
5. checks each answer (HTTP 200, one result per scan, verdict "admitted" or "already
   admitted") and reads the database back: one admission per ticket, none twice, one
   ``Scan`` row per scan sent and per verdict answered, no conflict;
6. stops gunicorn, drops the database, exits 1 when an invariant failed.

The goals (400 scans/s, p99 < 100 ms per request, zero errors) are printed as met or
missed; a missed throughput or latency goal fails the run only with ``--strict-goals``
(an error is an invariant failure in any case). The client runs on the same machine as
the server: its CPU use is printed next to gunicorn's and PostgreSQL's.

The sync API allows each phone RATE_LIMIT (240) requests a minute, counted in the
default cache, i.e. per gunicorn worker process. The default plan stays far below it
(300 tickets + 10 % = 330 scans on 4 phones: about 84 requests a phone); a plan that
could exceed it is announced before the rush, and 429 answers count as errors. No
setting or environment variable raises the limit: it is the constant
``checkin.views.api.RATE_LIMIT``.

Measured on the 2-core machine of this project (AMD EPYC, ``nproc`` 2, PostgreSQL 15 on
the same machine, a shared VM whose speed drifts by +-30 %), defaults (300 tickets, 30
second scans, 4 phones, 20 clients, 1 scan a request, gunicorn sync x 4).

App as of 27 Nov 07:35 (door pass instead of session + user + role on every scan; a
batch decided set-based: its registrations locked in one query, its admissions read in
one, its admissions and scans inserted in one each; 7 queries for an online scan, 8 for a
batch of any size), three runs in a row:

    run     scans/s   p50      p95      p99      errors   CPU per scan: gunicorn, postgres
    1       276        65 ms    82 ms   129 ms   0        5.4 ms, 1.2 ms
    2       252        69 ms   100 ms   135 ms   0        5.9 ms, 1.5 ms
    3       292        62 ms    81 ms    97 ms   0        5.0 ms, 1.2 ms
    median  276        65 ms    82 ms   129 ms   0        goals: 400 scans/s missed, p99 <
                                                          100 ms met in 1 run of 3, zero
                                                          errors met
    --batch 2: 404 scans/s, p99 124 ms a request; --batch 3: 490 scans/s, p99 142 ms;
    --batch 10: 1,031 scans/s, p99 168 ms

History on the same machine (median of three runs, 1 scan a request): 3ff14ff, 18 queries
a scan: 130 scans/s, p99 196 ms (--batch 10: 178 scans/s); 5d840f3, 12 queries: 193
scans/s, p99 123 ms (--batch 10: 347 scans/s). With another process taking 0.5 to 0.9
core the figures halve. Latency at a given load (``--rate``, quiet, at 3ff14ff): 20
requests/s p50/p95/p99 17/22/29 ms; 50/s 20/31/35 ms; 100/s 33/170/194 ms.

Where the time goes: the machine is saturated (2 cores / ~7 ms of CPU a scan, server,
PostgreSQL and client together), and the clients are a closed loop, so a request waits
for the 19 others: p50 ~ 20 / throughput. 400 scans/s one scan a request would need
under 5 ms in all. What remains of a single-scan request (~5.5 ms in one process): 7 SQL
queries (device, BEGIN, lock the registration, its admission, INSERT admission, INSERT
scan, COMMIT) whose Django SQL compilation costs about as much as the round trips, and
Django's request handling. gthread workers or 3 sync workers change nothing measurable.
The figures say nothing of a real door: 8 desks at 8-15 s a person send less than one
scan a second (see door_simulation.py); the batch figures are those of phones syncing
after a network cut.

Usage (from the project root, with the project's virtualenv):
    .venv/bin/python bench/checkin_rush.py
    .venv/bin/python bench/checkin_rush.py --tickets 1000 --duplicates 0.2 --batch 5
    .venv/bin/python bench/checkin_rush.py --profile 200   # cProfile of 200 sync requests
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

# Run with the project's virtualenv even when started with another Python.
if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])

import psycopg

# The helpers shared with the registration surge (database, gunicorn, CPU accounting).
from registration_surge import (
    Cleanup,
    CpuMeter,
    PgActivitySampler,
    Server,
    _terminate,
    app_env,
    create_database,
    drop_database,
    free_port,
    machine_description,
    manage,
    ms,
    percentile,
    print_cpu,
)

GOAL_SCANS_PER_S = 400.0
GOAL_P99_S = 0.100
SYNC_PATH = "/api/accueil/v1/sync"
LIST_PATH = "/api/accueil/v1/liste"
SLUG = "rush"


def api_rate_limit() -> int:
    """RATE_LIMIT of the sync API as the code says it (240 when it cannot be read)."""
    try:
        source = (ROOT / "checkin" / "views" / "api.py").read_text()
    except OSError:
        return 240
    match = re.search(r"^RATE_LIMIT\s*=\s*(\d+)", source, re.MULTILINE)
    return int(match.group(1)) if match else 240


# --- seeding (run inside `manage.py shell`) ---------------------------------------------------

SEED = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from checkin import services
from checkin.models import DoorRole
from events import services as event_services
from events.models import Event
from events.tokens import ticket_token

TICKETS, DEVICES, CLIENTS, WARM = PARAMS
User = get_user_model()
now = timezone.now().replace(microsecond=0)
organiser = User.objects.create_user("bench-orga", password=None, is_staff=True)

def letters(index, width=4):
    chars = []
    for _ in range(width):
        index, rest = divmod(index, 26)
        chars.append(chr(ord("a") + rest))
    word = "".join(reversed(chars))
    return word[0].upper() + word[1:]

def make_event(slug, title, tickets):
    event = Event.objects.create(
        slug=slug, title=title, status="published", capacity=max(tickets, 1),
        waiting_list_enabled=True, registration_required=True,
        starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=9),
        venue_name="Centre de conférences", street="139 rue de Bercy", postal_code="75012",
        city="Paris", organiser_name="Le Labo de l'ESS",
    )
    event.managers.add(organiser)
    tokens = []
    for i in range(tickets):
        outcome = event_services.registration_create(
            event=event, first_name="Bench", last_name=f"{letters(i)} {letters(i // 7 + 3)}",
            email=f"rush.{slug}.{i}@example.org", organisation=f"Pôle fictif {letters(i % 97, 3)}",
            category=["ptce_member", "network", "local_authority", "other"][i % 4],
            consent=True,
        )
        assert outcome.registration.status == "confirmed", outcome.registration.status
        tokens.append(ticket_token(outcome.registration))
    return event, tokens

def make_devices(event, count, sessions_per_device, prefix):
    out = []
    for d in range(count):
        agent = User.objects.create_user(f"{prefix}-agent-{d}", password=None)
        DoorRole.objects.create(event=event, user=agent, role=DoorRole.Role.AGENT)
        device = services.device_create(event=event, name=f"Téléphone {d + 1}", actor=organiser)
        device, secret = services.device_enrol(
            device_id=device.pk, enrolment_nonce=device.enrolment_nonce
        )
        sessions = []
        for _ in range(sessions_per_device):
            client = Client()
            client.force_login(agent)
            sessions.append(client.cookies["sessionid"].value)
        out.append({"id": device.pk, "name": device.name, "secret": secret,
                    "sessions": sessions})
    return out

event, tokens = make_event("rush", "Journée nationale des PTCE (accueil)", TICKETS)
devices = make_devices(event, DEVICES, -(-CLIENTS // DEVICES), "rush")
warm, warm_tokens = make_event("warmup", "Échauffement", WARM)
warm_devices = make_devices(warm, 1, 1, "warm")
print("SEED=" + json.dumps({
    "event": event.pk, "tokens": tokens, "devices": devices,
    "warm_event": warm.pk, "warm_tokens": warm_tokens, "warm_devices": warm_devices,
}))
"""

# Queries and in-process time of sync requests (Django test client, one process: the code
# path of gunicorn's minus the socket), on an event of its own with TICKETS registrations;
# then, with PROFILE > 0, cProfile over PROFILE single-scan requests.
CENSUS = """
import cProfile, io, json, os, pstats, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from checkin import services
from checkin.models import DoorRole
from checkin.views import api
from events import services as event_services
from events.models import Event
from events.tokens import ticket_token

TICKETS, PROFILE = PARAMS
# The sync API lets a phone make RATE_LIMIT requests a minute; this one process sends more
# (2 x PROFILE): lift the limit here only, as the test suite does.
api.RATE_LIMIT = 10**9
User = get_user_model()
organiser = User.objects.get(username="bench-orga")
event = Event.objects.get(slug="rush")
census_event = Event.objects.create(
    slug="census", title="Recensement", status="published",
    capacity=TICKETS + 2 * PROFILE + 20,
    starts_at=event.starts_at, ends_at=event.ends_at,
)
census_event.managers.add(organiser)
tokens = []
for i in range(TICKETS + 2 * PROFILE + 20):
    outcome = event_services.registration_create(
        event=census_event, first_name="Census", last_name="Census",
        email=f"census.{i}@example.org", category="other", consent=True,
    )
    tokens.append(ticket_token(outcome.registration))
agent = User.objects.create_user("census-agent", password=None)
DoorRole.objects.create(event=census_event, user=agent, role=DoorRole.Role.AGENT)
device = services.device_create(event=census_event, name="Recensement", actor=organiser)
device, secret = services.device_enrol(device_id=device.pk, enrolment_nonce=device.enrolment_nonce)
client = Client()
client.force_login(agent)
door_pass = client.get(
    "/api/accueil/v1/liste", HTTP_AUTHORIZATION=f"Device {secret}"
).json()["door_pass"]
counter = iter(range(10**9))

def scan(token, nonce=None):
    return {"nonce": nonce or f"census-{next(counter):08d}", "token": token,
            "scanned_at": timezone.now().isoformat(), "id_checked": True}

def post(scans):
    response = client.post(
        "/api/accueil/v1/sync", data=json.dumps({"scans": scans}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Device {secret}",
        HTTP_X_DOOR_PASS=door_pass,
    )
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response

def census(label, scans):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = post(scans)
        elapsed = time.perf_counter() - start
    verdicts = sorted({r["verdict"] for r in response.json().get("results", [])})
    print("CENSUS=" + json.dumps({
        "label": label, "status": response.status_code, "queries": len(ctx.captured_queries),
        "ms": round(elapsed * 1000, 1), "verdicts": verdicts,
        "sql": [q["sql"][:150] for q in ctx.captured_queries],
    }))

post([scan(tokens.pop())])  # first call: imports, connection; not counted
first = scan(tokens.pop())
census("1 scan, admitted", [first])
census("1 scan, already", [scan(first["token"])])
census("1 scan, replayed", [first])
census("1 scan, by name", [scan("h:" + services.ticket_hash(tokens.pop()))])
census("10 scans, admitted", [scan(tokens.pop()) for _ in range(10)])

if PROFILE:
    plain = [[scan(tokens.pop())] for _ in range(PROFILE)]
    start = time.perf_counter()
    for batch in plain:
        post(batch)
    unprofiled = (time.perf_counter() - start) / PROFILE
    batches = [[scan(tokens.pop())] for _ in range(PROFILE)]
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for batch in batches:
        post(batch)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(f"PROFILE {PROFILE} single-scan sync requests (new tickets, admitted): "
          f"{unprofiled * 1000:.2f} ms each in process without the profiler, "
          f"{elapsed / PROFILE * 1000:.2f} ms with it; per request, with the profiler:")
    stats = pstats.Stats(profiler).stats
    groups = {  # Django and psycopg internals worth naming, by (file suffix, function)
        "psycopg: waiting for PostgreSQL (round trips)": ("psycopg/connection.py", "wait"),
        "Django ORM: SQL compilation (as_sql)": ("models/sql/compiler.py", "as_sql"),
        "Django ORM: execute_sql (compile + round trip)": (
            "models/sql/compiler.py", "execute_sql"),
        "Django: session load (SessionMiddleware)": ("sessions/backends/db.py", "load"),
        "Django: auth get_user": ("contrib/auth/__init__.py", "get_user"),
        "Django: transaction commit": ("db/backends/base/base.py", "commit"),
    }
    rows = []
    grouped = {label: [0.0, 0] for label in groups}
    for (filename, line, name), (cc, nc, tt, ct, callers) in stats.items():
        if filename.startswith(os.getcwd()) and "/.venv/" not in filename:
            rows.append((ct, nc, f"{os.path.relpath(filename)}:{line} {name}"))
        for label, (suffix, fname) in groups.items():
            if filename.endswith(suffix) and name == fname:
                grouped[label][0] += ct
                grouped[label][1] += nc
    rows += [(ct, nc, label) for label, (ct, nc) in grouped.items()]
    for ct, nc, label in sorted(rows, reverse=True)[:24]:
        print(f"PROFILE   {ct / PROFILE * 1000:7.2f} ms  {nc / PROFILE:5.1f} calls  {label}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(15)
    print("PROFILE sorted by own time:")
    print(out.getvalue().strip())
"""


# --- the plan of scans --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedScan:
    ticket: int  # index into the tokens
    device: int  # index into the devices
    second: bool  # the ticket's second scan (expects "already admitted")
    by_name: bool


def make_plan(
    tickets: int, devices: int, duplicates: int, by_name: float, rng: random.Random
) -> list[PlannedScan]:
    """Every ticket once, on a random phone, in random order; ``duplicates`` tickets a
    second time on another phone, at a random point after their first scan."""
    firsts = [
        PlannedScan(t, rng.randrange(devices), False, rng.random() < by_name)
        for t in range(tickets)
    ]
    rng.shuffle(firsts)
    plan: list[PlannedScan] = list(firsts)
    for position in sorted(rng.sample(range(tickets), duplicates), reverse=True):
        first = firsts[position]
        other = (first.device + rng.randrange(1, devices)) % devices if devices > 1 else 0
        at = rng.randint(position + 1, tickets)  # after the first, in the original order
        plan.insert(at, PlannedScan(first.ticket, other, True, False))
    return plan


# --- the load ---------------------------------------------------------------------------------


@dataclass
class RushResult:
    wall_s: float = 0.0
    requests_ok: int = 0
    scans_answered: int = 0
    status_429: int = 0
    status_5xx: int = 0
    other_status: int = 0
    exceptions: int = 0
    bad_answers: int = 0
    not_attempted: int = 0
    latencies: list[float] = field(default_factory=list)
    verdicts: Counter = field(default_factory=Counter)
    sent_nonces: set[str] = field(default_factory=set)
    samples: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return (
            self.status_429
            + self.status_5xx
            + self.other_status
            + self.exceptions
            + self.bad_answers
            + self.not_attempted
        )

    def note(self, text: str) -> None:
        if len(self.samples) < 5:
            self.samples.append(text[:300])


class RawConnection:
    """A minimal HTTP/1.1 client on asyncio streams, keeping the connection while the
    server does (gunicorn's sync workers close it after each answer; gthread keeps it).
    It costs the shared CPU a few hundred microseconds a request, httpx several ms."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _once(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self.timeout
            )
        self.writer.write(request)
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), self.timeout)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await asyncio.wait_for(
                self.reader.readexactly(int(headers["content-length"])), self.timeout
            )
            if headers.get("connection", "").lower() == "close":
                self.close()
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            raise ValueError("chunked responses are not supported by the raw client")
        else:
            body = await asyncio.wait_for(self.reader.read(), self.timeout)
            self.close()
        return status, body

    async def request(self, request: bytes) -> tuple[int, bytes]:
        """Send ``request``; a kept-alive connection the server closed meanwhile is
        opened again once (safe for the sync API: the same nonces give the same answer)."""
        reused = self.writer is not None
        try:
            return await self._once(request)
        except (OSError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
        return await self._once(request)


def http_request(
    method: str, path: str, host: str, port: int, headers: dict[str, str], body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "User-Agent: ptce-bench"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def run_rush(
    host: str,
    port: int,
    *,
    plan: list[PlannedScan],
    tokens: list[str],
    devices: list[dict],
    clients: int,
    batch: int,
    run_tag: str,
    deadline_s: float,
    request_timeout: float,
    rate: float = 0.0,
    no_pass: bool = False,
) -> RushResult:
    """``clients`` concurrent clients, client i on phone i % len(devices); the clients of
    a phone share its queue of scans (in the plan's order) and take ``batch`` at a time.

    Without ``rate``, a closed loop: each client sends its next request as soon as it has
    the answer to the last. With ``rate``, requests are due at ``rate`` a second in all
    (one after the other, whichever client is free), and each latency counts from the
    moment its request was due, so that a server falling behind shows in the latency
    instead of slowing the clients down (no "coordinated omission")."""
    result = RushResult()
    slots = iter(range(10**9))
    opened = {"at": 0.0}
    queues = [deque(s for s in plan if s.device == d) for d in range(len(devices))]
    start_gate = asyncio.Event()
    sequence = iter(range(10**9))

    async def client_loop(index: int) -> None:
        device_index = index % len(devices)
        device = devices[device_index]
        session = device["sessions"][(index // len(devices)) % len(device["sessions"])]
        headers = {
            "Accept-Language": "fr",
            "Authorization": f"Device {device['secret']}",
            "Cookie": f"sessionid={session}",
        }
        queue = queues[device_index]
        conn = RawConnection(host, port, request_timeout)
        # As the phone does: its list brings a door pass for this phone and this person,
        # which spares the server the session and role checks of every scan.
        status, body = await conn.request(http_request("GET", LIST_PATH, host, port, headers))
        door_pass = json.loads(body).get("door_pass") if status == 200 else None
        if door_pass and not no_pass:
            headers["X-Door-Pass"] = door_pass
        await start_gate.wait()
        try:
            while queue:
                due = None
                if rate:
                    due = opened["at"] + next(slots) / rate
                    if (delay := due - time.perf_counter()) > 0:
                        await asyncio.sleep(delay)
                    if not queue:
                        break
                items = [queue.popleft() for _ in range(min(batch, len(queue)))]
                if time.monotonic() > deadline:
                    result.not_attempted += len(items)
                    continue
                scans = []
                for item in items:
                    token = tokens[item.ticket]
                    if item.by_name:
                        token = "h:" + hashlib.sha256(token.encode()).hexdigest()
                    scans.append(
                        {
                            "nonce": f"{run_tag}-{index:03d}-{next(sequence):07d}",
                            "token": token,
                            "scanned_at": datetime.now(UTC).isoformat(),
                            "id_checked": True,
                            "offline": False,
                        }
                    )
                body = json.dumps({"version": 1, "scans": scans}).encode()
                raw = http_request("POST", SYNC_PATH, host, port, headers, body)
                t0 = time.perf_counter() if due is None else due
                try:
                    status, answer = await conn.request(raw)
                except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
                    conn.close()
                    result.exceptions += 1
                    result.note(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - t0
                result.sent_nonces.update(s["nonce"] for s in scans)
                if status != 200:
                    if status == 429:
                        result.status_429 += 1
                    elif status >= 500:
                        result.status_5xx += 1
                    else:
                        result.other_status += 1
                    result.note(f"POST sync -> {status} {answer[:200]!r}")
                    continue
                try:
                    results = json.loads(answer)["results"]
                except (ValueError, KeyError, TypeError):
                    result.bad_answers += 1
                    result.note(f"POST sync -> 200 but no results: {answer[:200]!r}")
                    continue
                expected = {
                    s["nonce"]: "already_admitted" if item.second else "admitted"
                    for s, item in zip(scans, items, strict=True)
                }
                answered = {r.get("nonce"): r.get("verdict") for r in results}
                if set(answered) != set(expected):
                    result.bad_answers += 1
                    result.note(f"nonces answered {sorted(answered)} != sent {sorted(expected)}")
                    continue
                result.requests_ok += 1
                result.latencies.append(elapsed)
                result.scans_answered += len(results)
                result.verdicts.update(answered.values())
                for nonce, verdict in answered.items():
                    # A second scan may overtake its first (two phones, two connections):
                    # then the second is admitted and the first hears "already admitted".
                    if verdict not in ("admitted", "already_admitted"):
                        result.bad_answers += 1
                        result.note(f"{nonce}: unexpected verdict {verdict!r}")
                    elif verdict != expected[nonce]:
                        result.verdicts["overtaken"] += 1
        finally:
            conn.close()

    deadline = time.monotonic() + deadline_s
    tasks = [asyncio.create_task(client_loop(i)) for i in range(clients)]
    await asyncio.sleep(0.05)
    t_start = opened["at"] = time.perf_counter()
    start_gate.set()
    await asyncio.gather(*tasks)
    result.wall_s = time.perf_counter() - t_start
    return result


async def load_lists(
    host: str, port: int, devices: list[dict], request_timeout: float
) -> list[tuple[int, int]]:
    """Each phone loads its offline list: (status, number of tickets) per phone."""

    async def one(device: dict) -> tuple[int, int]:
        conn = RawConnection(host, port, request_timeout)
        headers = {
            "Authorization": f"Device {device['secret']}",
            "Cookie": f"sessionid={device['sessions'][0]}",
        }
        try:
            status, body = await conn.request(http_request("GET", LIST_PATH, host, port, headers))
        finally:
            conn.close()
        tickets = len(json.loads(body).get("tickets", [])) if status == 200 else -1
        return status, tickets

    return list(await asyncio.gather(*(one(d) for d in devices)))


# --- reading the database back ------------------------------------------------------------------


def read_counts(database_url: str, event_id: int) -> dict[str, object]:
    with psycopg.connect(database_url, connect_timeout=10) as conn:

        def one(query: str) -> int:
            return conn.execute(query, [event_id]).fetchone()[0]

        counts: dict[str, object] = {
            "registrations": one(
                "SELECT count(*) FROM events_registration "
                "WHERE event_id = %s AND status = 'confirmed'"
            ),
            "admissions": one("SELECT count(*) FROM checkin_admission WHERE event_id = %s"),
            "admitted_registrations": one(
                "SELECT count(DISTINCT registration_id) FROM checkin_admission WHERE event_id = %s"
            ),
            "registrations_without_admission": one(
                "SELECT count(*) FROM events_registration r WHERE r.event_id = %s "
                "AND r.status = 'confirmed' AND NOT EXISTS "
                "(SELECT 1 FROM checkin_admission a WHERE a.registration_id = r.id)"
            ),
            "admissions_of_other_events": one(
                "SELECT count(*) FROM checkin_admission a JOIN events_registration r "
                "ON r.id = a.registration_id WHERE a.event_id = %s AND r.event_id <> a.event_id"
            ),
            "scans": one("SELECT count(*) FROM checkin_scan WHERE event_id = %s"),
            "conflicts": one("SELECT count(*) FROM checkin_scan WHERE event_id = %s AND conflict"),
            "scans_without_registration": one(
                "SELECT count(*) FROM checkin_scan WHERE event_id = %s AND registration_id IS NULL"
            ),
        }
        counts["scan_verdicts"] = dict(
            conn.execute(
                "SELECT verdict, count(*) FROM checkin_scan WHERE event_id = %s GROUP BY 1",
                [event_id],
            ).fetchall()
        )
        counts["nonces"] = {
            row[0]
            for row in conn.execute(
                "SELECT nonce FROM checkin_scan WHERE event_id = %s", [event_id]
            ).fetchall()
        }
    return counts


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=300, help="confirmed registrations")
    parser.add_argument("--devices", type=int, default=4, help="enrolled phones")
    parser.add_argument(
        "--clients", type=int, default=20, help="concurrent clients, spread over the phones"
    )
    parser.add_argument("--batch", type=int, default=1, help="scans per sync request")
    parser.add_argument(
        "--duplicates",
        type=float,
        default=0.10,
        help="share of the tickets scanned a second time, on another phone (default 0.10)",
    )
    parser.add_argument(
        "--by-name",
        type=float,
        default=0.0,
        help="share of the first scans sent as 'h:<sha256>' (person found by name on the "
        "phone) instead of the QR code (default 0)",
    )
    parser.add_argument(
        "--no-pass",
        action="store_true",
        help="do not send the door pass the list hands out: every scan then loads the "
        "session, the user and the door role (as before the pass existed)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="requests a second offered in all (open loop: latency counted from when each "
        "request was due); default 0, a closed loop at full speed",
    )
    parser.add_argument("--seed", type=int, default=2014, help="seed of the plan of scans")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, help="threads per gthread worker (default 4; sync: 1)"
    )
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument(
        "--warmup", type=int, default=40, help="warm-up scans on another event (default 40)"
    )
    parser.add_argument("--no-census", action="store_true", help="skip the query census")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N single-scan sync requests in one process (cProfile)",
    )
    parser.add_argument(
        "--phase-timeout",
        type=float,
        default=120.0,
        help="seconds for the rush: what is left then counts as errors (default 120)",
    )
    parser.add_argument("--request-timeout", type=float, default=30.0)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name) where the throwaway database is made",
    )
    parser.add_argument("--strict-goals", action="store_true", help="missed goals fail the run")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.threads is None:
        args.threads = 1 if args.worker_class == "sync" else 4
    elif args.worker_class == "sync" and args.threads != 1:
        parser.error("--threads needs --worker-class gthread (sync workers have one thread)")
    if min(args.tickets, args.devices, args.clients, args.batch, args.workers) < 1:
        parser.error("--tickets, --devices, --clients, --batch and --workers must be positive")
    if args.rate < 0:
        parser.error("--rate must be positive (0: closed loop)")
    if args.batch > 500:
        parser.error("--batch: the sync API takes 500 scans a request at most (MAX_BATCH)")
    if not 0 <= args.duplicates <= 1 or not 0 <= args.by_name <= 1:
        parser.error("--duplicates and --by-name are shares between 0 and 1")
    if args.duplicates > 0 and args.devices < 2:
        parser.error("--duplicates needs two phones at least (a second scan is on another)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cleanup = Cleanup()
    signal.signal(signal.SIGTERM, _terminate(cleanup))
    machine = machine_description()
    print("== check-in rush benchmark ==")
    print(f"command : {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"machine : {machine['nproc']} cores, {machine['cpu']}, Python {machine['python']}, "
        f"Linux {machine['kernel']}"
    )
    print(
        "load    : {:.2f} {:.2f} {:.2f} (1/5/15 min) before the run; other processes share "
        "the machine, see 'other processes' below".format(*os.getloadavg())
    )

    rng = random.Random(args.seed)
    duplicates = round(args.duplicates * args.tickets)
    plan = make_plan(args.tickets, args.devices, duplicates, args.by_name, rng)
    per_device = Counter(s.device for s in plan)
    requests_per_device = {d: math.ceil(n / args.batch) + 1 for d, n in per_device.items()}
    limit = api_rate_limit()
    print(
        f"plan    : {len(plan)} scans ({args.tickets} tickets, {duplicates} second scans on "
        f"another phone, {sum(s.by_name for s in plan)} by name), {args.devices} phones, "
        f"{args.clients} clients, {args.batch} scan(s) a request, seed {args.seed}; "
        f"requests per phone (with its list) {min(requests_per_device.values())}-"
        f"{max(requests_per_device.values())}, rate limit {limit}/min per phone per worker"
    )
    if max(requests_per_device.values()) > limit:
        print(
            f"  WARNING: a phone sends more than {limit} requests: 429 answers (counted as "
            "errors) are possible when they fall within one minute in one worker. The "
            "limit is checkin.views.api.RATE_LIMIT; no setting changes it."
        )

    dbname = f"ptce_bench_{os.getpid()}_{secrets.token_hex(3)}"
    database_url = f"{args.pg_url.rstrip('/')}/{dbname}"
    port = free_port()
    host = "127.0.0.1"
    figures: dict[str, object] = {"machine": machine, "args": vars(args) | {"json": None}}
    failures: list[str] = []
    goals_missed: list[str] = []
    server: Server | None = None

    with tempfile.TemporaryDirectory(prefix="ptce-bench-") as tmp:
        tmpdir = Path(tmp)
        cleanup.add("remove temporary files", lambda: shutil.rmtree(tmp, ignore_errors=True))
        mail_dir = tmpdir / "mail"
        mail_dir.mkdir()
        env = app_env(args, database_url=database_url, port=port, mail_dir=mail_dir)
        try:
            t = time.perf_counter()
            create_database(args.pg_url, dbname)
            if args.keep_db:
                cleanup.add("report", lambda: print(f"database kept: {database_url}"))
            else:
                cleanup.add("drop database", lambda: drop_database(args.pg_url, dbname))
            with psycopg.connect(database_url) as conn:
                pg_version = conn.execute("SHOW server_version").fetchone()[0]
            manage(env, "migrate", "--noinput")
            params = (args.tickets, args.devices, args.clients, args.warmup)
            out = manage(env, "shell", "-c", SEED.replace("PARAMS", repr(params)))
            seed = json.loads(out.split("SEED=", 1)[1].splitlines()[0])
            print(
                f"database: {dbname} (PostgreSQL {pg_version}), migrated and seeded with "
                f"{args.tickets} registrations in {time.perf_counter() - t:.1f} s"
            )

            server = Server(args, env, port, tmpdir / "gunicorn.log")
            cleanup.add("stop gunicorn", server.stop)
            print(f"server  : {shlex.join(server.command)}")
            print(
                "settings: DEBUG=0 TASKS_BACKEND=database "
                f"CONN_MAX_AGE={args.conn_max_age} PTCE_PLAIN_STATIC=1"
            )
            server.start(f"/evenements/{SLUG}/")

            # Warm every worker up (imports, connections) on the other event.
            if args.warmup:
                warm_plan = [PlannedScan(i, 0, False, False) for i in range(args.warmup)]
                warm = asyncio.run(
                    run_rush(
                        host,
                        port,
                        plan=warm_plan,
                        tokens=seed["warm_tokens"],
                        devices=seed["warm_devices"],
                        clients=min(args.warmup, args.workers * args.threads * 2),
                        batch=1,
                        run_tag="warm",
                        deadline_s=60,
                        request_timeout=args.request_timeout,
                    )
                )
                if warm.errors:
                    failures.append(f"warm-up: {warm.errors} errors")
                    print(f"warm-up problems: {warm.samples}")
            lists = asyncio.run(load_lists(host, port, seed["devices"], args.request_timeout))
            print(
                "lists   : "
                + ", ".join(f"{status} ({tickets} tickets)" for status, tickets in lists)
            )
            if any(status != 200 or tickets != args.tickets for status, tickets in lists):
                failures.append(f"offline lists: {lists}")

            if not args.no_census or args.profile:
                census_out = manage(
                    env | {"ALLOWED_HOSTS": "testserver"},
                    "shell",
                    "-c",
                    CENSUS.replace("PARAMS", repr((args.tickets, args.profile))),
                )
                census = [
                    json.loads(line.split("=", 1)[1])
                    for line in census_out.splitlines()
                    if line.startswith("CENSUS=")
                ]
                figures["census"] = census
                print(
                    f"\n-- queries per sync request (Django test client, one process, "
                    f"event of {args.tickets + 2 * args.profile + 20} registrations) --"
                )
                for row in census:
                    print(
                        f"  {row['label']:<20} {row['status']}  {row['queries']:2d} queries  "
                        f"{row['ms']:6.1f} ms  {','.join(row['verdicts'])}"
                    )
                if census:
                    print("  SQL of '1 scan, admitted':")
                    for query in census[0]["sql"]:
                        print(f"    {query}")
                if args.profile:
                    print("\n-- profile --")
                    profile = census_out[census_out.find("PROFILE ") :].rstrip()
                    print(re.sub(r"^PROFILE ", "  ", profile, flags=re.MULTILINE))

            # --- the rush
            print(
                f"\n-- rush: {len(plan)} scans, {args.clients} clients on {args.devices} "
                f"phones, {args.batch} scan(s) a request, "
                + (f"{args.rate:g} requests/s offered --" if args.rate else "closed loop --")
            )
            activity = PgActivitySampler(database_url, dbname)
            with CpuMeter(server.proc.pid, dbname) as meter, activity:
                rush = asyncio.run(
                    run_rush(
                        host,
                        port,
                        plan=plan,
                        tokens=seed["tokens"],
                        devices=seed["devices"],
                        clients=args.clients,
                        batch=args.batch,
                        run_tag=secrets.token_hex(3),
                        deadline_s=args.phase_timeout,
                        request_timeout=args.request_timeout,
                        rate=args.rate,
                        no_pass=args.no_pass,
                    )
                )
            rush_cpu = meter.report()
            counts = read_counts(database_url, seed["event"])
            throughput = rush.scans_answered / rush.wall_s if rush.wall_s else 0.0
            lat = rush.latencies
            print(
                f"  {rush.scans_answered} scans answered in {rush.requests_ok} requests, "
                f"{rush.wall_s:.2f} s: {throughput:.0f} scans/s, "
                f"{rush.requests_ok / rush.wall_s if rush.wall_s else 0:.0f} requests/s"
            )
            print("  latency per request    p50        p95        p99        max")
            print(
                f"  {'':<18} {ms(percentile(lat, 50))} {ms(percentile(lat, 95))} "
                f"{ms(percentile(lat, 99))} {ms(max(lat, default=float('nan')))}"
            )
            print(
                f"  answers: {rush.verdicts['admitted']} admitted, "
                f"{rush.verdicts['already_admitted']} already admitted "
                f"({rush.verdicts['overtaken']} second scans overtook their first); "
                f"{rush.status_429} x 429, {rush.status_5xx} x 5xx, {rush.other_status} other "
                f"status, {rush.bad_answers} bad answers, {rush.exceptions} transport errors, "
                f"{rush.not_attempted} scans not attempted"
            )
            print(
                f"  database: {counts['admissions']} admissions for "
                f"{counts['registrations']} confirmed registrations "
                f"({counts['admitted_registrations']} distinct, "
                f"{counts['registrations_without_admission']} without); {counts['scans']} "
                f"scans {counts['scan_verdicts']}, {counts['conflicts']} conflicts"
            )
            print_cpu(rush_cpu, rush.scans_answered, "scan")
            pg = activity.summary()
            print(
                f"  PostgreSQL, {pg['samples']} samples of pg_stat_activity: on average "
                f"{pg['active']:.1f} queries running, {pg['lock_wait']:.1f} waiting for a lock "
                f"(a registration row), {pg['wal_wait']:.1f} waiting for the WAL (commit); "
                f"{pg['idle_in_transaction']:.1f} transactions open while Python runs"
            )
            for sample in rush.samples:
                print(f"  sample error: {sample}")

            scans_sent = len(rush.sent_nonces)
            checks = [
                ("every scan answered", rush.scans_answered == len(plan)),
                ("admitted answers == tickets", rush.verdicts["admitted"] == args.tickets),
                (
                    "already-admitted answers == second scans",
                    rush.verdicts["already_admitted"] == duplicates,
                ),
                ("admissions == tickets", counts["admissions"] == args.tickets),
                (
                    "one admission per registration",
                    counts["admitted_registrations"] == args.tickets
                    and counts["registrations_without_admission"] == 0,
                ),
                ("admissions of this event only", counts["admissions_of_other_events"] == 0),
                ("Scan rows == scans sent", counts["scans"] == scans_sent),
                ("no scan lost", counts["nonces"] == rush.sent_nonces),
                (
                    "Scan verdicts == answers",
                    counts["scan_verdicts"]
                    == {k: v for k, v in rush.verdicts.items() if k != "overtaken" and v},
                ),
                ("no conflict (all online)", counts["conflicts"] == 0),
                ("every scan has its registration", counts["scans_without_registration"] == 0),
                ("zero errors", rush.errors == 0),
            ]
            for name, passed in checks:
                if not passed:
                    failures.append(f"rush: {name}")
            print(
                "  invariants: "
                + ", ".join(f"{name} {'OK' if ok else 'FAILED'}" for name, ok in checks)
            )
            if rush.status_5xx:
                print("  gunicorn log tail:\n" + server.log_tail())

            p99 = percentile(lat, 99)
            if throughput < GOAL_SCANS_PER_S:
                goals_missed.append(f"{throughput:.0f} scans/s < {GOAL_SCANS_PER_S:.0f}")
            if not p99 < GOAL_P99_S:
                goals_missed.append(f"p99 {p99 * 1000:.0f} ms >= {GOAL_P99_S * 1000:.0f} ms")
            if rush.errors:
                goals_missed.append(f"{rush.errors} errors")
            figures["rush"] = {
                "scans_per_s": throughput,
                "requests_per_s": rush.requests_ok / rush.wall_s if rush.wall_s else 0.0,
                "wall_s": rush.wall_s,
                "scans": len(plan),
                "scans_answered": rush.scans_answered,
                "errors": rush.errors,
                "status_429": rush.status_429,
                "status_5xx": rush.status_5xx,
                "p50_s": percentile(lat, 50),
                "p95_s": percentile(lat, 95),
                "p99_s": p99,
                "max_s": max(lat, default=float("nan")),
                "verdicts": dict(rush.verdicts),
                "counts": {k: v for k, v in counts.items() if k != "nonces"},
                "cpu": rush_cpu,
                "pg_activity": pg,
            }
            server.stop()
        except Exception as exc:  # noqa: BLE001 - reported as a failure, clean-up still runs
            failures.append(f"{type(exc).__name__}: {exc}")
            if server is not None:
                print("gunicorn log tail:\n" + server.log_tail(), file=sys.stderr)
        finally:
            cleanup.run()

    print("\n== summary ==")
    if "rush" in figures:
        r = figures["rush"]
        print(
            f"rush  : {r['scans_per_s']:.0f} scans/s ({r['scans_answered']}/{r['scans']} "
            f"answered in {r['wall_s']:.2f} s), p50/p95/p99 {r['p50_s'] * 1000:.0f}/"
            f"{r['p95_s'] * 1000:.0f}/{r['p99_s'] * 1000:.0f} ms per request, "
            f"{r['errors']} errors"
        )
    print(
        "goals : "
        + ("all met" if not goals_missed else "MISSED: " + "; ".join(goals_missed))
        + f" (>= {GOAL_SCANS_PER_S:.0f} scans/s, p99 < {GOAL_P99_S * 1000:.0f} ms, "
        "zero errors)"
    )
    figures["failures"] = failures
    figures["goals_missed"] = goals_missed
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    if goals_missed and args.strict_goals:
        print("FAILED: goals missed (--strict-goals)")
        return 1
    print("PASSED: every invariant holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
