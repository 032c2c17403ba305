"""Registration surge: N people register at once for one event, through gunicorn.

What it does, end to end (1 to 1.5 minutes on a 2-core machine; every phase is bounded
by --phase-timeout, the emails by twice that, each request by --request-timeout):

1. creates a throwaway PostgreSQL database, migrates it, creates the event under test
   (``--capacity`` places, waiting list on, a programme of 6 sessions, 8 speakers and
   6 partners so that its page weighs what a real one does) and a warm-up event;
2. starts gunicorn on a free localhost port with the production settings (DEBUG off,
   database task queue), waits until it answers and warms every worker up;
3. fires ``--registrations`` registrations from ``--clients`` concurrent clients, each
   doing what a browser does: GET the form (fresh cookie jar: a new person), read the
   CSRF token, POST the form, expect a 302 to ``…/inscription/envoyee/`` (with any query
   string); the redirect is not followed;
4. reads the counts back from the database and checks the invariants: exactly
   ``capacity`` confirmed, the rest on the waiting list, ``confirmed_count`` equal to
   the confirmed rows, no duplicate, zero 5xx, zero error;
5. loads the event page with ``--page-connections`` concurrent connections;
6. sends the queued emails with ``manage.py db_worker --batch`` (file email backend)
   and checks every one was sent;
7. stops gunicorn, drops the database, exits 1 when an invariant failed.

The goals of the issue (150 registrations/s with p99 < 1 s, event page 400 requests/s
with 50 connections) are printed as met or missed; they fail the run only with
``--strict-goals``. The client runs on the same machine as the server: its CPU use is
printed next to the server's and PostgreSQL's so the figures can be read for what they
are.

Worker configuration: the default is gunicorn's ``sync`` worker, 4 processes
(``--workers 4``, two per core). Tried on the 2-core machine of this project (AMD EPYC,
PostgreSQL 15 on the same machine, a VM whose speed drifts by +-30 % from one minute to
the next, so only large differences mean something), 100 clients, two rounds each:

    app as of 27 Nov 04:45 (event page prefetching the whole programme), 1,000
    registrations then 2,000 page requests:
    config                 registrations/s   registration p99   event page requests/s
    sync    --workers 4    46, 42            2.5 s, 3.1 s       163, 148
    sync    --workers 8    44, 41            2.9 s, 3.6 s       127, 81
    gthread 2 x 8 threads  42, 23            3.7 s, 8.7 s       130, 73
    gthread 3 x 4 threads  40, 39            4.5 s, 4.7 s       199, 105
    gthread 4 x 2 threads  45, 26            5.6 s, 9.0 s       125, 80

    app as of 27 Nov 05:05 (programme fragment cached), 2,000 registrations then 5,000
    page requests:
    sync    --workers 3    99, 69            1.2 s, 1.8 s       356, 335
    sync    --workers 4    96, 79            1.2 s, 1.6 s       208 (disturbed), 283
    gthread 2 x 4 threads  91, 53            1.4 s, 2.3 s       554, 316
    gthread 4 x 2 threads  94, 70            1.9 s, 2.9 s       513, 305

Registrations are CPU-bound Python serialised on the event row lock (``SELECT ... FOR
UPDATE`` until COMMIT). With threads, the request holding that lock shares its
process's GIL with threads rendering templates, so it holds the lock longer and 3-10
requests queue on it (pg_stat_activity); with sync processes fewer than one does, the
kernel's accept queue is first come first served, and the tail is the tightest. gthread
keeps HTTP connections alive, which saves about a quarter of the CPU of a small page
when clients reuse connections (the event page load here); behind a buffering proxy such
as nginx, the usual production set-up for sync workers, that advantage goes to the proxy.
More processes than two per core only add context switches. Try others with
``--worker-class``/``--workers``/``--threads``.

Usage (from the project root, with the project's virtualenv):
    .venv/bin/python bench/registration_surge.py
    .venv/bin/python bench/registration_surge.py --registrations 2000 --clients 100 \
        --capacity 300 --worker-class sync --workers 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import resource
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

# Run with the project's virtualenv even when started with another Python.
if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])

import httpx  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

CATEGORIES = ["ptce_member", "network", "local_authority", "state", "press", "speaker", "other"]
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
GOAL_REGISTRATIONS_PER_S = 150.0
GOAL_P99_S = 1.0
GOAL_PAGE_RPS = 400.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- small helpers ------------------------------------------------------------------------


def letters(index: int, width: int = 4) -> str:
    """Base-26 spelling of ``index`` in letters only (names may hold no digit): Aaaa, Aaab…"""
    chars = []
    for _ in range(width):
        index, rest = divmod(index, 26)
        chars.append(chr(ord("a") + rest))
    word = "".join(reversed(chars))
    return word[0].upper() + word[1:]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (nan for no value)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine_description() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


# --- CPU accounting (from /proc) ----------------------------------------------------------


def _proc_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # after the ")": state is fields[0], utime is field 14 of the file, i.e. fields[11]
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid:
            kids.append(int(entry.name))
    return kids


def _postgres_backends(dbname: str) -> list[int]:
    """PostgreSQL backend processes connected to ``dbname`` (their title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cmdline.startswith("postgres:") and f" {dbname} " in cmdline:
            pids.append(int(entry.name))
    return pids


def _machine_busy_idle() -> tuple[float, float]:
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in first]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / CLK_TCK, idle / CLK_TCK


