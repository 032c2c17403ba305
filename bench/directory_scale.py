"""Directory at scale: 10,000 poles, 200,000 organisations, 400,000 memberships.

What it does, end to end (2 to 3 minutes at the default size on a 2-core machine, about one
minute with the quick sizes below):

1. creates a throwaway PostgreSQL database and migrates it;
2. generates the registry straight into PostgreSQL with COPY (psycopg 3 ``cursor.copy``),
   not through the services (each ``membership_set`` audits and re-runs the legal check of
   its pole: 400,000 of them are out of reach), with values the services would have
   written: real INSEE communes of ``registry.geo`` picked with a weight of
   sqrt(population), department, region, position and ``located_by`` copied from the
   commune as ``services.set_place`` does, ``search_text`` folded as
   ``services.pole_search_text`` (name, commune, department, region, activities,
   description) and ``organisation_save`` (name, SIREN, commune) do; valid SIREN/SIRET
   (Luhn); a mix of article-9 categories and ESS statuses; 1 to 3 territory areas a pole
   (its department, its EPCI, its commune); 1 to 3 activities, 0 to 2 networks, a few
   laureates; ``--memberships`` memberships, 85 % of a pole's members from its own
   department, ``--fifty`` poles with exactly 50 members and ``--five`` with exactly 5
   (for the pole page), the others sized at random around the mean. Deterministic for a
   given ``--seed``;
3. runs the legal check of the whole registry, ``manage.py check_poles``, as a child
   process: wall time and that process's peak RSS (``ru_maxrss`` of ``os.wait4``, i.e.
   what ``getrusage(RUSAGE_CHILDREN)`` reports, for this child alone). It runs first
   because it sets the poles' statuses, one of the directory's two facets; it writes every
   pole the first time, then ``--recheck`` runs it again on a registry where nothing has
   changed (no write: the steady state);
4. ``VACUUM ANALYZE``; counts in one process (Django test client and
   ``CaptureQueriesContext``) the SQL queries of a pole page of 5 members and of one of 50
   members, and times each query of two directory requests (a word matching every pole,
   a rare one), with ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest; ``--profile N`` adds
   cProfile over N directory requests;
5. starts gunicorn on a free localhost port with the production settings (DEBUG off),
   warms every worker up, then, one request at a time (latency, not throughput: a plain
   ``http.client`` connection, one request in flight), measures
   - ``--searches`` directory searches with two facets,
     ``GET /poles/?q=<word>&region=<code>&status=<status>``: words from the data (every
     pole's "pole", activities, commune names, rare words; some typed with accents),
     regions weighted like the poles, the three statuses; each answer's total is checked
     against a count made in SQL;
   - ``--pole-requests`` GETs of the 50-member pole pages (and a few of the 5-member ones);
   - the map: ``--map-requests`` GET ``/poles/carte/points.json?zoom=5`` and as many
     ``?zoom=8&bbox=…`` around French cities (no goal);
   - the full CSV export of organisations, ``GET /donnees/structures.csv`` (streamed):
     wall time, time to the first byte, rows (must be the organisations + a header) and
     the peak RSS of the gunicorn worker that served it (its VmHWM, reset before the
     request through ``/proc/<pid>/clear_refs``, and VmRSS sampled every 10 ms). A 404
     prints "export: not available (404)" and the run goes on;
   and the CPU each phase took in gunicorn and in PostgreSQL per request;
6. with ``--what-if-trgm``: creates ``pg_trgm`` and a GIN trigram index on
   ``registry_pole.search_text`` in the throwaway database and measures the searches
   again (the app's code is unchanged: this says what such an index would give);
7. stops gunicorn, drops the database; exits 1 when an invariant failed (a non-200 answer,
   a total that differs from SQL's, a pole page without its 50 members, an export with
   the wrong number of rows, a failed check).

The goals of the issue (search p95 < 100 ms; pole page of 50 members: a fixed number of
queries and p95 < 50 ms; export: peak RSS < 150 MB and < 10 s; legal check of the whole
registry < 60 s) are printed as met or missed and fail the run only with
``--strict-goals``.

Measured on the 2-core machine of this project (AMD EPYC, ``nproc`` 2, 24 GB, PostgreSQL
15 on the same machine with its defaults: shared_buffers 128 MB, work_mem 4 MB; a shared VM,
so only large differences mean something), default sizes.

App as of 27 Nov 08:30 — the member categories kept on each pole by the check (the
category facet without a join), the organisations' export read as plain rows and written
500 rows at a time — two runs:

    run   check_poles       search p50/p95   pole page 50    export        /poles/ no filter
          first / again     (2 facets)       p50/p95         s, peak RSS   p50
    1     30.5 s / 24.0 s   32 / 43 ms       16 / 19 ms      3.9 s 108 MB  76 ms
    2     30.5 s / 25.3 s   33 / 50 ms       18 / 23 ms      4.1 s 108 MB  81 ms
    goal  < 60 s: met       p95 < 100 ms:    p95 < 50 ms:    < 10 s, 150   (none)
                            met              met             MB: met

    pole page: 7 queries for 5 members and for 50; map zoom 5 p50/p95 11/12 ms.

Before those two changes (app as of 27 Nov 08:10-08:20, load average 3 to 5 from other
processes), three runs in a row:

    run   generation  check_poles       search p50/p95   pole page 50    export        map z5
                      first / again     (2 facets)       p50/p95         s, peak RSS   p50/p95
    1     17.4 s      32.3 s / 43.3 s   63 / 201 ms      16 / 21 ms      10.1 s 108 MB  11/16 ms
    2     18.4 s      37.6 s / 26.4 s   41 / 119 ms      17 / 22 ms       8.8 s 109 MB  11/15 ms
    3     15.2 s      31.3 s / 25.2 s   43 / 127 ms      18 / 33 ms       9.4 s 109 MB  12/18 ms
    goal              < 60 s: met       p95 < 100 ms:    p95 < 50 ms:    < 10 s, 150 MB
                                        MISSED           met             met 2 of 3

    check_poles peak RSS 276-280 MB; pole page 6 queries for 5 and for 50 members (7 and 7
    once the charter hook was added mid-run: fixed, not per member); /poles/ with no
    filter p50 475-487 ms; map zoom 8 + bbox p50/p95 9-11 / 11-18 ms. Three earlier runs
    the same morning (before commune names were searched within their own region) gave
    search p95 227, 172, 160 ms, export 12.6, 9.8, 11.0 s and check_poles 50.4, 48.9,
    32.3 s; one of them a pole page p95 of 127 ms, most likely the machine (21-33 ms in the
    five other runs).

Where the time goes (``--profile``, EXPLAIN, and experiments in the throwaway database):

- search: the "category" facet. ``selectors.directory`` counts it by joining the
  memberships of every matching pole to their organisations (``COUNT(DISTINCT pole_id)``
  over ~41,000 rows for a word every pole has in a big region: 80-160 ms of the 120-200
  ms of such a request; 430-770 ms for ``/poles/`` without filter, a 400,000-row join
  that spills its sort to disk with work_mem 4 MB). The LIKE scans of ``search_text``
  cost 3-15 ms each. Measured in one process on the same data and searches: today p95
  191 ms (``/poles/`` 526 ms); category counted from a ``member_categories`` array kept on
  the pole (``SELECT c, count(*) FROM registry_pole, unnest(member_categories) c WHERE ...
  GROUP BY c``, same counts) p95 67 ms (``/poles/`` 120 ms); a GIN pg_trgm index on
  ``search_text`` alone p95 156 ms (``--what-if-trgm`` over HTTP: p95 160 -> 157 ms; p50
  58 -> 41 ms, helps rare words only); both p95 56 ms. So the array is what the goal
  needs; pg_trgm is optional at 10,000 poles.
- export: 6.2-6.6 s to produce the CSV in one process, 7.7-8.7 s of the worker's CPU over
  HTTP: one model instance per row with every column (3.4 s, a third of it parsing
  ``created_at``/``updated_at``; ``values_list`` of the 18 exported columns: 1.6 s), a
  ``_value`` call per cell, and one yield (one chunk written by gunicorn) per row. Memory
  is flat: the worker stays at ~108 MB.
- check_poles: loading each batch of 500 poles with their ~20,000 memberships and whole
  organisation rows takes 1.0-1.5 s (20 batches), the rules 0.4-0.8 s. Of its memory,
  ~100 MB is Django and the geo data and a batch of 500 poles adds ~75 MB (one process).
- pole page: in one process with the geo data loaded (~170,000 objects), a gen-2 garbage
  collection takes ~66 ms, once in ~300 requests: it shows at p99/max, not p95.
- generation skips the 94 communes of the overseas collectivities (regions 975-989): their
  3-digit region code does not fit ``Place.region_code`` (max_length 2), so
  ``services.set_place`` cannot save them on PostgreSQL either.

The generator writes the tables' columns by name: a new NOT NULL column without a database
default in registry_pole or registry_organisation must be added to it.

Usage (from the project root, with the project's virtualenv):
    .venv/bin/python bench/directory_scale.py
    .venv/bin/python bench/directory_scale.py --poles 1000 --organisations 20000 \
        --memberships 40000          # a quick run (about a minute)
    .venv/bin/python bench/directory_scale.py --what-if-trgm --profile 20
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import http.client
import json
import math
import os
import random
import re
import secrets
import shlex
import signal
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

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

# Run with the project's virtualenv even when started with another Python.
if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])

# registry.geo and core.text need no Django: the generator uses them as the services do.
sys.path.insert(1, str(ROOT))

import psycopg
from psycopg import sql
from registration_surge import (
    Cleanup,
    CpuMeter,
    Server,
    _children,
    _terminate,
    app_env,
    create_database,
    drop_database,
    free_port,
    machine_description,
    manage,
    percentile,
    run_page_load,
)

from core.text import fold
from registry import geo

GOAL_SEARCH_P95_S = 0.100
GOAL_POLE_P95_S = 0.050
GOAL_EXPORT_S = 10.0
GOAL_EXPORT_RSS_MB = 150.0
GOAL_CHECK_S = 60.0
EXPORT_PATH = "/donnees/structures.csv"

# --- what the generated registry is made of ---------------------------------------------------

# The activities and the six partner networks of the demo (load_registry_demo).
ACTIVITIES = [
    "Alimentation et circuits courts",
    "Réemploi et recyclage",
    "Mobilité",
    "Habitat et rénovation",
    "Énergie",
    "Culture et création",
    "Insertion par l'activité économique",
    "Numérique",
    "Textile",
    "Services à la personne",
    "Tourisme",
    "Agriculture",
]
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
    "Pôle {word} {town}",
    "Pôle territorial de coopération {town}",
    "Pôle {activity} du pays de {town}",
    "Pôle {word} – {department}",
]
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
    ("Association loi 1901", 55),
    ("SCIC SAS", 18),
    ("SCIC SA", 5),
    ("SAS", 5),
    ("Groupement d'intérêt public", 3),
    ("", 14),
]
# (category, weight, [(name pattern, ESS status, legal form, weight)])
ORGANISATION_KINDS = [
    (
        "ess_enterprise",
        45,
        [
            ("Association {word} {town}", "association", "Association loi 1901", 50),
            ("SCIC {word}", "cooperative", "SCIC SAS", 12),
            ("SCOP {word} {town}", "cooperative", "SCOP SARL", 12),
            ("Mutuelle {word}", "mutual", "Mutuelle", 4),
            ("Fondation {word}", "foundation", "Fondation", 3),
            ("{word} Solutions", "ess_company", "SAS", 9),
            ("Entreprise d'insertion {word}", "esus", "SARL", 10),
        ],
    ),
    (
        "enterprise",
        25,
        [
            ("{word} Industries", "not_ess", "SAS", 40),
            ("Menuiserie {word} {town}", "not_ess", "SARL", 30),
            ("Transports {word}", "not_ess", "SA", 30),
        ],
    ),
    (
        "local_authority",
        12,
        [
            ("Commune de {town}", "not_ess", "Collectivité territoriale", 50),
            ("Communauté de communes {word}", "not_ess", "Établissement public", 50),
        ],
    ),
    ("research", 4, [("Laboratoire {word}", "not_ess", "Unité mixte de recherche", 1)]),
    ("higher_education", 3, [("Université {word}", "not_ess", "Établissement public", 1)]),
    (
        "training",
        6,
        [
            ("Lycée professionnel {town}", "not_ess", "Établissement public", 60),
            ("Centre de formation {word}", "association", "Association loi 1901", 40),
        ],
    ),
    ("other", 5, [("{word} conseil", "not_ess", "Entreprise individuelle", 1)]),
]
CALLS = {
    2013: "1er appel à projets PTCE (2013)",
    2015: "2e appel à projets PTCE (2015)",
    2021: "AMI « PTCE émergents » (2021)",
    2023: "AMI PTCE 2023",
    2024: "AMI PTCE 2024",
}
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
MAP_CENTRES = [
    (48.86, 2.35),  # Paris
    (45.76, 4.84),  # Lyon
    (43.60, 1.44),  # Toulouse
    (48.11, -1.68),  # Rennes
    (43.30, 5.37),  # Marseille
    (50.63, 3.06),  # Lille
    (47.22, -1.55),  # Nantes
    (48.58, 7.75),  # Strasbourg
]


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
    exact = commune.position in ("geonames", "commune")
    return (
        commune.code,
        geo.COG_YEAR,
        commune.name,
        commune.department,
        commune.region,
        commune.latitude,
        commune.longitude,
        "commune" if exact else (commune.position or ""),
    )


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


def copy_rows(conn: psycopg.Connection, table: str, columns: list[str], rows) -> int:
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
    "commune_code",
    "cog_year",
    "commune_name",
    "department_code",
    "region_code",
    "latitude",
    "longitude",
    "located_by",
]


@dataclass
class Generated:
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    fifty: list[str] = field(default_factory=list)  # slugs of poles with 50 members
    five: list[str] = field(default_factory=list)
    places: list[tuple[str, str]] = field(default_factory=list)  # (commune name, region)
    regions: list[str] = field(default_factory=list)  # one per pole: weights for searches


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
        copy_rows(
            conn,
            "registry_activity",
            ["id", "name", "slug"],
            ((i + 1, name, slug_of(name)) for i, name in enumerate(ACTIVITIES)),
        )
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
            pole_rows.append(
                (
                    pid,
                    f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                    postal_code(town, rng),
                    *place_values(town),
                    name,
                    f"{slug_of(name)}-{pid}",
                    description,
                    legal_form,
                    siren,
                    year,
                    rng.randint(2, 400),
                    strategy,
                    f"https://www.{slug_of(name)[:40]}.fr" if rng.random() < 0.4 else "",
                    "incomplete",
                    "{}",
                    "",  # member_categories: written by check_poles, run next
                    None,
                    search_text,
                    False,
                    "",
                    now,
                    now,
                )
            )
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
            "source_url", "created_at", "updated_at",
        ]  # fmt: skip
        out.counts["poles"] = copy_rows(conn, "registry_pole", pole_columns, pole_rows)
        out.counts["pole activities"] = copy_rows(
            conn, "registry_pole_activities", ["pole_id", "activity_id"], pole_activities
        )
        out.counts["pole networks"] = copy_rows(
            conn, "registry_pole_networks", ["pole_id", "network_id"], pole_networks
        )
        out.counts["territory areas"] = copy_rows(
            conn, "registry_territoryarea", ["pole_id", "kind", "code"], territory
        )
        out.counts["laureates"] = copy_rows(
            conn, "registry_laureate", ["pole_id", "year", "call", "source_url"], laureates
        )
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
            org_rows.append(
                (
                    oid,
                    f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                    postal_code(town, rng),
                    *place_values(town),
                    name,
                    f"{slug_of(name)}-{oid}",
                    siren,
                    siret,
                    legal_form,
                    ess_status,
                    category,
                    f"https://www.{slug_of(name)[:40]}.fr" if rng.random() < 0.3 else "",
                    fold(f"{name} {siren} {town.name}"),
                    False,
                    "",
                    now,
                    now,
                )
            )
        org_columns = [
            "id", "address", "postal_code", *PLACE_COLUMNS, "name", "slug", "siren", "siret",
            "legal_form", "ess_status", "category", "website", "search_text", "is_demo",
            "source_url", "created_at", "updated_at",
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

        out.counts["memberships"] = copy_rows(
            conn,
            "registry_membership",
            ["pole_id", "organisation_id", "role", "since"],
            memberships(),
        )
        for table in ("registry_pole", "registry_organisation", "registry_activity"):
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({t}, 'id'), (SELECT max(id) FROM {i}))"
                ).format(t=sql.Literal(table), i=sql.Identifier(table))
            )
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('registry_network', 'id'), "
            "(SELECT max(id) FROM registry_network))"
        )
        out.seconds["memberships"] = time.perf_counter() - t
        t = time.perf_counter()
    # the COMMIT of everything above (indexes are maintained row by row during COPY)
    out.seconds["commit"] = time.perf_counter() - t
    out.seconds["total"] = time.perf_counter() - t0
    return out


# --- reading the database ---------------------------------------------------------------------


def table_counts(database_url: str) -> dict[str, int]:
    tables = {
        "poles": "registry_pole",
        "organisations": "registry_organisation",
        "memberships": "registry_membership",
        "territory areas": "registry_territoryarea",
        "laureates": "registry_laureate",
    }
    with psycopg.connect(database_url) as conn:
        return {
            label: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for label, table in tables.items()
        }


def expected_total(conn: psycopg.Connection, q: str, region: str, status: str) -> int:
    """What the directory should find: the same filters, written in SQL by hand."""
    where = [sql.SQL("region_code = %s"), sql.SQL("status = %s")]
    params: list[object] = [region, status]
    for word in fold(q).split():
        where.append(sql.SQL("search_text LIKE %s"))
        params.append(f"%{word}%")
    query = sql.SQL("SELECT count(*) FROM registry_pole WHERE {}").format(
        sql.SQL(" AND ").join(where)
    )
    return conn.execute(query, params).fetchone()[0]


def database_size(database_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]


# --- the legal check, as a child process ------------------------------------------------------


def run_check_poles(env: dict[str, str], timeout: float) -> dict[str, object]:
    """``manage.py check_poles``: wall time and the child's own peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "check_poles"],
            cwd=ROOT,
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
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode(errors="replace").strip()
    return {
        "seconds": wall,
        "max_rss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "returncode": proc.returncode,
        "output": text[-2000:],
    }


