"""Scan times that a device sent before they were bounded (issue 9): a time before the
door's hours (year 1, year 2000…) or after the server received it becomes the time the
server received it. Before this, a year-1 time stored before year 1 UTC made every read of
the event's admissions fail. The comparison is made by the database: no such value is
ever read."""

from datetime import timedelta

from django.db import migrations
from django.db.models import F, Q

DOOR_OPENS_BEFORE = timedelta(hours=6)  # checkin.services.DOOR_OPENS_BEFORE, copied


def repair_scan_times(apps, schema_editor):
    for name in ("Admission", "Scan"):
        model = apps.get_model("checkin", name)
        model.objects.filter(
            Q(scanned_at__lt=F("event__starts_at") - DOOR_OPENS_BEFORE)
            | Q(scanned_at__gt=F("received_at"))
        ).update(scanned_at=F("received_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("checkin", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(repair_scan_times, migrations.RunPython.noop),
    ]
