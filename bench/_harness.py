"""What every benchmark of bench/ shares: the project's virtualenv, throwaway databases,
gunicorn, seeding through real functions, CPU accounting, a closed-loop HTTP client and
the result table (README, « Bancs d'essai »)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import platform
import resource
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV = ROOT / ".venv"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def use_venv() -> None:
    """Run with the project's virtualenv even when started with another Python."""
    python = VENV / "bin" / "python"
    if python.exists() and Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(python), [str(python), *sys.argv])


def header(title: str) -> None:
    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in _read("/proc/cpuinfo").splitlines()
            if ln.startswith("model name")
        ),
        "unknown",
    )
    print(f"== {title} ==")
    print(f"command : {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"machine : {os.cpu_count()} cores, {model}, Python {platform.python_version()}, "
        f"Linux {platform.release()}; load {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(1/5/15 min) before the run"
    )


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- clean-up, databases, environment -----------------------------------------------------------


class Cleanup(contextlib.ExitStack):
    """An ExitStack that also runs on SIGTERM (``run_all.py``'s time-out), then exits at
    once: raising from a signal handler in the middle of asyncio does not reliably unwind."""

    def __enter__(self):
        def stop(signum, _frame):
            print(f"\nsignal {signum}: cleaning up", flush=True)
            self.close()
            sys.stdout.flush()
            os._exit(128 + signum)

        signal.signal(signal.SIGTERM, stop)
        return super().__enter__()


@dataclass
class Database:
    name: str
    url: str  # "" for SQLite
    workdir: Path  # the run's files (SQLite, mail, private files), removed on exit

    @property
    def env(self) -> dict[str, str]:
        if self.url:
            return {"DATABASE_URL": self.url}
        return {"SQLITE_PATH": str(self.workdir / "bench.sqlite3")}

    def connect(self, **kwargs):
        import psycopg

        return psycopg.connect(self.url, connect_timeout=10, **kwargs)


def _pg(url: str) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]


@contextlib.contextmanager
def database(*, sqlite: bool = False, keep: bool = False, pg_url: str = PG_URL):
    """A throwaway database (and work folder), dropped on exit (``keep``: kept, printed)."""
    import shutil

    name = f"ptce_bench_{os.getpid()}_{secrets.token_hex(3)}"
    workdir = Path(tempfile.mkdtemp(prefix="ptce-bench-"))
    if not sqlite:
        subprocess.run(["createdb", *_pg(pg_url), name], check=True)
    db = Database(name, "" if sqlite else f"{pg_url.rstrip('/')}/{name}", workdir)
    try:
        yield db
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections  # this process's connections, if any

            connections.close_all()
        if keep:
            print(f"database kept: {db.url or db.env['SQLITE_PATH']}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            if not sqlite:
                subprocess.run(
                    ["dropdb", *_pg(pg_url), "--if-exists", "--force", name], check=False
                )


def app_env(db: Database, *, port: int = 0, **extra) -> dict[str, str]:
    """The app's environment: production settings, ``db``, files in its work folder;
    ``extra`` overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PTCE_"))}
    env.pop("DATABASE_URL", None)
    env.pop("SQLITE_PATH", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PTCE_ENV_FILE="/nonexistent/ptce-bench.env",  # a developer's .env must not leak in
        SECRET_KEY="bench-" + secrets.token_urlsafe(48),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SITE_URL=f"http://127.0.0.1:{port}" if port else "http://testserver",
        EMAIL_BACKEND="file",
        EMAIL_FILE_PATH=str(db.workdir / "mail"),
        PRIVATE_FILES_ROOT=str(db.workdir / "private"),
        TASKS_BACKEND="database",
        PTCE_REGISTRATION_LIMIT_PER_IP="1000000000",  # every visitor comes from 127.0.0.1
        PTCE_PLAIN_STATIC="1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        **db.env,
    )
    env.update({k: str(v) for k, v in extra.items()})
    (db.workdir / "mail").mkdir(exist_ok=True)
    return env


def setup_django(env: dict[str, str]) -> None:
    """Django in this process, on ``env``."""
    os.environ.clear()
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(env: dict[str, str], *argv: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(
            f"manage.py {argv[0]} failed ({done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


def call(env: dict[str, str], target: str, timeout: float = 900, **kwargs):
    """``module:function(**kwargs)`` in a child process with Django set up on ``env``;
    returns what it returns (JSON-able). Its output goes to our stdout."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable,
            str(Path(__file__)),
            "call",
            target,
            json.dumps(kwargs),
            out.name,
        ]
        sys.stdout.flush()
        done = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout, check=False)
        if done.returncode:
            raise RuntimeError(f"{target} failed in its process (exit {done.returncode})")
        return json.loads(Path(out.name).read_text())


