"""Writes of the registry. Every write re-checks what it is given (services may be called
without a form), owns its transaction, and re-runs the legal check of the poles it
touches, so that a pole's status always follows from its current members."""

from collections import Counter
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from core.audit import audit
from core.errors import DomainError
from core.input import clean_text as input_clean_text
from core.text import fold
from registry import errors, geo, rules, selectors
from registry.models import (
    Laureate,
    Membership,
    Organisation,
    Place,
    Pole,
    PoleClaim,
    PoleRevision,
    Suggestion,
    TerritoryArea,
)

# the codes of core.input.clean_text's errors, as the registry's
TEXT_ERRORS = {
    "control": errors.TEXT_CONTROL,
    "required": errors.REQUIRED,
    "too_long": errors.TOO_LONG,
}
MULTILINE = ("description", "strategy", "message")
LIMITS = {
    "source_url": 500,
    "name": 200,
    "role": 200,
    "message": 5000,
    "legal_form": 120,
    "address": 250,
    "website": 200,
    "description": 5000,
    "strategy": 5000,
}


# --- checks of what people type ------------------------------------------------------------


def clean_siren(value: str) -> str:
    """A SIREN (9 digits, Luhn) or ""; spaces and dots are allowed in what is typed."""
    value = stdnum_siren.compact(value or "")
    if not value:
        return ""
    try:
        return stdnum_siren.validate(value)
    except InvalidLength as exc:
        raise DomainError(
            errors.INVALID_SIREN,
            _("A SIREN has 9 digits (%(n)d given)."),
            field="siren",
            n=len(value),
        ) from exc
    except InvalidFormat as exc:
        raise DomainError(
            errors.INVALID_SIREN, _("A SIREN has digits only."), field="siren"
        ) from exc
    except (InvalidChecksum, ValidationError) as exc:
        raise DomainError(errors.INVALID_SIREN, field="siren") from exc


def clean_siret(value: str) -> str:
    """A SIRET (14 digits: the SIREN, valid, then the establishment number, the whole
    checked with Luhn, or La Poste's rule for its establishments) or ""."""
    value = stdnum_siret.compact(value or "")
    if not value:
        return ""
    try:
        return stdnum_siret.validate(value)
    except InvalidLength as exc:
        raise DomainError(
            errors.INVALID_SIRET,
            _("A SIRET has 14 digits (%(n)d given)."),
            field="siret",
            n=len(value),
        ) from exc
    except InvalidFormat as exc:
        raise DomainError(
            errors.INVALID_SIRET, _("A SIRET has digits only."), field="siret"
        ) from exc
    except (InvalidChecksum, ValidationError) as exc:
        raise DomainError(errors.INVALID_SIRET, field="siret") from exc


def clean_commune(value: str, *, required: bool = False) -> geo.Commune | None:
    code = (value or "").strip().upper()
    if not code:
        if required:
            raise DomainError(errors.COMMUNE_REQUIRED, field="commune_code")
        return None
    place = geo.commune(code)
    if place is None:
        raise DomainError(
            errors.UNKNOWN_COMMUNE, field="commune_code", code=code[:10], year=geo.COG_YEAR
        )
    return place


def clean_text(value, field: str, *, required: bool = False) -> str:
    """A text typed by a person, through the shared input layer (core.input.clean_text:
    NFC; control characters, bidi overrides and embeddings, zero-width and other invisible
    format characters refused; length counted after normalisation). Errors are domain
    errors about the field: ``registry.text_control``, ``registry.required``,
    ``registry.too_long``."""
    from django.core.exceptions import ValidationError as FormError

    try:
        return input_clean_text(
            value,
            max_length=LIMITS.get(field, 200),
            multiline=field in MULTILINE,
            required=required,
        )
    except FormError as exc:
        raise DomainError(TEXT_ERRORS[exc.code], exc.messages[0], field=field) from exc


def clean_choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise DomainError(errors.INVALID_CHOICE, field=field, value=str(value)[:40])
    return value


