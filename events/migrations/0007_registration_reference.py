"""Registration.reference: a short code a person can type (events.references), unique
per event. Existing rows get one here, before the constraint (the generation is copied,
not imported, so that this migration keeps working if the code moves)."""

import secrets

from django.db import migrations, models

import events.references

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8


def fill_references(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    taken: dict[int, set[str]] = {}
    batch = []
    rows = Registration.objects.filter(reference="").only("pk", "event_id").order_by("pk")
    for registration in rows.iterator(chunk_size=2000):
        used = taken.setdefault(registration.event_id, set())
        while True:
            reference = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
            if reference not in used:
                break
        used.add(reference)
        registration.reference = reference
        batch.append(registration)
        if len(batch) >= 2000:
            Registration.objects.bulk_update(batch, ["reference"])
            batch = []
    Registration.objects.bulk_update(batch, ["reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_merge_documents_ticket_hash"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="reference",
            field=models.CharField(
                default="", editable=False, max_length=10, verbose_name="reference"
            ),
        ),
        migrations.RunPython(fill_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="registration",
            name="reference",
            field=models.CharField(
                default=events.references.new_reference,
                editable=False,
                max_length=10,
                verbose_name="reference",
            ),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                fields=("event", "reference"), name="registration_reference_per_event"
            ),
        ),
    ]