# --- in-process census (manage.py shell) ------------------------------------------------------

CENSUS = """
import cProfile, io, json, os, pstats, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

P = json.loads(PARAMS)
client = Client(HTTP_ACCEPT_LANGUAGE="fr")

def measure(path):
    client.get(path)  # first call: templates, geo data, connection; not counted
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - start
    return response, elapsed * 1000, ctx.captured_queries

for label, path in P["poles"]:
    response, ms, queries = measure(path)
    print("POLE=" + json.dumps({
        "label": label, "status": response.status_code, "queries": len(queries),
        "ms": round(ms, 1), "members": response.content.decode().count('href="/structures/'),
        "sql": [q["sql"][:140] for q in queries],
    }))

for label, path in P["directory"]:
    response, ms, queries = measure(path)
    timed = sorted(((float(q["time"]), q["sql"]) for q in queries), reverse=True)
    print("DIRECTORY=" + json.dumps({
        "label": label, "path": path, "status": response.status_code, "queries": len(queries),
        "ms": round(ms, 1), "sql_ms": round(sum(t for t, _ in timed) * 1000, 1),
        "top": [[round(t * 1000, 1), s[:170]] for t, s in timed[:5]],
    }))
    if P["explain"]:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + timed[0][1])
            plan = "\\n".join(row[0] for row in cursor.fetchall())
        print("EXPLAIN=" + json.dumps({"label": label, "sql": timed[0][1], "plan": plan}))

for label, path in P["map"]:
    response, ms, queries = measure(path)
    print("MAP=" + json.dumps({
        "label": label, "status": response.status_code, "queries": len(queries),
        "ms": round(ms, 1), "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 1),
    }))

if P["profile"]:
    paths = P["profile_paths"]
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for path in paths:
        client.get(path)
    profiler.disable()
    elapsed = time.perf_counter() - start
    n = len(paths)
    stats = pstats.Stats(profiler).stats
    groups = {
        "psycopg: waiting for PostgreSQL": ("psycopg/connection.py", "wait"),
        "Django ORM: SQL compilation (as_sql)": ("models/sql/compiler.py", "as_sql"),
        "Django templates: render": ("django/template/base.py", "render"),
        "registry.selectors.directory": ("registry/selectors.py", "directory"),
        "registry.views.public.directory": ("registry/views/public.py", "directory"),
        "core.text.fold": ("core/text.py", "fold"),
    }
    print(f"PROFILE {n} directory requests, {elapsed / n * 1000:.1f} ms each with the "
          "profiler; cumulative time per request:")
    for label, (suffix, name) in groups.items():
        ct = sum(v[3] for (f, _l, fn), v in stats.items() if f.endswith(suffix) and fn == name)
        calls = sum(v[1] for (f, _l, fn), v in stats.items() if f.endswith(suffix) and fn == name)
        print(f"PROFILE   {ct / n * 1000:7.1f} ms  {calls / n:7.1f} calls  {label}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(12)
    print("PROFILE sorted by own time:")
    for line in out.getvalue().strip().splitlines()[-16:]:
        print("PROFILE " + line)
"""


