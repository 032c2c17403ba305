"""The moderation page at scale: likely duplicates among many organisations of one
commune, and long queues of claims and suggestions.

What it measures and checks, and the results: README, « Bancs d'essai ».

    .venv/bin/python bench/moderation_scale.py [--crowded 2009] [--others 20000]
"""

import argparse
import os
import random
import sys
import time

import _harness as h


def _word(rng) -> str:
    return "".join(
        rng.choice("bcdfglmnprstv") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crowded", type=int, default=2009)
    parser.add_argument("--others", type=int, default=20_000)
    parser.add_argument("--pending", type=int, default=500)
    parser.add_argument("--goal", type=float, default=1.0)
    parser.add_argument("--strict-goals", action="store_true")
    args = parser.parse_args()

    with h.Cleanup() as cleanup:
        db = cleanup.enter_context(h.database(sqlite=True))
        # DEBUG on unless said otherwise, as before the harness
        h.setup_django(h.app_env(db, DEBUG=os.environ.get("DEBUG", "1"), TASKS_BACKEND="immediate"))
        return run(args)


def run(args) -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from registry import geo, selectors, services
    from registry.models import Organisation, PoleClaim, Suggestion

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    communes = list(geo.communes())[:500]
    planted = [("Les Jardins de Cocagne", "Jardins de Cocagne (SCOP)")]
    names = set()
    while len(names) < args.crowded:
        names.add(f"{_word(rng).title()} {_word(rng)} {_word(rng)}")
    rows = [("26281", name) for name in sorted(names)]
    rows += [
        (rng.choice(communes), f"{_word(rng).title()} {_word(rng)}") for _ in range(args.others)
    ]
    rows = [("26281", planted[0][0]), *rows, ("26281", planted[0][1])]
    objects = []
    for n, (commune, name) in enumerate(rows):
        organisation = Organisation(
            name=name,
            slug=f"o-{n}",
            commune_code=commune,
            category="ess_enterprise",
            ess_status="association",
        )
        organisation.set_name_key()
        objects.append(organisation)
    Organisation.objects.bulk_create(objects, batch_size=1000)
    pole = services.pole_save(data={"name": "Pôle Sud Archer", "commune_code": "26281"})
    PoleClaim.objects.bulk_create(
        PoleClaim(pole=pole, name=f"P {n}", email=f"p{n}@example.org", role="présidente")
        for n in range(args.pending)
    )
    Suggestion.objects.bulk_create(
        Suggestion(pole=pole, message=f"Correction {n} de la fiche") for n in range(args.pending)
    )
    print(f"{len(rows)} organisations ({args.crowded + 2} in one commune), {args.pending} claims")

    failures = []
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        found = selectors.likely_duplicates()
        seconds = time.perf_counter() - start
    print(f"likely_duplicates: {seconds:.2f} s, {len(queries)} queries")
    pairs = [{a[1], b[1]} for a, b in found["similar_organisations"]]
    if {*planted[0]} not in pairs:
        failures.append(f"planted duplicate not found: {pairs[:5]}")
    editor = get_user_model().objects.create_user("editeur", password="x", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename="change_pole"))
    client = Client()
    client.force_login(editor)
    client.get("/gestion/annuaire/moderation/")  # warm-up: templates, translations, URLs
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get("/gestion/annuaire/moderation/")
        page_seconds = time.perf_counter() - start
    shown = response.content.decode().count('name="claim"')
    print(f"moderation page: {page_seconds:.2f} s, {len(queries)} queries, {shown} claims shown")
    if response.status_code != 200 or shown != min(args.pending, selectors.MODERATION_LIST):
        failures.append(f"moderation page: {response.status_code}, {shown} claims shown")
    goal = "met" if page_seconds <= args.goal else "MISSED"
    print(f"goal: the page under {args.goal:.1f} s: {goal}")
    if args.strict_goals and page_seconds > args.goal:
        failures.append("goal missed")
    print("\n".join(failures) if failures else "all invariants hold")
    return 1 if failures else 0


if __name__ == "__main__":
    h.use_venv()
    sys.exit(main())
