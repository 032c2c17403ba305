"""Open data of the registry: poles, organisations and memberships as CSV, JSON and
GeoJSON, described by a Frictionless Data Package (Table Schemas with foreign keys),
under the Licence Ouverte 2.0.

One description per resource (``RESOURCES``) gives the columns, their Table Schema types
and how to read them from a row: the CSV, the JSON, the GeoJSON properties and the
schema all follow from it. Exports stream rows read in chunks (constant memory whatever
the size of the registry); CSV cells that a spreadsheet would run as a formula are
neutralised.
"""

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db.models import Count, Prefetch, QuerySet

from core.text import spreadsheet_safe
from registry.models import Laureate, Membership, Organisation, Pole

CHUNK = 1000
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema: string, integer, number, boolean, datetime
    description: str
    read: Callable
    required: bool = False
    enum: tuple = ()  # the only values allowed (Table Schema constraint)


def _codes(values) -> str:
    return " ".join(values)


def _join(values) -> str:
    return "; ".join(values)


def _tri_state(value) -> bool | None:
    return value if isinstance(value, bool) else None


POLE_COLUMNS = [
    Column("id", "integer", "Stable identifier of the pole", lambda p: p.pk, True),
    Column("slug", "string", "Address of its page: /poles/<slug>/", lambda p: p.slug, True),
    Column("name", "string", "Name", lambda p: p.name, True),
    Column(
        "status",
        "string",
        "laureate (laureate of a State call: checked by the State at its selection), checked "
        "(the directory's data shows the legal definition met), incomplete (the data does not "
        "show it yet: to be completed), contrary (the data contradicts a rule of the law)",
        lambda p: p.status,
        True,
        tuple(Pole.Status.values),
    ),
    Column("legal_form", "string", "Legal form", lambda p: p.legal_form),
    Column("siren", "string", "SIREN of the pole when it is a legal person", lambda p: p.siren),
    Column("commune_code", "string", "INSEE code of its commune", lambda p: p.commune_code),
    Column("commune_name", "string", "Commune", lambda p: p.commune_name),
    Column("cog_year", "integer", "Vintage of the INSEE geography (COG)", lambda p: p.cog_year),
    Column("department_code", "string", "Department code", lambda p: p.department_code),
    Column("region_code", "string", "Region code (2016 regions)", lambda p: p.region_code),
    Column("latitude", "number", "Latitude (WGS 84)", lambda p: p.latitude),
    Column("longitude", "number", "Longitude (WGS 84)", lambda p: p.longitude),
    Column(
        "located_by",
        "string",
        "commune, or an estimate: epci, department or region centre",
        lambda p: p.located_by,
    ),
    Column(
        "territory",
        "string",
        "Declared territory: INSEE commune, EPCI (SIREN) or department codes, space-separated",
        lambda p: _codes(a.code for a in p.territory.all()),
    ),
    Column(
        "activities",
        "string",
        "Activities, separated by '; '",
        lambda p: _join(a.name for a in p.activities.all()),
    ),
    Column(
        "networks",
        "string",
        "Networks, separated by '; '",
        lambda p: _join(n.name for n in p.networks.all()),
    ),
    Column(
        "laureate_years",
        "string",
        "Years the pole was a laureate of a State call, space-separated",
        lambda p: _codes(str(la.year) for la in p.laureates.all()),
    ),
    Column("year_founded", "integer", "Year founded", lambda p: p.year_founded),
    Column("jobs", "integer", "Jobs", lambda p: p.jobs),
    Column("members", "integer", "Number of members and partners", lambda p: p.member_count),
    Column(
        "meets_the_law",
        "boolean",
        "Whether the directory's data shows the definition of article 9 of law 2014-856 met: "
        "true; false only when the data contradicts one of its rules; empty (null) when the "
        "data does not tell yet (missing data is not a failure; see status for State "
        "laureates)",
        lambda p: _tri_state((p.check_report or {}).get("meets_the_law")),
    ),
    Column(
        "rules_version",
        "string",
        "Version of the rules of the check",
        lambda p: (p.check_report or {}).get("version", ""),
    ),
    Column("source_url", "string", "Public source of the entry", lambda p: p.source_url),
    Column("demo", "boolean", "Invented for the demo (not a real pole)", lambda p: p.is_demo),
    Column("updated_at", "datetime", "Last change", lambda p: p.updated_at),
]

