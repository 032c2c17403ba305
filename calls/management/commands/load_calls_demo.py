"""The calls' demo: the 2013 call as history (its reported counts and dates, its laureates
the registry knows, with their sources) and a two-stage call in progress, invented and
marked « (fictif) ». Idempotent. Run after load_registry_demo and load_charter_demo.

The 2013 call (../shared/data/calls-history.md): launched in July 2013 with the Caisse des
dépôts; about 180 applications; 23 laureates announced on 10 January 2014; €3 M over 3
years, €72k–290k per pole. Only what the sources give is written: the closing date, each
file's submission date and each laureate's amount are not in them (see ``call_2013``).

The invented call is built as the services would leave it, every change appended to its
log (``calls.ledger``), so ``verify_calls`` holds: published, closed 12 days ago,
three regional cells then a national cell; applications of the registry's invented poles,
their answers filled; twelve invented jurors whose organisations come from the registry
(some are members of applying poles: the conflicts appear), conflicts found by the jury
service's detection (``conflicts_detect``, the same a call manager runs, so running it
again finds nothing new) and the « to review » ones decided by the call manager with a
reason before the assignment (all of them in the closed cells, two in the open one),
assignments by the solver as the manager runs it (``assignment_run``), reviews with seeded
random scores; the regional cells closed, their best files passed on to the
national cell, which is partly scored (the documented juror keeps two files to score).
No juror has scored a file whose conflict is open or confirmed. No decision yet.
"""

import hashlib
import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from calls import ledger, ranking
from calls.models import (
    Application,
    Assignment,
    Call,
    Conflict,
    Criterion,
    Decision,
    Juror,
    Question,
    Review,
    Score,
    Section,
    Stage,
)
from calls.rules import STATE_CALL_RULES
from calls.selectors_setup import pole_eligibility
from calls.services import jury
from calls.services.applications import canonical
from registry.models import Laureate, Organisation, Pole

# the demo accounts' password (README, « Appels à projets »)
PASSWORD = "demo-ptce-2025"  # noqa: S105 - documented, set only with DEBUG or --demo-account
MANAGER, JUROR, POLE_MANAGER = "gestionnaire-appels", "jure-appels", "gestionnaire-pole"
# the call manager's decisions on « to review » conflicts, in turn (invented reasons)
DECISIONS = [
    ("confirm", "Le juré travaille avec ce pôle sur son territoire (décision fictive)."),
    ("dismiss", "Même région, aucun lien avec le pôle (décision fictive)."),
    ("dismiss", "Lien ancien, sans rapport avec le projet présenté (décision fictive)."),
]

SLUG_2013 = "appel-a-projets-ptce-2013"
SLUG_DEMO = "demo-appel-ptce-deux-temps"
SLUG_OPEN = "demo-appel-ptce-ouvert"
SOURCE_2013 = (
    "http://franceurbaine.org/taxonomy/term/1480/"
    "laureats-de-lappel-projets-pour-le-developpement-des-poles-territoriaux-de"
)

