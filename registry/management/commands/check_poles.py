from django.core.management.base import BaseCommand

from registry import services
from registry.models import Pole
from registry.rules import RULES_VERSION


class Command(BaseCommand):
    help = (
        "Run the legal-definition check (rules R1–R7) on every pole of the registry and set "
        "each status: laureate, checked (meets the definition), incomplete (the data does "
        "not show it yet) or contrary (the data contradicts a rule of the law)."
    )

    def handle(self, *args, **options):
        counts = services.check_all()
        total = sum(counts.values())
        details = ", ".join(
            f"{status}: {counts[status]}" for status in Pole.Status.values if status in counts
        )
        self.stdout.write(f"{total} poles checked (rules {RULES_VERSION}) — {details or 'none'}")
