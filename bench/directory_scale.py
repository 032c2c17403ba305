"""Directory at scale: 10,000 poles, 200,000 organisations, 400,000 memberships.

What it measures and checks, and the results: README, « Bancs d'essai ».

    .venv/bin/python bench/directory_scale.py
    .venv/bin/python bench/directory_scale.py --poles 1000 --organisations 20000 \
        --memberships 40000          # a quick run (about a minute)
    .venv/bin/python bench/directory_scale.py --what-if-trgm --profile 20
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import _harness as h

sys.path.insert(1, str(h.ROOT))  # registry.geo and core.text need no Django

import psycopg
from psycopg import sql

from core.text import fold
from registry import geo
from registry.names import name_block, name_key

GOAL_SEARCH_P95_MS, GOAL_POLE_P95_MS, GOAL_EXPORT_S, GOAL_EXPORT_MB, GOAL_CHECK_S = (
    100.0, 50.0, 10.0, 150.0, 60.0,
)  # fmt: skip
EXPORT_PATH = "/donnees/structures.csv"
HEADERS = {"Accept-Language": "fr", "Accept": "text/html"}
TOTAL_RE = re.compile(rb'id="results-title"[^>]*>\s*([0-9][0-9\s\xc2\xa0\xe2\x80\xaf,.]*)')

# --- what the generated registry is made of ---------------------------------------------------

# The activities and the six partner networks of the demo (load_registry_demo).
ACTIVITIES = [
    "Alimentation et circuits courts", "Réemploi et recyclage", "Mobilité",
    "Habitat et rénovation", "Énergie", "Culture et création",
    "Insertion par l'activité économique", "Numérique", "Textile", "Services à la personne",
    "Tourisme", "Agriculture",
]  # fmt: skip
NETWORKS = [
    ("Le Labo de l'ESS", "labo", "Labo"),
    ("Réseau des collectivités Territoriales pour l'Economie Solidaire", "rtes", "RTES"),
    ("Conseil National des Chambres Régionales de l'ESS", "cncres", "CNCRES"),
    ("COORACE", "coorace", "COORACE"),
    ("Mouvement pour l'Economie solidaire", "mes", "MES"),
    ("Union fédérale d'intervention des structures culturelles", "ufisc", "Ufisc"),
]
WORDS = [
    "Horizon", "Solidaire", "Les Communs", "La Fabrique", "Terre et Liens", "Le Relais",
    "Ressources", "Équinoxe", "L'Atelier", "Passerelle", "Tremplin", "La Ruche", "Archipel",
    "Convergences", "Les Tisserands", "Bocage", "Estuaire", "Vallée", "Coopérative",
    "Quartiers", "Sillon", "Agora",
]  # fmt: skip
POLE_PATTERNS = [
    "Pôle {word} {town}", "Pôle territorial de coopération {town}",
    "Pôle {activity} du pays de {town}", "Pôle {word} – {department}",
]  # fmt: skip
SENTENCES = [
    "Les structures membres mutualisent des locaux, des emplois et des achats.",
    "Un tiers-lieu accueille les porteurs de projets et les habitants.",
    "Le pôle anime une plateforme de formation et d'insertion professionnelle.",
    "Une coopérative d'activité et d'emploi héberge les nouveaux entrepreneurs.",
    "Le pôle porte une légumerie et une cuisine centrale pour la restauration collective.",
    "Une recyclerie collecte, répare et revend les objets du territoire.",
    "Les collectivités et les entreprises du territoire financent un fonds commun.",
    "Le pôle organise chaque année des rencontres de l'économie sociale et solidaire.",
]
STRATEGIES = [
    "Mutualiser des locaux, des emplois et des achats entre structures de l'ESS, "
    "entreprises et collectivité pour développer le territoire.",
    "Construire avec les entreprises et les collectivités une filière locale de réemploi "
    "créatrice d'emplois non délocalisables.",
    "Coopérer pour relocaliser l'alimentation : production, transformation, distribution "
    "et restauration collective sur le territoire.",
    "Développer une offre de mobilité solidaire pour les habitants des communes rurales, "
    "avec les employeurs et les collectivités.",
]
POLE_FORMS = [
    ("Association loi 1901", 55), ("SCIC SAS", 18), ("SCIC SA", 5), ("SAS", 5),
    ("Groupement d'intérêt public", 3), ("", 14),
]  # fmt: skip
# (category, weight, [(name pattern, ESS status, legal form, weight)])
ORGANISATION_KINDS = [
    ("ess_enterprise", 45, [
        ("Association {word} {town}", "association", "Association loi 1901", 50),
        ("SCIC {word}", "cooperative", "SCIC SAS", 12),
        ("SCOP {word} {town}", "cooperative", "SCOP SARL", 12),
        ("Mutuelle {word}", "mutual", "Mutuelle", 4),
        ("Fondation {word}", "foundation", "Fondation", 3),
        ("{word} Solutions", "ess_company", "SAS", 9),
        ("Entreprise d'insertion {word}", "esus", "SARL", 10),
    ]),
    ("enterprise", 25, [
        ("{word} Industries", "not_ess", "SAS", 40),
        ("Menuiserie {word} {town}", "not_ess", "SARL", 30),
        ("Transports {word}", "not_ess", "SA", 30),
    ]),
    ("local_authority", 12, [
        ("Commune de {town}", "not_ess", "Collectivité territoriale", 50),
        ("Communauté de communes {word}", "not_ess", "Établissement public", 50),
    ]),
    ("research", 4, [("Laboratoire {word}", "not_ess", "Unité mixte de recherche", 1)]),
    ("higher_education", 3, [("Université {word}", "not_ess", "Établissement public", 1)]),
    ("training", 6, [
        ("Lycée professionnel {town}", "not_ess", "Établissement public", 60),
        ("Centre de formation {word}", "association", "Association loi 1901", 40),
    ]),
    ("other", 5, [("{word} conseil", "not_ess", "Entreprise individuelle", 1)]),
]  # fmt: skip
CALLS = {
    2013: "1er appel à projets PTCE (2013)", 2015: "2e appel à projets PTCE (2015)",
    2021: "AMI « PTCE émergents » (2021)", 2023: "AMI PTCE 2023", 2024: "AMI PTCE 2024",
}  # fmt: skip
STREETS = ["rue de la République", "avenue Jean Jaurès", "place de la Mairie", "rue des Écoles"]

# Searches: words that match every pole, activities, rare words (commune names are added
# from the data). Some are typed with accents, as people do: the view folds them.
COMMON_WORDS = ["pôle", "cooperation", "solidaire"]
ACTIVITY_WORDS = [
    "recyclage", "alimentation", "Mobilité", "énergie", "insertion", "numerique", "textile",
    "tourisme", "agriculture", "habitat", "culture", "circuits courts",
]  # fmt: skip
RARE_WORDS = ["ruche", "équinoxe", "tisserands", "legumerie", "archipel", "bocage"]
# Map views at zoom 8 (about 7 x 4.4 degrees on a 1280 x 800 screen) around these.
MAP_CENTRES = [  # Paris, Lyon, Toulouse, Rennes, Marseille, Lille, Nantes, Strasbourg
    (48.86, 2.35), (45.76, 4.84), (43.60, 1.44), (48.11, -1.68), (43.30, 5.37), (50.63, 3.06),
    (47.22, -1.55), (48.58, 7.75),
]  # fmt: skip

# --- generation -------------------------------------------------------------------------------


def luhn_complete(digits: str) -> str:
    """``digits`` followed by the Luhn check digit (SIREN, SIRET)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def slug_of(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:80] or "fiche"


