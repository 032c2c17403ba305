"""Registration.ticket_hash: the SHA-256 of the ticket's code, indexed, so that the door
finds a person found by name on a phone in one lookup instead of signing every ticket of
the event. Existing rows are filled here (the computation is copied, not imported, so that
this migration keeps working if the code moves)."""

import hashlib

from django.core import signing
from django.db import migrations, models

TICKET_SALT = "ptce.events.ticket.v1"


def fill_ticket_hashes(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    signer = signing.Signer(salt=TICKET_SALT)
    rows = Registration.objects.filter(ticket_hash="").only("pk", "ticket_secret")
    batch = []
    for registration in rows.iterator(chunk_size=2000):
        code = signer.sign(registration.ticket_secret)
        registration.ticket_hash = hashlib.sha256(code.encode()).hexdigest()
        batch.append(registration)
        if len(batch) >= 2000:
            Registration.objects.bulk_update(batch, ["ticket_hash"])
            batch = []
    Registration.objects.bulk_update(batch, ["ticket_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_event_walk_ins_allowed"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="ticket_hash",
            field=models.CharField(db_index=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(fill_ticket_hashes, migrations.RunPython.noop),
    ]
