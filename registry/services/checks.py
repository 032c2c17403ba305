"""Checks of what people type (forms, the admin, the import's rows): each returns the
cleaned value or raises a DomainError with a declared code and the field it is about."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from core.errors import DomainError
from core.input import clean_text as input_clean_text
from registry import errors, geo
from registry.models import (
    Place,
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


def _clean_number(value: str, number, error, field: str, digits: int, name: str) -> str:
    """A SIREN or SIRET checked by python-stdnum (``number``), or "" when none is typed."""
    value = number.compact(value or "")
    if not value:
        return ""
    try:
        return number.validate(value)
    except InvalidLength as exc:
        raise DomainError(
            error,
            _("A %(name)s has %(digits)d digits (%(n)d given)."),
            field=field,
            name=name,
            digits=digits,
            n=len(value),
        ) from exc
    except InvalidFormat as exc:
        raise DomainError(
            error, _("A %(name)s has digits only.") % {"name": name}, field=field
        ) from exc
    except (InvalidChecksum, ValidationError) as exc:
        raise DomainError(error, field=field) from exc


def clean_siren(value: str) -> str:
    """A SIREN (9 digits, Luhn) or ""; spaces and dots are allowed in what is typed."""
    return _clean_number(value, stdnum_siren, errors.INVALID_SIREN, "siren", 9, "SIREN")


def clean_siret(value: str) -> str:
    """A SIRET (14 digits: the SIREN, valid, then the establishment number, the whole
    checked with Luhn, or La Poste's rule for its establishments) or ""."""
    return _clean_number(value, stdnum_siret, errors.INVALID_SIRET, "siret", 14, "SIRET")


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
