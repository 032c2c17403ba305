"""Event-wide documents at ten times the national day: 3,000 confirmed registrations.

What it measures and checks, and the results: README, « Bancs d'essai ».

    .venv/bin/python bench/documents_scale.py                 # 3,000 people, PostgreSQL
    .venv/bin/python bench/documents_scale.py --people 300 --sqlite
"""

import argparse
import sys
import time

import _harness as h

NAMES = [
    ("Zoé", "N'Diaye-Lefèvre"),
    ("Nguyễn", "Thị Minh Khai"),
    ("Ольга", "Иванова"),
    ("Γεώργιος", "Παπαδόπουλος"),
    ("देवनागरी", "शर्मा"),
    ("สมชาย", "ใจดี"),
    ("தமிழ்", "செல்வி"),
    ("محمد", "بن علي"),
    ("דוד", "כהן"),
    ("小明", "王"),
    ("민수", "김"),
    ("Marie-Anne-Sophie-Charlotte", "de La Tour d'Auvergne-Lauraguais"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--sqlite", action="store_true", help="a throwaway SQLite file")
    parser.add_argument(
        "--kinds",
        default="badges_a6,badges_a4x4,security_pdf,security_csv,registrations_csv,"
        "registrations_xlsx,attendance_csv",
    )
    args = parser.parse_args()

    with h.Cleanup() as cleanup:
        db = cleanup.enter_context(h.database(sqlite=args.sqlite))
        h.setup_django(h.app_env(db, TASKS_BACKEND="dummy", EMAIL_BACKEND="locmem"))
        return 1 if run(args) else 0


def run(args) -> bool:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from events.models import Event, EventDocument, Registration
    from events.tasks import build_event_document

    call_command("migrate", verbosity=0)
    now = timezone.now()
    event = Event.objects.create(
        slug="journee-bench",
        title="3e journée nationale des PTCE",
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=7),
        status=Event.Status.PUBLISHED,
        capacity=args.people,
        confirmed_count=args.people,
        venue_name="Centre de conférences",
        city="Paris",
    )
    categories = Registration.Category.values
    people = []
    for n in range(args.people):
        first, last = NAMES[n % len(NAMES)]
        people.append(
            Registration(
                event=event,
                first_name=first,
                last_name=f"{last} {n}",
                email=f"p{n}@example.org",
                email_key=f"p{n}@example.org",
                search_text=f"{last} {first}".lower(),
                organisation=f"Pôle territorial n° {n % 97}",
                category=categories[n % len(categories)],
                status=Registration.Status.CONFIRMED,
                consent_at=now,
                confirmed_at=now,
                created_at=now - timedelta(minutes=n),
            )
        )
    Registration.objects.bulk_create(people, batch_size=1000)
    organiser = get_user_model().objects.create_user("orga", password="x", is_staff=True)
    event.managers.add(organiser)
    client = Client()
    client.force_login(organiser)

    print(f"{args.people} confirmed registrations, {connection.vendor}")
    columns = ("request", "build", "queries", "size", "download")
    print(f"{'document':<20} " + " ".join(f"{c:>9}" for c in columns))
    failed = False
    for kind in args.kinds.split(","):
        url = reverse("events_manage:document_prepare", args=[event.slug, kind])
        start = time.perf_counter()
        response = client.post(url)
        request_s = time.perf_counter() - start
        document = EventDocument.objects.get(event=event, kind=kind)
        queries: list[str] = []

        def count(run, sql, *rest, queries=queries):
            queries.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count):
            start = time.perf_counter()
            outcome = build_event_document.func(
                document_id=document.pk, build_token=document.build_token
            )
            build_s = time.perf_counter() - start
        document.refresh_from_db()
        start = time.perf_counter()
        download = client.get(reverse("events_manage:document_download", args=[event.slug, kind]))
        size = sum(len(c) for c in download.streaming_content) if download.status_code == 200 else 0
        download_s = time.perf_counter() - start
        print(
            f"{kind:<20} {request_s * 1000:>7.0f}ms {build_s:>8.2f}s {len(queries):>9}"
            f" {size / 1024:>7.1f}kB {download_s * 1000:>7.0f}ms"
        )
        if response.status_code != 302 or request_s >= 1 or outcome != "ready":
            print(f"  FAILED: request {response.status_code}, {request_s:.2f}s, build {outcome}")
            failed = True
    return failed


if __name__ == "__main__":
    h.use_venv()
    sys.exit(main())
