"""Writes of poles, their members and laureates: every change kept as a revision, in the
audit log, and followed by the legal check."""

from django.db import transaction

from core.audit import audit
from core.errors import DomainError
from core.text import fold
from registry import errors, geo
from registry.models import (
    Laureate,
    Membership,
    Organisation,
    Pole,
    PoleRevision,
    TerritoryArea,
)
from registry.services.checks import (
    _unique_slug,
    clean_area,
    clean_choice,
    clean_commune,
    clean_siren,
    clean_territory,
    clean_text,
    clean_url,
    clean_year_and_jobs,
    set_place,
)
from registry.services.legal import pole_check
from registry.services.organisations import PLACE_WRITTEN

# --- poles ---------------------------------------------------------------------------------


# what a pole says of itself (pole_build sets them from what is typed)
POLE_OWN = [
    "name",
    "siren",
    "legal_form",
    "description",
    "strategy",
    "website",
    "year_founded",
    "jobs",
]

# what the pole's history records
TRACKED = (*POLE_OWN, "commune_code", "department_code", "region_code")


def snapshot(pole: Pole | None) -> dict:
    if pole is None or pole.pk is None:
        return {}
    snapshot = {name: getattr(pole, name) for name in TRACKED}
    snapshot["territory"] = " ".join(sorted(a.code for a in pole.territory.all()))
    snapshot["activities"] = "; ".join(sorted(a.name for a in pole.activities.all()))
    return {k: "" if v is None else str(v) for k, v in snapshot.items()}


# what pole_build sets (the columns an import writes in bulk)
POLE_WRITTEN = [*POLE_OWN, *PLACE_WRITTEN]


def pole_build(*, data: dict, pole: Pole | None = None) -> tuple[Pole, list[tuple[str, str]]]:
    """The pole with ``data`` checked and set, not saved, and its territory [(kind, code)]
    (pole_save, and the import, which writes thousands at once)."""
    name = clean_text(data.get("name"), "name", required=True)
    siren = clean_siren(data.get("siren", ""))
    commune = clean_commune(data.get("commune_code", ""))
    area = clean_area(data)
    territory = clean_territory(data.get("territory", []))
    year, jobs = clean_year_and_jobs(data)
    values = {
        "legal_form": clean_text(data.get("legal_form"), "legal_form"),
        "description": clean_text(data.get("description"), "description"),
        "strategy": clean_text(data.get("strategy"), "strategy"),
        "website": clean_url(data.get("website"), "website"),
        "source_url": clean_url(data.get("source_url"), "source_url"),
    }
    target = pole or Pole()
    target.name, target.siren, target.year_founded, target.jobs = name, siren, year, jobs
    for key, value in values.items():
        setattr(target, key, value)
    target.is_demo = bool(data.get("is_demo", target.is_demo))
    if "address" in data:  # given by the admin only
        target.address = clean_text(data["address"], "address")
    if "postal_code" in data:
        target.postal_code = clean_text(data["postal_code"], "postal_code")[:5]
    set_place(target, commune, **area)
    target.set_name_key()
    return target, territory


def pole_save(*, data: dict, actor=None, pole: Pole | None = None, source: str = "editor") -> Pole:
    """Create or update a pole; every change is kept as a revision (field: before, after).

    ``pole``: the pole to update, or a new unsaved one to create (the admin's, whose
    inlines then point to it). ``data`` may also hold (the admin gives them) a ``slug``,
    the ``managers``, an ``address`` and a ``postal_code``."""
    with transaction.atomic():
        if pole is not None and pole.pk is not None:
            pole = Pole.objects.select_for_update().get(pk=pole.pk)
        before = snapshot(pole)
        target, territory = pole_build(data=data, pole=pole)
        if data.get("slug"):
            target.slug = data["slug"]
        if not target.slug:
            target.slug = _unique_slug(Pole, target.name)
        target.save()
        TerritoryArea.objects.filter(pole=target).delete()
        TerritoryArea.objects.bulk_create(
            [TerritoryArea(pole=target, kind=kind, code=code) for kind, code in territory]
        )
        if "activities" in data:
            target.activities.set(data["activities"])
        if "networks" in data:
            target.networks.set(data["networks"])
        if "managers" in data:
            target.managers.set(data["managers"])
        target.search_text = pole_search_text(target)
        Pole.objects.filter(pk=target.pk).update(search_text=target.search_text)
        record_revision(pole=target, actor=actor, source=source, before=before)
        audit(
            "registry.pole.saved",
            scope=f"registry.pole:{target.pk}",
            object_id=target.pk,
            actor=actor,
        )
        pole_check(target)
    return target


