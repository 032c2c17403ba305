"""Given states for the deciding tests, built with the models: poles, submitted files,
jurors, assignments and submitted reviews."""

from decimal import Decimal
from itertools import count

from django.utils import timezone

from calls.models import Application, Assignment, Juror, Review, Score, Stage
from registry.models import Membership, Organisation, Pole

_numbers = count(1)
COMMUNES = ["26281", "21231", "63113", "93039", "35238", "13055"]


def pole(name=None, commune_code="26281", region_code="84", category=None):
    n = next(_numbers)
    created = Pole.objects.create(
        name=name or f"Pôle {n}",
        slug=f"pole-{n}",
        commune_code=commune_code,
        region_code=region_code,
    )
    if category:
        organisation = Organisation.objects.create(
            name=f"Structure {n}",
            slug=f"structure-{n}",
            ess_status="association",
            category=category,
        )
        Membership.objects.create(pole=created, organisation=organisation, role="initiator")
    return created


def submitted(call, stage=None, pole_=None, title="", amount=None):
    stage = stage or call.stages.order_by("position").first()
    return Application.objects.create(
        call=call,
        pole=pole_ or pole(),
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        stage=stage,
        project_title=title,
        amount_requested=amount,
    )


def juror(stage: Stage, name=None):
    n = next(_numbers)
    return Juror.objects.create(stage=stage, name=name or f"Juré {n}", email=f"jure{n}@example.org")


def review(stage: Stage, application, juror_, values):
    """A submitted review with the given scores, in the order of the stage's criteria."""
    assignment = Assignment.objects.create(
        stage=stage, application=application, juror=juror_, source="hand"
    )
    rev = Review.objects.create(assignment=assignment, submitted_at=timezone.now())
    for criterion, value in zip(stage.criteria.order_by("position", "pk"), values, strict=True):
        Score.objects.create(review=rev, criterion=criterion, value=Decimal(str(value)))
    return rev


def two_stages(call):
    """Make the call two-stage: a regional stage (passes on 2) before the national one."""
    national = call.stages.get()
    national.position = 2
    national.save()
    regional = Stage.objects.create(
        call=call, name="Cellule régionale", kind="regional", position=1, passes_on=2
    )
    for c in national.criteria.all():
        regional.criteria.create(label=c.label, weight=c.weight, position=c.position)
    return regional, national