def clean_territory(codes: Iterable[str]) -> list[tuple[str, str]]:
    """[(kind, code)] from INSEE commune, EPCI (SIREN) or department codes."""
    cleaned, seen = [], set()
    for raw in codes:
        code = (raw or "").strip().upper()
        if not code or code in seen:
            continue
        kind = geo.area_kind(code)
        if kind is None:
            raise DomainError(
                errors.UNKNOWN_AREA, field="territory", code=code[:12], year=geo.COG_YEAR
            )
        seen.add(code)
        cleaned.append((kind, code))
    return cleaned


def set_place(
    instance: Place,
    commune: geo.Commune | None,
    *,
    department: str = "",
    region: str = "",
) -> None:
    """Copy what follows from the commune (name, department, region, position); for a
    place known only by its department or region, that and the area's centre."""
    instance.commune_code = commune.code if commune else ""
    instance.cog_year = geo.COG_YEAR if commune else None
    instance.commune_name = commune.name if commune else ""
    if commune:
        instance.department_code, instance.region_code = commune.department, commune.region
        instance.latitude, instance.longitude = commune.latitude, commune.longitude
        exact = commune.position in ("geonames", "commune")
        instance.located_by = "commune" if exact else (commune.position or "")
        return
    if department and department in geo.departments():
        region = geo.departments()[department][1]
        centre, located_by = geo.department_centre(department), "department"
    elif region and region in geo.regions():
        department, centre, located_by = "", geo.region_centre(region), "region"
    else:
        department, region, centre, located_by = "", "", None, ""
    instance.department_code, instance.region_code = department, region
    instance.latitude, instance.longitude = centre or (None, None)
    instance.located_by = located_by if centre else ""


def clean_year_and_jobs(data: dict) -> tuple[int | None, int | None]:
    year = data.get("year_founded")
    if year not in (None, ""):
        try:
            year = int(year)
        except (TypeError, ValueError):
            year = -1
        if not 1900 <= year <= timezone.now().year:
            raise DomainError(errors.INVALID_YEAR, field="year_founded")
    else:
        year = None
    jobs = data.get("jobs")
    if jobs not in (None, ""):
        try:
            jobs = int(jobs)
        except (TypeError, ValueError):
            jobs = -1
        if not 0 <= jobs <= 1_000_000:
            raise DomainError(errors.INVALID_JOBS, field="jobs")
    else:
        jobs = None
    return year, jobs


