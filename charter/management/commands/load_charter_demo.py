"""The charter's demo: two versions (19 September 2014, revised June 2021, per
../shared/data/calls-history.md) whose text is a placeholder, labelled as such — the
real text is not in our sources — and signatures of invented demo poles only (no real
pole is said to have signed). Idempotent. Run after load_demo and load_registry_demo."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from charter import services
from charter.models import CharterVersion, Signature
from events.models import Event
from registry.models import Pole

PLACEHOLDER = """# Charte de la démarche collective PTCE

*Texte de remplacement pour la démonstration : le texte de la charte n'est pas dans les
sources de ce projet.*

## Ce que la charte engage (résumé de démonstration)

1. Coopérer sur un même territoire entre entreprises de l'économie sociale et solidaire,
   entreprises, collectivités, recherche et formation.
2. Mettre en œuvre une stratégie commune et continue de mutualisation.
3. Partager les pratiques entre pôles et avec les réseaux partenaires.
"""

VERSIONS = [
    (
        1,
        date(2014, 9, 19),
        "Lancée lors de la 2e Journée nationale des PTCE, signée ce jour-là par 39 pôles.",
        PLACEHOLDER,
    ),
    (
        2,
        date(2021, 6, 1),
        "Révision de juin 2021.",
        PLACEHOLDER + "4. Rendre compte chaque année de l'activité du pôle.\n",
    ),
]


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options):
        with transaction.atomic():
            for number, published_on, summary, body in VERSIONS:
                CharterVersion.objects.update_or_create(
                    number=number,
                    defaults={
                        "title": "Charte de la démarche collective PTCE",
                        "published_on": published_on,
                        "summary": summary,
                        "body": body,
                        "is_placeholder": True,
                    },
                )
        current = services.current_version()
        event = Event.objects.filter(slug="2e-journee-nationale-des-ptce").first()
        organiser = get_user_model().objects.filter(is_superuser=True).first()
        count = 0
        for pole in Pole.objects.filter(is_demo=True, status="checked").order_by("slug")[:8]:
            if Signature.objects.filter(version=current, pole=pole).exists():
                continue
            services.ceremony_record(
                version=current,
                event=event,
                signer=pole,
                name="Signataire de démonstration",
                mandate="présidence (démonstration)",
                actor=organiser,
            )
            count += 1
        self.stdout.write(
            f"charter demo: {CharterVersion.objects.count()} versions (placeholder text), "
            f"{count} new signatures of invented poles"
        )
