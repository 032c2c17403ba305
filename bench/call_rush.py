"""The deadline rush of a call for projects: 500 submissions from 100 concurrent clients in
the last minute before the close, through gunicorn, with the receipts emailed by the
tasks worker.

What it does (about 2 to 3 minutes on a 2-core machine at the default size; every phase
is bounded):

1. makes a throwaway PostgreSQL database (``_harness.database``), migrates it and seeds,
   through the real services (``calls.services``, ``registry.services``): a call (one
   national stage and its grid, a form of one required text question and one required
   attachment), published and open; ``--submissions`` + ``--warmup`` poles, each with its
   manager account and a complete draft (answers saved, a PDF attached); each manager
   signed in before the rush (a session made by Django's ``login``, as a browser that
   signed in while writing the draft: 500 password hashings in the last minute would
   measure PBKDF2, not the submission);
2. starts gunicorn with the production settings (DEBUG off, ``--workers`` sync processes,
   database task queue, file email backend in the run's folder) and one
   ``manage.py db_worker`` beside it, as in production; warms every worker up with
   ``--warmup`` submissions;
3. moves the call's close to ``--window`` + ``--slack`` seconds from now (``call_update``,
   as the call manager would), then fires the rush: ``--submissions`` submissions from
   ``--clients`` clients, each doing what a browser does — GET the submit page with its
   session cookie, read the CSRF token and the draft's version, POST the form, expect a 302
   to the receipt page (not followed). The submissions are due over the ``--window``
   seconds by ``--profile``: ``ramp`` (the default: more and more of them as the close
   nears, twice the mean rate in the last second), ``uniform``, or ``burst`` (all at once:
   the server's full speed). A latency counts from when the submission was due, so that a
   server falling behind shows in it;
4. waits until the worker has sent every receipt (``--email-timeout``), stops it, and
   checks: zero 5xx, zero error, every draft submitted before the close, with its SHA-256,
   one receipt queued and sent per submission, one message written per receipt, each with
   its PDF, the call's log intact (``calls.ledger.verify``);
5. prints the table (p50/p95/p99 of GET + POST, and of the POST alone), the CPU and
   PostgreSQL activity, and exits 1 when an invariant failed (``--strict-goals``: also when
   p99 is 1 s or more). Results: README, « Bancs d'essai ».

    .venv/bin/python bench/call_rush.py
    .venv/bin/python bench/call_rush.py --profile burst
    .venv/bin/python bench/call_rush.py --submissions 100 --clients 20 --window 15   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import _harness as h

CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(rb'name="version" value="(\d+)"')
COMMUNES = ["26281", "21231", "63113", "93039", "75056", "69123", "13055", "33063"]
SLUG = "ruee-cloture"
GOAL_P99_MS = 1000.0
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


# --- in the app's process (harness.call) ------------------------------------------------------


def _call_data(closes_at) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    return {
        "title": "Appel à projets PTCE (banc d’essai de la clôture)",
        "slug": SLUG,
        "summary": "Un appel inventé pour mesurer la ruée des dépôts à la clôture.",
        "funders": "État",
        "budget": "1000000",
        "opens_at": now - timedelta(days=30),
        "closes_at": closes_at,
    }


def seed(count: int) -> dict:
    """The call and ``count`` complete drafts, each with its manager signed in: returns
    the call's manager and, per draft, its id and its manager's session cookie."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.utils import timezone

    from calls.services import applications as apply
    from calls.services import calls
    from registry.services.poles import pole_save

    User = get_user_model()
    manager = User.objects.create_user("gestion-ruee", email="gestion-ruee@example.org")
    call = calls.call_create(actor=manager, data=_call_data(timezone.now() + timedelta(days=1)))
    stage = calls.stage_add(
        call=call,
        actor=manager,
        data={"name": "Jury national", "kind": "national", "scale_max": 5, "jurors_per_file": 3},
    )
    for label in ("Coopération", "Ancrage territorial"):
        calls.criterion_add(
            call=call, stage_id=stage.pk, actor=manager, data={"label": label, "weight": "1"}
        )
    section = calls.section_add(call=call, actor=manager, data={"title": "Le projet"})
    text = calls.question_add(
        call=call,
        section_id=section.pk,
        actor=manager,
        data={
            "label": "Décrivez la coopération",
            "kind": "text",
            "required": True,
            "max_words": 300,
        },
    )
    piece = calls.question_add(
        call=call,
        section_id=section.pk,
        actor=manager,
        data={"label": "Budget prévisionnel", "kind": "attachment", "required": True},
    )
    call = calls.call_publish(call=call, actor=manager)
    drafts = []
    t = time.perf_counter()
    for index in range(count):
        user = User.objects.create_user(
            f"gestion-pole-{index:04d}", email=f"gestion-pole-{index}@example.org"
        )
        pole = pole_save(
            data={
                "name": f"Pôle de la ruée {index}",
                "commune_code": COMMUNES[index % len(COMMUNES)],
                "managers": [user],
            }
        )
        draft = apply.application_start(call=call, pole=pole, actor=user)
        draft = apply.application_save_draft(
            application=draft,
            data={
                "project_title": f"Coopération territoriale n° {index}",
                "summary": "Un projet de coopération entre les membres du pôle. " * 20,
                "amount_requested": "85000",
                f"q{text.pk}": "Les structures du pôle mettent en commun leurs moyens. " * 10,
            },
            version=draft.version,
            actor=user,
        )
        apply.attachment_add(
            application=draft,
            upload=SimpleUploadedFile("budget.pdf", PDF, content_type="application/pdf"),
            question=piece,
            actor=user,
        )
        browser = Client()
        browser.force_login(user)
        drafts.append(
            {"pk": draft.pk, "session": browser.cookies[settings.SESSION_COOKIE_NAME].value}
        )
        if (index + 1) % 100 == 0:
            print(f"  {index + 1} drafts seeded ({time.perf_counter() - t:.0f} s)", flush=True)
    return {"call": call.pk, "drafts": drafts}