def clean_url(value, field: str) -> str:
    """An http(s) address or "" (a "javascript:" link would be stored and published)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    value = clean_text(value, field)
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise DomainError(errors.INVALID_URL, field=field) from exc
    return value


def clean_area(data: dict) -> dict[str, str]:
    """A department or region code given without a commune (a place known only roughly)."""
    department = (data.get("department_code") or "").strip().upper()
    region = (data.get("region_code") or "").strip()
    if department and department not in geo.departments():
        raise DomainError(errors.UNKNOWN_DEPARTMENT, field="department_code", code=department[:5])
    if region and region not in geo.regions():
        raise DomainError(errors.UNKNOWN_REGION, field="region_code", code=region[:5])
    return {"department": department, "region": region}


def _unique_slug(model, name: str, *, exclude_pk=None) -> str:
    base = slugify(name)[:90] or "fiche"
    slug, n = base, 1
    others = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


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


# what organisation_build sets (the columns an import updates in bulk)
ORGANISATION_WRITTEN = [
    "name",
    "siren",
    "siret",
    "legal_form",
    "ess_status",
    "category",
    "address",
    "postal_code",
    "website",
    *PLACE_WRITTEN,
]


# what a person or a file gives (organisation_build)
ORGANISATION_TYPED = [
    "name",
    "siren",
    "siret",
    "legal_form",
    "ess_status",
    "category",
    "address",
    "postal_code",
    "website",
    "source_url",
    "commune_code",
]


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


# --- poles ---------------------------------------------------------------------------------


TRACKED = (
    "name",
    "siren",
    "legal_form",
    "description",
    "strategy",
    "website",
    "year_founded",
    "jobs",
    "commune_code",
    "department_code",
    "region_code",
)


def snapshot(pole: Pole | None) -> dict:
    if pole is None or pole.pk is None:
        return {}
    snapshot = {name: getattr(pole, name) for name in TRACKED}
    snapshot["territory"] = " ".join(sorted(a.code for a in pole.territory.all()))
    snapshot["activities"] = "; ".join(sorted(a.name for a in pole.activities.all()))
    return {k: "" if v is None else str(v) for k, v in snapshot.items()}


# what pole_build sets (the columns an import writes in bulk)
POLE_WRITTEN = [
    "name",
    "siren",
    "legal_form",
    "description",
    "strategy",
    "website",
    "year_founded",
    "jobs",
    *PLACE_WRITTEN,
]


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


# --- the legal check -----------------------------------------------------------------------


def status_for(report: rules.Report, subject: rules.Subject) -> str:
    """A State laureate was checked by the State; otherwise the three outcomes of the
    check: the data shows the definition met, does not show it yet, or contradicts it."""
    if subject.laureate_years:
        return Pole.Status.LAUREATE
    meets = report.meets_the_law
    if meets:
        return Pole.Status.CHECKED
    if meets is False:
        return Pole.Status.CONTRARY
    return Pole.Status.INCOMPLETE


def _check_outcome(pole: Pole, now) -> tuple[rules.Report, bool]:
    """Run the check and set its outcome on the pole (in memory); True when it changed."""
    subject = selectors.subject_of(pole)
    report = rules.check(subject)
    status = status_for(report, subject)
    summary = report.summary()
    categories = member_categories_text(m.category for m in subject.members)
    if (
        pole.status != status
        or pole.check_report != summary
        or pole.member_categories != categories
        or pole.checked_at is None
    ):
        pole.status = status
        pole.check_report = summary
        pole.member_categories = categories
        pole.checked_at = now or timezone.now()
        return report, True
    return report, False


CHECK_WRITTEN = ["status", "check_report", "member_categories", "checked_at"]


def pole_check(pole: Pole, *, now=None) -> rules.Report:
    """Run the check and keep its outcome on the pole (status badge, summary)."""
    report, changed = _check_outcome(pole, now)
    if changed:
        Pole.objects.filter(pk=pole.pk).update(**{f: getattr(pole, f) for f in CHECK_WRITTEN})
    return report


def poles_check(pole_ids, *, batch: int = 500) -> None:
    """The check of many poles (an import): read in batches with what the check needs,
    each batch written in one bulk update."""
    now = timezone.now()
    ids = sorted(set(pole_ids))
    for start in range(0, len(ids), batch):
        poles = selectors.poles_for_check().filter(pk__in=ids[start : start + batch])
        changed = [pole for pole in poles if _check_outcome(pole, now)[1]]
        Pole.objects.bulk_update(changed, CHECK_WRITTEN)


def member_categories_text(categories) -> str:
    """ " a b c " (sorted, each once, spaces around: a LIKE '% a %' finds one exactly)."""
    found = sorted(set(categories))
    return f" {' '.join(found)} " if found else ""


def check_all(*, batch: int = 500) -> dict[str, int]:
    """The check of the whole registry, in batches (constant memory). Returns counts by
    status."""
    counts: dict[str, int] = {}
    now = timezone.now()
    last = 0
    while True:
        poles = list(selectors.poles_for_check().filter(pk__gt=last).order_by("pk")[:batch])
        if not poles:
            break
        with transaction.atomic():
            for pole in poles:
                pole_check(pole, now=now)
                counts[pole.status] = counts.get(pole.status, 0) + 1
        last = poles[-1].pk
    return counts


# --- claims and suggestions ----------------------------------------------------------------


def _clean_contact(*, name: str, email: str, required: bool = True) -> tuple[str, str]:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    name = clean_text(name, "name", required=required)
    email = (email or "").strip()
    if email or required:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(errors.INVALID_EMAIL, field="email") from exc
        if not email.isascii():
            # "admın@…" (dotless i) would match "admin@…" case-insensitively
            raise DomainError(
                errors.INVALID_EMAIL,
                _("Enter the email address in plain Latin letters (no accents)."),
                field="email",
            )
    return name, email


def local_path(value) -> str:
    """A path of this site to come back to (« /charte/signer/ »), or "" for anything else:
    never another site (« //ailleurs.example », « https://… », « /\\ailleurs »)."""
    value = str(value or "").strip()
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or len(value) > 200
        or any(c.isspace() or ord(c) < 32 or c == "\\" for c in value)
    ):
        return ""
    return value