class PgActivitySampler:
    """Samples pg_stat_activity of the bench database every ``interval`` seconds while
    active: how many backends run a query, how many of them wait for a lock (the
    registrations queue on the event row lock) or for the WAL flush of a commit, and how
    many sit "idle in transaction" (a transaction open while Python runs between two
    queries: with the event row locked, that is the time everybody else waits for)."""

    def __init__(self, database_url: str, dbname: str, interval: float = 0.1):
        self.database_url = database_url
        self.dbname = dbname
        self.interval = interval
        self.samples: list[tuple[int, int, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        query = (
            "SELECT count(*) FILTER (WHERE state = 'active'), "
            "count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock'), "
            "count(*) FILTER (WHERE state = 'active' AND wait_event IN "
            "('WALSync', 'WALWrite', 'WALInsert', 'WALWriteLock', 'XactGroupUpdate')), "
            "count(*) FILTER (WHERE state = 'idle in transaction') "
            "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        )
        try:
            with psycopg.connect(self.database_url, autocommit=True, connect_timeout=10) as conn:
                while not self._stop.wait(self.interval):
                    self.samples.append(conn.execute(query, [self.dbname]).fetchone())
        except psycopg.Error as exc:
            print(f"  (pg_stat_activity sampling stopped: {exc})")

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        return False

    def summary(self) -> dict[str, float]:
        n = len(self.samples) or 1
        return {
            "samples": len(self.samples),
            "active": sum(s[0] for s in self.samples) / n,
            "lock_wait": sum(s[1] for s in self.samples) / n,
            "wal_wait": sum(s[2] for s in self.samples) / n,
            "idle_in_transaction": sum(s[3] for s in self.samples) / n,
        }


class CpuMeter:
    """CPU seconds used during a phase by this client, gunicorn, our PostgreSQL backends
    and the whole machine."""

    def __init__(self, server_pid: int, dbname: str):
        self.server_pid = server_pid
        self.dbname = dbname

    def _snapshot(self) -> dict[str, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        server_pids = [self.server_pid, *_children(self.server_pid)]
        busy, idle = _machine_busy_idle()
        return {
            "client": usage.ru_utime + usage.ru_stime,
            "server": sum(_proc_cpu_seconds(p) for p in server_pids),
            "server_pids": server_pids,
            "postgres": {p: _proc_cpu_seconds(p) for p in _postgres_backends(self.dbname)},
            "busy": busy,
            "idle": idle,
            "t": time.perf_counter(),
        }

    def __enter__(self):
        self.start = self._snapshot()
        return self

    def __exit__(self, *exc):
        self.end = self._snapshot()
        return False

    def report(self) -> dict[str, float]:
        start, end = self.start, self.end
        wall = end["t"] - start["t"]
        postgres = sum(v - start["postgres"].get(p, 0.0) for p, v in end["postgres"].items())
        busy = end["busy"] - start["busy"]
        idle = end["idle"] - start["idle"]
        return {
            "wall_s": wall,
            "client_cpu_s": end["client"] - start["client"],
            "server_cpu_s": end["server"] - start["server"],
            "postgres_cpu_s": postgres,
            "machine_busy_pct": 100 * busy / (busy + idle) if busy + idle else float("nan"),
        }


def print_cpu(cpu: dict[str, float], operations: int, unit: str) -> None:
    wall = cpu["wall_s"] or float("nan")
    cores = os.cpu_count() or 1
    ours = cpu["client_cpu_s"] + cpu["server_cpu_s"] + cpu["postgres_cpu_s"]
    others = max(0.0, cpu["machine_busy_pct"] / 100 * cores * wall - ours)
    print(
        f"  CPU, cores busy on average (machine has {cores}): "
        f"client {cpu['client_cpu_s'] / wall:.2f}, gunicorn {cpu['server_cpu_s'] / wall:.2f}, "
        f"postgres backends {cpu['postgres_cpu_s'] / wall:.2f}, other processes "
        f"{others / wall:.2f}; machine {cpu['machine_busy_pct']:.0f}% busy"
    )
    if operations:
        keys = ("client_cpu_s", "server_cpu_s", "postgres_cpu_s")
        per = {k: cpu[k] / operations * 1000 for k in keys}
        ceiling = cores / (sum(per.values()) / 1000)
        server_ceiling = cores / ((per["server_cpu_s"] + per["postgres_cpu_s"]) / 1000)
        print(
            f"  CPU per {unit}: gunicorn {per['server_cpu_s']:.1f} ms, postgres "
            f"{per['postgres_cpu_s']:.1f} ms, client {per['client_cpu_s']:.1f} ms -> ceiling on "
            f"{cores} idle cores: {ceiling:.0f} {unit}s/s with this client, "
            f"{server_ceiling:.0f} with a client elsewhere"
        )
    cpu["other_cpu_s"] = others


# --- the throwaway database and the server --------------------------------------------------


def admin_connection(pg_url: str) -> psycopg.Connection:
    return psycopg.connect(pg_url.rstrip("/") + "/postgres", autocommit=True, connect_timeout=10)


def create_database(pg_url: str, name: str) -> None:
    with admin_connection(pg_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(pg_url: str, name: str) -> None:
    with admin_connection(pg_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def app_env(args, *, database_url: str, port: int, mail_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PTCE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PTCE_ENV_FILE": "/nonexistent/ptce-bench.env",  # a developer's .env must not leak in
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(48),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "EMAIL_BACKEND": "file",
            "EMAIL_FILE_PATH": str(mail_dir),
            "TASKS_BACKEND": "database",
            # every simulated visitor comes from this machine's one address
            "PTCE_REGISTRATION_LIMIT_PER_IP": "1000000000",
            "PTCE_PLAIN_STATIC": "1",
            "CONN_MAX_AGE": str(args.conn_max_age),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict[str, str], *argv: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(argv[:1])} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


CREATE_EVENTS = """
import json
from datetime import timedelta
from django.utils import timezone
from events.models import Event, Partner, Session, Speaker

now = timezone.now().replace(microsecond=0)
start = now + timedelta(days=30)
out = {}
for slug, title, capacity in [
    ("bench", "Journée nationale des PTCE (banc d'essai)", CAPACITY),
    ("warmup", "Échauffement", 1000000),
]:
    event = Event.objects.create(
        slug=slug, title=title, status="published", capacity=capacity,
        waiting_list_enabled=True, registration_required=True,
        starts_at=start, ends_at=start + timedelta(hours=7),
        summary="Une journée pour les pôles territoriaux de coopération économique. " * 4,
        venue_name="Ministère de l'Économie", venue_room="Centre de conférences",
        street="139 rue de Bercy", postal_code="75012", city="Paris",
        access="RER A ou D : Gare de Lyon\\nMétro 1 et 14 : Gare de Lyon\\nBus 24 et 87",
        organiser_name="Le Labo de l'ESS", organiser_url="https://www.lelabo-ess.org",
    )
    speakers = [
        Speaker.objects.create(event=event, name=f"Intervenant {chr(65 + i)}",
                               role="Directrice", organisation="Réseau fictif")
        for i in range(8)
    ]
    for i in range(6):
        session = Session.objects.create(
            event=event, kind="round_table", title=f"Table ronde {i + 1}",
            description="Échanges avec la salle. " * 5,
            starts_at=start + timedelta(hours=i), ends_at=start + timedelta(hours=i, minutes=50),
        )
        session.speakers.set(speakers[i % 4: i % 4 + 3])
    for i in range(6):
        Partner.objects.create(event=event, name=f"Réseau partenaire {chr(65 + i)}",
                               url="https://example.org", order=i)
    out[slug] = event.pk
print("EVENTS=" + json.dumps(out))
"""

# Queries per request, counted inside one process with Django's test client (the same
# code path as gunicorn's, minus the socket). Run once before the surge.
QUERY_CENSUS = """
import json, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

def census(label, call):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - start
    print("CENSUS=" + json.dumps({
        "label": label, "status": response.status_code, "queries": len(ctx.captured_queries),
        "ms": round(elapsed * 1000, 1),
        "sql": [q["sql"][:110] for q in ctx.captured_queries],
    }))

client = Client(enforce_csrf_checks=True)
client.get("/evenements/warmup/")  # first calls load templates: not timed
client.get("/evenements/warmup/inscription/")
census("GET event page", lambda: client.get("/evenements/warmup/"))
census("GET form", lambda: client.get("/evenements/warmup/inscription/"))
token = client.cookies["csrftoken"].value
for i, who in enumerate(["Census", "Censusb"]):
    census(f"POST form (#{i + 1})", lambda: client.post("/evenements/warmup/inscription/", {
        "csrfmiddlewaretoken": token, "first_name": "Query", "last_name": who,
        "email": f"census{i}@example.org", "organisation": "Bench", "category": "other",
        "phone": "", "consent": "on"}))
"""


class Server:
    """gunicorn in its own process group, logging to a file."""

    def __init__(self, args, env: dict[str, str], port: int, log_path: Path):
        self.command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            args.worker_class,
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ]
        self.env = env
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, probe_path: str, timeout: float = 30.0) -> None:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}{probe_path}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


# --- load generation ----------------------------------------------------------------------


@dataclass
class SurgeResult:
    wall_s: float = 0.0
    ok: int = 0
    validation_400: int = 0
    status_5xx: int = 0
    other_status: int = 0
    exceptions: int = 0
    not_attempted: int = 0
    total_latencies: list[float] = field(default_factory=list)
    post_latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.validation_400 + self.other_status + self.exceptions + self.not_attempted

    def note(self, text: str) -> None:
        if len(self.samples) < 5:
            self.samples.append(text[:300])

    def record_post(
        self,
        status: int,
        location: str,
        expected: str,
        times: tuple[float, float, float],
        detail: str = "",
    ) -> None:
        """Classify the answer to a registration POST (times: start, POST sent, answered)."""
        t0, t1, t2 = times
        if status == 302 and location == expected:
            self.ok += 1
            self.total_latencies.append(t2 - t0)
            self.post_latencies.append(t2 - t1)
        elif status >= 500:
            self.status_5xx += 1
            self.note(f"POST -> {status}")
        elif status == 400:
            self.validation_400 += 1
            self.note(f"POST -> 400 {detail}")
        else:
            self.other_status += 1
            self.note(f"POST -> {status} {location}")


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


async def run_surge(
    base_url: str,
    slug: str,
    *,
    indices: range,
    clients: int,
    run_tag: str,
    deadline_s: float,
    request_timeout: float,
    client: str = "raw",
) -> SurgeResult:
    """``client="raw"``: each person is one fresh HTTP/1.1 connection per request, with
    the csrftoken cookie carried by hand, as a browser would (cheap on the shared CPU).
    ``client="httpx"``: httpx.AsyncClient, one per concurrent client."""
    form_path = f"/evenements/{slug}/inscription/"
    sent_path = f"/evenements/{slug}/inscription/envoyee/"
    result = SurgeResult()
    pending = iter(indices)
    start_gate = asyncio.Event()
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port

    async def exchange(request: bytes) -> tuple[int, dict[str, list[str]], str]:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), request_timeout
        )
        try:
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), request_timeout)
            lines = head.decode("latin-1").split("\r\n")
            headers: dict[str, list[str]] = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers.setdefault(name.strip().lower(), []).append(value.strip())
            length = int(headers.get("content-length", ["0"])[0])
            body = await asyncio.wait_for(reader.readexactly(length), request_timeout)
            return int(lines[0].split(" ", 2)[1]), headers, body.decode("utf-8", "replace")
        finally:
            writer.close()

    async def raw_loop() -> None:
        await start_gate.wait()
        common = f"Host: {host}:{port}\r\nUser-Agent: ptce-bench\r\nAccept-Language: fr\r\n"
        for index in pending:
            if time.monotonic() > deadline:
                result.not_attempted += 1
                continue
            t0 = time.perf_counter()
            try:
                status, headers, body = await exchange(
                    f"GET {form_path} HTTP/1.1\r\n{common}Connection: close\r\n\r\n".encode()
                )
                if status != 200:
                    result.status_5xx += status >= 500
                    result.other_status += status < 500
                    result.note(f"GET form -> {status}")
                    continue
                match = CSRF_RE.search(body)
                cookie = next(
                    (
                        c.split(";", 1)[0]
                        for c in headers.get("set-cookie", [])
                        if c.startswith("csrftoken=")
                    ),
                    None,
                )
                if match is None or cookie is None:
                    result.other_status += 1
                    result.note("GET form: no CSRF token or cookie")
                    continue
                data = {"csrfmiddlewaretoken": match.group(1), **person(index, run_tag)}
                payload = urlencode(data).encode()
                t1 = time.perf_counter()
                status, headers, body = await exchange(
                    (
                        f"POST {form_path} HTTP/1.1\r\n{common}Connection: close\r\n"
                        f"Cookie: {cookie}\r\nReferer: {base_url}{form_path}\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\n"
                        f"Content-Length: {len(payload)}\r\n\r\n"
                    ).encode()
                    + payload
                )
                t2 = time.perf_counter()
            except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
                result.exceptions += 1
                result.note(f"{type(exc).__name__}: {exc}")
                continue
            location = urlsplit(headers.get("location", [""])[0]).path
            result.record_post(status, location, sent_path, (t0, t1, t2), repr(data["last_name"]))

    async def client_loop() -> None:
        async with httpx.AsyncClient(
            base_url=base_url,
            timeout=request_timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        ) as client:
            await start_gate.wait()
            for index in pending:
                if time.monotonic() > deadline:
                    result.not_attempted += 1
                    continue
                client.cookies.clear()  # a new person: no csrftoken, no session
                t0 = time.perf_counter()
                try:
                    form = await client.get(form_path)
                    if form.status_code != 200:
                        if form.status_code >= 500:
                            result.status_5xx += 1
                        else:
                            result.other_status += 1
                        result.note(f"GET form -> {form.status_code}")
                        continue
                    match = CSRF_RE.search(form.text)
                    if match is None:
                        result.other_status += 1
                        result.note("GET form: no csrfmiddlewaretoken in the page")
                        continue
                    data = {"csrfmiddlewaretoken": match.group(1), **person(index, run_tag)}
                    t1 = time.perf_counter()
                    response = await client.post(
                        form_path, data=data, headers={"Referer": base_url + form_path}
                    )
                    t2 = time.perf_counter()
                except httpx.HTTPError as exc:
                    result.exceptions += 1
                    result.note(f"{type(exc).__name__}: {exc}")
                    continue
                location = urlsplit(response.headers.get("location", "")).path
                errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{0,160})', response.text)
                result.record_post(
                    response.status_code,
                    location,
                    sent_path,
                    (t0, t1, t2),
                    f"{data['last_name']!r}: {errors[:3]}",
                )

    deadline = time.monotonic() + deadline_s
    loop = raw_loop if client == "raw" else client_loop
    tasks = [asyncio.create_task(loop()) for _ in range(clients)]
    await asyncio.sleep(0.05)  # let every client open its pool before the gate opens
    t_start = time.perf_counter()
    start_gate.set()
    await asyncio.gather(*tasks)
    result.wall_s = time.perf_counter() - t_start
    return result