def record_revision(
    *, pole: Pole, actor=None, source: str, before: dict | None = None, changes=None
) -> PoleRevision | None:
    """Keep a change of a pole in its history: the given ``changes``, or what differs
    from the ``before`` snapshot (see ``snapshot``). Nothing when nothing changed."""
    if changes is None:
        after = snapshot(pole)
        changes = {
            key: [before.get(key, ""), value]
            for key, value in after.items()
            if before.get(key, "") != value
        }
    if not changes:
        return None
    return PoleRevision.objects.create(
        pole=pole,
        user=actor if actor is not None and actor.is_authenticated else None,
        source=source,
        changes=changes,
    )


def pole_search_text(pole: Pole) -> str:
    """What the directory's full-text search looks in, folded (accents and case aside)."""
    activities = " ".join(a.name for a in pole.activities.all()) if pole.pk else ""
    return fold(
        " ".join(
            [
                pole.name,
                pole.commune_name,
                geo.department_name(pole.department_code),
                geo.region_name(pole.region_code),
                activities,
                pole.description,
            ]
        )
    )


def membership_set(
    *,
    pole: Pole,
    organisation: Organisation,
    role: str,
    since: int | None = None,
    actor=None,
    source: str = "editor",
) -> Membership:
    clean_choice(role, Membership.Role, "role")
    with transaction.atomic():
        previous = Membership.objects.filter(pole=pole, organisation=organisation).first()
        membership, _created = Membership.objects.update_or_create(
            pole=pole, organisation=organisation, defaults={"role": role, "since": since}
        )
        before = f"{previous.get_role_display()}" if previous else ""
        after = f"{membership.get_role_display()}"
        if before != after or (previous and previous.since != since):
            record_revision(
                pole=pole,
                actor=actor,
                source=source,
                changes={f"member: {organisation.name}": [before, after]},
            )
        audit(
            "registry.membership.saved",
            scope=f"registry.pole:{pole.pk}",
            object_id=membership.pk,
            actor=actor,
            organisation=organisation.pk,
            role=role,
        )
        pole_check(pole)
    return membership


def membership_remove(*, membership: Membership, actor=None) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_related("pole", "organisation").get(pk=membership.pk)
        pole = membership.pole
        audit(
            "registry.membership.removed",
            scope=f"registry.pole:{pole.pk}",
            object_id=membership.pk,
            actor=actor,
        )
        record_revision(
            pole=pole,
            actor=actor,
            source="editor",
            changes={
                f"member: {membership.organisation.name}": [membership.get_role_display(), ""]
            },
        )
        membership.delete()
        pole_check(pole)


def laureate_add(*, pole: Pole, year: int, source_url: str, call: str = "", actor=None) -> Laureate:
    if not source_url:
        raise DomainError(errors.SOURCE_REQUIRED, field="source_url")
    with transaction.atomic():
        laureate, _created = Laureate.objects.update_or_create(
            pole=pole, year=year, defaults={"source_url": source_url, "call": call}
        )
        audit(
            "registry.laureate.saved",
            scope=f"registry.pole:{pole.pk}",
            object_id=laureate.pk,
            actor=actor,
            year=year,
        )
        pole_check(pole)
    return laureate


def laureate_remove(*, laureate: Laureate, actor=None) -> None:
    with transaction.atomic():
        pole = laureate.pole
        audit(
            "registry.laureate.removed",
            scope=f"registry.pole:{pole.pk}",
            object_id=laureate.pk,
            actor=actor,
            year=laureate.year,
        )
        laureate.delete()
        pole_check(pole)
