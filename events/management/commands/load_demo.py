"""Load the demo: the facts of the press release of 30 July 2014 (idempotent).

The 2e Journée nationale des PTCE took place on Friday 19 September 2014. So that
registration can be tried, the demo replays it on the next Friday 19 September to come
(same hours, same venue); the page says so. Invented people are flagged as demo data.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from core.dates import long_date
from core.errors import DomainError
from core.text import fold
from events import services
from events.models import Event, Partner, Registration, Session, Speaker

PARIS = ZoneInfo("Europe/Paris")
DEMO_SLUG = "2e-journee-nationale-des-ptce"
DEMO_CAPACITY = 320
NETWORKS = [
    ("Le Labo de l’ESS", "https://www.lelabo-ess.org"),
    (
        "RTES – Réseau des collectivités Territoriales pour l’Économie Solidaire",
        "https://www.rtes.fr",
    ),
    ("CNCRES – Conseil National des Chambres Régionales de l’ESS", ""),
    ("COORACE", "https://www.coorace.org"),
    ("MES – Mouvement pour l’Économie Solidaire", ""),
    ("Ufisc", "https://www.ufisc.org"),
]
ACCESS = (
    "RER A ou D : Gare de Lyon\nMétro 1 et 14 : Gare de Lyon\nMétro 6 et 14 : Bercy\nBus 24 et 87"
)
DEMO_ATTENDEES = [
    ("Zoé", "N'Diaye-Lefèvre", "ptce_member", "Pôle fictif des Deux Rives (démo)"),
    ("Hélène", "Lefèvre", "ptce_member", "Pôle fictif du Val (démo)"),
    ("Jean-Marie", "Dupont", "local_authority", "Communauté de communes fictive (démo)"),
    ("Amina", "Benali", "network", "Réseau fictif (démo)"),
    ("Loïc", "Le Gall", "state", "Administration fictive (démo)"),
    ("Chloé", "Martin", "press", "Journal fictif (démo)"),
    ("Mathis", "Ørsted", "other", "Coopérative fictive (démo)"),
]


def next_friday_19_september(today: date) -> date:
    year = today.year
    while True:
        candidate = date(year, 9, 19)
        if candidate > today and candidate.weekday() == 4:
            return candidate
        year += 1


def _charter_url() -> str:
    """The charter's page, when the charter app is installed (a path of this site)."""
    try:
        return reverse("charter:home")
    except NoReverseMatch:
        return ""


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _french_long_date(day) -> str:
    """« vendredi 19 septembre 2031 » in the demo's French text, whatever the language
    the command runs in (the same sentence writes 2014 so; not « 19/09/2031 »)."""
    with translation.override("fr"):
        return long_date(day, weekday=True)