def run_census(env: dict[str, str], params: dict) -> tuple[dict[str, list[dict]], str]:
    text = manage(
        env | {"ALLOWED_HOSTS": "testserver"},
        "shell",
        "-c",
        CENSUS.replace("PARAMS", repr(json.dumps(params))),
        timeout=900,
    )
    found: dict[str, list[dict]] = defaultdict(list)
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key in ("POLE", "DIRECTORY", "EXPLAIN", "MAP"):
            found[key].append(json.loads(value))
    profile = "\n".join(line[8:] for line in text.splitlines() if line.startswith("PROFILE"))
    return found, profile


# --- HTTP, one request at a time --------------------------------------------------------------


class Http:
    """A plain HTTP/1.1 client (http.client): one request in flight, the connection
    reopened when the server closes it (gunicorn's sync workers always do)."""

    def __init__(self, port: int, timeout: float):
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def get(self, path: str) -> tuple[int, bytes, float]:
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request("GET", path, headers=HEADERS)
                response = self.conn.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
        return response.status, body, time.perf_counter() - start

    def close(self) -> None:
        self.conn.close()


HEADERS = {"User-Agent": "ptce-bench", "Accept-Language": "fr", "Accept": "text/html"}
TOTAL_RE = re.compile(rb'id="results-title"[^>]*>\s*([0-9][0-9\s\xc2\xa0\xe2\x80\xaf,.]*)')


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        values = self.latencies
        if not values:
            return "no answer"
        return (
            f"p50 {percentile(values, 50) * 1000:6.1f} ms  p95 {percentile(values, 95) * 1000:6.1f}"
            f" ms  p99 {percentile(values, 99) * 1000:6.1f} ms  max {max(values) * 1000:6.1f} ms"
        )

    def figures(self) -> dict[str, float]:
        values = self.latencies
        return {
            "n": len(values),
            "p50_ms": percentile(values, 50) * 1000,
            "p95_ms": percentile(values, 95) * 1000,
            "p99_ms": percentile(values, 99) * 1000,
            "max_ms": max(values, default=float("nan")) * 1000,
            "failures": len(self.failures),
        }