@dataclass
class PageResult:
    wall_s: float = 0.0
    ok: int = 0
    failed: int = 0
    status_5xx: int = 0
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; returns (status, connection still usable)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
        return status, headers.get("connection", "").lower() != "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise ValueError("chunked responses are not supported by the raw client")
    await reader.read()  # no length: the body ends with the connection
    return status, False


async def run_page_load(
    base_url: str,
    path: str,
    *,
    requests: int,
    connections: int,
    deadline_s: float,
    request_timeout: float,
    client: str = "raw",
) -> PageResult:
    """GET ``path`` ``requests`` times over ``connections`` concurrent connections.

    ``client="raw"``: a minimal HTTP/1.1 keep-alive client on asyncio streams, which costs
    the shared CPU far less than httpx (a few hundred microseconds a request instead of
    2-5 ms), so the figure says more about the server. ``client="httpx"``: httpx.
    """
    result = PageResult()
    pending = iter(range(requests))
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    raw_request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: ptce-bench\r\n"
        "Accept: text/html\r\nAccept-Language: fr\r\n\r\n"
    ).encode()

    def failed(text: str) -> None:
        result.failed += 1
        if len(result.samples) < 5:
            result.samples.append(text[:300])

    def done(status: int, elapsed: float) -> None:
        if status == 200:
            result.ok += 1
            result.latencies.append(elapsed)
        else:
            result.status_5xx += status >= 500
            failed(f"GET {path} -> {status}")

    async def raw_loop() -> None:
        reader = writer = None
        try:
            for _ in pending:
                if time.monotonic() > deadline:
                    failed("not attempted: phase time-out")
                    continue
                t0 = time.perf_counter()
                for attempt in (1, 2):  # a kept-alive connection may have been closed: retry once
                    reused = writer is not None
                    try:
                        if writer is None:
                            reader, writer = await asyncio.wait_for(
                                asyncio.open_connection(host, port), request_timeout
                            )
                        writer.write(raw_request)
                        status, keep = await asyncio.wait_for(
                            _read_response(reader), request_timeout
                        )
                    except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
                        if writer is not None:
                            writer.close()
                        reader = writer = None
                        if reused and attempt == 1 and isinstance(exc, asyncio.IncompleteReadError):
                            continue
                        failed(f"{type(exc).__name__}: {exc}")
                        break
                    done(status, time.perf_counter() - t0)
                    if not keep:
                        writer.close()
                        reader = writer = None
                    break
        finally:
            if writer is not None:
                writer.close()

    async def httpx_loop() -> None:
        async with httpx.AsyncClient(
            base_url=base_url,
            timeout=request_timeout,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        ) as http:
            for _ in pending:
                if time.monotonic() > deadline:
                    failed("not attempted: phase time-out")
                    continue
                t0 = time.perf_counter()
                try:
                    response = await http.get(path)
                except httpx.HTTPError as exc:
                    failed(f"{type(exc).__name__}: {exc}")
                    continue
                done(response.status_code, time.perf_counter() - t0)

    loop = raw_loop if client == "raw" else httpx_loop
    deadline = time.monotonic() + deadline_s
    t_start = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(connections)))
    result.wall_s = time.perf_counter() - t_start
    return result