def _child(target: str, kwargs: str, out: str) -> None:
    setup_django(dict(os.environ))
    module, function = target.split(":")
    result = getattr(importlib.import_module(module), function)(**json.loads(kwargs))
    Path(out).write_text(json.dumps(result, default=str))


def queries_of(call):
    """``call()`` in this process (Django set up): its answer, its SQL queries, its ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = call()
    return response, ctx.captured_queries, (time.perf_counter() - start) * 1000


def profile(calls: list, title: str, pattern: str, top: tuple[int, int] = (16, 12)) -> float:
    """cProfile over ``calls``, printed (cumulative within ``pattern``, then own time);
    returns the ms a call took with the profiler."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    start = time.perf_counter()
    with profiler:
        for each in calls:
            each()
    ms = (time.perf_counter() - start) / len(calls) * 1000
    print(f"\n-- profile: {len(calls)} {title}, {ms:.2f} ms each with the profiler --")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(pattern, top[0])
    stats.sort_stats("tottime").print_stats(top[1])
    return ms


# --- gunicorn -------------------------------------------------------------------------------------


class Server:
    """gunicorn in its own process group, logging to a file."""

    def __init__(
        self,
        env: dict[str, str],
        port: int,
        *,
        workers: int = 4,
        worker_class: str = "sync",
        threads: int = 1,
    ):
        self.env, self.port = env, port
        self.log = Path(env["PRIVATE_FILES_ROOT"]).parent / f"gunicorn-{port}.log"  # workdir
        self.command = [
            str(VENV / "bin" / "gunicorn"),
            "config.wsgi:application",
            *f"--bind 127.0.0.1:{port} --worker-class {worker_class} --workers {workers}".split(),
            *f"--threads {threads} --backlog 2048 --timeout 60 --log-level warning".split(),
        ]
        self.proc: subprocess.Popen | None = None

    def start(self, probe: str, timeout: float = 60) -> Server:
        import httpx

        print(f"server  : {shlex.join(self.command)}")
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{self.port}{probe}", timeout=5).status_code == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)

    def tail(self, chars: int = 4000) -> str:
        return _read(self.log)[-chars:]

    def workers(self) -> list[int]:
        return children(self.proc.pid) if self.proc else []


# --- CPU and PostgreSQL activity ----------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[-1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK if len(fields) > 12 else 0.0


def _processes():
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            yield int(entry.name), entry


def children(pid: int) -> list[int]:
    return [
        p
        for p, e in _processes()
        if _read(e / "stat").rsplit(")", 1)[-1].split()[1:2] == [str(pid)]
    ]


def postgres_backends(dbname: str) -> list[int]:
    """PostgreSQL backends connected to ``dbname`` (their process title names it)."""
    found = []
    for pid, entry in _processes():
        with contextlib.suppress(OSError):
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if title.startswith("postgres:") and f" {dbname} " in title:
                found.append(pid)
    return found


