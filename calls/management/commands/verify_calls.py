"""Check the calls' logs: each entry follows the previous one, and every call,
application, assignment, review and decision is as its last entry says."""

from django.core.management.base import BaseCommand, CommandError

from calls import ledger
from calls.models import Call


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--call", metavar="SLUG", help="only this call (its address)")

    def handle(self, *args, call=None, **options):
        calls = Call.objects.order_by("pk")
        if call:
            calls = calls.filter(slug=call)
            if not calls.exists():
                raise CommandError(f"aucun appel à l’adresse « {call} »")
        failing = 0
        for checked in calls:
            problems = ledger.verify(checked)
            if problems:
                failing += 1
                self.stdout.write(f"{checked.slug} : {len(problems)} problème(s)")
                for problem in problems:
                    self.stdout.write(f"  - {problem}")
            else:
                entries = checked.log.count()
                self.stdout.write(f"{checked.slug} : OK ({entries} entrées)")
        if failing:
            raise CommandError(f"le journal ne tient pas pour {failing} appel(s)")