def place_values(commune: geo.Commune) -> tuple:
    """What ``services.set_place`` copies from a commune: commune_code, cog_year,
    commune_name, department_code, region_code, latitude, longitude, located_by."""
    c, exact = commune, commune.position in ("geonames", "commune")
    located_by = "commune" if exact else (c.position or "")
    return c.code, geo.COG_YEAR, c.name, c.department, c.region, c.latitude, c.longitude, located_by


def name_columns(name: str) -> tuple[str, str]:
    """name_key, name_block, as ``set_name_key`` writes them."""
    key = name_key(name)
    return key, name_block(key)


def postal_code(commune: geo.Commune, rng: random.Random) -> str:
    department = commune.department
    prefix = "20" if department in ("2A", "2B") else department
    return (prefix + f"{rng.randrange(1000):03d}")[:5]


def pole_sizes(poles: int, memberships: int, fixed: dict[int, int], cap: int, rng) -> list[int]:
    """Members of each pole: ``fixed`` sizes for some, the others drawn around the mean,
    summing to ``memberships`` exactly."""
    free = [i for i in range(poles) if i not in fixed]
    rest = memberships - sum(fixed.values())
    if not free or rest < len(free):
        raise SystemExit(f"--memberships {memberships} too few for {poles} poles")
    mean = rest / len(free)
    low = min(3, int(mean))
    sizes = [0] * poles
    for i, size in fixed.items():
        sizes[i] = size
    for i in free:
        sizes[i] = max(low, min(cap, round(rng.gammavariate(2.5, mean / 2.5))))
    diff = rest - sum(sizes[i] for i in free)
    while diff:
        i = free[rng.randrange(len(free))]
        if diff > 0 and sizes[i] < cap:
            sizes[i] += 1
            diff -= 1
        elif diff < 0 and sizes[i] > low:
            sizes[i] -= 1
            diff += 1
    return sizes


def copy_rows(conn: psycopg.Connection, table: str, columns: list[str] | str, rows) -> int:
    columns = columns.split() if isinstance(columns, str) else columns
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with conn.cursor() as cur, cur.copy(query) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


PLACE_COLUMNS = [
    "commune_code", "cog_year", "commune_name", "department_code", "region_code", "latitude",
    "longitude", "located_by",
]  # fmt: skip


@dataclass
class Generated:
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    fifty: list[str] = field(default_factory=list)  # slugs of poles with 50 members
    five: list[str] = field(default_factory=list)
    places: list[tuple[str, str]] = field(default_factory=list)  # (commune name, region)
    regions: list[str] = field(default_factory=list)  # one per pole: weights for searches