class CpuMeter:
    """CPU seconds used during a phase by this client, gunicorn, our PostgreSQL backends
    and the whole machine."""

    def __init__(self, server: Server, dbname: str):
        self.server, self.dbname = server, dbname

    def _snapshot(self) -> dict:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        values = [int(v) for v in _read("/proc/stat").split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        pids = [self.server.proc.pid, *self.server.workers()]
        return {
            "client": usage.ru_utime + usage.ru_stime,
            "server": sum(cpu_seconds(p) for p in pids),
            "postgres": {p: cpu_seconds(p) for p in postgres_backends(self.dbname)},
            "busy": (sum(values) - idle) / CLK_TCK,
            "idle": idle / CLK_TCK,
            "t": time.perf_counter(),
        }

    def __enter__(self):
        self.start = self._snapshot()
        return self

    def __exit__(self, *exc):
        a, b = self.start, self._snapshot()
        busy, idle = b["busy"] - a["busy"], b["idle"] - a["idle"]
        self.report = {
            "wall_s": b["t"] - a["t"],
            "client_cpu_s": b["client"] - a["client"],
            "server_cpu_s": b["server"] - a["server"],
            "postgres_cpu_s": sum(v - a["postgres"].get(p, 0.0) for p, v in b["postgres"].items()),
            "machine_busy_pct": 100 * busy / (busy + idle) if busy + idle else float("nan"),
        }
        return False

    def print(self, operations: int, unit: str) -> None:
        r, cores = self.report, os.cpu_count() or 1
        wall = r["wall_s"] or float("nan")
        ours = r["client_cpu_s"] + r["server_cpu_s"] + r["postgres_cpu_s"]
        others = max(0.0, r["machine_busy_pct"] / 100 * cores * wall - ours)
        print(
            f"  CPU, cores busy on average (machine has {cores}): client "
            f"{r['client_cpu_s'] / wall:.2f}, gunicorn {r['server_cpu_s'] / wall:.2f}, postgres "
            f"backends {r['postgres_cpu_s'] / wall:.2f}, other processes {others / wall:.2f}; "
            f"machine {r['machine_busy_pct']:.0f}% busy"
        )
        if operations:
            per = {k: r[f"{k}_cpu_s"] / operations * 1000 for k in ("client", "server", "postgres")}
            print(
                f"  CPU per {unit}: gunicorn {per['server']:.1f} ms, postgres "
                f"{per['postgres']:.1f} ms, client {per['client']:.1f} ms -> ceiling on "
                f"{cores} idle cores: {cores * 1000 / sum(per.values()):.0f} {unit}s/s with this "
                f"client, {cores * 1000 / (per['server'] + per['postgres']):.0f} with a client "
                "elsewhere"
            )


class PgActivity:
    """pg_stat_activity of the bench database every ``interval`` s while active: queries
    running, waiting for a lock or for the WAL (commit), transactions open while Python
    runs ("idle in transaction": with a row locked, the time everybody else waits)."""

    QUERY = (
        "SELECT count(*) FILTER (WHERE state = 'active'), "
        "count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock'), "
        "count(*) FILTER (WHERE state = 'active' AND wait_event IN "
        "('WALSync', 'WALWrite', 'WALInsert', 'WALWriteLock', 'XactGroupUpdate')), "
        "count(*) FILTER (WHERE state = 'idle in transaction') "
        "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    )

    def __init__(self, db: Database, interval: float = 0.1):
        self.db, self.interval, self.samples = db, interval, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            with self.db.connect(autocommit=True) as conn:
                while not self._stop.wait(self.interval):
                    self.samples.append(conn.execute(self.QUERY, [self.db.name]).fetchone())
        except Exception as exc:  # noqa: BLE001 - a sampler must not end the run
            print(f"  (pg_stat_activity sampling stopped: {exc})")

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        n = len(self.samples) or 1
        mean = [sum(s[i] for s in self.samples) / n for i in range(4)]
        self.summary = dict(
            zip(("active", "lock_wait", "wal_wait", "idle_in_transaction"), mean, strict=True)
        ) | {"samples": len(self.samples)}
        return False

    def print(self, lock: str) -> None:
        s = self.summary
        print(
            f"  PostgreSQL, {s['samples']} samples of pg_stat_activity: on average "
            f"{s['active']:.1f} queries running, {s['lock_wait']:.1f} waiting for a lock ({lock}), "
            f"{s['wal_wait']:.1f} waiting for the WAL (commit); "
            f"{s['idle_in_transaction']:.1f} transactions open while Python runs"
        )


# --- the HTTP client --------------------------------------------------------------------------

TRANSPORT_ERRORS = (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError)


def http_request(
    method: str,
    path: str,
    port: int,
    headers: dict | None = None,
    body: bytes = b"",
    content_type: str = "application/json",
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "User-Agent: ptce-bench"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if method == "POST":
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    """HTTP/1.1 on asyncio streams, kept alive while the server keeps it (gunicorn's sync
    workers close it after each answer). No chunked bodies."""

    def __init__(self, port: int, timeout: float = 30.0):
        self.port, self.timeout = port, timeout
        self.reader = self.writer = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _once(self, raw: bytes) -> tuple[int, dict[str, list[str]], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.port), self.timeout
            )
        self.writer.write(raw)
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), self.timeout)
        lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        if "content-length" in headers:
            length = int(headers["content-length"][0])
            body = await asyncio.wait_for(self.reader.readexactly(length), self.timeout)
            if headers.get("connection", [""])[0].lower() == "close":
                self.close()
        elif "chunked" in headers.get("transfer-encoding", [""])[0].lower():
            raise ValueError("chunked responses are not supported")
        else:
            body = await asyncio.wait_for(self.reader.read(), self.timeout)
            self.close()
        return int(lines[0].split(" ", 2)[1]), headers, body

    async def request(self, raw: bytes) -> tuple[int, dict[str, list[str]], bytes]:
        """Send ``raw``; a kept-alive connection the server closed meanwhile is opened again
        once (only for requests that may be repeated)."""
        reused = self.writer is not None
        try:
            return await self._once(raw)
        except (OSError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
        return await self._once(raw)


# --- the closed loop and its results ------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (nan for no value)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5))) - 1]


@dataclass
class Load:
    """What a phase of requests gave: latencies by name ("" the main one), answers counted
    by outcome ("ok" and the errors), a few samples of the errors."""

    wall_s: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"": []})
    outcomes: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)

    def ok(self, latency: float, **others: float) -> None:
        self.outcomes["ok"] += 1
        self.latencies[""].append(latency)
        for name, value in others.items():
            self.latencies.setdefault(name, []).append(value)

    def fail(self, outcome: str, detail: str = "", count: int = 1) -> None:
        self.outcomes[outcome] += count
        if detail and len(self.samples) < 5:
            self.samples.append(f"{outcome}: {detail}"[:300])

    @property
    def errors(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome != "ok")

    def row(self, unit: float | None = None, name: str = "") -> dict[str, float]:
        """p50/p95/p99/max in ms, operations/s (``unit``: operations done, default the ok
        answers), errors."""
        values = self.latencies.get(name, [])
        done = self.outcomes["ok"] if unit is None else unit
        return {
            "per_s": done / self.wall_s if self.wall_s else 0.0,
            **{f"p{p}": percentile(values, p) * 1000 for p in (50, 95, 99)},
            "max": max(values, default=float("nan")) * 1000,
            "errors": self.errors,
        }

    def print_samples(self) -> None:
        for sample in self.samples:
            print(f"  sample error: {sample}")


