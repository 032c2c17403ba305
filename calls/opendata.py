"""The calls' awards as open data, in the SCDL « Subventions » format (v2.0.2): one row
per laureate of each call whose results are published.

``data/scdl-subventions-schema.json`` is its Table Schema, rebuilt from the published
field list of SCDL « Subventions » 2.0.2 (schema.data.gouv.fr ``scdl/subventions``; the
field list, types and constraints as documented there). Décret n° 2017-779 du 5 mai 2017
asks the bodies granting more than 23 000 € to publish these data.
"""

import csv
import io
import json
from functools import cache
from pathlib import Path

from django.utils import timezone

from calls.selectors_decide import awards

SCHEMA_PATH = Path(__file__).parent / "data" / "scdl-subventions-schema.json"
RESOURCE_NAME = "subventions"  # served by the registry: /donnees/subventions.csv


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def columns() -> list[str]:
    return [f["name"] for f in schema()["fields"]]


def _payments(call) -> tuple[str, str]:
    """(conditionsVersement, datesPeriodeVersement)"""
    start, end = call.payments_from, call.payments_until
    if start == end:
        return "unique", start.isoformat()
    return "échelonné", f"{start.isoformat()}/{end.isoformat()}"


def is_publishable(decision) -> bool:
    """The SCDL requires the amount and the payment dates: a historical call whose
    sources give neither (the 2013 call) has no row, as the data package says."""
    call = decision.application.call
    return (
        decision.amount is not None
        and call.payments_from is not None
        and call.payments_until is not None
    )


def published_awards() -> list:
    return [d for d in awards() if is_publishable(d)]


def award_row(decision) -> dict:
    application = decision.application
    call = application.call
    conditions, dates = _payments(call)
    purpose = call.title
    if application.project_title:
        purpose = f"{call.title} : {application.project_title}"
    return {
        "nomAttribuant": call.grantor_name,
        "idAttribuant": call.grantor_siret,
        # the committee's decision: the platform does not hold the agreements themselves
        "dateConvention": timezone.localdate(decision.decided_at).isoformat(),
        "referenceDecision": f"{call.slug}-{decision.pk}",
        "nomBeneficiaire": application.pole.name,
        "idBeneficiaire": "",
        "rnaBeneficiaire": "",
        "objet": purpose[:256],
        "montant": f"{decision.amount:.2f}",
        "nature": "aide en numéraire",
        "conditionsVersement": conditions,
        "datesPeriodeVersement": dates,
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }


def awards_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(), lineterminator="\r\n")
    writer.writeheader()
    for decision in published_awards():
        writer.writerow(award_row(decision))
    return out.getvalue()


def datapackage_resource() -> dict:
    """The awards' entry in the registry's Data Package (which adds the name and path)."""
    table = {k: v for k, v in schema().items() if k in ("fields", "missingValues")}
    return {
        "title": "Subventions attribuées par les appels à projets (format SCDL Subventions 2.0.2)",
        "description": (
            "Une ligne par lauréat des appels dont les résultats sont publiés. Les lauréats "
            "des appels historiques dont les sources ne donnent ni le montant attribué ni "
            "les dates de versement (ainsi l’appel de 2013) n’y figurent pas : le format "
            "SCDL exige ces deux champs."
        ),
        "profile": "tabular-data-resource",
        "schema": table,
        "sources": [{"title": "SCDL Subventions 2.0.2", "path": schema()["path"]}],
    }
