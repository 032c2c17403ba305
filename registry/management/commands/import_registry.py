from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from registry import importing


class Command(BaseCommand):
    help = (
        "Import organisations (with their pole and role) or poles from a CSV file: checks "
        "every row, shows what would change, then writes all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(importing.KINDS))
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change, write nothing"
        )

    def handle(self, *args, kind, path, dry_run, **options):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            plan = importing.plan(raw, kind)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(
            f"{path.name}: {len(plan.rows) + len(plan.errors)} rows "
            f"({plan.encoding}, separator '{plan.delimiter}')"
        )
        for error in plan.errors:
            column = f" [{error.column}]" if error.column else ""
            self.stdout.write(f"  line {error.line}{column}: {error.message}")
        for row in plan.rows:
            if row.action == "unchanged":
                continue
            changes = ", ".join(f"{k}: {a!r} → {b!r}" for k, (a, b) in row.changes.items())
            self.stdout.write(f"  line {row.line} {row.action} {row.name}: {changes}")
        counts = plan.counts()
        summary = ", ".join(f"{n} {action}" for action, n in counts.items())
        if not plan.ok:
            raise CommandError(f"{len(plan.errors)} row(s) refused: nothing imported ({summary})")
        if dry_run:
            self.stdout.write(f"dry run: {summary}; nothing written")
            return
        importing.apply(plan)
        self.stdout.write(f"imported: {summary}")
