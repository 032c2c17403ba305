"""Open data of the registry: poles, organisations and memberships as CSV, JSON and
GeoJSON, described by a Frictionless Data Package (Table Schemas with foreign keys),
under the Licence Ouverte 2.0.

One description per resource (``RESOURCES``) gives the columns, their Table Schema types
and how to read them from a row: the CSV, the JSON, the GeoJSON properties and the
schema all follow from it. Exports stream rows read in chunks (constant memory whatever
the size of the registry). The CSV holds the values as they are, the same as the JSON (no
apostrophe before a leading = + - @: the page says to import the files as text).
"""

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from registry import hooks
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
    Column("id", "integer", "Identifiant stable du pôle", lambda p: p.pk, True),
    Column("slug", "string", "Adresse de sa page : /poles/<slug>/", lambda p: p.slug, True),
    Column("name", "string", "Nom", lambda p: p.name, True),
    Column(
        "status",
        "string",
        "laureate (lauréat d’un appel de l’État : vérifié par l’État à sa sélection), checked "
        "(les données de l’annuaire montrent la définition légale respectée), incomplete (les "
        "données ne le montrent pas encore : à compléter), contrary (les données contredisent "
        "une règle de la loi)",
        lambda p: p.status,
        True,
        tuple(Pole.Status.values),
    ),
    Column("legal_form", "string", "Forme juridique", lambda p: p.legal_form),
    Column("siren", "string", "SIREN du pôle quand il est une personne morale", lambda p: p.siren),
    Column("commune_code", "string", "Code INSEE de sa commune", lambda p: p.commune_code),
    Column("commune_name", "string", "Commune", lambda p: p.commune_name),
    Column(
        "cog_year",
        "integer",
        "Millésime du Code officiel géographique (COG) de l’INSEE",
        lambda p: p.cog_year,
    ),
    Column("department_code", "string", "Code du département", lambda p: p.department_code),
    Column("region_code", "string", "Code de la région (régions de 2016)", lambda p: p.region_code),
    Column("latitude", "number", "Latitude (WGS 84)", lambda p: p.latitude),
    Column("longitude", "number", "Longitude (WGS 84)", lambda p: p.longitude),
    Column(
        "located_by",
        "string",
        "commune, ou une estimation : centre de l’EPCI (epci), du département "
        "(department) ou de la région (region)",
        lambda p: p.located_by,
    ),
    Column(
        "territory",
        "string",
        "Territoire déclaré : codes INSEE de communes, SIREN d’EPCI ou codes de "
        "départements, séparés par des espaces",
        lambda p: _codes(a.code for a in p.territory.all()),
    ),
    Column(
        "activities",
        "string",
        "Activités, séparées par « ; »",
        lambda p: _join(a.name for a in p.activities.all()),
    ),
    Column(
        "networks",
        "string",
        "Réseaux, séparés par « ; »",
        lambda p: _join(n.name for n in p.networks.all()),
    ),
    Column(
        "laureate_years",
        "string",
        "Années où le pôle a été lauréat d’un appel de l’État, séparées par des espaces",
        lambda p: _codes(str(la.year) for la in p.laureates.all()),
    ),
    Column("year_founded", "integer", "Année de création", lambda p: p.year_founded),
    Column("jobs", "integer", "Emplois", lambda p: p.jobs),
    Column("members", "integer", "Nombre de membres et partenaires", lambda p: p.member_count),
    Column(
        "meets_the_law",
        "boolean",
        "Les données de l’annuaire montrent-elles la définition de l’article 9 de la loi "
        "2014-856 respectée : true ; false seulement quand les données contredisent une de ses "
        "règles ; vide (null) quand les données ne le disent pas encore (une donnée manquante "
        "n’est pas un échec ; voir status pour les lauréats de l’État)",
        lambda p: _tri_state((p.check_report or {}).get("meets_the_law")),
    ),
    Column(
        "rules_version",
        "string",
        "Version des règles de la vérification",
        lambda p: (p.check_report or {}).get("version", ""),
    ),
    Column("source_url", "string", "Source publique de la fiche", lambda p: p.source_url),
    Column(
        "demo", "boolean", "Inventé pour la démonstration (pas un vrai pôle)", lambda p: p.is_demo
    ),
    Column("updated_at", "datetime", "Dernière modification", lambda p: p.updated_at),
]