# The values the services would write (set_place, pole_search_text, set_name_key…): a new NOT
# NULL column without a database default in registry_pole or registry_organisation goes here.
def generate(database_url: str, args, rng: random.Random) -> Generated:
    out = Generated()
    t0 = time.perf_counter()
    now = datetime.now(UTC)
    # Not the 94 communes of the overseas collectivities (regions 975 to 989): their 3-digit
    # region code does not fit Place.region_code (max_length 2), services.set_place cannot
    # save them on PostgreSQL either.
    communes = [c for c in geo.communes().values() if c.latitude is not None and len(c.region) <= 2]
    weights = [math.sqrt(max(c.population, 1)) for c in communes]
    departments = geo.departments()
    regions = geo.regions()
    out.seconds["prepare"] = time.perf_counter() - t0

    with psycopg.connect(database_url) as conn:
        t = time.perf_counter()
        activities = ((i + 1, name, slug_of(name)) for i, name in enumerate(ACTIVITIES))
        copy_rows(conn, "registry_activity", "id name slug", activities)
        copy_rows(
            conn,
            "registry_network",
            ["id", "name", "slug", "acronym", "description", "website", "is_source_partner"],
            (
                (i + 1, name, slug, acronym, "", "", True)
                for i, (name, slug, acronym) in enumerate(NETWORKS)
            ),
        )

        # -- poles
        pole_towns = rng.choices(communes, weights=weights, k=args.poles)
        pole_rows, pole_activities, pole_networks, territory, laureates = [], [], [], [], []
        for i, town in enumerate(pole_towns):
            pid = i + 1
            department = departments[town.department][0]
            activities = sorted(rng.sample(range(len(ACTIVITIES)), rng.choice((1, 2, 2, 3))))
            first_activity = ACTIVITIES[activities[0]].split(" ")[0].lower()
            name = rng.choice(POLE_PATTERNS).format(
                word=rng.choice(WORDS), town=town.name, activity=first_activity,
                department=department,
            )  # fmt: skip
            described = " et ".join(ACTIVITIES[a].lower() for a in activities)
            description = (
                f"Pôle territorial de coopération économique de {town.name} ({department}) : "
                f"{described}. {rng.choice(SENTENCES)}"
            )
            if rng.random() < 0.5:
                description += " " + rng.choice(SENTENCES)
            search_text = fold(
                " ".join(
                    [
                        name,
                        town.name,
                        department,
                        regions.get(town.region, ""),
                        " ".join(ACTIVITIES[a] for a in activities),
                        description,
                    ]
                )
            )
            siren = luhn_complete(f"{20_000_000 + pid:08d}") if rng.random() < 0.7 else ""
            legal_form = rng.choices(*zip(*POLE_FORMS, strict=True))[0]
            strategy = rng.choice(STRATEGIES) if rng.random() < 0.85 else ""
            year = rng.randint(1995, 2025)
            pole_rows.append((
                pid, f"{rng.randint(1, 120)} {rng.choice(STREETS)}", postal_code(town, rng),
                *place_values(town), name, f"{slug_of(name)}-{pid}", description, legal_form,
                siren, year, rng.randint(2, 400), strategy,
                f"https://www.{slug_of(name)[:40]}.fr" if rng.random() < 0.4 else "",
                "incomplete", "{}",
                "",  # member_categories: written by check_poles, run next
                None, search_text, False, "", now, now, *name_columns(name),
            ))  # fmt: skip
            out.regions.append(town.region)
            pole_activities.extend((pid, a + 1) for a in activities)
            pole_networks.extend(
                (pid, n + 1)
                for n in rng.sample(range(len(NETWORKS)), rng.choice((0, 0, 1, 1, 1, 2)))
            )
            areas = [("department", town.department)]
            if town.epci and rng.random() < 0.6:
                areas.append(("epci", town.epci))
            if rng.random() < 0.4:
                areas.append(("commune", town.code))
            territory.extend((pid, kind, code) for kind, code in areas)
            if rng.random() < 0.02:
                for year in rng.sample(sorted(CALLS), rng.choice((1, 1, 2))):
                    laureates.append(
                        (pid, year, CALLS[year], f"https://example.org/laureats/{year}#{pid}")
                    )
            folded_town = fold(town.name)
            if re.fullmatch(r"[a-z]{5,}", folded_town) and len(out.places) < 200:
                out.places.append((town.name, town.region))
        pole_columns = [
            "id", "address", "postal_code", *PLACE_COLUMNS, "name", "slug", "description",
            "legal_form", "siren", "year_founded", "jobs", "strategy", "website", "status",
            "check_report", "member_categories", "checked_at", "search_text", "is_demo",
            "source_url", "created_at", "updated_at", "name_key", "name_block",
        ]  # fmt: skip
        out.counts["poles"] = copy_rows(conn, "registry_pole", pole_columns, pole_rows)
        for label, table, columns, rows in [
            ("pole activities", "pole_activities", "pole_id activity_id", pole_activities),
            ("pole networks", "pole_networks", "pole_id network_id", pole_networks),
            ("territory areas", "territoryarea", "pole_id kind code", territory),
            ("laureates", "laureate", "pole_id year call source_url", laureates),
        ]:
            out.counts[label] = copy_rows(conn, f"registry_{table}", columns, rows)
        out.seconds["poles"] = time.perf_counter() - t

        # -- organisations, mostly in the departments where the poles are
        t = time.perf_counter()
        org_towns = rng.choices(communes, weights=weights, k=args.organisations)
        by_department: dict[str, list[int]] = defaultdict(list)
        categories = [(c, w) for c, w, _ in ORGANISATION_KINDS]
        kinds = {c: k for c, _, k in ORGANISATION_KINDS}
        org_rows = []
        for i, town in enumerate(org_towns):
            oid = i + 1
            by_department[town.department].append(oid)
            category = rng.choices(*zip(*categories, strict=True))[0]
            pattern, ess_status, legal_form, _ = rng.choices(
                kinds[category], weights=[k[3] for k in kinds[category]]
            )[0]
            name = pattern.format(word=rng.choice(WORDS), town=town.name)
            siren = luhn_complete(f"{30_000_000 + oid:08d}") if rng.random() < 0.8 else ""
            siret = luhn_complete(siren + f"{rng.randint(1, 99):04d}") if siren else ""
            if rng.random() < 0.5:
                siret = ""
            org_rows.append((
                oid, f"{rng.randint(1, 120)} {rng.choice(STREETS)}", postal_code(town, rng),
                *place_values(town), name, f"{slug_of(name)}-{oid}", siren, siret, legal_form,
                ess_status, category,
                f"https://www.{slug_of(name)[:40]}.fr" if rng.random() < 0.3 else "",
                fold(f"{name} {siren} {town.name}"), False, "", now, now, *name_columns(name),
            ))  # fmt: skip
        org_columns = [
            "id", "address", "postal_code", *PLACE_COLUMNS, "name", "slug", "siren", "siret",
            "legal_form", "ess_status", "category", "website", "search_text", "is_demo",
            "source_url", "created_at", "updated_at", "name_key", "name_block",
        ]  # fmt: skip
        out.counts["organisations"] = copy_rows(
            conn, "registry_organisation", org_columns, org_rows
        )
        del org_rows
        out.seconds["organisations"] = time.perf_counter() - t

        # -- memberships
        t = time.perf_counter()
        special = rng.sample(range(args.poles), min(args.poles, args.fifty + args.five))
        fixed = dict.fromkeys(special[: args.fifty], 50) | dict.fromkeys(special[args.fifty :], 5)
        cap = min(args.organisations, 400)
        sizes = pole_sizes(args.poles, args.memberships, fixed, cap, rng)
        out.fifty = [pole_rows[i][12] for i in special[: args.fifty]]  # their slugs
        out.five = [pole_rows[i][12] for i in special[args.fifty :]]

        def memberships():
            for i, size in enumerate(sizes):
                pid = i + 1
                local = by_department.get(pole_towns[i].department, [])
                members = dict.fromkeys(rng.sample(local, min(len(local), round(size * 0.85))))
                while len(members) < size:
                    members[rng.randint(1, args.organisations)] = None
                year = pole_rows[i][16]  # year_founded
                for n, oid in enumerate(members):
                    role = "initiator" if n == 0 else rng.choice(("member",) * 3 + ("partner",))
                    since = rng.randint(year, 2025) if rng.random() < 0.7 else None
                    yield (pid, oid, role, since)

        columns = "pole_id organisation_id role since"
        out.counts["memberships"] = copy_rows(conn, "registry_membership", columns, memberships())
        setval = "SELECT setval(pg_get_serial_sequence({t}, 'id'), (SELECT max(id) FROM {i}))"
        for table in ("pole", "organisation", "activity", "network"):
            table = f"registry_{table}"
            conn.execute(sql.SQL(setval).format(t=sql.Literal(table), i=sql.Identifier(table)))
        out.seconds["memberships"] = time.perf_counter() - t
        t = time.perf_counter()
    # the COMMIT of everything above (indexes are maintained row by row during COPY)
    out.seconds["commit"] = time.perf_counter() - t
    out.seconds["total"] = time.perf_counter() - t0
    return out


