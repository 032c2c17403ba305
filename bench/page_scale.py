"""Every page that lists or compares things, at the demo's size and at ten times it.

What it measures and checks, and the results: README, « Bancs d'essai ».

    .venv/bin/python bench/page_scale.py                  # PostgreSQL
    .venv/bin/python bench/page_scale.py --sqlite --requests 5 --sql moderation
"""

import argparse
import os
import platform
import re
import secrets
import signal
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _harness as h

NEWLINE = b"\n"
CAPACITY = 320  # the demo event's (events/management/commands/load_demo.py)
WORDS = ["Atelier", "Ressourcerie", "Jardin", "Café", "Régie", "Recyclerie", "Fabrique"]
SYLLABLES = ["ker", "la", "vou", "bri", "ma", "dec", "sol", "ti", "ra", "mon", "fé", "lix", "or"]
PLACES = ["du Lac", "des Pentes", "de la Gare", "Saint-Jean", "du Port", "des Halles", "Nord"]


def made_up(rng) -> str:
    """A made-up word: names that are not near-duplicates of each other."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


class Slow(BaseException):
    """A request over its budget (BaseException: the app's ``except Exception`` let it by)."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="timed requests a page")
    parser.add_argument("--sqlite", action="store_true", help="a throwaway SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--budget", type=float, default=30, help="seconds a request may take")
    parser.add_argument("--sql", default="", help="print the queries of pages named so")
    parser.add_argument("--build", default="security_pdf,registrations_csv", help="documents")
    args = parser.parse_args()
    with h.Cleanup() as cleanup:
        db = cleanup.enter_context(h.database(sqlite=args.sqlite, keep=args.keep))
        h.setup_django(h.app_env(db, TASKS_BACKEND="dummy", EMAIL_BACKEND="locmem"))
        return run(args)


def run(args) -> int:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from checkin import services as door
    from events.models import Event

    quiet = open(os.devnull, "w")  # noqa: SIM115 - for the whole run
    call_command("migrate", verbosity=0)
    call_command("load_demo", demo_account=True, stdout=quiet)
    call_command("load_registry_demo", stdout=quiet)
    get_user_model().objects.create_superuser("bench-admin", password=secrets.token_hex(16))
    call_command("load_charter_demo", stdout=quiet)
    ctx = {"event": Event.objects.get(slug="2e-journee-nationale-des-ptce")}
    ctx["organiser"] = get_user_model().objects.get(username="organisatrice")
    ctx["admin"] = get_user_model().objects.get(username="bench-admin")
    ctx["devices"] = [
        door.device_enrol(device_id=d.pk, enrolment_nonce=d.enrolment_nonce)
        for d in (
            door.device_create(event=ctx["event"], name=f"Téléphone {n}", actor=ctx["organiser"])
            for n in (1, 2)
        )
    ]
    fill(ctx, 1)
    pages = build_pages(ctx, args)
    counts1 = {p[0]: measure(p, args, timed=False)[0] for p in pages}
    fill(ctx, 10)
    results = [(p, counts1[p[0]], *measure(p, args, timed=True)) for p in pages]

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln), "?")
    database = f"{connection.vendor} {connection.Database.__name__}"
    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}"
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · nproc {os.cpu_count()} · {cpu} · "
        f"{database} · Python {platform.python_version()} · {args.requests} requests a page"
    )
    print(f"{'page':<44} {'q 1×':>5} {'q 10×':>6} {'p50 ms':>8} {'p95 ms':>8}  rows")
    failed = False
    for page, q1, q10, times, rows, problem in results:
        name, background = page[0], page[4]
        p50 = statistics.median(times) * 1000 if times else float("nan")
        p95 = sorted(times)[max(0, int(len(times) * 0.95 + 0.5) - 1)] * 1000 if times else p50
        notes = [problem] if problem else []
        if background == "batched":
            # a file read in batches of rows: its queries may grow with the file (ten times
            # the rows at 10×), never faster than the rows
            if None not in (q1, q10) and q10 > q1 * 10:
                notes.append("UNBOUNDED")
        elif not background and None not in (q1, q10) and q10 > q1:
            notes.append("UNBOUNDED")
        if background in (False, "batched") and p95 >= 1000:
            notes.append("SLOW")
        failed = failed or bool(notes)
        print(
            f"{name:<44} {'—' if q1 is None else q1:>5} {'—' if q10 is None else q10:>6}"
            f" {p50:>8.0f} {p95:>8.0f}  {rows}" + (f"  {' '.join(notes)}" if notes else "")
        )
    print("invariants: FAILED" if failed else "invariants: all hold")
    return 1 if failed else 0


