"""The registry's demo: the six partner networks of the 2014 press release, the real
laureates of State calls (registry/data/ptce-laureates.csv: 57 laureates, each with its
public source), and invented poles, marked as such, spread over the regions so that the
directory, its facets and the map look true to life. Idempotent: run it again, nothing
is duplicated (real rows by name, invented ones by their "demo-" address)."""

import csv
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from core.french import apostrophes
from registry import geo, services
from registry.models import Activity, Network, Organisation, Pole

DATA = Path(__file__).resolve().parents[2] / "data"
LAUREATES = DATA / "ptce-laureates.csv"

# The partnership named in the press release of 30 July 2014 (the Labo's site is given
# there; the others' are left blank rather than guessed).
NETWORKS = [
    ("Le Labo de l’ESS", "Labo", "https://www.lelabo-ess.org"),
    ("Réseau des collectivités Territoriales pour l’Économie Solidaire", "RTES", ""),
    ("Conseil National des Chambres Régionales de l’ESS", "CNCRES", ""),
    ("COORACE", "COORACE", ""),
    ("Mouvement pour l’Économie solidaire", "MES", ""),
    ("Union fédérale d’intervention des structures culturelles", "Ufisc", ""),
]

ACTIVITIES = [
    "Alimentation et circuits courts",
    "Réemploi et recyclage",
    "Mobilité",
    "Habitat et rénovation",
    "Énergie",
    "Culture et création",
    "Insertion par l’activité économique",
    "Numérique",
    "Textile",
    "Services à la personne",
    "Tourisme",
    "Agriculture",
]

# invented members: (name pattern, category, ESS status, legal form)
MEMBER_KINDS = [
    ("Association {}", "ess_enterprise", "association", "Association loi 1901"),
    ("SCIC {}", "ess_enterprise", "cooperative", "SCIC SA"),
    ("SCOP {}", "ess_enterprise", "cooperative", "SCOP SARL"),
    ("Mutuelle {}", "ess_enterprise", "mutual", "Mutuelle"),
    ("{} Industries", "enterprise", "not_ess", "SAS"),
    ("Menuiserie {}", "enterprise", "not_ess", "SARL"),
    ("Communauté de communes {}", "local_authority", "not_ess", "Établissement public"),
    ("Lycée professionnel {}", "training", "not_ess", "Établissement public"),
    ("Laboratoire {}", "research", "not_ess", "Unité mixte de recherche"),
]
WORDS = [
    "Horizon", "Solidaire", "Les Communs", "La Fabrique", "Terre et Liens", "Le Relais",
    "Ressources", "Équinoxe", "L’Atelier", "Passerelle", "Tremplin", "La Ruche",
]  # fmt: skip
INVENTED_POLES = 40

