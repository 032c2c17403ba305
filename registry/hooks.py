"""Slots where apps above the registry plug into its pages, without the registry
importing them (core.slots).

``pole_facts``: PoleFacts whose ``facts(pole)`` gives a list of
{"label": str, "value": str, "url": str} shown on the pole's page (e.g. the charter:
signed, which version, when).

``pole_attestations``: PoleAttestations whose ``attestations(pole)`` gives
machine-readable facts about a pole, e.g. ``{"charter.signed": True, "charter.version": 2}``
(read by the calls' eligibility, which never imports the app that knows them).

``data_resources``: DataResource, one more file of the open data, served and described by
the registry (the calls' awards in the SCDL « Subventions » format).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.slots import Slot


@dataclass(frozen=True)
class PoleFacts:
    key: str
    facts: Callable[[object], list[dict]]  # pole -> facts


pole_facts: Slot[PoleFacts] = Slot("registry.pole_facts")


def facts_for(pole) -> list[dict]:
    return [fact for provider in pole_facts for fact in provider.facts(pole)]


@dataclass(frozen=True)
class PoleAttestations:
    key: str
    attestations: Callable[[object], dict]  # pole -> {"app.fact": value}


pole_attestations: Slot[PoleAttestations] = Slot("registry.pole_attestations")


def attestations_for(pole) -> dict:
    facts: dict = {}
    for provider in pole_attestations:
        facts.update(provider.attestations(pole))
    return facts


@dataclass(frozen=True)
class DataResource:
    """One more resource of the registry's open data, given by an app above it (the
    calls' awards): the registry serves it as ``/donnees/<key>.csv`` and lists it in its
    Data Package. ``descriptor()`` gives its Data Package entry (title, schema…; the name
    and the path are the registry's); ``csv()`` gives the file's text in chunks."""

    key: str  # also the file name: <key>.csv
    descriptor: Callable[[], dict]
    csv: Callable[[], Iterable[str]]


data_resources: Slot[DataResource] = Slot("registry.data_resources")
