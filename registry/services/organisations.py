"""Writes of organisations: one through organisation_save, thousands at once through
organisation_build (the import)."""

from collections import Counter

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from core.audit import audit
from core.errors import DomainError
from core.text import fold
from registry import errors, geo
from registry.models import (
    Organisation,
    Pole,
)
from registry.services.checks import (
    _unique_slug,
    clean_area,
    clean_choice,
    clean_commune,
    clean_siren,
    clean_siret,
    clean_text,
    clean_url,
    set_place,
)
from registry.services.legal import pole_check

# --- organisations -------------------------------------------------------------------------


# the columns set_place, the search text and the name keys write, for both builds
PLACE_WRITTEN = [
    "is_demo",
    "source_url",
    "commune_code",
    "cog_year",
    "commune_name",
    "department_code",
    "region_code",
    "latitude",
    "longitude",
    "located_by",
    "search_text",
    "name_key",
    "name_block",
]


# the organisation's own columns, given and written alike (organisation_build)
ORGANISATION_OWN = [
    "name",
    "siren",
    "siret",
    "legal_form",
    "ess_status",
    "category",
    "address",
    "postal_code",
    "website",
]

# what organisation_build sets (the columns an import updates in bulk)
ORGANISATION_WRITTEN = [*ORGANISATION_OWN, *PLACE_WRITTEN]

# what a person or a file gives (organisation_build)
ORGANISATION_TYPED = [*ORGANISATION_OWN, "source_url", "commune_code"]


def organisation_build(
    *, data: dict, organisation: Organisation | None = None, checked: bool = False
) -> Organisation:
    """The organisation with ``data`` checked and set, not saved (organisation_save, and
    the import, which writes thousands at once). ``checked``: the values come from the
    import's dry run or from the row itself, already cleaned by these same checks."""
    if checked:
        values = {name: data.get(name, "") or "" for name in ORGANISATION_TYPED}
        values["is_demo"] = bool(data.get("is_demo", organisation and organisation.is_demo))
        values["postal_code"] = values["postal_code"][:5]
        commune = geo.commune(values.pop("commune_code")) if data.get("commune_code") else None
        area = {
            "department": data.get("department_code", "") or "",
            "region": data.get("region_code", "") or "",
        }
        target = organisation or Organisation()
        for key, value in values.items():
            setattr(target, key, value)
        set_place(target, commune, **area)
        target.search_text = fold(f"{target.name} {target.siren} {target.commune_name}")
        target.set_name_key()
        return target
    name = clean_text(data.get("name"), "name", required=True)
    siret = clean_siret(data.get("siret", ""))
    siren = clean_siren(data.get("siren", "")) or siret[:9]
    if siret and siret[:9] != siren:
        raise DomainError(errors.SIRET_SIREN_MISMATCH, field="siret")
    ess_status = clean_choice(data.get("ess_status"), Organisation.EssStatus, "ess_status")
    category = clean_choice(data.get("category"), Organisation.Category, "category")
    commune = clean_commune(data.get("commune_code", ""))
    area = clean_area(data)
    values = {
        "name": name,
        "siren": siren,
        "siret": siret,
        "legal_form": clean_text(data.get("legal_form"), "legal_form"),
        "ess_status": ess_status,
        "category": category,
        "address": clean_text(data.get("address"), "address"),
        "postal_code": clean_text(data.get("postal_code"), "postal_code")[:5],
        "website": clean_url(data.get("website"), "website"),
        "is_demo": bool(data.get("is_demo", organisation.is_demo if organisation else False)),
        "source_url": clean_url(data.get("source_url"), "source_url"),
    }
    target = organisation or Organisation()
    for key, value in values.items():
        setattr(target, key, value)
    set_place(target, commune, **area)
    target.search_text = fold(f"{name} {siren} {target.commune_name}")
    target.set_name_key()
    return target


def free_slugs(model, names: list[str]) -> list[str]:
    """A free slug for each name (unique among them and in the table), in a few queries
    whatever the number of names."""
    bases = [slugify(name)[:90] or "fiche" for name in names]
    taken: set[str] = set()
    distinct = sorted(set(bases))
    for i in range(0, len(distinct), 500):
        chunk = distinct[i : i + 500]
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    repeated = {b for b, n in Counter(bases).items() if n > 1}
    for base in {b for b in distinct if b in taken} | repeated:
        taken.update(
            model.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True)
        )
    slugs = []
    for base in bases:
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


def organisation_save(
    *, data: dict, actor=None, organisation: Organisation | None = None
) -> Organisation:
    """Create or update an organisation from plain data (form, admin)."""
    target = organisation_build(data=data, organisation=organisation)
    try:
        with transaction.atomic():
            if not target.slug:
                target.slug = _unique_slug(Organisation, target.name)
            target.save()
            audit(
                "registry.organisation.saved",
                scope=f"registry.organisation:{target.pk}",
                object_id=target.pk,
                actor=actor,
            )
            for pole in Pole.objects.filter(memberships__organisation=target):
                pole_check(pole)
    except IntegrityError as exc:
        raise DomainError(errors.DUPLICATE_SIRET, field="siret") from exc
    return target