def measure(page, args, *, timed: bool):
    """(queries, times, rows, problem) of one page: warm-ups, one counted request, then
    ``--requests`` timed ones (one when the page says so)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    name, call, expected, rows_of, background, repeat = page
    budget = args.budget * (4 if background is True else 1)
    cache.clear()  # rate limits (the door's per device and minute) start afresh
    try:
        for _ in range(2 if repeat else 0):
            within(call, budget)
        with CaptureQueriesContext(connection) as queries:
            response, seconds = within(call, budget)
        count = len(queries)  # now: the next request empties the connection's log
        if args.sql and args.sql in name:
            sql = (f"{q['time']} s " + re.sub(r"^SELECT .*? FROM", "SELECT … FROM", q["sql"])[:200]
                   for q in queries)  # fmt: skip
            print(f"-- {name}:", *sql, sep="\n")
        times = [seconds]
        if timed and repeat:
            times = [within(call, budget)[1] for _ in range(args.requests)]
    except Slow:
        try:
            rows = rows_of(None)  # what the page would have shown, when it can be told
        except (AttributeError, TypeError):
            rows = ""
        return None, [], rows, f"TIMEOUT (> {budget:g} s)"
    status = getattr(response, "status_code", 200)
    problem = f"answered {status}, expected {expected}" if status != expected else ""
    return count, times, rows_of(response) if not problem else "", problem


def within(call, budget: float):
    def stop(*_):
        raise Slow

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        start = time.perf_counter()
        response = call()
        return response, time.perf_counter() - start
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def build_pages(ctx, args) -> list[tuple]:
    """(name, call, expected status, rows(response), background, repeat) of each page."""
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload
    from django.test import Client

    from charter.models import Signature
    from events.models import EventDocument, Registration
    from events.tasks import build_event_document
    from registry import geo, importing, selectors
    from registry.models import Organisation, Pole, PoleClaim, Suggestion

    event, pages = ctx["event"], []
    public, orga, admin = Client(), Client(), Client()
    orga.force_login(ctx["organiser"])
    admin.force_login(ctx["admin"])
    manage, door_auth = f"/gestion/evenements/{event.slug}", f"Device {ctx['devices'][0][1]}"
    facets = {"q": "pole", "region": ctx["region"], "status": "checked"}

    def page(name, call, rows, status=200, background=False, repeat=True):
        pages.append((name, call, status, rows, background, repeat))

    def get(client, url, **extra):
        return lambda: client.get(url, **extra)

    def done(outcome):  # a task's outcome as a page's answer
        return type("Task", (), {"status_code": 200 if outcome in ("ready", "done") else 500})

    def lines(r):
        body = b"".join(r.streaming_content) if r.streaming else r.content
        return f"{body.count(NEWLINE)} lines"

    def found(r):
        return f"{selectors.directory(selectors.Filters.from_query(facets))['total']} found"

    def pending(r):
        waiting = sum(m.objects.filter(status="pending").count() for m in (PoleClaim, Suggestion))
        pairs = "?" if r is None else r.content.decode().count("≈")  # similar names listed
        return f"{ctx['commune_orgs']} in a commune, {waiting} pending, {pairs} ≈ pairs"

    def regs(r):
        return f"{Registration.objects.filter(event=event).count()} registrations"

    def admitted(r):
        return f"{event.admissions.count()} admitted"

    def signed(r):
        return f"{Signature.objects.filter(status='signed').count()} signed"

    # fmt: off
    page("/poles/", get(public, "/poles/"), lambda r: f"{Pole.objects.count()} poles")
    page("/poles/?q=pole&region=…&status=checked", get(public, "/poles/", data=facets), found)
    page("/poles/carte/points.json?zoom=5", get(public, "/poles/carte/points.json?zoom=5"),
         lambda r: f"{len(r.content)} bytes")
    page("pole page (many members)", get(public, f"/poles/{ctx['big_pole'].slug}/"),
         lambda r: f"{ctx['big_pole'].memberships.count()} members")
    page("moderation", get(admin, "/gestion/annuaire/moderation/"), pending)
    page("/charte/signataires/", get(public, "/charte/signataires/"), signed)
    page("/charte/signataires.csv", get(public, "/charte/signataires.csv"), lines)
    page("/charte/signataires.json", get(public, "/charte/signataires.json"), signed)
    page("charter projection (room)", get(public, f"/charte/projection/{event.slug}/"), signed)
    page("charter projection etat.json",
         get(public, f"/charte/projection/{event.slug}/etat.json"), signed)
    page("organiser's event page", get(orga, f"{manage}/"), regs)
    page("organiser's event page ?q=martin", get(orga, f"{manage}/?q=martin"), regs)
    page("door organiser page", get(orga, f"{manage}/accueil/"), admitted)
    page("door list API /api/accueil/v1/liste",
         get(orga, "/api/accueil/v1/liste", HTTP_AUTHORIZATION=door_auth),
         lambda r: f"{len(r.json()['tickets'])} tickets")
    page("door projection (room)", get(orga, f"{manage}/accueil/projection/"), admitted)
    page("documents page", get(orga, f"{manage}/documents/"), regs)
    # fmt: on
    for kind in ("badges_a6", *args.build.split(",")):
        prepare = f"{manage}/documents/{kind}/preparer/"
        ask = lambda url=prepare: orga.post(url)  # noqa: E731
        page(f"document request: {kind}", ask, regs, 302, repeat=False)
    for kind in args.build.split(","):

        def build(kind=kind):
            document = EventDocument.objects.get(event=event, kind=kind)
            token = document.build_token
            return done(build_event_document.func(document_id=document.pk, build_token=token))

        rows = lambda r, k=kind: f"{EventDocument.objects.get(event=event, kind=k).rows} rows"  # noqa: E731
        page(f"document build (task): {kind}", build, rows, background=True, repeat=False)

    if hasattr(importing, "batch_check"):  # the import kept on the server, run as a task
        from registry.models import ImportBatch
        from registry.tasks import run_import
        from registry.tests.big_csv import HEADER, siret

        def dry_run():  # a national file: one row in five without a SIRET, many communes
            scale, communes = ctx["scale"], sorted(geo.communes())[::13]
            raw = HEADER + "".join(
                f"Structure {scale}x-{n};{siret(10_000 * scale + n) if n % 5 else ''};"
                f"ess_enterprise;cooperative;{communes[n * 7 % len(communes)]};SCIC;;"
                f"{ctx['import_pole'].name};member\n"
                for n in range(200 * scale)
            )
            form = {"kind": "structures", "file": Upload("i.csv", raw.encode(), "text/csv")}
            return admin.post("/gestion/annuaire/import/", form)

        def confirm():
            batch = ImportBatch.objects.filter(status="checked").first()
            return admin.post("/gestion/annuaire/import/", {"batch": batch.pk if batch else 0})

        def rows(r):
            return f"{200 * ctx['scale']} rows, {Organisation.objects.count()} organisations"

        page("import dry run (200 rows × scale)", dry_run, rows, background="batched", repeat=False)
        page("import confirmation (request)", confirm, rows, 302, repeat=False)
        apply = lambda: done(run_import.func(batch_id=ImportBatch.objects.first().pk))  # noqa: E731
        page("import applied (task)", apply, rows, background=True, repeat=False)
    return pages


def fill(ctx, scale: int) -> None:
    """Top the data up to ``scale`` times the 1× sizes (see the module's docstring)."""
    import random

    from django.db.models import Count
    from django.utils import timezone

    from checkin.models import Admission, Scan
    from core.text import fold, normalise_email
    from events.models import Event, EventDocument, Registration
    from events.tokens import ticket_hash_of
    from registry.models import Membership, Organisation, Pole, PoleClaim, Suggestion

    rng, now, event = random.Random(scale), timezone.now(), ctx["event"]
    ctx["scale"], organiser = scale, ctx["organiser"]
    EventDocument.objects.filter(event=event).delete()  # each scale asks for them afresh

    # registrations: confirmed (the event full), waiting, cancelled
    wanted = {"confirmed": CAPACITY * scale, "waiting": 40 * scale, "cancelled": 30 * scale}
    people, n = [], Registration.objects.count()
    for status, target in wanted.items():
        for _ in range(target - event.registrations.filter(status=status).count()):
            n += 1
            first, last = rng.choice(["Zoé", "Loïc", "Amina", "Chloé", "Nguyễn"]), f"Martin{n}"
            email, org = f"p{n}@example.org", f"Pôle {rng.choice(WORDS)} n° {n % 97}"
            reg = Registration(
                event=event, first_name=first, last_name=last, email=email,
                email_key=normalise_email(email), organisation=org, status=status,
                search_text=fold(f"{last} {first} {org} {email}"), consent_at=now,
                category=rng.choice(Registration.Category.values), created_at=now,
                confirmed_at=now if status != "waiting" else None,
                cancelled_at=now if status == "cancelled" else None,
            )  # fmt: skip
            reg.ticket_hash = ticket_hash_of(reg.ticket_secret)
            people.append(reg)
    Registration.objects.bulk_create(people, batch_size=1000)
    confirmed = event.registrations.filter(status="confirmed")
    Event.objects.filter(pk=event.pk).update(
        capacity=CAPACITY * scale, confirmed_count=confirmed.count()
    )
    # 60 % of the confirmed admitted by phone 1; ``scale`` of them again, offline, by phone 2
    # (conflicts); one override
    (phone1, _), (phone2, _) = ctx["devices"]
    wanted = int(0.6 * CAPACITY * scale) - event.admissions.count()
    first = event.starts_at - timedelta(minutes=30)
    admissions, scans = [], []
    for i, reg in enumerate(list(confirmed.filter(admission=None)[:wanted])):
        at = first + timedelta(seconds=i * 7 % 10800)
        common = {"event": event, "registration": reg, "scanned_at": at, "received_at": at}
        reason = "Billet oublié" if i == 0 else ""
        admissions.append(Admission(
            **common, device=phone1, checked_by=organiser, id_checked=True, override_reason=reason
        ))  # fmt: skip
        for phone in (phone1, phone2) if i < scale else (phone1,):
            conflict = phone is phone2
            scans.append(Scan(
                **common, device=phone, user=organiser, nonce=uuid.uuid4().hex,
                verdict="admitted", offline=conflict, conflict=conflict,
            ))  # fmt: skip
    Admission.objects.bulk_create(admissions, batch_size=1000)
    Scan.objects.bulk_create(scans, batch_size=1000)

    if scale > 1:  # the demo's poles and organisations, cloned
        clone_registry(ctx, scale, rng)

    # one commune of many organisations, with near-duplicates and shared SIRENs: the
    # first commune in code order (the old moderation page, stopping at its limit only
    # between communes, reaches it before any other)
    town = Pole.objects.filter(is_demo=True).exclude(commune_code="").order_by("commune_code")[0]
    fields = "commune_code commune_name department_code region_code latitude longitude located_by"
    place = {f: getattr(town, f) for f in fields.split()}
    crowd = []
    for i in range(Organisation.objects.filter(slug__startswith="commune-").count(), 200 * scale):
        name = f"{made_up(rng)} {PLACES[i % 7]}" if i % 2 else f"{WORDS[i % 7]} {made_up(rng)}"
        if i % 50 == 1:  # the previous one, typed again
            name = crowd[-1].name.replace("é", "e").upper()
        siren = f"{100_000_000 + i // 100 * 100:09d}" if i % 100 < 2 else ""
        crowd.append(copy_of(
            Organisation(), name=name, slug=f"commune-{i}", siren=siren,
            category="ess_enterprise", ess_status="association", **place,
        ))  # fmt: skip
    Organisation.objects.bulk_create(crowd, batch_size=1000)
    ctx["commune_orgs"] = Organisation.objects.filter(commune_code=town.commune_code).count()
    # a pole of 5 × scale members; 5 × scale pending claims and suggestions
    ctx["big_pole"], members = town, 5 * scale - town.memberships.count()
    joining = Organisation.objects.filter(slug__startswith="commune-")
    joining = joining.exclude(memberships__pole=town)[: max(0, members)]
    Membership.objects.bulk_create([Membership(pole=town, organisation=o) for o in joining])
    poles = list(Pole.objects.order_by("pk")[:40])
    claims = range(5 * scale - PoleClaim.objects.filter(status="pending").count())
    PoleClaim.objects.bulk_create([PoleClaim(
        pole=poles[i % 40], name=f"Personne {i}", email=f"c{scale}-{i}@example.org", role="chef"
    ) for i in claims])  # fmt: skip
    suggestions = range(5 * scale - Suggestion.objects.filter(status="pending").count())
    Suggestion.objects.bulk_create(
        [Suggestion(pole=poles[i % 40], message=f"Le site a changé ({i}).") for i in suggestions]
    )
    regions = Pole.objects.filter(status="checked").exclude(region_code="").values("region_code")
    ctx["region"] = regions.annotate(n=Count("pk")).order_by("-n")[0]["region_code"]
    ctx.setdefault("import_pole", Pole.objects.exclude(pk=town.pk).order_by("pk").first())


def copy_of(obj, **changes):
    """An unsaved copy of a row with ``changes``, its derived fields written as the
    services write them (``search_text``; ``name_key``/``name_block`` when they exist)."""
    from core.text import fold

    model = type(obj)
    fields = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    copy = model(**{**fields, "id": None, **changes})
    if model.__name__ == "Pole":  # services.pole_search_text: the name comes first
        copy.search_text = fold(copy.name) + obj.search_text[len(fold(obj.name)) :]
    else:  # services.organisation_save
        copy.search_text = fold(f"{copy.name} {copy.siren} {copy.commune_name}")
    if hasattr(copy, "set_name_key"):  # registry.names, with the duplicates' rewrite
        copy.set_name_key()
    return copy


def clone_registry(ctx, scale: int, rng) -> None:
    """Every pole and demo organisation copied for k = 2..scale, with its memberships,
    territories, activities and networks; the copies of signed poles sign in the room."""
    from unittest import mock

    from django.utils import timezone

    from charter import services as charter
    from charter.models import CharterVersion
    from registry.models import Membership, Organisation, Pole
    from registry.models import TerritoryArea as Area

    ks, poles = range(2, scale + 1), list(Pole.objects.all())
    orgs = list(Organisation.objects.filter(is_demo=True))
    pole_of = {
        (p.pk, k): copy_of(p, slug=f"{p.slug}-x{k}", name=f"Pôle {made_up(rng)} {p.commune_name}")
        for p in poles for k in ks
    }  # fmt: skip
    org_of = {
        (o.pk, k): copy_of(o, slug=f"{o.slug}-x{k}", name=f"{made_up(rng)} {made_up(rng)}",
                           siren="", siret="")
        for o in orgs for k in ks
    }  # fmt: skip
    Pole.objects.bulk_create(pole_of.values(), batch_size=500)
    Organisation.objects.bulk_create(org_of.values(), batch_size=500)
    links = Membership.objects.filter(organisation__in=orgs)
    Membership.objects.bulk_create([
        Membership(pole=pole_of[m.pole_id, k], organisation=org_of[m.organisation_id, k],
                   role=m.role, since=m.since)
        for m in links for k in ks
    ])  # fmt: skip
    areas = Area.objects.filter(pole__in=poles)
    Area.objects.bulk_create(
        [Area(pole=pole_of[a.pole_id, k], kind=a.kind, code=a.code) for a in areas for k in ks]
    )
    for through, column in ((Pole.activities.through, "activity_id"),
                            (Pole.networks.through, "network_id")):  # fmt: skip
        rows = through.objects.filter(pole__in=poles)
        through.objects.bulk_create([
            through(pole_id=pole_of[r.pole_id, k].pk, **{column: getattr(r, column)})
            for r in rows for k in ks
        ])  # fmt: skip
    version = CharterVersion.objects.in_force()
    signed = set(version.signatures.in_force().values_list("pole_id", flat=True))
    # signatures « in the room » are recorded on the event's day only: it is that day here
    event_day = timezone.localtime(ctx["event"].starts_at).date()
    with mock.patch.object(timezone, "localdate", return_value=event_day):
        for (pk, _k), copy in pole_of.items():
            if pk in signed:
                charter.ceremony_record(
                    version=version, event=ctx["event"], signer=copy, name="Signataire (banc)",
                    mandate="présidence", actor=ctx["admin"],
                )  # fmt: skip


if __name__ == "__main__":
    h.use_venv()
    sys.exit(main())