# three regional cells covering metropolitan France (INSEE region codes), then a national one
CELLS = [
    ("Cellule régionale Nord et Est (fictif)", ["11", "24", "27", "32", "44"], 4),
    ("Cellule régionale Ouest (fictif)", ["28", "52", "53", "75"], 4),
    ("Cellule régionale Sud-Est (fictif)", ["76", "84", "93", "94"], 4),
]
CRITERIA = [
    ("Coopération entre les membres", 3, 2),
    ("Ancrage territorial", 2, None),
    ("Modèle économique", 2, None),
]
APPLICATIONS = 36
# (first name, last name, feminine): invented people
PEOPLE = [
    ("Claire", "Dubois", True),
    ("Mathieu", "Lefèvre", False),
    ("Nadia", "Benali", True),
    ("Olivier", "Garnier", False),
    ("Sophie", "Marchand", True),
    ("Thomas", "Roux", False),
    ("Élise", "Fournier", True),
    ("Karim", "Haddad", False),
    ("Julie", "Perrin", True),
    ("Antoine", "Meunier", False),
    ("Hélène", "Carpentier", True),
    ("Lucas", "Morel", False),
]


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-account",
            action="store_true",
            help="give the demo accounts their documented password (always with DEBUG)",
        )

    def handle(self, *args, demo_account=False, **options):
        with transaction.atomic():
            manager = self.manager_account()
            old = self.call_2013(manager)
            demo = Call.objects.filter(slug=SLUG_DEMO).first() or self.call_demo(manager)
            demo.managers.add(manager)
            pole_manager = self.pole_manager_account(demo)
            open_call = Call.objects.filter(slug=SLUG_OPEN).first() or self.call_open(manager)
            eligible = self.eligible_pole(open_call, pole_manager)
            if settings.DEBUG or demo_account:
                self.set_passwords()
        self.stdout.write(
            f"calls demo: {old.title} ({old.applications.count()} laureates the registry "
            f"knows, of {old.reported_laureates} reported); {demo.title}: "
            f"{demo.applications.count()} applications, {demo.stages.count()} stages, "
            f"{Juror.objects.filter(stage__call=demo).count()} juror seats, "
            f"{Assignment.objects.filter(stage__call=demo).count()} assignments, "
            f"{Review.objects.filter(assignment__stage__call=demo).count()} reviews; "
            f"{open_call.title}: open"
            + (f", {eligible.name} may apply" if eligible else ", no invented pole eligible")
        )
        if settings.DEBUG or demo_account:
            self.stdout.write(
                f"Call manager: {MANAGER}, juror: {JUROR}, pole manager: {POLE_MANAGER} "
                f"/ {PASSWORD} (demo only)"
            )

    # --- accounts ------------------------------------------------------------------------

    def account(self, username, first_name, last_name, **extra):
        user, _created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.example",
                **extra,
            },
        )
        if _created:
            user.set_unusable_password()
            user.save()
        return user

    def manager_account(self):
        user = self.account(MANAGER, "Gestionnaire", "des appels (fictif)", is_staff=True)
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="calls", codename__in=["change_call", "view_call"]
            )
        )
        return user

    def pole_manager_account(self, call):
        """The manager of the first applying invented pole (its application is theirs)."""
        user = self.account(POLE_MANAGER, "Gestionnaire", "de pôle (fictif)")
        application = call.applications.order_by("pk").first()
        application.pole.managers.add(user)
        return user

    def eligible_pole(self, call, user) -> Pole | None:
        """The pole manager also runs an invented pole that may apply to the open call (one
        without an application to it), so that applying can be tried in the demo."""
        for pole in user.managed_poles.filter(is_demo=True).order_by("slug"):
            if pole_eligibility(call, pole).eligible and not call.applications.filter(pole=pole):
                return pole
        applied = Application.objects.values("pole")
        for pole in Pole.objects.filter(is_demo=True).exclude(pk__in=applied).order_by("slug"):
            if pole_eligibility(call, pole).eligible:
                pole.managers.add(user)
                return pole
        return None

    def set_passwords(self):
        for user in get_user_model().objects.filter(username__in=[MANAGER, JUROR, POLE_MANAGER]):
            if not user.check_password(PASSWORD):
                user.set_password(PASSWORD)
                user.save()

    # --- the 2013 call: history, as the sources give it ------------------------------------

    def call_2013(self, manager) -> Call:
        existing = Call.objects.filter(slug=SLUG_2013).first()
        if existing:
            existing.managers.add(manager)
            Call.objects.filter(pk=existing.pk).update(dates_approximate=True)
            return existing
        paris = timezone.get_current_timezone()
        announced = datetime(2014, 1, 10, 12, 0, tzinfo=paris)
        call = Call.objects.create(
            title="1er appel à projets PTCE (2013)",
            slug=SLUG_2013,
            summary=(
                "Premier appel à projets de l’État pour le développement des pôles "
                "territoriaux de coopération économique, lancé en juillet 2013 avec la Caisse "
                "des dépôts. Environ 180 candidatures, 23 lauréats annoncés le 10 janvier "
                "2014, 3 millions d’euros sur trois ans (de 72\u202f000 à 290\u202f000 euros "
                "par pôle). "
                "Les candidatures se faisaient hors de cette plateforme."
            ),
            funders="État (appel interministériel), Caisse des dépôts",
            budget=Decimal("3000000"),
            # the sources give the month of the launch only: the 1st stands for it
            opens_at=datetime(2013, 7, 1, tzinfo=paris),
            # the closing date is not in the sources: the announcement bounds it
            closes_at=announced,
            results_on=announced.date(),
            published_at=datetime(2013, 7, 1, tzinfo=paris),
            results_published_at=announced,
            dates_approximate=True,  # the page says « vers juillet 2013 », no time
            reported_applications=180,  # « about 180 »
            reported_laureates=23,
            source_url=SOURCE_2013,
            is_demo=False,
        )
        call.managers.add(manager)
        ledger.record(call, "call.created", call, historical=True)
        # the laureates the registry knows (registry Laureate rows of 2013, each with its
        # source): one submitted application and one decision each, nothing invented —
        # each file's submission date is not known (the announcement bounds it), nor its
        # amount (only the range, €72k–290k), nor its project's title
        laureates = Laureate.objects.filter(year=2013, pole__is_demo=False).select_related("pole")
        for laureate in laureates.order_by("pole__name"):
            application = Application.objects.create(
                call=call,
                pole=laureate.pole,
                status=Application.Status.SUBMITTED,
                submitted_at=announced,
            )
            ledger.record(call, "application.submitted", application, historical=True)
            decision = Decision.objects.create(
                application=application,
                outcome=Decision.Outcome.LAUREATE,
                amount=None,  # not in the sources
                reason=f"Lauréat annoncé le 10 janvier 2014 (source\u00a0: {laureate.source_url}).",
                decided_at=announced,
            )
            ledger.record(call, "decision.recorded", decision, historical=True)
        ledger.record(call, "call.results_published", call, historical=True)
        return call

    # --- the invented two-stage call -------------------------------------------------------

    def call_demo(self, manager) -> Call:
        now = timezone.now().replace(microsecond=0)
        closes = now - timedelta(days=12)
        call = Call.objects.create(
            title="Appel à projets PTCE en deux temps (fictif)",
            slug=SLUG_DEMO,
            summary=(
                "Appel inventé pour la démonstration\u00a0: des cellules régionales examinent "
                "d’abord les dossiers, puis une cellule nationale. Pôles, candidatures, "
                "jurés et notes sont fictifs."
            ),
            funders="Financeur de démonstration (fictif)",
            budget=Decimal("500000"),
            opens_at=closes - timedelta(days=60),
            closes_at=closes,
            results_on=(now + timedelta(days=30)).date(),
            specifications=(
                "# Cahier des charges (fictif)\n\n"
                "Soutenir pendant deux ans des pôles qui mutualisent emplois, locaux et "
                "achats sur leur territoire. Montant\u00a0: jusqu’à 100\u202f000 euros par pôle."
            ),
            rules=["R1", "R2", "R3", "R4", "R5", "R8"],
            charter_signed=False,
            published_at=closes - timedelta(days=61),
            is_demo=True,
        )
        call.managers.add(manager)
        ledger.record(call, "call.created", call, actor=manager)
        ledger.record(call, "call.published", call, actor=manager)
        questions = self.form(call)
        regional, national = self.stages(call)
        rng = random.Random(2025)  # the same demo every time
        self.applications(call, questions, regional, rng)
        people = self.jurors(call, regional, national, rng)
        moment = closes + timedelta(days=1)
        for stage in regional:
            self.review_stage(call, manager, stage, people[stage], moment, rng, 0.9, closing=True)
        for stage in regional:
            self.close_regional(call, manager, stage, national, moment)
        self.review_stage(
            call,
            manager,
            national,
            people[national],
            moment + timedelta(days=7),
            rng,
            0.5,
            closing=False,
            unscored=2,
        )
        return call

    def call_open(self, manager) -> Call:
        """An invented call open now (for 30 more days), so that a pole's manager can try
        applying: the State's conditions (R1–R5, R8), one national stage."""
        now = timezone.now().replace(microsecond=0)
        call = Call.objects.create(
            title="Appel à manifestation d’intérêt PTCE émergents (fictif)",
            slug=SLUG_OPEN,
            summary=(
                "Appel inventé pour la démonstration, ouvert\u00a0: un pôle dont on gère la fiche "
                "peut y déposer une candidature. Rien n’est envoyé à un financeur."
            ),
            funders="Financeur de démonstration (fictif)",
            budget=Decimal("800000"),
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(days=30),
            results_on=(now + timedelta(days=90)).date(),
            specifications=(
                "# Cahier des charges (fictif)\n\n"
                "Accompagner pendant deux ans des pôles en émergence\u00a0: étude de faisabilité, "
                "animation de la coopération, premiers emplois mutualisés.\n\n"
                "## Montant\n\nJusqu’à 100\u202f000 euros par pôle."
            ),
            faq=(
                "## Un pôle peut-il déposer deux dossiers\u00a0?\n\n"
                "Non\u00a0: un dossier par pôle et par appel.\n\n"
                "## Jusqu’à quand peut-on modifier son dossier\u00a0?\n\n"
                "Jusqu’à la clôture, tant qu’il n’est pas déposé."
            ),
            rules=list(STATE_CALL_RULES),
            published_at=now - timedelta(days=10),
            is_demo=True,
        )
        call.managers.add(manager)
        ledger.record(call, "call.created", call, actor=manager)
        self.form(call)
        stage = Stage.objects.create(
            call=call,
            name="Jury national (fictif)",
            kind=Stage.Kind.NATIONAL,
            position=1,
            jurors_per_file=3,
            cutoff=Decimal("2.5"),
            spread_threshold=Decimal("1.5"),
        )
        for position, (label, weight, minimum) in enumerate(CRITERIA, 1):
            Criterion.objects.create(
                stage=stage, label=label, weight=weight, eliminatory_min=minimum, position=position
            )
        ledger.record(call, "call.published", call, actor=manager)
        return call

    def form(self, call) -> list[Question]:
        project = Section.objects.create(call=call, title="Le projet (fictif)", position=1)
        money = Section.objects.create(call=call, title="Le budget (fictif)", position=2)
        return [
            Question.objects.create(
                section=project,
                label="Décrivez la coopération entre les membres du pôle.",
                kind=Question.Kind.TEXT,
                max_words=300,
                position=1,
            ),
            Question.objects.create(
                section=project,
                label="Le pôle a-t-il déjà mutualisé des emplois\u00a0?",
                kind=Question.Kind.YES_NO,
                position=2,
            ),
            Question.objects.create(
                section=money,
                label="Principale dépense prévue",
                kind=Question.Kind.CHOICE,
                choices=["Emplois mutualisés", "Locaux", "Études", "Équipement"],
                position=1,
            ),
            Question.objects.create(
                section=money,
                label="Autres financements obtenus (euros)",
                kind=Question.Kind.AMOUNT,
                required=False,
                position=2,
            ),
        ]

    def stages(self, call) -> tuple[list[Stage], Stage]:
        regional = [
            Stage.objects.create(
                call=call,
                name=name,
                kind=Stage.Kind.REGIONAL,
                region_codes=codes,
                position=1,
                jurors_per_file=2,
                passes_on=passes_on,
                spread_threshold=Decimal("1.5"),
            )
            for name, codes, passes_on in CELLS
        ]
        national = Stage.objects.create(
            call=call,
            name="Cellule nationale (fictif)",
            kind=Stage.Kind.NATIONAL,
            position=2,
            jurors_per_file=3,
            cutoff=Decimal("2.5"),
            spread_threshold=Decimal("1.5"),
        )
        for stage in [*regional, national]:
            for position, (label, weight, minimum) in enumerate(CRITERIA, 1):
                Criterion.objects.create(
                    stage=stage,
                    label=label,
                    weight=weight,
                    eliminatory_min=minimum,
                    position=position,
                )
        return regional, national

    def applications(self, call, questions, regional, rng) -> dict[Stage, list[Application]]:
        """Invented applications of the registry's invented poles, submitted before the close,
        each in the cell of its pole's region."""
        cell_of = {code: stage for stage in regional for code in stage.region_codes}
        poles = Pole.objects.filter(is_demo=True, region_code__in=cell_of).order_by("slug")
        by_stage = {stage: [] for stage in regional}
        for index, pole in enumerate(poles[:APPLICATIONS]):
            stage = cell_of[pole.region_code]
            submitted = call.closes_at - timedelta(days=20 - index % 20, hours=index % 7)
            application = Application.objects.create(
                call=call,
                pole=pole,
                project_title=f"Mutualiser pour {pole.commune_name or pole.name} (fictif)",
                summary="Projet inventé pour la démonstration.",
                amount_requested=Decimal(rng.choice([60000, 80000, 100000])),
                answers=self.answers(questions, pole, rng),
                is_demo=True,
            )
            ledger.record(call, "application.created", application)
            application.status = Application.Status.SUBMITTED
            application.stage = stage
            application.submitted_at = submitted
            application.sha256 = hashlib.sha256(canonical(application)).hexdigest()
            application.save()
            ledger.record(call, "application.submitted", application)
            by_stage[stage].append(application)
        return by_stage

    @staticmethod
    def answers(questions, pole, rng) -> dict[str, object]:
        text, yes_no, choice, amount = questions
        return {
            str(text.pk): (
                f"Les membres du pôle ({pole.name}) partagent un local, un poste de "
                "coordination et leurs achats. Réponse inventée pour la démonstration."
            ),
            str(yes_no.pk): rng.random() < 0.6,
            str(choice.pk): rng.choice(choice.choices),
            str(amount.pk): str(rng.choice([0, 15000, 40000])),
        }

    def jurors(self, call, regional, national, rng) -> dict[Stage, list[Juror]]:
        """Twelve invented people: three per regional cell, three in the national cell
        only, and two of the regional ones also seated nationally. The first of each cell
        belongs to an organisation that is a member of an applying pole of that cell (a
        conflict the registry shows); two are qualified persons, in no organisation."""
        applying = Application.objects.filter(call=call).values_list("pole_id", flat=True)
        seats = {stage: [] for stage in [*regional, national]}
        people = iter(PEOPLE)
        for stage in regional:
            region_poles = Pole.objects.filter(region_code__in=stage.region_codes, is_demo=True)
            for number in range(3):
                if number == 0:
                    organisation = self.member_of(region_poles.filter(pk__in=applying))
                elif number == 1:
                    organisation = self.member_of(region_poles.exclude(pk__in=applying))
                else:
                    organisation = None
                seats[stage].append(self.seat(stage, next(people), organisation, call))
        last_applying = list(
            Pole.objects.filter(pk__in=applying).order_by("-slug").values_list("pk", flat=True)
        )
        for number in range(3):
            organisation = self.member_of(
                Pole.objects.filter(pk=last_applying[number]), role="member"
            )
            seats[national].append(self.seat(national, next(people), organisation, call))
        for stage in regional[:2]:  # two regional jurors sit in the national cell too
            juror = seats[stage][1]
            seats[national].append(
                self.seat(national, None, juror.organisation, call, user=juror.user)
            )
        # the documented juror account too, so a visitor has national files to score
        juror = seats[regional[0]][0]
        seats[national].append(self.seat(national, None, juror.organisation, call, user=juror.user))
        return seats

    @staticmethod
    def member_of(poles, role=None) -> Organisation | None:
        organisations = Organisation.objects.filter(memberships__pole__in=poles, is_demo=True)
        if role:
            organisations = organisations.filter(memberships__role=role)
        return organisations.order_by("slug").first()

    def seat(self, stage, person, organisation, call, user=None) -> Juror:
        if user is None:
            first, last, feminine = person
            number = PEOPLE.index(person) + 1
            username = JUROR if number == 1 else f"jure-demo-{number:02d}"
            user = self.account(username, first, f"{last} ({'fictive' if feminine else 'fictif'})")
        invited = call.closes_at - timedelta(days=30)
        return Juror.objects.create(
            stage=stage,
            name=user.get_full_name(),
            email=user.email,
            user=user,
            organisation=organisation,
            region_code=organisation.region_code if organisation else "",
            invited_at=invited,
            accepted_at=invited + timedelta(days=1),
            declaration=(
                "Je déclare mes liens avec les structures de l’annuaire où je siège "
                "(déclaration inventée pour la démonstration)."
            ),
            declared_at=invited + timedelta(days=1),
            is_demo=True,
        )

    def conflicts(self, call, stage, jurors, manager, moment, *, decide_all) -> None:
        """The registry's conflicts of this jury with the stage's files, found by the
        detection the call manager runs (``conflicts_detect``), who then decides the « to
        review » ones with a reason before any assignment: all of them in a stage that will
        be closed (``decide_all``), two in the open one (the others left for a visitor to
        decide); a juror in no organisation has declared one."""
        jury.conflicts_detect(stage=stage, actor=manager)
        to_review = list(
            Conflict.objects.filter(
                juror__stage=stage,
                source=Conflict.Source.REGISTRY,
                level=Conflict.Level.REVIEW,
                status=Conflict.Status.OPEN,
            )
            .select_related("juror")
            .order_by("pk")
        )
        # a file already decided for the same person on another seat (a regional cell's)
        # is decided alike: the person may have scored it there
        earlier = {
            (c.juror.user_id, c.application_id): c
            for c in Conflict.objects.filter(juror__stage__call=call, level=Conflict.Level.REVIEW)
            .exclude(juror__stage=stage)
            .exclude(status=Conflict.Status.OPEN)
            .select_related("juror__stage")
        }
        plan, rest = [], []
        for row in to_review:
            before = earlier.get((row.juror.user_id, row.application_id))
            if before is None:
                rest.append(row)
                continue
            decision = "confirm" if before.status == Conflict.Status.CONFIRMED else "dismiss"
            reason = f"{before.decision_reason} Déjà tranché pour {before.juror.stage.name}."
            plan.append((row, decision, reason))
        if not decide_all:
            rest = rest[:2]
        plan += [(row, *DECISIONS[n % len(DECISIONS)]) for n, row in enumerate(rest)]
        for row, decision, reason in plan:
            jury.conflict_decide(conflict=row, decision=decision, reason=reason, actor=manager)
            Conflict.objects.filter(pk=row.pk).update(decided_at=moment)  # the demo's time
        unattached = [juror for juror in jurors if juror.organisation_id is None]
        last = (
            Application.objects.filter(stage=stage, status=Application.Status.SUBMITTED)
            .order_by("pk")
            .last()
        )
        if unattached and last and stage.kind == Stage.Kind.REGIONAL:
            Conflict.objects.create(
                juror=unattached[0],
                application=last,
                level=Conflict.Level.CONFLICT,
                reason="declared",
                note=(
                    "J’ai accompagné ce pôle l’an dernier dans une mission de conseil "
                    "(déclaration fictive)."
                ),
                source=Conflict.Source.JUROR,
                status=Conflict.Status.CONFIRMED,
                decided_at=moment,
            )
            ledger.record(
                call,
                "calls.conflict.declared",
                last,
                actor=unattached[0].user,
                juror=unattached[0].pk,
            )

    def review_stage(
        self, call, manager, stage, jurors, moment, rng, share, *, closing, unscored=0
    ) -> None:
        """Conflicts, the solver's assignment as the call manager runs it
        (``assignment_run``: never a pair a conflict keeps apart), then reviews for
        ``share`` of it — never of a pair whose conflict is still open or confirmed. The
        documented juror keeps its last ``unscored`` files of the stage to score."""
        self.conflicts(call, stage, jurors, manager, moment, decide_all=closing)
        jury.assignment_run(stage=stage, actor=manager)
        undecided = set(
            Conflict.objects.filter(juror__stage=stage)
            .exclude(status=Conflict.Status.DISMISSED)
            .values_list("juror_id", "application_id")
        )
        kept = set(
            Assignment.objects.filter(stage=stage, juror__user__username=JUROR)
            .order_by("-application_id")
            .values_list("pk", flat=True)[:unscored]
        )
        criteria = list(stage.criteria.all())
        grid = ranking.Grid(
            [ranking.Criterion(c.pk, c.label, float(c.weight)) for c in criteria],
            stage.scale_max,
        )
        assignments = Assignment.objects.filter(stage=stage).select_related("juror__user")
        for assignment in assignments.order_by("application_id", "juror_id"):
            if assignment.juror.user.username == JUROR and unscored:
                scored = assignment.pk not in kept  # the juror's other files are scored
            else:
                scored = rng.random() < share
            pair = (assignment.juror_id, assignment.application_id)
            if scored and pair not in undecided:
                self.review(call, stage, assignment, grid, criteria, rng, moment)

    def review(self, call, stage, assignment, grid, criteria, rng, moment) -> None:
        if stage.grid_locked_at is None:  # the grid locks at the first score
            stage.grid_locked_at = moment
            stage.save(update_fields=["grid_locked_at"])
            ledger.record(call, "stage.grid_locked", stage)
        quality = rng.uniform(1.5, 4.5)  # how good the juror finds the file
        values = {c.pk: max(0, min(5, round(rng.gauss(quality, 0.8)))) for c in criteria}
        review = Review.objects.create(assignment=assignment)
        for criterion in criteria:
            Score.objects.create(
                review=review,
                criterion=criterion,
                value=values[criterion.pk],
                comment="Commentaire inventé pour la démonstration.",
            )
        review.total = Decimal(str(round(ranking.weighted_total(values, grid), 4)))
        review.submitted_at = moment + timedelta(hours=rng.randint(1, 96))
        review.save()
        ledger.record(call, "review.submitted", review, actor=assignment.juror.user)

    def close_regional(self, call, manager, stage, national, moment) -> list[Application]:
        """Close a regional cell: its best files (by the ranking of its scores) pass on."""
        reviews = {}
        for review in Review.objects.filter(
            assignment__stage=stage, submitted_at__isnull=False
        ).prefetch_related("scores"):
            scores = {s.criterion_id: float(s.value) for s in review.scores.all()}
            reviews.setdefault(review.assignment.application_id, {})[review.assignment.juror_id] = (
                scores
            )
        grid = ranking.Grid(
            [ranking.Criterion(c.pk, c.label, float(c.weight)) for c in stage.criteria.all()],
            stage.scale_max,
        )
        chosen = [r.file for r in ranking.rank(reviews, grid) if r.passes][: stage.passes_on]
        stage.closed_at = moment + timedelta(days=5)
        stage.save(update_fields=["closed_at"])
        ledger.record(call, "stage.closed", stage, actor=manager)
        passed = []
        for application in Application.objects.filter(pk__in=chosen).select_related("pole"):
            application.stage = national
            application.save(update_fields=["stage", "updated_at"])
            ledger.record(call, "application.passed_on", application, actor=manager)
            passed.append(application)
        return passed