ORGANISATION_COLUMNS = [
    Column("id", "integer", "Stable identifier of the organisation", lambda o: o.pk, True),
    Column("slug", "string", "Address of its page: /structures/<slug>/", lambda o: o.slug, True),
    Column("name", "string", "Name", lambda o: o.name, True),
    Column("siren", "string", "SIREN", lambda o: o.siren),
    Column("siret", "string", "SIRET", lambda o: o.siret),
    Column("legal_form", "string", "Legal form", lambda o: o.legal_form),
    Column(
        "ess_status",
        "string",
        "association, cooperative, mutual, foundation, ess_company, esus or not_ess",
        lambda o: o.ess_status,
        True,
    ),
    Column(
        "category",
        "string",
        "Category in the sense of article 9: ess_enterprise, enterprise, local_authority, "
        "research, higher_education, training or other",
        lambda o: o.category,
        True,
    ),
    Column("commune_code", "string", "INSEE code of its commune", lambda o: o.commune_code),
    Column("commune_name", "string", "Commune", lambda o: o.commune_name),
    Column("cog_year", "integer", "Vintage of the INSEE geography (COG)", lambda o: o.cog_year),
    Column("department_code", "string", "Department code", lambda o: o.department_code),
    Column("region_code", "string", "Region code (2016 regions)", lambda o: o.region_code),
    Column("latitude", "number", "Latitude (WGS 84)", lambda o: o.latitude),
    Column("longitude", "number", "Longitude (WGS 84)", lambda o: o.longitude),
    Column("website", "string", "Website", lambda o: o.website),
    Column("demo", "boolean", "Invented for the demo", lambda o: o.is_demo),
    Column("updated_at", "datetime", "Last change", lambda o: o.updated_at),
]

MEMBERSHIP_COLUMNS = [
    Column("pole_id", "integer", "The pole (poles.id)", lambda m: m.pole_id, True),
    Column(
        "organisation_id",
        "integer",
        "The organisation (organisations.id)",
        lambda m: m.organisation_id,
        True,
    ),
    Column("role", "string", "initiator, member or partner", lambda m: m.role, True),
    Column("since", "integer", "Year it joined", lambda m: m.since),
]