def cpu_line(report: dict[str, float], requests: int) -> str:
    if not requests:
        return ""
    return (
        f"  CPU per request: gunicorn {report['server_cpu_s'] / requests * 1000:.1f} ms, "
        f"PostgreSQL {report['postgres_cpu_s'] / requests * 1000:.1f} ms; machine "
        f"{report['machine_busy_pct']:.0f}% busy"
    )


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
    statuses = ["incomplete", "checked", "laureate"]
    out = []
    for _ in range(count):
        kind, words, _w = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
        if kind == "place" and generated.places:
            word, region = rng.choice(generated.places)
        else:
            word, region = rng.choice(words or RARE_WORDS), rng.choice(generated.regions)
        out.append(Search(kind, word, region, rng.choices(statuses, weights=[3, 6, 1])[0]))
    return out


def run_searches(client: Http, searches: list[Search], expected: list[int]) -> dict:
    timings = Timings()
    by_kind: dict[str, list[float]] = defaultdict(list)
    totals: dict[str, list[int]] = defaultdict(list)
    mismatches = []
    for search, want in zip(searches, expected, strict=True):
        status, body, elapsed = client.get(search.path)
        if status != 200:
            timings.failures.append(f"{search.path} -> {status}")
            continue
        timings.latencies.append(elapsed)
        by_kind[search.kind].append(elapsed)
        match = TOTAL_RE.search(body)
        got = int(re.sub(rb"\D", b"", match.group(1))) if match else -1
        totals[search.kind].append(got)
        if got != want:
            mismatches.append(f"{search.path}: page says {got}, SQL {want}")
    return {"timings": timings, "by_kind": by_kind, "totals": totals, "mismatches": mismatches}