def claim_submit(
    *, pole: Pole, name: str, email: str, role: str, message: str = "", return_to: str = ""
) -> PoleClaim:
    """Someone asks to manage a pole's entry; an editor will approve or reject it.
    ``return_to``: the page of this site they came from (signing the charter), where the
    approval email leads them back.

    The answer is the same whether this address already has a request waiting for this
    pole or not (the form must not tell who asked): a repeated request is not recorded
    twice, the one waiting is returned."""
    name, email = _clean_contact(name=name, email=email)
    role = clean_text(role, "role", required=True)
    message = clean_text(message, "message")
    return_to = local_path(return_to)
    try:
        with transaction.atomic():
            claim = PoleClaim.objects.create(
                pole=pole, name=name, email=email, role=role, message=message, return_to=return_to
            )
            audit("registry.claim.submitted", scope=f"registry.pole:{pole.pk}", object_id=claim.pk)
    except IntegrityError:
        waiting = PoleClaim.objects.filter(
            pole=pole, email=email, status=PoleClaim.Status.PENDING
        ).first()
        if waiting is None:  # decided in between: this one is new after all
            return claim_submit(
                pole=pole,
                name=name,
                email=email,
                role=role,
                message=message,
                return_to=return_to,
            )
        return waiting
    return claim


def claim_decide(*, claim: PoleClaim, approve: bool, actor) -> PoleClaim:
    """Approve (the person becomes a manager of the pole; an account is made for their
    email when they have none, with a link to choose a password) or reject a claim."""
    from django.contrib.auth import get_user_model

    from core.mail import email_queue

    with transaction.atomic():
        claim = PoleClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != PoleClaim.Status.PENDING:
            raise DomainError(errors.CLAIM_DECIDED)
        claim.status = PoleClaim.Status.APPROVED if approve else PoleClaim.Status.REJECTED
        claim.decided_by, claim.decided_at = actor, timezone.now()
        if approve:
            users = get_user_model().objects
            user = users.filter(email__iexact=claim.email).order_by("pk").first()
            if user is not None and (user.is_staff or user.is_superuser or not user.is_active):
                raise DomainError(errors.CLAIM_PRIVILEGED_ACCOUNT)
            if user is None:
                username, n = claim.email.casefold()[:140], 1
                while users.filter(username=username).exists():
                    n += 1
                    username = f"{claim.email.casefold()[:140]}-{n}"
                user = users.create_user(username=username, email=claim.email, password=None)
                user.first_name = claim.name[:150]
                user.save(update_fields=["first_name"])
                claim.new_account = True
            claim.user = user
            claim.pole.managers.add(user)
        claim.save(update_fields=["status", "decided_by", "decided_at", "user", "new_account"])
        audit(
            f"registry.claim.{claim.status}",
            scope=f"registry.pole:{claim.pole_id}",
            object_id=claim.pk,
            actor=actor,
        )
        email_queue(
            kind=f"registry.claim.{claim.status}",
            scope=f"registry.pole:{claim.pole_id}",
            object_id=claim.pk,
            # an existing account is written to at its own address, never the one typed
            to=claim.user.email if claim.user is not None else claim.email,
            language="fr",
            dedupe_key=f"registry.claim.{claim.pk}",
        )
    return claim


def suggestion_submit(*, pole: Pole, name: str, email: str, message: str) -> Suggestion:
    name, email = _clean_contact(name=name, email=email, required=False)
    message = clean_text(message, "message", required=True)
    if len(message) < 10:
        raise DomainError(errors.MESSAGE_TOO_SHORT, field="message")
    with transaction.atomic():
        suggestion = Suggestion.objects.create(pole=pole, name=name, email=email, message=message)
        audit(
            "registry.suggestion.submitted",
            scope=f"registry.pole:{pole.pk}",
            object_id=suggestion.pk,
        )
    return suggestion


def suggestion_decide(*, suggestion: Suggestion, accept: bool, actor) -> Suggestion:
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if suggestion.status != Suggestion.Status.PENDING:
            raise DomainError(errors.SUGGESTION_DECIDED)
        suggestion.status = Suggestion.Status.ACCEPTED if accept else Suggestion.Status.REJECTED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
        audit(
            f"registry.suggestion.{suggestion.status}",
            scope=f"registry.pole:{suggestion.pole_id}",
            object_id=suggestion.pk,
            actor=actor,
        )
    return suggestion