# --- in the app's process (harness.call) ------------------------------------------------------


def census(poles: list, directory: list, maps: list, explain: bool, profile_paths: list) -> dict:
    """Queries and time of pole pages, directory requests and map points in one process
    (Django test client); EXPLAIN of the slowest directory query; cProfile (printed)."""
    from django.db import connection
    from django.test import Client

    client, out = Client(HTTP_ACCEPT_LANGUAGE="fr"), defaultdict(list)

    def measure(label, path):
        client.get(path)  # first call: templates, geo data, connection; not counted
        response, captured, ms = h.queries_of(lambda: client.get(path))
        queries = sorted(((float(q["time"]) * 1000, q["sql"]) for q in captured), reverse=True)
        return {
            "label": label,
            "status": response.status_code,
            "queries": len(queries),
            "ms": ms,
            "sql_ms": sum(t for t, _ in queries),
            "top": queries[:5],
            "members": response.content.count(b'href="/structures/'),
            "sql": [q["sql"][:140] for q in captured],
        }

    out["pole"] = [measure(label, path) for label, path in poles]
    out["map"] = [measure(label, path) for label, path in maps]
    for label, path in directory:
        row = measure(label, path)
        out["directory"].append(row)
        if explain:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + row["top"][0][1])
                plan = "\n".join(r[0] for r in cursor.fetchall())
            out["explain"].append({"label": label, "sql": row["top"][0][1], "plan": plan})
    if profile_paths:
        calls = [lambda p=p: client.get(p) for p in profile_paths]
        h.profile(calls, "directory requests", r"(registry|core)/|compiler.py|template/base")
    return out


# --- the database, the legal check --------------------------------------------------------------


def table_counts(db: h.Database) -> dict[str, int]:
    tables = {
        "poles": "registry_pole",
        "organisations": "registry_organisation",
        "memberships": "registry_membership",
        "territory areas": "registry_territoryarea",
        "laureates": "registry_laureate",
    }
    with db.connect() as conn:
        return {
            label: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for label, table in tables.items()
        }


