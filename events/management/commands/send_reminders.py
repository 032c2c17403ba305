from django.core.management.base import BaseCommand, CommandError

from events import services
from events.models import Event


class Command(BaseCommand):
    help = "Queue the reminder email to every confirmed attendee of an event (never twice)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The event's slug")

    def handle(self, *args, slug, **options):
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            raise CommandError(f"No event with slug {slug!r}.")
        count = services.event_send_reminders(event=event)
        self.stdout.write(f"{count} reminder(s) queued for {event.title}.")
