from django.core.management.base import BaseCommand

from events.tasks import erase_expired_personal_data


class Command(BaseCommand):
    help = (
        "Queue the erasure of personal data of events past their retention period "
        "(run daily, e.g. from cron)."
    )

    def handle(self, *args, **options):
        result = erase_expired_personal_data.enqueue()
        self.stdout.write(f"Erasure task queued ({result.status}).")
