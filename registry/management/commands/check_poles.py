from django.core.management.base import BaseCommand

from registry import services
from registry.rules import RULES_VERSION


class Command(BaseCommand):
    help = "Run the legal-definition check (rules R1–R8) on every pole of the registry."

    def handle(self, *args, **options):
        counts = services.check_all()
        total = sum(counts.values())
        details = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
        self.stdout.write(f"{total} poles checked (rules {RULES_VERSION}) — {details or 'none'}")
