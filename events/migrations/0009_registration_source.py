"""Registration.source: online, or at the desk on the day (a walk-in). Until now only the
registration's audit entry said so (``data.source``); the walk-ins already registered
get the column from it here. The audit log records what happened: from now on the count
of walk-ins reads this column."""

from django.db import migrations, models


def fill_walk_ins(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    Registration = apps.get_model("events", "Registration")
    walk_ins = AuditEntry.objects.filter(
        action="events.registration.created", data__source="walk_in", object_id__isnull=False
    ).values_list("object_id", flat=True)
    ids = list(walk_ins.iterator(chunk_size=2000))
    for start in range(0, len(ids), 2000):
        Registration.objects.filter(pk__in=ids[start : start + 2000]).update(source="walk_in")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_outbox_sending_skipped"),
        ("events", "0008_merge_0007_registration_reference_0007_session_link"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="source",
            field=models.CharField(
                choices=[("online", "online"), ("walk_in", "at the desk")],
                default="online",
                editable=False,
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.RunPython(fill_walk_ins, migrations.RunPython.noop),
    ]