class Command(BaseCommand):
    help = "Load the demo data of the 2e Journée nationale des PTCE (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--no-attendees", action="store_true", help="Load no demo attendee.")
        parser.add_argument(
            "--demo-account",
            action="store_true",
            help="Create the demo organiser account (always done when DEBUG is on).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        day = next_friday_19_september(timezone.localdate())
        existing = Event.objects.filter(slug=DEMO_SLUG).first()
        event, created = Event.objects.update_or_create(
            slug=DEMO_SLUG,
            defaults={
                "title": "2e Journée nationale des PTCE",
                "summary": (
                    "Témoignages de pôles et d’experts, débats avec des représentants "
                    "institutionnels et politiques, sur la contribution des Pôles territoriaux "
                    "de coopération économique à la transformation de l’économie et sur leurs "
                    "perspectives. La journée se conclut par la signature de la « Charte de la "
                    "démarche collective PTCE » par les pôles et les réseaux partenaires. "
                    "Démonstration : la journée du vendredi 19 septembre 2014 est rejouée le "
                    f"{_french_long_date(day)}, mêmes horaires, même lieu."
                ),
                "starts_at": at(day, 9, 30),
                "ends_at": at(day, 16, 30),
                "status": Event.Status.PUBLISHED,
                "is_demo": True,
                "venue_name": "Ministère de l’Économie et des Finances",
                "venue_room": "Centre de conférences Pierre Mendès France",
                "street": "139, rue de Bercy",
                "postal_code": "75012",
                "city": "Paris",
                "access": ACCESS,
                # a new event gets its capacity here; a loaded one through the service,
                # which keeps confirmed ≤ capacity and promotes people waiting
                "capacity": existing.capacity if existing else DEMO_CAPACITY,
                "registration_required": True,
                "registration_opens_at": timezone.now() - timedelta(days=1),
                "registration_closes_at": at(day - timedelta(days=2), 23, 59),
                "waiting_list_enabled": True,
                "id_required": True,
                "walk_ins_allowed": True,
                "entry_notice": "Accès libre, inscription obligatoire",
                "organiser_name": "Le Labo de l’ESS",
                "organiser_url": "https://www.lelabo-ess.org",
                "press_contact_name": "Valérie Evenou",
                "press_contact_phone": "01 80 05 82 06",
                "press_contact_email": "valerie@lelabo-ess.org",
                "embed_origins": "https://www.lelabo-ess.org",
                "retention_days": 90,
            },
        )
        if existing and existing.capacity != DEMO_CAPACITY:
            try:
                services.event_set_capacity(event=event, capacity=DEMO_CAPACITY)
            except DomainError as error:
                self.stderr.write(f"Capacity kept at {existing.capacity}: {error.message}")
        for order, (name, url) in enumerate(NETWORKS):
            Partner.objects.update_or_create(
                event=event, name=name, defaults={"url": url, "order": order}
            )
        self._programme(event, day)
        Event.objects.update_or_create(
            slug="1re-journee-ptce",
            defaults={
                "title": "1re Journée PTCE",
                "summary": (
                    "La première journée des PTCE a confirmé l’intérêt des territoires pour ces "
                    "formes de coopération et permis d’initier l’investissement gouvernemental."
                ),
                "starts_at": datetime(2012, 6, 25, 9, 30, tzinfo=PARIS),
                "ends_at": datetime(2012, 6, 25, 17, 0, tzinfo=PARIS),
                "status": Event.Status.PUBLISHED,
                "is_demo": False,
                "city": "",
                "capacity": 1,
                "registration_required": False,
                "organiser_name": "Le Labo de l’ESS",
                "organiser_url": "https://www.lelabo-ess.org",
                "id_required": False,
            },
        )
        if not options["no_attendees"]:
            self._attendees(event)
        if settings.DEBUG or options["demo_account"]:
            self._organiser(event)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {event.title} on {day:%d/%m/%Y} "
                f"({Event.objects.get(pk=event.pk).confirmed_count} confirmed of {event.capacity})."
            )
        )
        if settings.DEBUG or options["demo_account"]:
            self.stdout.write("Organiser account: organisatrice / demo-ptce-2014 (demo only)")

    def _programme(self, event: Event, day: date) -> None:
        speakers = {}
        for name, role, organisation, is_demo in [
            (
                "Carole Delga",
                "secrétaire d’État chargée de l’Économie sociale et solidaire (2014)",
                "",
                False,
            ),
            (
                "Intervenante fictive A",
                "coordinatrice d’un pôle",
                "Pôle fictif des Deux Rives (démo)",
                True,
            ),
            ("Intervenant fictif B", "chercheur", "Université fictive (démo)", True),
            ("Intervenante fictive C", "élue locale", "Collectivité fictive (démo)", True),
        ]:
            speakers[name], _ = Speaker.objects.update_or_create(
                event=event,
                name=name,
                defaults={"role": role, "organisation": organisation, "is_demo": is_demo},
            )
        outline = [
            (Session.Kind.WELCOME, "Accueil des participants", 9, 30, 10, 0, []),
            (
                Session.Kind.TESTIMONIES,
                "Témoignages de pôles et d’experts",
                10,
                0,
                12,
                0,
                ["Intervenante fictive A", "Intervenant fictif B"],
            ),
            (Session.Kind.BREAK, "Déjeuner", 12, 0, 13, 30, []),
            (
                Session.Kind.ROUND_TABLE,
                "Table ronde : la contribution des PTCE à la transformation de l’économie",
                13,
                30,
                15,
                0,
                ["Intervenante fictive C", "Intervenant fictif B"],
            ),
            (
                Session.Kind.CHARTER_SIGNING,
                "Signature de la Charte de la démarche collective PTCE "
                "par les pôles et les réseaux partenaires",
                15,
                0,
                16,
                0,
                [],
            ),
            (
                Session.Kind.CLOSING,
                "Clôture, en présence des ministres engagés sur le sujet",
                16,
                0,
                16,
                30,
                ["Carole Delga"],
            ),
        ]
        links = {
            Session.Kind.CHARTER_SIGNING: (_charter_url(), "Lire la Charte et ses signataires")
        }
        for kind, title, h1, m1, h2, m2, names in outline:
            link_url, link_label = links.get(kind, ("", ""))
            if not link_url:
                link_label = ""
            session, _ = Session.objects.update_or_create(
                event=event,
                kind=kind,
                defaults={
                    "title": title,
                    "starts_at": at(day, h1, m1),
                    "ends_at": at(day, h2, m2),
                    "link_url": link_url,
                    "link_label": link_label,
                },
            )
            session.speakers.set([speakers[n] for n in names])

    def _attendees(self, event: Event) -> None:
        for first, last, category, organisation in DEMO_ATTENDEES:
            local = fold(f"{first}.{last}").replace("ø", "o").replace("'", "").replace(" ", "")
            email = local.encode("ascii", "ignore").decode() + "@demo.invalid"
            if Registration.objects.filter(event=event, email_key=email).exists():
                continue
            try:
                services.registration_create(
                    event=event,
                    first_name=first,
                    last_name=last,
                    email=email,
                    organisation=organisation,
                    category=category,
                    consent=True,
                    is_demo=True,
                )
            except DomainError as error:
                self.stderr.write(f"{first} {last}: {error}")

    def _organiser(self, event: Event) -> None:
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username="organisatrice",
            defaults={"first_name": "Organisatrice", "last_name": "Démo", "is_staff": True},
        )
        if created:
            user.set_password("demo-ptce-2014")
            user.save()
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="events",
                codename__in=[
                    "change_event",
                    "view_event",
                    "add_session",
                    "change_session",
                    "delete_session",
                    "view_session",
                    "add_speaker",
                    "change_speaker",
                    "view_speaker",
                    "add_partner",
                    "change_partner",
                    "view_partner",
                    "view_registration",
                ],
            )
        )
        event.managers.add(user)