async def closed_loop(
    clients: int, step, items, *, deadline_s: float, setup=None, rate: float = 0.0
) -> Load:
    """``clients`` concurrent clients, each awaiting ``step(load, context, item, t0)`` for
    its next item (``items``: one iterable shared by all, or ``items(client)``), ``context``
    being what ``setup(client)`` gave (untimed, closed at the end). A closed loop, ``t0`` the
    request's start; with ``rate``, requests are due at ``rate``/s in all and ``t0`` is when
    each was due (no coordinated omission). Items left at the deadline: "not attempted"."""
    load, gate = Load(), asyncio.Event()
    shared = None if callable(items) else iter(items)
    slots = iter(range(10**9))
    opened = 0.0

    async def client(index: int) -> None:
        context = await setup(index) if setup else index
        source = shared if shared is not None else iter(items(index))
        await gate.wait()
        try:
            for item in source:
                t0 = time.perf_counter()
                if rate:
                    t0 = opened + next(slots) / rate
                    await asyncio.sleep(max(0.0, t0 - time.perf_counter()))
                if time.monotonic() > deadline:
                    load.fail("not attempted", count=len(item) if isinstance(item, list) else 1)
                    continue
                try:
                    await step(load, context, item, t0)
                except TRANSPORT_ERRORS as exc:
                    load.fail("transport", f"{type(exc).__name__}: {exc}")
        finally:
            if hasattr(context, "close"):
                context.close()

    deadline = time.monotonic() + deadline_s
    tasks = [asyncio.create_task(client(i)) for i in range(clients)]
    await asyncio.sleep(0.05)  # every client set up before the gate opens
    opened = time.perf_counter()
    gate.set()
    await asyncio.gather(*tasks)
    load.wall_s = time.perf_counter() - opened
    return load


def get_load(
    port: int,
    paths,
    *,
    connections: int,
    deadline_s: float = 300,
    headers: dict | None = None,
    check=None,
    timeout: float = 30.0,
) -> Load:
    """GET each of ``paths`` over ``connections`` kept-alive connections; 200 is ok (and
    ``check(path, body)`` says nothing), 5xx and other statuses are errors."""

    async def step(load: Load, conn: Connection, path: str, t0: float) -> None:
        status, _headers, body = await conn.request(http_request("GET", path, port, headers))
        if status != 200:
            load.fail("5xx" if status >= 500 else "other status", f"GET {path} -> {status}")
        elif check and (problem := check(path, body)):
            load.fail("wrong answer", problem)
        else:
            load.ok(time.perf_counter() - t0)

    async def setup(_index: int) -> Connection:
        return Connection(port, timeout)

    return asyncio.run(closed_loop(connections, step, paths, deadline_s=deadline_s, setup=setup))