# The demo's editor, who decides claims and suggestions and imports files: given only with
# DEBUG or --demo-account, as the other demo accounts.
EDITOR = "editrice"
EDITOR_PASSWORD = "demo-ptce-2014"  # noqa: S105 - documented, set only with DEBUG or --demo-account
EDITOR_PERMISSIONS = ["add_organisation", "add_pole", "change_pole"]


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-account",
            action="store_true",
            help=f"create the demo editor {EDITOR} (done anyway when DEBUG is on)",
        )

    def handle(self, *args, demo_account=False, **options):
        with transaction.atomic():
            networks = self.networks()
            activities = self.activities()
            real = self.laureates()
            invented = self.invented(networks, activities)
            if settings.DEBUG or demo_account:
                self.editor()
        counts = services.check_all()
        self.stdout.write(
            f"registry demo: {len(networks)} networks, {real} laureate poles (real, with "
            f"their sources), {invented} invented poles; status: {counts}"
        )
        if settings.DEBUG or demo_account:
            self.stdout.write(
                f"Editor of the directory (claims, suggestions, import): {EDITOR} / "
                f"{EDITOR_PASSWORD} (demo only)"
            )

    def editor(self) -> None:
        user, created = get_user_model().objects.get_or_create(
            username=EDITOR,
            defaults={"first_name": "Éditrice", "last_name": "Démo", "is_staff": True},
        )
        if created:
            user.set_password(EDITOR_PASSWORD)
            user.save()
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="registry", codename__in=EDITOR_PERMISSIONS
            )
        )

    def networks(self) -> list[Network]:
        result = []
        for name, acronym, website in NETWORKS:
            network, _ = Network.objects.update_or_create(
                slug=acronym.lower(),
                defaults={
                    "name": name,
                    "acronym": acronym,
                    "website": website,
                    "is_source_partner": True,
                },
            )
            result.append(network)
        return result

    def activities(self) -> list[Activity]:
        from django.utils.text import slugify

        return [
            Activity.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in ACTIVITIES
        ]

    def laureates(self) -> int:
        count = 0
        with LAUREATES.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                department = row["department_code"].strip()
                commune = geo.find_commune(row["town"], department) if row["town"].strip() else None
                data = {
                    # written as an editor would (« Auton’Homme »); the source's
                    # spelling otherwise
                    "name": apostrophes(row["name"].strip()),
                    "commune_code": commune.code if commune else "",
                    "department_code": "" if commune else department,
                    "region_code": geo.region_code(row["region"]) or "",
                    "source_url": row["source_url"].strip(),
                    "is_demo": False,
                    "territory": [department] if department else [],
                }
                existing = Pole.objects.filter(name=data["name"], is_demo=False).first()
                pole = services.pole_save(data=data, pole=existing)
                services.laureate_add(
                    pole=pole,
                    year=int(row["year"]),
                    source_url=data["source_url"],
                    call=call_label(row),
                )
                count += 1
        return count

    def invented(self, networks, activities) -> int:
        rng = random.Random(2014)  # the same demo every time
        regions = sorted(r for r in geo.regions() if len(r) == 2 and int(r) >= 11)
        towns = []
        for region in regions:
            biggest = sorted(
                (c for c in geo.communes().values() if c.region == region and c.latitude),
                key=lambda c: -c.population,
            )[:12]
            towns.extend(biggest)
        rng.shuffle(towns)
        for index in range(INVENTED_POLES):
            town = towns[index % len(towns)]
            word = WORDS[index % len(WORDS)]
            slug = f"demo-pole-{index + 1:02d}"
            data = {
                "name": f"Pôle {word} {town.name}",
                "commune_code": town.code,
                "description": (
                    f"Pôle inventé pour la démonstration, autour de {town.name}\u00a0: "
                    "il n’existe pas."
                ),
                "strategy": (
                    ""
                    if index % 7 == 3
                    else "Mutualiser des locaux, des emplois et des achats entre structures "
                    "de l’ESS, entreprises et collectivité pour développer le territoire."
                ),
                "legal_form": "Association loi 1901" if index % 3 else "SCIC SAS",
                "siren": "",
                "year_founded": 2008 + index % 15,
                "jobs": 5 + (index * 37) % 180,
                "territory": [town.epci] if town.epci and index % 2 else [town.department],
                "is_demo": True,
                "activities": rng.sample(activities, 2),
                "networks": rng.sample(networks, 1 + index % 2),
            }
            pole = services.pole_save(data=data, pole=Pole.objects.filter(slug=slug).first())
            if pole.slug != slug:
                Pole.objects.filter(pk=pole.pk).update(slug=slug)
            for number, (pattern, category, ess, form) in enumerate(self.member_kinds(index, rng)):
                member_slug = f"demo-structure-{index + 1:02d}-{number + 1}"
                place = town
                if number == 3 and index % 4 == 1:  # a member outside the territory
                    place = towns[(index + 7) % len(towns)]
                organisation = services.organisation_save(
                    data={
                        "name": pattern.format(rng.choice(WORDS)) + f" ({place.name})",
                        "category": category,
                        "ess_status": ess,
                        "legal_form": form,
                        "commune_code": place.code,
                        "is_demo": True,
                    },
                    organisation=Organisation.objects.filter(slug=member_slug).first(),
                )
                if organisation.slug != member_slug:
                    Organisation.objects.filter(pk=organisation.pk).update(slug=member_slug)
                services.membership_set(
                    pole=pole,
                    organisation=organisation,
                    role="initiator" if number == 0 else "member",
                    since=data["year_founded"],
                )
        return INVENTED_POLES

    @staticmethod
    def member_kinds(index: int, rng: random.Random) -> list[tuple]:
        """Four members, as most poles have: an ESS enterprise first (the initiator), an
        enterprise outside the ESS, another article-9 person, one more; some poles lack one
        kind (the report says it is contrary to the rule), some have only two members
        recorded yet (the report says what to complete)."""
        kinds = list(MEMBER_KINDS)
        if index % 10 == 2:  # a few poles without an ESS enterprise: the report says so
            kinds = [k for k in kinds if k[1] != "ess_enterprise"]
        if index % 12 == 4:  # and a few without an enterprise outside the ESS
            kinds = [k for k in kinds if k[1] != "enterprise"]
        chosen = []
        for group in (
            ("ess_enterprise",),
            ("enterprise",),
            ("local_authority", "training", "research"),
        ):
            available = [k for k in kinds if k[1] in group]
            if available:
                chosen.append(rng.choice(available))
        rest = [k for k in kinds if k not in chosen]
        chosen += rng.sample(rest, min(4 - len(chosen), len(rest)))
        if index % 8 == 5:  # members not all recorded yet: to be completed, not contrary
            chosen = chosen[:2]
        return chosen


# ../shared/data/calls-history.md
def call_label(row: dict) -> str:
    """« AMI « PTCE émergents » (2021), phase 2 »: the call of the year, and the phase
    where the source gives one."""
    label = CALLS.get(row["year"], "")
    phase = (row.get("phase") or "").strip()
    return f"{label}, {phase}" if label and phase else label


CALLS = {
    "2013": "1er appel à projets PTCE (2013)",
    "2015": "2e appel à projets PTCE (2015)",
    "2021": "AMI « PTCE émergents » (2021)",
    "2023": "AMI PTCE 2023",
    "2024": "AMI PTCE 2024",
}
