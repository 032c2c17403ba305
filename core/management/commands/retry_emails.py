from django.core.management.base import BaseCommand

from core.mail import outbound_retry_failed


class Command(BaseCommand):
    help = "Queue again the emails whose sending failed and that have attempts left."

    def handle(self, *args, **options):
        count = outbound_retry_failed()
        self.stdout.write(f"{count} email(s) queued again.")