def expected_total(conn, q: str, region: str, status: str) -> int:
    """What the directory should find: the same filters, written in SQL by hand."""
    where, params = ["region_code = %s", "status = %s"], [region, status]
    for word in fold(q).split():
        where.append("search_text LIKE %s")
        params.append(f"%{word}%")
    return conn.execute(
        f"SELECT count(*) FROM registry_pole WHERE {' AND '.join(where)}",  # noqa: S608
        params,
    ).fetchone()[0]


def run_check_poles(env: dict[str, str], timeout: float) -> dict:
    """``manage.py check_poles``: wall time and the child's own peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "check_poles"],
            cwd=h.ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        return {
            "seconds": time.perf_counter() - start,
            "max_rss_mb": usage.ru_maxrss / 1024,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "returncode": proc.returncode,
            "output": output.read().decode(errors="replace").strip()[-2000:],
        }


# --- requests, one at a time ---------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    kind: str  # common | activity | place | rare
    q: str
    region: str
    status: str

    @property
    def path(self) -> str:
        return "/poles/?" + urlencode({"q": self.q, "region": self.region, "status": self.status})


def plan_searches(count: int, generated: Generated, rng: random.Random) -> list[Search]:
    """Words and regions as people would combine them: a region weighted by its poles, a
    commune's name with the commune's region."""
    kinds = [
        ("common", COMMON_WORDS, 25),
        ("activity", ACTIVITY_WORDS, 40),
        ("place", [], 20),
        ("rare", RARE_WORDS, 15),
    ]
    out = []
    for _ in range(count):
        kind, words, _w = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
        if kind == "place" and generated.places:
            word, region = rng.choice(generated.places)
        else:
            word, region = rng.choice(words or RARE_WORDS), rng.choice(generated.regions)
        status = rng.choices(["incomplete", "checked", "laureate"], weights=[3, 6, 1])[0]
        out.append(Search(kind, word, region, status))
    return out


def one_at_a_time(port: int, paths: list[str], check=None, server=None, db=None):
    """GET each path in turn; with ``server``, also the CPU it took (printed)."""
    if server is None:
        return h.get_load(port, paths, connections=1, headers=HEADERS, check=check)
    with h.CpuMeter(server, db.name) as cpu:
        load = h.get_load(port, paths, connections=1, headers=HEADERS, check=check)
    n, r = load.outcomes["ok"] or 1, cpu.report
    print(
        f"  CPU per request: gunicorn {r['server_cpu_s'] / n * 1000:.1f} ms, PostgreSQL "
        f"{r['postgres_cpu_s'] / n * 1000:.1f} ms; machine {r['machine_busy_pct']:.0f}% busy"
    )
    load.print_samples()
    return load


def searches_by_kind(port, searches, expected, server, db, failures, label) -> dict[str, dict]:
    """The searches, grouped by kind; each total checked against SQL's."""
    want = {s.path: n for s, n in zip(searches, expected, strict=True)}
    found: dict[str, list[int]] = defaultdict(list)

    def total(path: str, body: bytes) -> str:
        match = TOTAL_RE.search(body)
        got = int(re.sub(rb"\D", b"", match.group(1))) if match else -1
        found[path].append(got)
        return "" if got == want[path] else f"{path}: page says {got}, SQL {want[path]}"

    rows, every = {}, h.Load()
    for kind in ("common", "activity", "place", "rare"):
        paths = [s.path for s in searches if s.kind == kind]
        if paths:
            load = one_at_a_time(port, paths, total, server, db)
            rows[kind] = load.row()
            every.latencies[""] += load.latencies[""]
            every.outcomes.update(load.outcomes)
            every.wall_s += load.wall_s
            totals = sorted(found[p][0] for p in paths if found[p])
            print(
                f"  {kind}: {len(paths)} searches, median {totals[len(totals) // 2]} poles "
                f"found, max {totals[-1]}"
            )
    rows = {"all": every.row()} | rows
    h.table(label, rows)
    if every.errors:
        failures.append(f"{label}: {dict(every.outcomes)}")
    return rows