# --- reading the database back --------------------------------------------------------------


def read_counts(database_url: str, event_id: int) -> dict[str, int]:
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        by_status = dict(
            conn.execute(
                "SELECT status, count(*) FROM events_registration WHERE event_id = %s "
                "GROUP BY status",
                [event_id],
            ).fetchall()
        )
        (confirmed_count, capacity) = conn.execute(
            "SELECT confirmed_count, capacity FROM events_event WHERE id = %s", [event_id]
        ).fetchone()
        (duplicates,) = conn.execute(
            "SELECT count(*) FROM (SELECT email_key FROM events_registration "
            "WHERE event_id = %s AND status <> 'cancelled' GROUP BY email_key "
            "HAVING count(*) > 1) d",
            [event_id],
        ).fetchone()
        (emails_queued,) = conn.execute(
            "SELECT count(*) FROM core_outboundemail WHERE scope = %s", [f"events.event:{event_id}"]
        ).fetchone()
    return {
        "confirmed": by_status.get("confirmed", 0),
        "waiting": by_status.get("waiting", 0),
        "cancelled": by_status.get("cancelled", 0),
        "confirmed_count": confirmed_count,
        "capacity": capacity,
        "duplicate_emails": duplicates,
        "emails_for_event": emails_queued,
    }


def email_status(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        by_status = dict(
            conn.execute("SELECT status, count(*) FROM core_outboundemail GROUP BY status")
        )
        (registrations,) = conn.execute("SELECT count(*) FROM events_registration").fetchone()
        errors = conn.execute(
            "SELECT kind, left(last_error, 300), count(*) FROM core_outboundemail "
            "WHERE status = 'failed' GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 3"
        ).fetchall()
    return {"registrations": registrations, **by_status, "error_samples": errors}


def send_emails(env: dict[str, str], workers: int, timeout: float) -> float:
    """Run ``workers`` batch db_workers side by side; returns the wall time."""
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--verbosity",
        "0",
    ]
    start = time.perf_counter()
    procs = [
        subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(workers)
    ]
    failures = []
    for proc in procs:
        try:
            out, _ = proc.communicate(timeout=max(1.0, timeout - (time.perf_counter() - start)))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            failures.append(f"db_worker timed out after {timeout:.0f} s")
        if proc.returncode:
            failures.append(f"db_worker exited {proc.returncode}: {out.decode()[-2000:]}")
    if failures:
        raise RuntimeError("\n".join(failures))
    return time.perf_counter() - start