def run_gets(client: Http, paths: list[str], check=None) -> Timings:
    timings = Timings()
    for path in paths:
        status, body, elapsed = client.get(path)
        if status != 200:
            timings.failures.append(f"{path} -> {status}")
            continue
        if check is not None and (problem := check(path, body)):
            timings.failures.append(problem)
        timings.latencies.append(elapsed)
    return timings


# --- the export and the RSS of the worker that serves it --------------------------------------


def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (empty when it is gone)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
    except OSError:
        pass
    return values


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


class RssSampler:
    """VmRSS of each worker every ``interval`` seconds, the maximum kept."""

    def __init__(self, pids: list[int], interval: float = 0.01):
        self.pids = pids
        self.interval = interval
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids:
                rss = _proc_status(pid).get("VmRSS", 0)
                self.peak[pid] = max(self.peak[pid], rss)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        return False


def measure_export(port: int, server_pid: int, timeout: float, organisations: int) -> dict:
    workers = _children(server_pid)
    before = {pid: _proc_status(pid) for pid in workers}
    hwm_reset = True
    for pid in workers:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        except OSError:
            hwm_reset = False
    ticks = {pid: _cpu_ticks(pid) for pid in workers}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    result: dict[str, object] = {"available": False, "hwm_reset": hwm_reset}
    with RssSampler(workers) as sampler, tempfile.TemporaryFile() as data:
        start = time.perf_counter()
        conn.request("GET", EXPORT_PATH, headers=HEADERS | {"Accept": "text/csv"})
        response = conn.getresponse()
        first_byte = None
        size = 0
        while chunk := response.read1(1 << 16):
            if first_byte is None:
                first_byte = time.perf_counter() - start
            data.write(chunk)
            size += len(chunk)
        wall = time.perf_counter() - start
        conn.close()
        result.update(status=response.status, seconds=wall, bytes=size)
        result["content_type"] = response.getheader("Content-Type", "")
        result["streaming"] = response.getheader("Content-Length") is None
        result["first_byte_s"] = first_byte
        if response.status == 200:
            result["available"] = True
            data.seek(0)
            with open(data.fileno(), encoding="utf-8-sig", newline="", closefd=False) as text:
                rows = sum(1 for _ in csv.reader(text))
            result["rows"] = rows
            result["expected_rows"] = organisations + 1
    time.sleep(0.05)
    served = max(workers, key=lambda pid: _cpu_ticks(pid) - ticks[pid]) if workers else 0
    after = _proc_status(served)
    result["worker"] = served
    result["rss_before_mb"] = before.get(served, {}).get("VmRSS", 0) / 1024
    result["peak_rss_mb"] = max(after.get("VmHWM", 0), sampler.peak.get(served, 0)) / 1024
    result["sampled_peak_mb"] = sampler.peak.get(served, 0) / 1024
    result["rss_after_mb"] = after.get("VmRSS", 0) / 1024
    result["worker_cpu_s"] = (_cpu_ticks(served) - ticks.get(served, 0)) / os.sysconf("SC_CLK_TCK")
    return result


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--poles", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=200_000)
    parser.add_argument("--memberships", type=int, default=400_000)
    parser.add_argument("--fifty", type=int, default=20, help="poles with exactly 50 members")
    parser.add_argument("--five", type=int, default=5, help="poles with exactly 5 members")
    parser.add_argument("--seed", type=int, default=2014, help="seed of the generated registry")
    parser.add_argument("--searches", type=int, default=200, help="directory searches")
    parser.add_argument(
        "--landing-requests", type=int, default=20, help="GETs of /poles/ without filter"
    )
    parser.add_argument("--pole-requests", type=int, default=200)
    parser.add_argument("--map-requests", type=int, default=100, help="per kind of map view")
    parser.add_argument(
        "--recheck",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run check_poles a second time, nothing having changed (default: yes)",
    )
    parser.add_argument(
        "--profile", type=int, default=0, help="cProfile N directory requests in one process"
    )
    parser.add_argument(
        "--what-if-trgm",
        action="store_true",
        help="then add a GIN pg_trgm index on registry_pole.search_text (in the throwaway "
        "database only) and measure the searches again",
    )
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--request-timeout", type=float, default=60.0)
    parser.add_argument("--check-timeout", type=float, default=900.0)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name) where the throwaway database is made",
    )
    parser.add_argument("--strict-goals", action="store_true", help="missed goals fail the run")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.worker_class == "sync" and args.threads != 1:
        parser.error("--threads needs --worker-class gthread")
    if min(args.poles, args.organisations, args.memberships) < 1:
        parser.error("--poles, --organisations and --memberships must be positive")
    if args.fifty + args.five > args.poles or (args.fifty and args.organisations < 50):
        parser.error("--fifty and --five need that many poles (and 50 organisations)")
    return args