# --- tables and verdicts ------------------------------------------------------------------------

COLUMNS = [
    ("per_s", "{}/s", "{:9.1f}"),
    ("p50", "p50 ms", "{:8.1f}"),
    ("p95", "p95 ms", "{:8.1f}"),
    ("p99", "p99 ms", "{:8.1f}"),
    ("max", "max ms", "{:8.1f}"),
    ("errors", "errors", "{:7.0f}"),
]


def median_row(rows: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in rows) for key in rows[0]} if rows else {}


def table(title: str, rows: dict[str, dict], unit: str = "req") -> None:
    """One line per run (or per case), and the median of the runs when there are several."""
    if len(rows) > 1 and all(label.startswith("run ") for label in rows):
        rows = rows | {"median": median_row(list(rows.values()))}
    print(f"\n{title}")
    print(f"  {'':<22}" + "".join(f"{h.format(unit):>{len(f.format(0))}}" for _, h, f in COLUMNS))
    for label, row in rows.items():
        print(f"  {label:<22}" + "".join(f.format(row[k]) for k, _, f in COLUMNS))


def check(label: str, failures: list[str], checks) -> None:
    """Print each invariant (``checks``: name -> holds, or pairs); failed ones go to
    ``failures``."""
    checks = list(checks.items() if isinstance(checks, dict) else checks)
    print(
        f"  invariants ({label}): "
        + ", ".join(f"{n} {'OK' if ok else 'FAILED'}" for n, ok in checks)
    )
    failures.extend(f"{label}: {name}" for name, ok in checks if not ok)


def verdict(
    failures: list[str],
    goals_missed: list[str],
    *,
    strict: bool,
    goals: str,
    figures: dict | None = None,
    json_path: Path | None = None,
) -> int:
    """The closing lines and the exit status: 1 when an invariant failed (or a goal was
    missed, with ``strict``)."""
    print("\n== summary ==")
    print(
        "goals : "
        + ("all met" if not goals_missed else "MISSED: " + "; ".join(goals_missed))
        + f" ({goals})"
    )
    if json_path:
        figures = (figures or {}) | {"failures": failures, "goals_missed": goals_missed}
        json_path.write_text(json.dumps(figures, indent=2, default=str))
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    if goals_missed and strict:
        print("FAILED: goals missed (--strict-goals)")
        return 1
    print("PASSED: every invariant holds")
    return 0


@contextlib.contextmanager
def served(args, failures: list[str]):
    """The throwaway database, the app's environment on it and gunicorn (not started), as
    the options of ``server_arguments`` say; stopped and dropped on exit, an exception
    becoming a failure."""
    with Cleanup() as cleanup:
        db = cleanup.enter_context(database(keep=args.keep_db, pg_url=args.pg_url))
        port = free_port()
        env = app_env(db, port=port, CONN_MAX_AGE=args.conn_max_age)
        kind = {"workers": args.workers, "worker_class": args.worker_class}
        server = Server(env, port, threads=args.threads, **kind)
        cleanup.callback(server.stop)
        try:
            yield db, env, server
        except Exception as exc:  # noqa: BLE001 - reported as a failure, clean-up still runs
            failures.append(f"{type(exc).__name__}: {exc}")
            print("gunicorn log tail:\n" + server.tail(), file=sys.stderr)


def parse(parser, argv):
    """``parser.parse_args(argv)``, the options of ``server_arguments`` checked."""
    args = parser.parse_args(argv)
    if args.worker_class == "sync" and args.threads != 1:
        parser.error("--threads needs --worker-class gthread (sync workers have one thread)")
    return args


def server_arguments(parser, *, workers: int = 4) -> None:
    """The options every gunicorn benchmark shares."""
    parser.add_argument("--workers", type=int, default=workers, help="gunicorn processes")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--request-timeout", type=float, default=30.0)
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server, no database name")
    parser.add_argument("--strict-goals", action="store_true", help="missed goals fail the run")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")


if __name__ == "__main__" and sys.argv[1:2] == ["call"]:
    sys.path[:0] = [str(ROOT), str(BENCH)]
    _child(*sys.argv[2:5])