# --- the export and the RSS of the worker that serves it --------------------------------------


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (empty when it is gone)."""
    values = {}
    for line in h._read(f"/proc/{pid}/status").splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1])
    return values


def measure_export(port: int, server: h.Server, timeout: float) -> dict:
    workers = server.workers()
    before = {pid: _status(pid) for pid in workers}
    hwm_reset = True
    for pid in workers:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        except OSError:
            hwm_reset = False
    ticks = {pid: h.cpu_seconds(pid) for pid in workers}
    peak, stop = dict.fromkeys(workers, 0), threading.Event()

    def sample():
        while not stop.wait(0.01):
            for pid in workers:
                peak[pid] = max(peak[pid], _status(pid).get("VmRSS", 0))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    with tempfile.TemporaryFile() as data:
        start = time.perf_counter()
        conn.request("GET", EXPORT_PATH, headers={"Accept-Language": "fr", "Accept": "text/csv"})
        response = conn.getresponse()
        first_byte, size = None, 0
        while chunk := response.read1(1 << 16):
            first_byte = first_byte or time.perf_counter() - start
            size += data.write(chunk)
        out = {
            "status": response.status,
            "seconds": time.perf_counter() - start,
            "bytes": size,
            "first_byte_s": first_byte or 0.0,
            "hwm_reset": hwm_reset,
            "streaming": response.getheader("Content-Length") is None,
        }
        conn.close()
        if response.status == 200:
            data.seek(0)
            with open(data.fileno(), encoding="utf-8-sig", newline="", closefd=False) as text:
                out["rows"] = sum(1 for _ in csv.reader(text))
    time.sleep(0.05)
    stop.set()
    sampler.join(timeout=5)
    served = max(workers, key=lambda pid: h.cpu_seconds(pid) - ticks[pid])
    after = _status(served)
    return out | {
        "worker": served,
        "rss_before_mb": before[served].get("VmRSS", 0) / 1024,
        "peak_rss_mb": max(after.get("VmHWM", 0), peak[served]) / 1024,
        "sampled_peak_mb": peak[served] / 1024,
        "rss_after_mb": after.get("VmRSS", 0) / 1024,
        "worker_cpu_s": h.cpu_seconds(served) - ticks[served],
    }


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--poles", type=int, default=10_000)
    add("--organisations", type=int, default=200_000)
    add("--memberships", type=int, default=400_000)
    add("--fifty", type=int, default=20, help="poles with exactly 50 members")
    add("--five", type=int, default=5, help="poles with exactly 5 members")
    add("--seed", type=int, default=2014, help="seed of the generated registry")
    add("--searches", type=int, default=200, help="directory searches")
    add("--landing-requests", type=int, default=20, help="GETs of /poles/ without filter")
    add("--pole-requests", type=int, default=200)
    add("--map-requests", type=int, default=100, help="per kind of map view")
    add(
        "--recheck",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run check_poles a second time, nothing having changed (default: yes)",
    )
    add("--profile", type=int, default=0, help="cProfile N directory requests in one process")
    add(
        "--what-if-trgm",
        action="store_true",
        help="then add a GIN pg_trgm index on registry_pole.search_text and search again",
    )
    add("--check-timeout", type=float, default=900.0)
    h.server_arguments(parser)
    args = h.parse(parser, argv)
    if min(args.poles, args.organisations, args.memberships) < 1:
        parser.error("--poles, --organisations and --memberships must be positive")
    if args.fifty + args.five > args.poles or (args.fifty and args.organisations < 50):
        parser.error("--fifty and --five need that many poles (and 50 organisations)")
    return args


def phase(title: str) -> float:
    print(f"\n-- {title} --", flush=True)
    return time.perf_counter()


def main(argv=None) -> int:  # noqa: C901 - one linear scenario
    args = parse_args(argv)
    h.header("directory at scale benchmark")
    failures: list[str] = []
    goals: list[tuple[str, bool | None, str]] = []  # (goal, met, measured)
    figures: dict = {"args": vars(args) | {"json": None}}
    phases: dict[str, float] = {}

    def goal(*name_met_measured) -> None:
        goals.append(name_met_measured)

    rng, run_start = random.Random(args.seed), time.perf_counter()
    with h.served(args, failures) as (db, env, server):
        port = server.port
        t = time.perf_counter()
        h.manage(env, "migrate", "--noinput")
        with db.connect() as conn:
            pg = conn.execute(
                "SELECT current_setting('server_version'), current_setting("
                "'shared_buffers'), current_setting('work_mem')"
            ).fetchone()
        phases["create + migrate"] = time.perf_counter() - t
        print(
            f"database: {db.name} (PostgreSQL {pg[0]}, shared_buffers {pg[1]}, work_mem "
            f"{pg[2]}), migrated in {phases['create + migrate']:.1f} s"
        )

        t = phase(
            f"generation: {args.poles:,} poles, {args.organisations:,} organisations, "
            f"{args.memberships:,} memberships (COPY, seed {args.seed})"
        )
        generated = generate(db.url, args, rng)
        phases["generation"] = time.perf_counter() - t
        counts = table_counts(db)
        print("  " + ", ".join(f"{label} {n:,}" for label, n in counts.items()))
        print(
            "  generated in {total:.1f} s (communes {prepare:.1f} s, poles {poles:.1f} s, "
            "organisations {organisations:.1f} s, memberships {memberships:.1f} s, commit "
            "{commit:.1f} s)".format(**generated.seconds)
        )
        asked = ("poles", "organisations", "memberships")
        h.check(
            "generation", failures, {f"{k} as asked": counts[k] == getattr(args, k) for k in asked}
        )

        t = phase("legal check of the whole registry: manage.py check_poles")
        checks = [("first (writes every pole)", run_check_poles(env, args.check_timeout))]
        if args.recheck:
            checks.append(("again (nothing changed)", run_check_poles(env, args.check_timeout)))
        for label, c in checks:
            print(
                f"  {label:<26} {c['seconds']:6.1f} s wall, {c['cpu_s']:6.1f} s CPU, peak "
                f"RSS {c['max_rss_mb']:6.1f} MB  | {c['output']}"
            )
        h.check("check_poles", failures, [(f"{k} exit 0", c["returncode"] == 0) for k, c in checks])
        phases["legal check"] = time.perf_counter() - t
        figures["check"] = dict(checks)
        goal(
            "legal check < 60 s",
            max(c["seconds"] for _, c in checks) < GOAL_CHECK_S,
            " / ".join(f"{c['seconds']:.1f} s" for _, c in checks)
            + f", peak RSS {max(c['max_rss_mb'] for _, c in checks):.0f} MB",
        )
        with db.connect(autocommit=True) as conn:
            statuses = dict(conn.execute("SELECT status, count(*) FROM registry_pole GROUP BY 1"))
            t = phase("VACUUM ANALYZE")
            conn.execute("VACUUM ANALYZE")
            size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            print(
                f"  statuses before: {statuses}; {time.perf_counter() - t:.1f} s; database "
                f"size {size.fetchone()[0]}"
            )

        searches = plan_searches(args.searches, generated, rng)
        with db.connect() as conn:
            expected = [expected_total(conn, s.q, s.region, s.status) for s in searches]
            located = conn.execute(
                "SELECT count(*) FROM registry_pole WHERE latitude IS NOT NULL"
            ).fetchone()[0]
        big_region = Counter(generated.regions).most_common(1)[0][0]
        fifty = [f"/poles/{slug}/" for slug in generated.fifty]
        five = [f"/poles/{slug}/" for slug in generated.five]
        heavy = Search("common", "pole", big_region, "checked")
        rare = Search("rare", "ruche", big_region, "checked")

        t = phase("in one process (Django test client): queries of a request")
        directory = [
            (f"'pole' (every pole) + region {big_region} + checked", heavy.path),
            (f"'ruche' (rare) + region {big_region} + checked", rare.path),
        ]
        census_args = {
            "poles": [("5 members", five[0])][: len(five)]
            + [("50 members", fifty[0])][: len(fifty)],
            "directory": [*directory, ("no filter", "/poles/")],
            "maps": [
                ("zoom 5", "/poles/carte/points.json?zoom=5"),
                ("zoom 8, Lyon", "/poles/carte/points.json?zoom=8&bbox=1.3,43.5,8.3,47.9"),
            ],
            "explain": True,
            "profile_paths": [s.path for s in plan_searches(args.profile, generated, rng)],
        }
        census = h.call(env, "directory_scale:census", **census_args)
        phases["census"] = time.perf_counter() - t
        for row in census["pole"]:
            print(
                f"  pole page, {row['label']:<11} {row['status']}  {row['queries']:2d} "
                f"queries  {row['ms']:6.1f} ms  ({row['members']} member links)"
            )
        if census["pole"]:
            print("  queries of the last one:\n    " + "\n    ".join(census["pole"][-1]["sql"]))
        pole_queries = {row["label"]: row["queries"] for row in census["pole"]}
        goal(
            "pole page: same number of queries for 5 and 50 members",
            len(pole_queries) == 2 and len(set(pole_queries.values())) == 1,
            ", ".join(f"{k}: {n}" for k, n in pole_queries.items()),
        )
        h.check("pole pages in one process", failures, {
            f"{row['label']}: 200 and its member links": row["status"] == 200
            and row["members"] == int(row["label"].split()[0])
            for row in census["pole"]
        })  # fmt: skip
        for row in census["directory"] + census["map"]:
            print(
                f"  {row['label']}: {row['status']}, {row['queries']} queries, "
                f"{row['ms']:.1f} ms of which SQL {row['sql_ms']:.1f} ms; slowest:"
            )
            for ms, query in row["top"][:3]:
                print(f"    {ms:6.1f} ms  {query[:170]}")
        for row in census["explain"][:1]:
            print(
                f"  EXPLAIN (ANALYZE, BUFFERS) of the slowest, {row['label']}:\n    "
                + row["sql"][:600]
                + "\n    | "
                + row["plan"].replace("\n", "\n    | ")
            )

        t = phase("gunicorn")
        server.start("/poles/", timeout=60)
        n = args.workers * args.threads
        for path in [
            "/poles/",
            heavy.path,
            (fifty or ["/poles/"])[0],
            "/poles/carte/points.json?zoom=5",
        ]:
            warm = h.get_load(port, [path] * 4 * n, connections=2 * n, deadline_s=120)
            if warm.errors:
                failures.append(f"warm-up {path}: {warm.samples[:2]}")
        phases["gunicorn start + warm-up"] = time.perf_counter() - t

        t = phase(
            f"1. directory search with two facets: {len(searches)} x GET "
            "/poles/?q=…&region=…&status=…, one at a time"
        )
        rows = searches_by_kind(
            port, searches, expected, server, db, failures, "directory searches"
        )
        phases["directory searches"] = time.perf_counter() - t
        goal(
            "directory search p95 < 100 ms",
            rows["all"]["p95"] < GOAL_SEARCH_P95_MS,
            f"p50 {rows['all']['p50']:.0f} ms, p95 {rows['all']['p95']:.0f} ms",
        )
        landing = one_at_a_time(port, ["/poles/"] * args.landing_requests)
        figures["directory"] = rows | {"landing": landing.row()}

        t = phase(f"2. pole page with 50 members: {args.pole_requests} GETs, one at a time")

        def fifty_members(path: str, body: bytes) -> str:
            links = body.count(b'href="/structures/')
            return "" if links == 50 else f"{path}: {links} member links, not 50"

        paths = [fifty[i % len(fifty)] for i in range(args.pole_requests)] if fifty else []
        pages = one_at_a_time(port, paths, fifty_members, server, db)
        small = one_at_a_time(port, [five[i % len(five)] for i in range(50)] if five else [])
        phases["pole pages"] = time.perf_counter() - t
        goal(
            "pole page (50 members) p95 < 50 ms",
            pages.row()["p95"] < GOAL_POLE_P95_MS,
            f"p50 {pages.row()['p50']:.0f} ms, p95 {pages.row()['p95']:.0f} ms",
        )

        t = phase(f"map points: {args.map_requests} GETs per view, one at a time")

        def whole_map(path: str, body: bytes) -> str:
            total = json.loads(body)["total"]
            return "" if total == located else f"{path}: total {total}, {located} located"

        views = [MAP_CENTRES[i % len(MAP_CENTRES)] for i in range(args.map_requests)]
        zoom5 = one_at_a_time(
            port, ["/poles/carte/points.json?zoom=5"] * args.map_requests, whole_map, server, db
        )
        bbox = "{:.2f},{:.2f},{:.2f},{:.2f}"
        paths = [
            "/poles/carte/points.json?zoom=8&bbox="
            + bbox.format(lon - 3.5, lat - 2.2, lon + 3.5, lat + 2.2)
            for lat, lon in views
        ]
        zoom8 = one_at_a_time(port, paths, None, server, db)
        phases["map"] = time.perf_counter() - t
        one_by_one = {
            "/poles/ no filter": landing,
            "pole page, 50 members": pages,
            "pole page, 5 members": small,
            "map zoom 5, France": zoom5,
            "map zoom 8 + bbox": zoom8,
        }
        h.table("pages, one request at a time", {k: v.row() for k, v in one_by_one.items()})
        figures["pages"] = {k: v.row() for k, v in one_by_one.items()}
        for label, load in one_by_one.items():
            if load.errors:
                failures.append(f"{label}: {dict(load.outcomes)} {load.samples[:2]}")

        t = phase(f"3. full CSV export of organisations: GET {EXPORT_PATH}")
        export = figures["export"] = measure_export(port, server, args.request_timeout * 10)
        phases["export"] = time.perf_counter() - t
        if export["status"] != 200:
            print(f"  export: not available ({export['status']})")
            goal("export < 10 s, peak RSS < 150 MB", None, "not available")
        else:
            print(
                f"  {export['seconds']:.2f} s ({export['bytes'] / 1e6:.1f} MB, first byte "
                f"after {export['first_byte_s'] * 1000:.0f} ms, "
                f"{'streamed' if export['streaming'] else 'with a Content-Length'}); "
                f"{export['rows']:,} rows"
            )
            print(
                f"  worker {export['worker']}: RSS {export['rss_before_mb']:.0f} MB before, "
                f"peak {export['peak_rss_mb']:.0f} MB (VmHWM "
                f"{'reset before' if export['hwm_reset'] else 'NOT reset'}, sampled "
                f"{export['sampled_peak_mb']:.0f} MB), {export['rss_after_mb']:.0f} MB "
                f"after; {export['worker_cpu_s']:.1f} s of CPU"
            )
            rows_ok = export["rows"] == counts["organisations"] + 1
            h.check("export", failures, {"rows == organisations + header": rows_ok})
            goal(
                "export < 10 s, peak RSS < 150 MB",
                export["seconds"] < GOAL_EXPORT_S and export["peak_rss_mb"] < GOAL_EXPORT_MB,
                f"{export['seconds']:.1f} s, {export['peak_rss_mb']:.0f} MB",
            )

        if args.what_if_trgm:
            t = phase("what if: GIN pg_trgm index on registry_pole.search_text")
            with db.connect(autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                conn.execute(
                    "CREATE INDEX bench_pole_search_trgm ON registry_pole "
                    "USING gin (search_text gin_trgm_ops)"
                )
                conn.execute("ANALYZE registry_pole")
            print(f"  index built in {time.perf_counter() - t:.1f} s")
            figures["what_if_trgm"] = searches_by_kind(
                port, searches, expected, server, db, failures, "searches with pg_trgm"
            )
            only = {"poles": [], "maps": [], "profile_paths": [], "directory": directory}
            again = h.call(env, "directory_scale:census", **census_args | only)
            for row in again["directory"]:
                print(
                    f"  {row['label']}: {row['ms']:.1f} ms of which SQL "
                    f"{row['sql_ms']:.1f} ms; slowest {row['top'][0][0]:.1f} ms"
                )
            for row in again["explain"][1:2]:
                print(
                    f"  EXPLAIN of the slowest query, {row['label']}:\n    | "
                    + row["plan"].replace("\n", "\n    | ")
                )
            phases["what if trgm"] = time.perf_counter() - t
        server.stop()
    print(
        "\nphases: "
        + ", ".join(f"{name} {s:.1f} s" for name, s in phases.items())
        + f"; whole run {time.perf_counter() - run_start:.0f} s"
    )
    for name, met, measured in goals:
        print(
            f"goal  : {name:<56} "
            f"{'not measured' if met is None else 'met' if met else 'MISSED':<12} ({measured})"
        )
    missed = [name for name, met, _ in goals if met is False]
    return h.verdict(
        failures,
        missed,
        strict=args.strict_goals,
        json_path=args.json,
        figures=figures | {"phases": phases, "goals": goals},
        goals="search p95 < 100 ms, pole page p95 < 50 ms with fixed queries, "
        "export < 10 s and 150 MB, legal check < 60 s",
    )


if __name__ == "__main__":
    h.use_venv()
    sys.exit(main())