ORGANISATION_COLUMNS = [
    Column("id", "integer", "Identifiant stable de la structure", lambda o: o.pk, True),
    Column("slug", "string", "Adresse de sa page : /structures/<slug>/", lambda o: o.slug, True),
    Column("name", "string", "Nom", lambda o: o.name, True),
    Column("siren", "string", "SIREN", lambda o: o.siren),
    Column("siret", "string", "SIRET", lambda o: o.siret),
    Column("legal_form", "string", "Forme juridique", lambda o: o.legal_form),
    Column(
        "ess_status",
        "string",
        "Statut ESS : association, cooperative (coopérative), mutual (mutuelle), "
        "foundation (fondation), ess_company (société commerciale de l’ESS), esus (agrément "
        "ESUS) ou not_ess (hors ESS)",
        lambda o: o.ess_status,
        True,
    ),
    Column(
        "category",
        "string",
        "Catégorie au sens de l’article 9 : ess_enterprise (entreprise de l’ESS), enterprise "
        "(entreprise), local_authority (collectivité territoriale), research (recherche), "
        "higher_education (enseignement supérieur), training (formation) ou other (autre)",
        lambda o: o.category,
        True,
    ),
    Column("commune_code", "string", "Code INSEE de sa commune", lambda o: o.commune_code),
    Column("commune_name", "string", "Commune", lambda o: o.commune_name),
    Column(
        "cog_year",
        "integer",
        "Millésime du Code officiel géographique (COG) de l’INSEE",
        lambda o: o.cog_year,
    ),
    Column("department_code", "string", "Code du département", lambda o: o.department_code),
    Column("region_code", "string", "Code de la région (régions de 2016)", lambda o: o.region_code),
    Column("latitude", "number", "Latitude (WGS 84)", lambda o: o.latitude),
    Column("longitude", "number", "Longitude (WGS 84)", lambda o: o.longitude),
    Column("website", "string", "Site web", lambda o: o.website),
    Column("demo", "boolean", "Inventée pour la démonstration", lambda o: o.is_demo),
    Column("updated_at", "datetime", "Dernière modification", lambda o: o.updated_at),
]

MEMBERSHIP_COLUMNS = [
    Column("pole_id", "integer", "Le pôle (poles.id)", lambda m: m.pole_id, True),
    Column(
        "organisation_id",
        "integer",
        "La structure (structures.id)",
        lambda m: m.organisation_id,
        True,
    ),
    Column(
        "role",
        "string",
        "initiator (initiateur), member (membre) ou partner (partenaire)",
        lambda m: m.role,
        True,
    ),
    Column("since", "integer", "Année d’adhésion", lambda m: m.since),
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
    title: str  # translated when read (the page's language; French in the descriptor)
    columns: list[Column]
    rows: Callable[[], QuerySet]
    primary_key: list[str]
    foreign_keys: list[dict]


RESOURCES = {
    "poles": Resource("poles", _("Poles (PTCE)"), POLE_COLUMNS, _poles, ["id"], []),
    "structures": Resource(
        "structures",
        _("Organisations (members and partners of poles)"),
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
        _("Memberships: which organisation belongs to which pole, in which role"),
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
    # no byte order mark: the files are plain UTF-8 as the descriptor says (a BOM made
    # the encoding "utf-8-sig", which is not an IANA name)
    yield writer.writerow([c.name for c in resource.columns])
    for row in _rows(resource):
        cells = []
        for column in resource.columns:
            value = _value(column, row)
            if value is None:
                cells.append("")
            elif column.type == "boolean":
                cells.append("true" if value else "false")
            else:
                # open data: the values as they are, the same as in the JSON (no apostrophe
                # before a leading = + - @; the page tells spreadsheet users to import as text)
                cells.append(value)
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


VERSION = "2.0.0"  # of the files' structure: columns, types, keys (semantic versioning)
KEYWORDS = [
    "PTCE",
    "pôles territoriaux de coopération économique",
    "économie sociale et solidaire",
    "ESS",
    "annuaire",
    "loi 2014-856",
]
SOURCES = [
    {
        "title": "Code officiel géographique 2026 (INSEE), via @etalab/decoupage-administratif",
        "path": "https://www.insee.fr/fr/information/2560452",
    },
    {
        "title": "GeoNames (positions des communes, CC BY 4.0)",
        "path": "https://www.geonames.org/",
    },
]


def _created():
    """When the data last changed (the latest change of a pole or a structure), so that
    the descriptor says the same thing until the data changes."""
    latest = [
        value
        for value in (
            Pole.objects.aggregate(at=Max("updated_at"))["at"],
            Organisation.objects.aggregate(at=Max("updated_at"))["at"],
        )
        if value is not None
    ]
    return (max(latest) if latest else timezone.now()).astimezone(UTC)


def datapackage(homepage: str) -> dict:
    """The Data Package descriptor, in French: resource paths relative to the descriptor
    (it is served beside the files); ``homepage`` is the absolute address of the open
    data page."""
    with translation.override("fr"):
        return {
            "profile": "tabular-data-package",
            "name": "ptce-annuaire",
            "title": "Annuaire des pôles territoriaux de coopération économique (PTCE)",
            "description": (
                "Les pôles territoriaux de coopération économique (PTCE), leurs structures "
                "membres et leurs adhésions, chaque pôle vérifié au regard de l’article 9 de "
                "la loi n° 2014-856 du 31 juillet 2014 relative à l’économie sociale et "
                "solidaire. Les lignes marquées demo=true sont inventées pour la "
                "démonstration."
            ),
            "homepage": homepage,
            "version": VERSION,
            "created": _created().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "keywords": KEYWORDS,
            "contributors": [{"title": "ptce", "role": "publisher", "path": homepage}],
            "sources": SOURCES,
            "licenses": [LICENCE],
            "resources": [
                {
                    "name": resource.name,
                    "title": str(resource.title),
                    "path": f"{resource.name}.csv",
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "schema": table_schema(resource),
                }
                for resource in RESOURCES.values()
            ]
            # the apps above the registry add theirs (the calls' awards) through a slot
            + [
                {
                    **provider.descriptor(),
                    "name": provider.key,
                    "path": f"{provider.key}.csv",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                }
                for provider in hooks.data_resources
            ],
        }
