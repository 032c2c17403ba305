from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from charter import services
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Publish a new version of the charter from a Markdown file; the signatories of the "
        "version in force are invited by email to sign the new one."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", type=int)
        parser.add_argument("text", type=Path, help="the charter's text, in Markdown")
        parser.add_argument("--title", default="Charte de la démarche collective PTCE")
        parser.add_argument("--summary", default="")
        parser.add_argument("--date", type=date.fromisoformat, default=date.today())
        parser.add_argument("--placeholder", action="store_true")

    def handle(self, *args, number, text, title, summary, date, placeholder, **options):
        try:
            body = text.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {text}: {exc}") from exc
        try:
            version = services.version_publish(
                number=number,
                title=title,
                body=body,
                published_on=date,
                summary=summary,
                is_placeholder=placeholder,
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"published version {version.number} of {version.published_on}")
