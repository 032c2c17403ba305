"""The French administrative division that ships with ptce (registry/data/).

Code officiel géographique (COG) 2026 of INSEE, through the npm package
@etalab/decoupage-administratif 6.0.0, and commune positions from GeoNames (see
scripts/build_geo.py and registry/data/VINTAGE). Read once per process, on first use;
nothing is downloaded at run time.
"""

import csv
import gzip
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.french import apostrophes

DATA = Path(__file__).resolve().parent / "data"
COG_YEAR = 2026

COMMUNE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
DEPARTMENT_RE = re.compile(r"^(?:\d{2}|2[AB]|97\d|98\d)$")
EPCI_RE = re.compile(r"^\d{9}$")


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str
    department: str
    region: str
    epci: str
    population: int
    latitude: float | None
    longitude: float | None
    position: str  # geonames | commune | epci | department (an estimate) | "" (none)


def _rows(name: str):
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@cache
def communes() -> dict[str, Commune]:
    result = {}
    with gzip.open(DATA / "communes.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            result[row["code"]] = Commune(
                code=row["code"],
                name=apostrophes(row["name"]),
                department=row["department"],
                region=row["region"],
                epci=row["epci"],
                population=int(row["population"] or 0),
                latitude=float(row["latitude"]) if row["latitude"] else None,
                longitude=float(row["longitude"]) if row["longitude"] else None,
                position=row["source"],
            )
    return result


@cache
def departments() -> dict[str, tuple[str, str]]:
    """code → (name, region code)"""
    return {
        row["code"]: (apostrophes(row["name"]), row["region"]) for row in _rows("departments.csv")
    }


@cache
def regions() -> dict[str, str]:
    """code → name (the 2016 regions and the overseas ones)"""
    return {row["code"]: apostrophes(row["name"]) for row in _rows("regions.csv")}


@cache
def epcis() -> dict[str, tuple[str, str]]:
    """SIREN code → (name, kind: CC, CA, CU, METRO, MET69)"""
    return {row["code"]: (row["name"], row["kind"]) for row in _rows("epci.csv")}


def commune(code: str) -> Commune | None:
    return communes().get((code or "").strip().upper())


def department_name(code: str) -> str:
    return departments().get(code, ("", ""))[0]


def region_name(code: str) -> str:
    return regions().get(code, "")


def area_kind(code: str) -> str | None:
    """What a territory code names: "commune", "epci" or "department" (None: unknown)."""
    code = (code or "").strip().upper()
    if COMMUNE_RE.match(code) and code in communes():
        return "commune"
    if EPCI_RE.match(code) and code in epcis():
        return "epci"
    if DEPARTMENT_RE.match(code) and code in departments():
        return "department"
    return None


def area_name(code: str) -> str:
    kind = area_kind(code)
    if kind == "commune":
        c = communes()[code]
        return f"{c.name} ({c.department})"
    if kind == "epci":
        return epcis()[code][0]
    if kind == "department":
        return f"{departments()[code][0]} ({code})"
    return code


def in_area(commune_code: str, area_code: str) -> bool:
    """Whether a commune lies in a territory code (commune, EPCI or department)."""
    place = commune(commune_code)
    if place is None:
        return False
    return area_code in (place.code, place.epci, place.department)


def _centre(places) -> tuple[float, float] | None:
    located = [(p.latitude, p.longitude, p.population or 1) for p in places if p.latitude]
    total = sum(weight for _, _, weight in located)
    if not total:
        return None
    return (
        round(sum(lat * w for lat, _, w in located) / total, 5),
        round(sum(lon * w for _, lon, w in located) / total, 5),
    )


@cache
def department_centre(code: str) -> tuple[float, float] | None:
    """The population-weighted centre of a department's communes (an estimate, for a
    place known only by its department)."""
    return _centre(c for c in communes().values() if c.department == code)


@cache
def region_centre(code: str) -> tuple[float, float] | None:
    return _centre(c for c in communes().values() if c.region == code)


def region_code(name: str) -> str | None:
    """A region's code from its name, accents and case aside ("Ile-de-France" → "11")."""
    from core.text import fold

    wanted = fold(name).replace("-", " ").replace("'", " ")
    for code, region in regions().items():
        if fold(region).replace("-", " ").replace("'", " ") == wanted:
            return code
    return None


def find_commune(name: str, department: str = "") -> Commune | None:
    """A commune from its name (and department when given): the most populated of the
    namesakes."""
    from core.text import fold

    wanted = fold(name).replace("-", " ").replace("'", " ")
    found = [
        c
        for c in communes().values()
        if fold(c.name).replace("-", " ").replace("'", " ") == wanted
        and (not department or c.department == department)
    ]
    return max(found, key=lambda c: c.population) if found else None