def close_in(seconds: float) -> str:
    """The call now closes ``seconds`` from now (``call_update``, as its manager would)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from calls.models import Call
    from calls.services import calls

    call = Call.objects.get(slug=SLUG)
    data = _call_data(timezone.now() + timedelta(seconds=seconds))
    data["opens_at"] = call.opens_at
    manager = get_user_model().objects.get(username="gestion-ruee")
    call = calls.call_update(call=call, actor=manager, data=data)
    return call.closes_at.isoformat()


def counts(draft_ids: list[int]) -> dict:
    """What the database says of the rush's drafts, their receipts and the call's log."""
    from django.db.models import Count

    from calls import ledger
    from calls.models import Application, Call
    from calls.services.applications import RECEIPT
    from core.models import OutboundEmail

    call = Call.objects.get(slug=SLUG)
    mine = Application.objects.filter(pk__in=draft_ids)
    receipts = OutboundEmail.objects.filter(kind=RECEIPT, object_id__in=draft_ids)
    by_status = dict(receipts.values_list("status").annotate(n=Count("pk")).order_by())
    failed = list(receipts.filter(status="failed").values_list("last_error", flat=True)[:3])
    return {
        "submitted": mine.filter(status="submitted").count(),
        "before_close": mine.filter(submitted_at__lt=call.closes_at).count(),
        "hashed": mine.exclude(sha256="").count(),
        "receipts": by_status,
        "receipt_errors": [(e or "")[:300] for e in failed],
        "log_problems": ledger.verify(call)[:5],
        "closes_at": call.closes_at.isoformat(),
    }


def census(draft: dict) -> list[dict]:
    """Queries and time of the submit page and its POST in one process (Django's test
    client: gunicorn's code path minus the socket), on a warm-up draft."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    browser = Client(enforce_csrf_checks=True)
    browser.cookies[settings.SESSION_COOKIE_NAME] = draft["session"]
    page = f"/appels/{SLUG}/candidature/{draft['pk']}/depot/"
    browser.get(f"/appels/{SLUG}/")  # the first request loads templates: not counted
    rows = []
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = browser.get(page)
        ms = (time.perf_counter() - start) * 1000
    rows.append({"label": "GET submit page", "status": response.status_code, "ms": ms})
    rows[-1]["queries"] = len(queries)
    data = {
        "csrfmiddlewaretoken": CSRF_RE.search(response.content).group(1).decode(),
        "version": VERSION_RE.search(response.content).group(1).decode(),
    }
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = browser.post(page, data)
        ms = (time.perf_counter() - start) * 1000
    rows.append({"label": "POST (submit)", "status": response.status_code, "ms": ms})
    rows[-1]["queries"] = len(queries)
    return rows


# --- the load -------------------------------------------------------------------------------------


def due_offsets(n: int, window: float, profile: str) -> list[float]:
    """When each submission is due, in seconds from the start of the rush."""
    if profile == "burst":
        return [0.0] * n
    if profile == "uniform":
        return [window * (i + 0.5) / n for i in range(n)]
    # ramp: a rate growing linearly to the close (density 2t/W²): the i-th due at W·√u
    return [window * math.sqrt((i + 0.5) / n) for i in range(n)]


def rush(port: int, drafts: list[dict], offsets: list[float], clients: int, args) -> h.Load:
    """Each submission: GET the submit page (session cookie), POST its form (CSRF token,
    version), a fresh connection per request as gunicorn's sync workers close them.
    Latencies from when it was due: "" GET + POST, "post" the POST alone."""
    common = {"Accept-Language": "fr", "Connection": "close"}
    origin = time.perf_counter() + 0.5

    async def step(load: h.Load, conn: h.Connection, item, _t0: float) -> None:
        draft, offset = item
        due = origin + offset
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        page = f"/appels/{SLUG}/candidature/{draft['pk']}/depot/"
        receipt = f"/appels/{SLUG}/candidature/{draft['pk']}/recu/"
        session = f"sessionid={draft['session']}"
        status, headers, body = await conn.request(
            h.http_request("GET", page, port, common | {"Cookie": session})
        )
        token, version = CSRF_RE.search(body), VERSION_RE.search(body)
        csrf = next(
            (
                c.split(";", 1)[0]
                for c in headers.get("set-cookie", [])
                if c.startswith("csrftoken=")
            ),
            None,
        )
        if status == 200 and token is not None and version is None:
            # the page without its form: the call closed before the submission was sent
            return load.fail("page without its form", f"GET {page} -> no form")
        if status != 200 or token is None or version is None or csrf is None:
            kind = "5xx" if status >= 500 else "other status"
            return load.fail(kind, f"GET {page} -> {status}, token {token is not None}")
        data = {"csrfmiddlewaretoken": token.group(1).decode(), "version": version.group(1)}
        headers = common | {
            "Cookie": f"{session}; {csrf}",
            "Referer": f"http://127.0.0.1:{port}{page}",
        }
        t1 = time.perf_counter()
        raw = h.http_request(
            "POST",
            page,
            port,
            headers,
            urlencode(data).encode(),
            "application/x-www-form-urlencoded",
        )
        status, headers, _body = await conn.request(raw)
        location = urlsplit(headers.get("location", [""])[0]).path
        if status == 302 and location == receipt:
            t2 = time.perf_counter()
            load.ok(t2 - due, post=t2 - t1)
        elif status == 302 and location == page:
            # back to the submit page with the service's message (after the close, or…)
            load.fail("refused, back to the form", f"POST {page} -> {status} {location}")
        else:
            kind = "5xx" if status >= 500 else "other status"
            load.fail(kind, f"POST {page} -> {status} {location}")

    async def setup(_index: int) -> h.Connection:
        return h.Connection(port, args.request_timeout)

    items = list(zip(drafts, offsets, strict=True))
    return asyncio.run(
        h.closed_loop(clients, step, items, setup=setup, deadline_s=args.window + args.slack + 60)
    )


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """``manage.py db_worker`` (the production worker), polling every 0.1 s."""
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"]
    command += ["--interval", "0.1", "--verbosity", "0"]
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=h.ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def wait_for_receipts(db: h.Database, timeout: float) -> float:
    """Seconds until no receipt is left queued or being sent (or the time-out)."""
    start = time.perf_counter()
    with db.connect(autocommit=True) as conn:
        while time.perf_counter() - start < timeout:
            pending = conn.execute(
                "SELECT count(*) FROM core_outboundemail WHERE kind = %s "
                "AND status IN ('queued', 'sending')",
                ["calls.application.receipt"],
            ).fetchone()[0]
            if not pending:
                break
            time.sleep(0.2)
    return time.perf_counter() - start


def written(mail_dir: Path) -> tuple[int, int]:
    """(messages, PDF attachments) the file email backend wrote; it appends to one file
    when names collide: count the 79-dash separator it writes after each message."""
    messages = pdfs = 0
    for path in mail_dir.iterdir():
        content = path.read_bytes()
        messages += content.count(b"\n" + b"-" * 79 + b"\n")
        pdfs += content.count(b"Content-Type: application/pdf")
    return messages, pdfs


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--submissions", type=int, default=500)
    add("--clients", type=int, default=100)
    add("--window", type=float, default=60.0, help="seconds of the rush, before the close")
    add("--slack", type=float, default=20.0, help="seconds from the rush's end to the close")
    add("--profile", choices=["ramp", "uniform", "burst"], default="ramp")
    add("--warmup", type=int, default=8, help="submissions before the rush (warm workers)")
    add("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    add("--email-timeout", type=float, default=300.0)
    add("--no-census", action="store_true", help="skip the query census")
    h.server_arguments(parser)
    args = h.parse(parser, argv)
    if min(args.submissions, args.clients, args.workers, args.window) <= 0:
        parser.error("--submissions, --clients, --workers, --window must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    h.header("call deadline rush benchmark")
    failures: list[str] = []
    missed: list[str] = []
    figures: dict = {"args": vars(args) | {"json": None}}
    rows: dict[str, dict] = {}
    with h.Cleanup() as cleanup:
        db = cleanup.enter_context(h.database(keep=args.keep_db, pg_url=args.pg_url))
        port = args.port or h.free_port()
        env = h.app_env(db, port=port, CONN_MAX_AGE=args.conn_max_age)
        server = h.Server(
            env, port, workers=args.workers, worker_class=args.worker_class, threads=args.threads
        )
        cleanup.callback(server.stop)
        try:
            t = time.perf_counter()
            h.manage(env, "migrate", "--noinput")
            seeded = h.call(env, "call_rush:seed", count=args.warmup + args.submissions)
            drafts = seeded["drafts"]
            warm, timed = drafts[: args.warmup], drafts[args.warmup :]
            print(f"database: {db.name}, migrated and seeded in {time.perf_counter() - t:.1f} s")
            worker = start_worker(env, db.workdir / "db_worker.log")
            cleanup.callback(stop_worker, worker)
            server.start(f"/appels/{SLUG}/")
            census_draft = warm[-1] if warm and not args.no_census else None
            warm_http = warm[:-1] if census_draft else warm
            if warm_http:
                load = rush(port, warm_http, [0.0] * len(warm_http), len(warm_http), args)
                if load.errors:
                    failures.append(f"warm-up: {load.errors} errors {load.samples}")
            if census_draft:
                print("\n-- queries per request (Django test client, one process) --")
                for row in h.call(env, "call_rush:census", draft=census_draft):
                    print(
                        f"  {row['label']:<16} {row['status']}  {row['queries']:2d} queries  "
                        f"{row['ms']:6.1f} ms"
                    )
            closes = h.call(env, "call_rush:close_in", seconds=args.window + args.slack)
            print(
                f"\n-- rush: {len(timed)} submissions, {args.clients} clients, profile "
                f"{args.profile} over {args.window:.0f} s; the call closes at {closes} --"
            )
            offsets = due_offsets(len(timed), args.window, args.profile)
            with h.CpuMeter(server, db.name) as cpu, h.PgActivity(db) as pg:
                load = rush(port, timed, offsets, args.clients, args)
            print(
                f"  {load.outcomes['ok']} submitted in {load.wall_s:.1f} s; {dict(load.outcomes)}"
            )
            cpu.print(load.outcomes["ok"], "submission")
            pg.print("the call row")
            load.print_samples()
            if load.outcomes["5xx"]:
                print("  gunicorn log tail:\n" + server.tail())
            waited = wait_for_receipts(db, args.email_timeout)
            stop_worker(worker)
            c = h.call(env, "call_rush:counts", draft_ids=[d["pk"] for d in drafts])
            messages, pdfs = written(Path(env["EMAIL_FILE_PATH"]))
            sent = c["receipts"].get("sent", 0)
            print(
                f"  database: {c['submitted']}/{len(drafts)} submitted ({c['before_close']} "
                f"before the close, {c['hashed']} hashed); receipts {c['receipts']}, the last "
                f"sent {waited:.1f} s after the rush; {messages} messages written, {pdfs} PDF"
            )
            for error in c["receipt_errors"]:
                print(f"  failed receipt: {error}")
            for problem in c["log_problems"]:
                print(f"  call's log: {problem}")
            n = len(drafts)
            h.check(
                "rush",
                failures,
                [
                    ("zero 5xx", load.outcomes["5xx"] == 0),
                    ("zero errors", load.errors == 0),
                    ("every draft submitted", c["submitted"] == n),
                    ("before the close", c["before_close"] == n),
                    ("hashed", c["hashed"] == n),
                    ("every receipt sent", sent == n and sum(c["receipts"].values()) == n),
                    ("one message with its PDF per receipt", messages == n and pdfs == n),
                    ("the call's log holds", not c["log_problems"]),
                ],
            )
            rows["GET + POST"] = load.row()
            rows["POST alone"] = load.row(name="post")
            figures |= {
                "rush": rows,
                "counts": c,
                "receipts_s_after_rush": waited,
                "cpu": cpu.report,
                "pg": pg.summary,
            }
        except Exception as exc:  # noqa: BLE001 - reported as a failure, clean-up still runs
            failures.append(f"{type(exc).__name__}: {exc}")
            print("gunicorn log tail:\n" + server.tail(), file=sys.stderr)
    if rows:
        h.table(f"submissions ({args.profile}, from when each was due)", rows, "sub")
        if not rows["GET + POST"]["p99"] < GOAL_P99_MS:
            missed.append(f"p99 {rows['GET + POST']['p99']:.0f} ms >= {GOAL_P99_MS:.0f} ms")
    return h.verdict(
        failures,
        missed,
        strict=args.strict_goals,
        figures=figures,
        json_path=args.json,
        goals="no error, every receipt sent, p99 < 1 s",
    )


if __name__ == "__main__":
    h.use_venv()
    sys.exit(main())