# --- main ---------------------------------------------------------------------------------


class Cleanup:
    """What must be undone however the run ends: each action runs once, last added first.

    Run from the ``finally`` of ``main`` and from the SIGTERM handler (which then exits at
    once: raising SystemExit from a signal handler in the middle of asyncio and httpx
    does not reliably unwind to the ``finally``)."""

    def __init__(self) -> None:
        self._actions: list[tuple[str, object]] = []

    def add(self, label: str, action) -> None:
        self._actions.append((label, action))

    def run(self) -> None:
        while self._actions:
            label, action = self._actions.pop()
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - report and go on with the rest
                print(f"clean-up '{label}' failed: {type(exc).__name__}: {exc}", file=sys.stderr)


def _terminate(cleanup: Cleanup):
    def handler(signum, frame) -> None:
        print(f"\nsignal {signum}: stopping gunicorn and dropping the database", flush=True)
        cleanup.run()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + signum)

    return handler


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--capacity", type=int, default=300)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--threads",
        type=int,
        help="threads per gthread worker (default 4; sync workers have 1, gunicorn would "
        "turn a sync worker with more threads into gthread)",
    )
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--page-requests", type=int, default=5000)
    parser.add_argument("--page-connections", type=int, default=50)
    parser.add_argument(
        "--surge-client",
        choices=["raw", "httpx"],
        default="raw",
        help="HTTP client of the surge (raw: minimal asyncio client, light on CPU; httpx "
        "costs 5-7 ms of CPU per registration on the same 2 cores)",
    )
    parser.add_argument(
        "--page-client",
        choices=["raw", "httpx"],
        default="raw",
        help="HTTP client of the event page load (raw: minimal asyncio client, light on CPU)",
    )
    parser.add_argument("--warmup", type=int, default=60, help="warm-up registrations")
    parser.add_argument("--email-workers", type=int, default=2, help="0 skips the emails")
    parser.add_argument(
        "--phase-timeout",
        type=float,
        default=300.0,
        help="seconds per phase: what is left then counts as errors (default 300)",
    )
    parser.add_argument("--request-timeout", type=float, default=30.0)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name) where the throwaway database is made",
    )
    parser.add_argument("--no-census", action="store_true", help="skip the query census")
    parser.add_argument("--strict-goals", action="store_true", help="missed goals fail the run")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.threads is None:
        args.threads = 1 if args.worker_class == "sync" else 4
    elif args.worker_class == "sync" and args.threads != 1:
        parser.error("--threads needs --worker-class gthread (sync workers have one thread)")
    if min(args.registrations, args.clients, args.workers, args.threads) < 1:
        parser.error("--registrations, --clients, --workers and --threads must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cleanup = Cleanup()
    signal.signal(signal.SIGTERM, _terminate(cleanup))
    machine = machine_description()
    print("== registration surge benchmark ==")
    print(f"command : {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"machine : {machine['nproc']} cores, {machine['cpu']}, Python {machine['python']}, "
        f"Linux {machine['kernel']}"
    )
    print(
        "load    : {:.2f} {:.2f} {:.2f} (1/5/15 min) before the run; other processes share "
        "the machine, see 'other processes' below".format(*os.getloadavg())
    )

    dbname = f"ptce_bench_{os.getpid()}_{secrets.token_hex(3)}"
    database_url = f"{args.pg_url.rstrip('/')}/{dbname}"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
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
            out = manage(env, "shell", "-c", CREATE_EVENTS.replace("CAPACITY", str(args.capacity)))
            events = json.loads(out.split("EVENTS=", 1)[1].splitlines()[0])
            print(
                f"database: {dbname} (PostgreSQL {pg_version}), migrated and seeded "
                f"in {time.perf_counter() - t:.1f} s"
            )

            server = Server(args, env, port, tmpdir / "gunicorn.log")
            cleanup.add("stop gunicorn", server.stop)
            print(f"server  : {shlex.join(server.command)}")
            print(
                "settings: DEBUG=0 TASKS_BACKEND=database EMAIL_BACKEND=file "
                f"CONN_MAX_AGE={args.conn_max_age} PTCE_PLAIN_STATIC=1"
            )
            server.start("/evenements/bench/")

            # Warm every worker up (imports, templates, connections) on another event.
            warm = asyncio.run(
                run_surge(
                    base_url,
                    "warmup",
                    indices=range(args.warmup),
                    clients=min(args.warmup, args.workers * args.threads * 2) or 1,
                    run_tag="warm",
                    deadline_s=args.phase_timeout,
                    request_timeout=args.request_timeout,
                )
            )
            asyncio.run(
                run_page_load(
                    base_url,
                    "/evenements/bench/",
                    requests=200,
                    connections=10,
                    deadline_s=30,
                    request_timeout=args.request_timeout,
                )
            )
            if warm.ok != args.warmup:
                failures.append(f"warm-up: {warm.ok}/{args.warmup} registrations succeeded")
                print(f"warm-up problems: {warm.samples}")

            if not args.no_census:
                census_out = manage(
                    env | {"ALLOWED_HOSTS": "testserver"}, "shell", "-c", QUERY_CENSUS
                )
                census = [
                    json.loads(line.split("=", 1)[1])
                    for line in census_out.splitlines()
                    if line.startswith("CENSUS=")
                ]
                figures["census"] = census
                print("\n-- queries per request (Django test client, one process) --")
                for row in census:
                    print(
                        f"  {row['label']:<18} {row['status']}  {row['queries']:2d} queries  "
                        f"{row['ms']:6.1f} ms"
                    )

            # --- the surge
            print(
                f"\n-- surge: {args.registrations} registrations, {args.clients} clients, "
                f"{args.capacity} places, {args.surge_client} client --"
            )
            activity = PgActivitySampler(database_url, dbname)
            with CpuMeter(server.proc.pid, dbname) as meter, activity:
                surge = asyncio.run(
                    run_surge(
                        base_url,
                        "bench",
                        indices=range(args.registrations),
                        clients=args.clients,
                        run_tag=secrets.token_hex(3),
                        deadline_s=args.phase_timeout,
                        request_timeout=args.request_timeout,
                        client=args.surge_client,
                    )
                )
            surge_cpu = meter.report()
            counts = read_counts(database_url, events["bench"])
            throughput = surge.ok / surge.wall_s if surge.wall_s else 0.0
            tot, post = surge.total_latencies, surge.post_latencies
            print(
                f"  {surge.ok} registered in {surge.wall_s:.1f} s: {throughput:.1f} registrations/s"
            )
            print("  latency            p50        p95        p99        max")
            for label, values in (("GET+POST", tot), ("POST alone", post)):
                print(
                    f"  {label:<12} {ms(percentile(values, 50))} {ms(percentile(values, 95))} "
                    f"{ms(percentile(values, 99))} {ms(max(values, default=float('nan')))}"
                )
            print(
                f"  responses: {surge.ok} redirected, {surge.validation_400} x 400, "
                f"{surge.status_5xx} x 5xx, {surge.other_status} other, "
                f"{surge.exceptions} transport errors, {surge.not_attempted} not attempted"
            )
            print(
                f"  database: {counts['confirmed']} confirmed, {counts['waiting']} waiting, "
                f"{counts['cancelled']} cancelled; event.confirmed_count="
                f"{counts['confirmed_count']}/{counts['capacity']}; "
                f"{counts['duplicate_emails']} duplicate emails; "
                f"{counts['emails_for_event']} emails queued"
            )
            print_cpu(surge_cpu, surge.ok, "registration")
            pg = activity.summary()
            print(
                f"  PostgreSQL, {pg['samples']} samples of pg_stat_activity: on average "
                f"{pg['active']:.1f} queries running, {pg['lock_wait']:.1f} waiting for a lock "
                f"(the event row), {pg['wal_wait']:.1f} waiting for the WAL (commit); "
                f"{pg['idle_in_transaction']:.1f} transactions open while Python runs"
            )
            for sample in surge.samples:
                print(f"  sample error: {sample}")

            expected_confirmed = min(args.capacity, args.registrations)
            expected_waiting = args.registrations - expected_confirmed
            checks = [
                ("confirmed == capacity", counts["confirmed"] == expected_confirmed),
                ("waiting == rest", counts["waiting"] == expected_waiting),
                (
                    "confirmed_count == confirmed rows",
                    counts["confirmed_count"] == counts["confirmed"],
                ),
                ("no duplicate email", counts["duplicate_emails"] == 0),
                ("zero 5xx", surge.status_5xx == 0),
                ("zero errors", surge.errors == 0),
                (
                    "one email queued per registration",
                    counts["emails_for_event"] == args.registrations,
                ),
            ]
            for name, passed in checks:
                if not passed:
                    failures.append(f"surge: {name}")
            print(
                "  invariants: "
                + ", ".join(f"{name} {'OK' if ok else 'FAILED'}" for name, ok in checks)
            )
            if surge.status_5xx:
                print("  gunicorn log tail:\n" + server.log_tail())

            p99 = percentile(tot, 99)
            if throughput < GOAL_REGISTRATIONS_PER_S:
                goals_missed.append(
                    f"{throughput:.0f} registrations/s < {GOAL_REGISTRATIONS_PER_S:.0f}"
                )
            if not p99 < GOAL_P99_S:
                goals_missed.append(f"registration p99 {p99 * 1000:.0f} ms >= 1000 ms")
            figures["surge"] = {
                "registrations_per_s": throughput,
                "wall_s": surge.wall_s,
                "ok": surge.ok,
                "errors": surge.errors,
                "status_5xx": surge.status_5xx,
                "p50_s": percentile(tot, 50),
                "p95_s": percentile(tot, 95),
                "p99_s": p99,
                "post_p50_s": percentile(post, 50),
                "post_p95_s": percentile(post, 95),
                "post_p99_s": percentile(post, 99),
                "counts": counts,
                "cpu": surge_cpu,
                "pg_activity": pg,
            }

            # --- the event page
            print(
                f"\n-- event page: {args.page_requests} GET /evenements/bench/, "
                f"{args.page_connections} connections, {args.page_client} client --"
            )
            with CpuMeter(server.proc.pid, dbname) as meter:
                page = asyncio.run(
                    run_page_load(
                        base_url,
                        "/evenements/bench/",
                        requests=args.page_requests,
                        connections=args.page_connections,
                        deadline_s=args.phase_timeout,
                        request_timeout=args.request_timeout,
                        client=args.page_client,
                    )
                )
            page_cpu = meter.report()
            rps = page.ok / page.wall_s if page.wall_s else 0.0
            print(
                f"  {page.ok} x 200 in {page.wall_s:.1f} s: {rps:.0f} requests/s; "
                f"p50 {ms(percentile(page.latencies, 50)).strip()}, "
                f"p99 {ms(percentile(page.latencies, 99)).strip()}; {page.failed} failed "
                f"({page.status_5xx} x 5xx)"
            )
            print_cpu(page_cpu, page.ok, "page")
            for sample in page.samples:
                print(f"  sample error: {sample}")
            if page.failed:
                failures.append(f"event page: {page.failed} failed requests")
            if rps < GOAL_PAGE_RPS:
                goals_missed.append(f"event page {rps:.0f} requests/s < {GOAL_PAGE_RPS:.0f}")
            figures["page"] = {
                "requests_per_s": rps,
                "p50_s": percentile(page.latencies, 50),
                "p99_s": percentile(page.latencies, 99),
                "failed": page.failed,
                "cpu": page_cpu,
            }
            server.stop()

            # --- the emails
            if args.email_workers > 0:
                before = email_status(database_url)
                print(
                    f"\n-- emails: {before.get('queued', 0)} queued, "
                    f"{args.email_workers} x manage.py db_worker --batch (file backend) --"
                )
                elapsed = send_emails(env, args.email_workers, timeout=args.phase_timeout * 2)
                after = email_status(database_url)
                files = list(mail_dir.iterdir())
                size = sum(f.stat().st_size for f in files)
                # the file backend appends messages to the same file when names collide:
                # count the 79-dash separator it writes after each message instead
                written = sum(f.read_bytes().count(b"\n" + b"-" * 79 + b"\n") for f in files)
                sent = after.get("sent", 0)
                print(
                    f"  {sent} sent, {after.get('failed', 0)} failed, {after.get('queued', 0)} "
                    f"still queued in {elapsed:.1f} s ({sent / elapsed:.0f} emails/s); "
                    f"{written} messages written ({size / 1e6:.1f} MB)"
                )
                for kind, error, count in after["error_samples"]:
                    print(f"  failed x {count} {kind}: {error}")
                if after.get("failed", 0) or after.get("queued", 0):
                    failures.append("emails: not every queued email was sent")
                if sent != after["registrations"]:
                    failures.append(
                        f"emails: {sent} sent for {after['registrations']} registrations"
                    )
                if written != sent:
                    failures.append(f"emails: {written} messages written for {sent} sent")
                figures["emails"] = {"sent": sent, "written": written, "seconds": elapsed, **after}
        except Exception as exc:  # noqa: BLE001 - reported as a failure, clean-up still runs
            failures.append(f"{type(exc).__name__}: {exc}")
            if server is not None:
                print("gunicorn log tail:\n" + server.log_tail(), file=sys.stderr)
        finally:
            cleanup.run()

    print("\n== summary ==")
    if "surge" in figures:
        s = figures["surge"]
        print(
            f"surge : {s['registrations_per_s']:.1f} registrations/s, p50/p95/p99 "
            f"{s['p50_s'] * 1000:.0f}/{s['p95_s'] * 1000:.0f}/{s['p99_s'] * 1000:.0f} ms "
            f"(POST alone {s['post_p50_s'] * 1000:.0f}/{s['post_p95_s'] * 1000:.0f}/"
            f"{s['post_p99_s'] * 1000:.0f} ms)"
        )
    if "page" in figures:
        p = figures["page"]
        print(f"page  : {p['requests_per_s']:.0f} requests/s, p99 {p['p99_s'] * 1000:.0f} ms")
    if "emails" in figures:
        e = figures["emails"]
        print(f"emails: {e['sent']} sent in {e['seconds']:.1f} s")
    print(
        "goals : "
        + ("all met" if not goals_missed else "MISSED: " + "; ".join(goals_missed))
        + " (>= 150 registrations/s with p99 < 1 s, page >= 400 requests/s)"
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