def phase(title: str) -> float:
    print(f"\n-- {title} --", flush=True)
    return time.perf_counter()


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - one linear scenario
    args = parse_args(argv)
    cleanup = Cleanup()
    signal.signal(signal.SIGTERM, _terminate(cleanup))
    machine = machine_description()
    print("== directory at scale benchmark ==")
    print(f"command : {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"machine : {machine['nproc']} cores, {machine['cpu']}, Python {machine['python']}, "
        f"Linux {machine['kernel']}"
    )
    print("load    : {:.2f} {:.2f} {:.2f} (1/5/15 min) before the run".format(*os.getloadavg()))

    dbname = f"ptce_bench_{os.getpid()}_{secrets.token_hex(3)}"
    database_url = f"{args.pg_url.rstrip('/')}/{dbname}"
    port = free_port()
    figures: dict[str, object] = {"machine": machine, "args": vars(args) | {"json": None}}
    phases: dict[str, float] = {}
    failures: list[str] = []
    goals: list[tuple[str, bool | None, str]] = []  # (goal, met, measured)
    server: Server | None = None
    rng = random.Random(args.seed)
    run_start = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="ptce-bench-") as tmp:
        tmpdir = Path(tmp)
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
                pg_memory = conn.execute(
                    "SELECT current_setting('shared_buffers'), current_setting('work_mem')"
                ).fetchone()
            manage(env, "migrate", "--noinput")
            phases["create + migrate"] = time.perf_counter() - t
            print(
                f"database: {dbname} (PostgreSQL {pg_version}, shared_buffers {pg_memory[0]}, "
                f"work_mem {pg_memory[1]}), migrated in {phases['create + migrate']:.1f} s"
            )

            # --- generation
            t = phase(
                f"generation: {args.poles:,} poles, {args.organisations:,} organisations, "
                f"{args.memberships:,} memberships (COPY, seed {args.seed})"
            )
            generated = generate(database_url, args, rng)
            phases["generation"] = time.perf_counter() - t
            counts = table_counts(database_url)
            print(
                "  "
                + ", ".join(f"{label} {n:,}" for label, n in counts.items())
                + f", pole activities {generated.counts['pole activities']:,}, pole networks "
                f"{generated.counts['pole networks']:,}"
            )
            print(
                "  generated in {total:.1f} s (communes {prepare:.1f} s, poles and their "
                "links {poles:.1f} s, organisations {organisations:.1f} s, memberships "
                "{memberships:.1f} s, commit {commit:.1f} s)".format(**generated.seconds)
            )
            figures["generation"] = {"seconds": generated.seconds, "counts": counts}
            for label, want in (
                ("poles", args.poles),
                ("organisations", args.organisations),
                ("memberships", args.memberships),
            ):
                if counts[label] != want:
                    failures.append(f"generation: {counts[label]} {label}, {want} asked")

            # --- the legal check
            t = phase("legal check of the whole registry: manage.py check_poles")
            checks = [("first (writes every pole)", run_check_poles(env, args.check_timeout))]
            if args.recheck:
                checks.append(("again (nothing changed)", run_check_poles(env, args.check_timeout)))
            for label, check in checks:
                print(
                    f"  {label:<26} {check['seconds']:6.1f} s wall, {check['cpu_s']:6.1f} s "
                    f"CPU, peak RSS {check['max_rss_mb']:6.1f} MB  | {check['output']}"
                )
                if check["returncode"] != 0:
                    failures.append(f"check_poles exited {check['returncode']}")
            phases["legal check"] = time.perf_counter() - t
            figures["check"] = dict(checks)
            worst = max(check["seconds"] for _, check in checks)
            goals.append(
                (
                    "legal check < 60 s",
                    worst < GOAL_CHECK_S,
                    " / ".join(f"{c['seconds']:.1f} s" for _, c in checks)
                    + f", peak RSS {max(c['max_rss_mb'] for _, c in checks):.0f} MB",
                )
            )
            with psycopg.connect(database_url) as conn:
                statuses = dict(
                    conn.execute("SELECT status, count(*) FROM registry_pole GROUP BY 1")
                )
            print(f"  statuses: {statuses}")

            t = phase("VACUUM ANALYZE")
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            phases["vacuum analyze"] = time.perf_counter() - t
            print(
                f"  {phases['vacuum analyze']:.1f} s; database size {database_size(database_url)}"
            )

            # --- the plan of requests (and what SQL says the searches must find)
            searches = plan_searches(args.searches, generated, rng)
            with psycopg.connect(database_url) as conn:
                expected = [expected_total(conn, s.q, s.region, s.status) for s in searches]
            big_region = Counter(generated.regions).most_common(1)[0][0]
            fifty_paths = [f"/poles/{slug}/" for slug in generated.fifty]
            five_paths = [f"/poles/{slug}/" for slug in generated.five]

            # --- census in one process
            t = phase("in one process (Django test client): queries of a request")
            heavy = Search("common", "pole", big_region, "checked")
            rare = Search("rare", "ruche", big_region, "checked")
            params = {
                "poles": [
                    ("5 members", five_paths[0]) if five_paths else None,
                    ("50 members", fifty_paths[0]) if fifty_paths else None,
                ],
                "directory": [
                    (f"'{heavy.q}' (every pole) + region {heavy.region} + checked", heavy.path),
                    (f"'{rare.q}' (rare) + region {rare.region} + checked", rare.path),
                    ("no filter", "/poles/"),
                ],
                "map": [
                    ("zoom 5", "/poles/carte/points.json?zoom=5"),
                    ("zoom 8, Lyon", "/poles/carte/points.json?zoom=8&bbox=1.3,43.5,8.3,47.9"),
                ],
                "explain": True,
                "profile": args.profile,
                "profile_paths": [s.path for s in plan_searches(args.profile, generated, rng)],
            }
            params["poles"] = [p for p in params["poles"] if p]
            census, profile = run_census(env, params)
            phases["census"] = time.perf_counter() - t
            figures["census"] = census
            for row in census["POLE"]:
                print(
                    f"  pole page, {row['label']:<11} {row['status']}  {row['queries']:2d} "
                    f"queries  {row['ms']:6.1f} ms  ({row['members']} member links)"
                )
            pole_queries = {row["label"]: row["queries"] for row in census["POLE"]}
            if census["POLE"]:
                print("  queries of the 50-member page:")
                for query in census["POLE"][-1]["sql"]:
                    print(f"    {query}")
            fixed = len(set(pole_queries.values())) == 1 and len(pole_queries) == 2
            goals.append(
                (
                    "pole page: same number of queries for 5 and 50 members",
                    fixed,
                    ", ".join(f"{label}: {n}" for label, n in pole_queries.items()),
                )
            )
            for row in census["POLE"]:
                want = 50 if row["label"] == "50 members" else 5
                if row["status"] != 200 or row["members"] != want:
                    failures.append(f"pole page {row['label']}: {row['members']} member links")
            for row in census["DIRECTORY"]:
                print(
                    f"  directory, {row['label']}: {row['status']}, {row['queries']} queries, "
                    f"{row['ms']:.1f} ms of which SQL {row['sql_ms']:.1f} ms; slowest:"
                )
                for ms_, query in row["top"][:3]:
                    print(f"    {ms_:6.1f} ms  {query}")
            for row in census["EXPLAIN"][:1]:
                print(f"  EXPLAIN (ANALYZE, BUFFERS) of the slowest, {row['label']}:")
                print("    " + row["sql"][:600])
                for line in row["plan"].splitlines():
                    print(f"    | {line}")
            for row in census["MAP"]:
                print(
                    f"  map points, {row['label']}: {row['status']}, {row['queries']} queries, "
                    f"{row['ms']:.1f} ms (SQL {row['sql_ms']:.1f} ms)"
                )
            if profile:
                print("  cProfile:\n    " + profile.replace("\n", "\n    "))

            # --- gunicorn
            t = phase("gunicorn")
            server = Server(args, env, port, tmpdir / "gunicorn.log")
            cleanup.add("stop gunicorn", server.stop)
            print(f"  {shlex.join(server.command)}")
            print(f"  DEBUG=0 CONN_MAX_AGE={args.conn_max_age} PTCE_PLAIN_STATIC=1")
            server.start("/poles/", timeout=60)
            base_url = f"http://127.0.0.1:{port}"
            warm_paths = [
                "/poles/",
                heavy.path,
                fifty_paths[0] if fifty_paths else "/poles/",
                "/poles/carte/points.json?zoom=5",
            ]
            for path in warm_paths:  # every worker loads templates, geo data, connection
                warm = asyncio.run(
                    run_page_load(
                        base_url,
                        path,
                        requests=4 * args.workers * args.threads,
                        connections=2 * args.workers * args.threads,
                        deadline_s=120,
                        request_timeout=args.request_timeout,
                    )
                )
                if warm.failed:
                    failures.append(f"warm-up {path}: {warm.failed} failed {warm.samples[:2]}")
            phases["gunicorn start + warm-up"] = time.perf_counter() - t
            client = Http(port, args.request_timeout)

            # --- 1. directory searches
            t = phase(
                f"1. directory search with two facets: {len(searches)} x GET /poles/?q=…"
                "&region=…&status=…, one at a time"
            )
            with CpuMeter(server.proc.pid, dbname) as meter:
                searched = run_searches(client, searches, expected)
            phases["directory searches"] = time.perf_counter() - t
            timings = searched["timings"]
            print(f"  all       {timings.line()}")
            for kind in ("common", "activity", "place", "rare"):
                values = Timings(searched["by_kind"].get(kind, []))
                totals = sorted(searched["totals"].get(kind, []))
                if values.latencies:
                    print(
                        f"  {kind:<9} {values.line()}  ({len(values.latencies)} searches, "
                        f"median {totals[len(totals) // 2]} poles found, max {totals[-1]})"
                    )
            print(cpu_line(meter.report(), len(timings.latencies)))
            print(
                f"  {len(timings.failures)} non-200, {len(searched['mismatches'])} totals "
                "differing from SQL's"
            )
            for problem in (timings.failures + searched["mismatches"])[:5]:
                print(f"  ! {problem}")
            if timings.failures:
                failures.append(f"directory: {len(timings.failures)} non-200 answers")
            if searched["mismatches"]:
                failures.append(f"directory: {len(searched['mismatches'])} wrong totals")
            search_p95 = percentile(timings.latencies, 95)
            goals.append(
                (
                    "directory search p95 < 100 ms",
                    search_p95 < GOAL_SEARCH_P95_S,
                    f"p50 {percentile(timings.latencies, 50) * 1000:.0f} ms, "
                    f"p95 {search_p95 * 1000:.0f} ms",
                )
            )
            figures["directory"] = timings.figures() | {
                kind: Timings(v).figures() for kind, v in searched["by_kind"].items()
            }
            landing = run_gets(client, ["/poles/"] * args.landing_requests)
            print(
                f"  /poles/ without filter ({args.landing_requests} GETs, no goal): "
                + landing.line()
            )
            figures["directory_landing"] = landing.figures()
            if landing.failures:
                failures.append(f"/poles/: {len(landing.failures)} failed")

            # --- 2. pole pages
            t = phase(f"2. pole page with 50 members: {args.pole_requests} GETs, one at a time")

            def fifty_members(path: str, body: bytes) -> str:
                links = body.count(b'href="/structures/')
                return "" if links == 50 else f"{path}: {links} member links, not 50"

            with CpuMeter(server.proc.pid, dbname) as meter:
                paths = [fifty_paths[i % len(fifty_paths)] for i in range(args.pole_requests)]
                pages = run_gets(client, paths, fifty_members) if fifty_paths else Timings()
            small = run_gets(client, [five_paths[i % len(five_paths)] for i in range(50)])
            phases["pole pages"] = time.perf_counter() - t
            print(f"  50 members {pages.line()}")
            print(f"   5 members {small.line()}  (50 GETs, for comparison)")
            print(cpu_line(meter.report(), len(pages.latencies)))
            for problem in (pages.failures + small.failures)[:5]:
                print(f"  ! {problem}")
            if pages.failures or small.failures:
                failures.append(f"pole pages: {len(pages.failures + small.failures)} failed")
            pole_p95 = percentile(pages.latencies, 95)
            goals.append(
                (
                    "pole page (50 members) p95 < 50 ms",
                    pole_p95 < GOAL_POLE_P95_S,
                    f"p50 {percentile(pages.latencies, 50) * 1000:.0f} ms, "
                    f"p95 {pole_p95 * 1000:.0f} ms",
                )
            )
            figures["pole_page"] = {
                "fifty": pages.figures(),
                "five": small.figures(),
                "queries": pole_queries,
            }

            # --- the map (no goal)
            t = phase(f"map points: {args.map_requests} GETs per view, one at a time")
            with psycopg.connect(database_url) as conn:
                located = conn.execute(
                    "SELECT count(*) FROM registry_pole WHERE latitude IS NOT NULL"
                ).fetchone()[0]

            def whole_map(path: str, body: bytes) -> str:
                total = json.loads(body)["total"]
                return "" if total == located else f"{path}: total {total}, {located} located"

            def map_view(i: int) -> str:
                lat, lon = MAP_CENTRES[i % len(MAP_CENTRES)]
                bbox = f"{lon - 3.5:.2f},{lat - 2.2:.2f},{lon + 3.5:.2f},{lat + 2.2:.2f}"
                return f"/poles/carte/points.json?zoom=8&bbox={bbox}"

            map_figures = {}
            for label, paths, check in (
                ("zoom 5, all France", ["/poles/carte/points.json?zoom=5"] * args.map_requests,
                 whole_map),
                ("zoom 8 + bbox", [map_view(i) for i in range(args.map_requests)], None),
            ):  # fmt: skip
                with CpuMeter(server.proc.pid, dbname) as meter:
                    timed = run_gets(client, paths, check)
                print(f"  {label:<18} {timed.line()}")
                print("  " + cpu_line(meter.report(), len(timed.latencies)).strip())
                for problem in timed.failures[:3]:
                    print(f"  ! {problem}")
                if timed.failures:
                    failures.append(f"map {label}: {len(timed.failures)} failed")
                map_figures[label] = timed.figures()
            phases["map"] = time.perf_counter() - t
            figures["map"] = map_figures

            # --- 3. the export
            t = phase(f"3. full CSV export of organisations: GET {EXPORT_PATH}")
            client.close()
            export = measure_export(
                port, server.proc.pid, args.request_timeout * 10, counts["organisations"]
            )
            phases["export"] = time.perf_counter() - t
            figures["export"] = export
            if not export["available"]:
                print(f"  export: not available ({export['status']})")
                goals.append(("export < 10 s, peak RSS < 150 MB", None, "not available"))
            else:
                print(
                    f"  {export['seconds']:.2f} s ({export['bytes'] / 1e6:.1f} MB, first byte "
                    f"after {export['first_byte_s'] * 1000:.0f} ms, "
                    f"{'streamed' if export['streaming'] else 'with a Content-Length'}, "
                    f"{export['content_type']}); {export['rows']:,} rows for "
                    f"{export['expected_rows']:,} expected (organisations + header)"
                )
                print(
                    f"  worker {export['worker']}: RSS {export['rss_before_mb']:.0f} MB before, "
                    f"peak {export['peak_rss_mb']:.0f} MB (VmHWM"
                    f"{' reset before' if export['hwm_reset'] else ' NOT reset'}, sampled "
                    f"{export['sampled_peak_mb']:.0f} MB), {export['rss_after_mb']:.0f} MB "
                    f"after; {export['worker_cpu_s']:.1f} s of CPU"
                )
                if export["rows"] != export["expected_rows"]:
                    failures.append(
                        f"export: {export['rows']} rows, {export['expected_rows']} expected"
                    )
                goals.append(
                    (
                        "export < 10 s, peak RSS < 150 MB",
                        export["seconds"] < GOAL_EXPORT_S
                        and export["peak_rss_mb"] < GOAL_EXPORT_RSS_MB,
                        f"{export['seconds']:.1f} s, {export['peak_rss_mb']:.0f} MB",
                    )
                )
            client = Http(port, args.request_timeout)

            # --- what if: a trigram index
            if args.what_if_trgm:
                t = phase("what if: GIN pg_trgm index on registry_pole.search_text")
                with psycopg.connect(database_url, autocommit=True) as conn:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    conn.execute(
                        "CREATE INDEX bench_pole_search_trgm ON registry_pole "
                        "USING gin (search_text gin_trgm_ops)"
                    )
                    conn.execute("ANALYZE registry_pole")
                print(f"  index built in {time.perf_counter() - t:.1f} s")
                with CpuMeter(server.proc.pid, dbname) as meter:
                    again = run_searches(client, searches, expected)
                print(f"  all       {again['timings'].line()}")
                for kind in ("common", "activity", "place", "rare"):
                    values = Timings(again["by_kind"].get(kind, []))
                    if values.latencies:
                        print(f"  {kind:<9} {values.line()}")
                print(cpu_line(meter.report(), len(again["timings"].latencies)))
                params.update(poles=[], map=[], profile=0, directory=params["directory"][:2])
                census_trgm, _ = run_census(env, params)
                for row in census_trgm["DIRECTORY"]:
                    print(
                        f"  directory, {row['label']}: {row['ms']:.1f} ms of which SQL "
                        f"{row['sql_ms']:.1f} ms; slowest {row['top'][0][0]:.1f} ms"
                    )
                for row in census_trgm["EXPLAIN"][1:2]:
                    print(f"  EXPLAIN of the slowest query, {row['label']}:")
                    for line in row["plan"].splitlines():
                        print(f"    | {line}")
                figures["what_if_trgm"] = again["timings"].figures()
                phases["what if trgm"] = time.perf_counter() - t
            client.close()
            server.stop()
        except Exception as exc:  # noqa: BLE001 - reported as a failure, clean-up still runs
            failures.append(f"{type(exc).__name__}: {exc}")
            if server is not None:
                print("gunicorn log tail:\n" + server.log_tail(), file=sys.stderr)
        finally:
            cleanup.run()

    print("\n== summary ==")
    print(
        "phases: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items())
        + f"; whole run {time.perf_counter() - run_start:.0f} s"
    )
    missed = []
    for goal, met, measured in goals:
        verdict = "not measured" if met is None else ("met" if met else "MISSED")
        print(f"goal  : {goal:<56} {verdict:<12} ({measured})")
        if met is False:
            missed.append(goal)
    figures["phases"] = phases
    figures["failures"] = failures
    figures["goals"] = goals
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    if missed and args.strict_goals:
        print("FAILED: goals missed (--strict-goals)")
        return 1
    print("PASSED: every invariant holds" + (f" ({len(missed)} goal(s) missed)" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
