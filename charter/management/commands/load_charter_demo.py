"""The charter's demo: two versions (19 September 2014, revised June 2021, per
../shared/data/calls-history.md) whose text is a placeholder, labelled as such — the
real text is not in our sources — and signatures of invented demo poles only (no real
pole is said to have signed). Idempotent. Run after load_demo and load_registry_demo.

The demo says only what its data shows: the 2014 signatures (on paper) are not in the
register, so the text does not count them; the demo signatures are of the version in
force, made online through the services (asked, then confirmed by the emailed link) at
the time the demo is loaded — none « in the room », since the demo's Journée nationale
is still to come (the organiser records those on the day, from the ceremony page)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from charter import selectors, services
from charter.models import CharterVersion, Signature
from registry.models import Pole

PLACEHOLDER = """# Charte de la démarche collective PTCE

*Texte de remplacement pour la démonstration\u00a0: le texte de la charte n’est pas dans les
sources de ce projet.*

## Ce que la charte engage (résumé de démonstration)

1. Coopérer sur un même territoire entre entreprises de l’économie sociale et solidaire,
   entreprises, collectivités, recherche et formation.
2. Mettre en œuvre une stratégie commune et continue de mutualisation.
3. Partager les pratiques entre pôles et avec les réseaux partenaires.
"""

VERSIONS = [
    (
        1,
        date(2014, 9, 19),
        (
            "Lancée lors de la 2e Journée nationale des PTCE, le 19 septembre 2014. "
            "Les signatures de 2014, sur papier, ne sont pas dans ce registre."
        ),
        PLACEHOLDER,
    ),
    (
        2,
        date(2021, 6, 1),
        "Révision de juin 2021\u00a0: un quatrième engagement (démonstration).",
        PLACEHOLDER + "4. Rendre compte chaque année de l’activité du pôle.\n",
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
        current = CharterVersion.objects.in_force()
        organiser = get_user_model().objects.filter(is_superuser=True).first()
        count = 0
        for pole in Pole.objects.filter(is_demo=True, status="checked").order_by("slug")[:8]:
            if Signature.objects.made().filter(version=current, pole=pole).exists():
                continue
            # the online path, as a pole's manager takes it: asked, then confirmed
            signature = services.signature_request(
                version=current,
                signer=pole,
                name="Signataire de démonstration",
                mandate="présidence (démonstration)",
                email=f"signature-{pole.slug}@demo.example"[:254],
                actor=organiser,
            )
            services.signature_confirm(token=services.confirmation_token(signature))
            count += 1
        self.stdout.write(
            f"charter demo: {CharterVersion.objects.count()} versions (placeholder text), "
            f"{count} new signatures of invented poles, "
            f"{selectors.signed_count(current)} signatures of version {current.number} in force"
        )