class _Plain:
    """A row read with .values(): its columns as attributes, like a model instance."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


class _PlainQuerySet:
    def __init__(self, queryset, fields):
        self.queryset, self.fields = queryset, fields

    def iterator(self, chunk_size: int):
        for values in self.queryset.values(*self.fields).iterator(chunk_size=chunk_size):
            yield _Plain(values)


def _plain(queryset, *fields) -> _PlainQuerySet:
    return _PlainQuerySet(queryset, fields)


def _poles() -> QuerySet[Pole]:
    return (
        Pole.objects.order_by("pk")
        .annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(
            "territory",
            "activities",
            "networks",
            Prefetch("laureates", queryset=Laureate.objects.order_by("year")),
        )
    )


@dataclass(frozen=True)
class Resource:
    name: str  # also the file name: <name>.csv, <name>.json
    title: str
    columns: list[Column]
    rows: Callable[[], QuerySet]
    primary_key: list[str]
    foreign_keys: list[dict]


RESOURCES = {
    "poles": Resource("poles", "Poles (PTCE)", POLE_COLUMNS, _poles, ["id"], []),
    "structures": Resource(
        "structures",
        "Organisations (members and partners of poles)",
        ORGANISATION_COLUMNS,
        # plain rows (no model instances: twice as fast at 200,000 organisations)
        lambda: _plain(
            Organisation.objects.order_by("pk"),
            "pk",
            "slug",
            "name",
            "siren",
            "siret",
            "legal_form",
            "ess_status",
            "category",
            "commune_code",
            "commune_name",
            "cog_year",
            "department_code",
            "region_code",
            "latitude",
            "longitude",
            "website",
            "is_demo",
            "updated_at",
        ),
        ["id"],
        [],
    ),
    "adhesions": Resource(
        "adhesions",
        "Memberships: which organisation belongs to which pole, in which role",
        MEMBERSHIP_COLUMNS,
        lambda: _plain(
            Membership.objects.order_by("pk"), "pole_id", "organisation_id", "role", "since"
        ),
        ["pole_id", "organisation_id"],
        [
            {"fields": "pole_id", "reference": {"resource": "poles", "fields": "id"}},
            {
                "fields": "organisation_id",
                "reference": {"resource": "structures", "fields": "id"},
            },
        ],
    ),
}


def _value(column: Column, row):
    value = column.read(row)
    if value is None:
        return None
    if column.type == "datetime":
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _rows(resource: Resource) -> Iterator:
    return resource.rows().iterator(chunk_size=CHUNK)


class _Echo:
    def write(self, value):
        return value


LINES_PER_CHUNK = 500  # one write to the client per 500 rows, not per row


def csv_lines(resource: Resource) -> Iterator[str]:
    buffer = []
    for line in _csv_rows(resource):
        buffer.append(line)
        if len(buffer) >= LINES_PER_CHUNK:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def _csv_rows(resource: Resource) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([c.name for c in resource.columns])  # BOM: spreadsheets
    for row in _rows(resource):
        cells = []
        for column in resource.columns:
            value = _value(column, row)
            if value is None:
                cells.append("")
            elif column.type == "boolean":
                cells.append("true" if value else "false")
            else:
                cells.append(spreadsheet_safe(value) if column.type == "string" else value)
        yield writer.writerow(cells)


def _record(resource: Resource, row) -> dict:
    return {c.name: _value(c, row) for c in resource.columns}


def json_chunks(resource: Resource) -> Iterator[str]:
    yield "["
    first = True
    for row in _rows(resource):
        yield ("" if first else ",\n") + json.dumps(_record(resource, row), ensure_ascii=False)
        first = False
    yield "]\n"


def geojson_chunks() -> Iterator[str]:
    """The poles as an RFC 7946 FeatureCollection: longitude first, the pole's id as the
    feature id, flat properties; poles without a position are left out."""
    resource = RESOURCES["poles"]
    yield '{"type": "FeatureCollection", "features": [\n'
    first = True
    for pole in _rows(resource):
        if pole.latitude is None or pole.longitude is None:
            continue
        properties = _record(resource, pole)
        feature = {
            "type": "Feature",
            "id": pole.pk,
            "geometry": {
                "type": "Point",
                "coordinates": [round(pole.longitude, 6), round(pole.latitude, 6)],
            },
            "properties": properties,
        }
        yield ("" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def _constraints(column: Column) -> dict:
    constraints = {}
    if column.required:
        constraints["required"] = True
    if column.enum:
        constraints["enum"] = list(column.enum)
    return {"constraints": constraints} if constraints else {}


def table_schema(resource: Resource) -> dict:
    schema = {
        "fields": [
            {
                "name": c.name,
                "type": c.type,
                "description": c.description,
                **_constraints(c),
            }
            for c in resource.columns
        ],
        "primaryKey": resource.primary_key,
        "missingValues": [""],
    }
    if resource.foreign_keys:
        schema["foreignKeys"] = resource.foreign_keys
    return schema


def datapackage(base_url: str) -> dict:
    """The Data Package descriptor; ``base_url`` is where the files are served (ending
    with /), or "" for paths relative to the descriptor."""
    return {
        "profile": "tabular-data-package",
        "name": "ptce-annuaire",
        "title": "Annuaire des pôles territoriaux de coopération économique (PTCE)",
        "description": (
            "Poles (PTCE), their member organisations and memberships, each pole checked "
            "against article 9 of law no. 2014-856 of 31 July 2014. Rows marked demo=true are "
            "invented for the demonstration."
        ),
        "licenses": [LICENCE],
        "resources": [
            {
                "name": resource.name,
                "title": resource.title,
                "path": f"{base_url}{resource.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "schema": table_schema(resource),
            }
            for resource in RESOURCES.values()
        ],
    }
