import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from charter import ledger, selectors
from charter.models import LedgerHead


class Command(BaseCommand):
    help = (
        "Check the charter's ledger: each entry follows the previous one and the last digest "
        "is the published one. Without --file, the database (and each signature's status "
        "against its last entry); with --file, an exported registre.json, against the "
        "digest published on the site (--digest: a file proves nothing against itself)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="an exported registre.json")
        parser.add_argument("--digest", help="the published digest to check against")

    def handle(self, *args, file=None, digest=None, **options):
        if file:
            if not digest:
                raise CommandError(
                    "give --digest: the digest published on the site (or by the organisers); "
                    "the one inside the file could have been recomputed with it"
                )
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read {file}: {exc}") from exc
            entries = data.get("entries", [])
            problems = ledger.verify(entries, digest)
        else:
            entries = selectors.ledger_entries()
            head = LedgerHead.objects.filter(pk=1).first()
            digest = digest or (head.digest if head else ledger.GENESIS)
            problems = ledger.verify(entries, digest) + selectors.ledger_mismatches()
        if problems:
            for problem in problems:
                self.stdout.write(problem)
            raise CommandError(f"the ledger does not hold ({len(problems)} problem(s))")
        self.stdout.write(f"ledger holds: {len(entries)} entries, digest {digest}")
