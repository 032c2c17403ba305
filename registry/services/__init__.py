"""Writes of the registry. Every write re-checks what it is given (services may be called
without a form), owns its transaction, and re-runs the legal check of the poles it
touches, so that a pole's status always follows from its current members.

By subject: ``checks`` (what people type), ``organisations``, ``poles`` (with members
and laureates), ``legal`` (the check), ``claims`` (claims and suggestions). The public
names are all here: ``from registry import services; services.pole_save(...)``."""

from registry.services.checks import (
    LIMITS,
    MULTILINE,
    TEXT_ERRORS,
    clean_area,
    clean_choice,
    clean_commune,
    clean_siren,
    clean_siret,
    clean_territory,
    clean_text,
    clean_url,
    clean_year_and_jobs,
    set_place,
)
from registry.services.claims import (
    claim_decide,
    claim_submit,
    local_path,
    suggestion_decide,
    suggestion_submit,
)
from registry.services.legal import (
    CHECK_WRITTEN,
    check_all,
    member_categories_text,
    pole_check,
    poles_check,
    status_for,
)
from registry.services.organisations import (
    ORGANISATION_TYPED,
    ORGANISATION_WRITTEN,
    PLACE_WRITTEN,
    free_slugs,
    organisation_build,
    organisation_save,
)
from registry.services.poles import (
    POLE_OWN,
    POLE_WRITTEN,
    TRACKED,
    laureate_add,
    laureate_remove,
    membership_remove,
    membership_set,
    pole_build,
    pole_save,
    pole_search_text,
    record_revision,
    snapshot,
)

__all__ = [
    "TEXT_ERRORS",
    "MULTILINE",
    "LIMITS",
    "clean_siren",
    "clean_siret",
    "clean_commune",
    "clean_text",
    "clean_choice",
    "clean_territory",
    "set_place",
    "clean_year_and_jobs",
    "clean_url",
    "clean_area",
    "status_for",
    "CHECK_WRITTEN",
    "pole_check",
    "poles_check",
    "member_categories_text",
    "check_all",
    "PLACE_WRITTEN",
    "ORGANISATION_WRITTEN",
    "ORGANISATION_TYPED",
    "organisation_build",
    "free_slugs",
    "organisation_save",
    "TRACKED",
    "snapshot",
    "POLE_OWN",
    "POLE_WRITTEN",
    "pole_build",
    "pole_save",
    "record_revision",
    "pole_search_text",
    "membership_set",
    "membership_remove",
    "laureate_add",
    "laureate_remove",
    "local_path",
    "claim_submit",
    "claim_decide",
    "suggestion_submit",
    "suggestion_decide",
]
