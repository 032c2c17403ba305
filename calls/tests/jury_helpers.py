"""Builders for the jury's tests: poles, organisations and submitted files written with
the models (the applying part of the app is built elsewhere), and jurors' seats."""

import re
from itertools import count

from django.utils import timezone

from calls.models import Application, Juror
from registry.models import Membership, Organisation, Pole

_n = count(1)


def pole(name=None, *, commune="69123", department="69", region="84", **extra) -> Pole:
    n = next(_n)
    return Pole.objects.create(
        name=name or f"Pôle {n}",
        slug=f"pole-{n}",
        commune_code=commune,
        department_code=department,
        region_code=region,
        **extra,
    )


def organisation(name=None, *, siren="", commune="", department="", region="") -> Organisation:
    n = next(_n)
    return Organisation.objects.create(
        name=name or f"Structure {n}",
        slug=f"structure-{n}",
        siren=siren,
        ess_status="association",
        category="ess_enterprise",
        commune_code=commune,
        department_code=department,
        region_code=region,
    )


def member(p: Pole, o: Organisation, role="member") -> Membership:
    return Membership.objects.create(pole=p, organisation=o, role=role)


def submitted(call, p: Pole | None = None, title=None) -> Application:
    p = p or pole()
    return Application.objects.create(
        call=call,
        pole=p,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        stage=call.stages.first(),
        project_title=title or f"Projet de {p.name}",
    )


def seat(stage, user=None, *, name=None, declared=True, **extra) -> Juror:
    n = next(_n)
    now = timezone.now()
    return Juror.objects.create(
        stage=stage,
        name=name or f"Juré {n}",
        email=user.email if user else f"jure{n}@example.org",
        user=user,
        accepted_at=now if user else None,
        declared_at=now if declared and user else None,
        **extra,
    )


def link_in(body: str) -> str:
    return re.search(r"https?://\S+/jury/invitation/\S+/", body).group(0)
