"""The inputs of ``calls.conflicts`` read from the registry (the demo's loader and the
scale bench use it): a few queries for a whole jury and all its files, whatever their
number.

What the registry does not record is left empty: organisations belong to no network
(only poles do) and have no managers, so ``organisation_networks`` and
``managed_organisation_ids`` stay empty.
"""

from collections import defaultdict

from calls import conflicts
from calls.models import Juror
from registry.models import Membership, Pole, TerritoryArea


def conflict_jurors(jurors) -> list[conflicts.Juror]:
    """The jurors (``calls.models.Juror`` rows) as ``calls.conflicts`` sees them."""
    jurors = list(
        Juror.objects.filter(pk__in=[j.pk for j in jurors]).select_related("organisation")
    )
    users = [j.user_id for j in jurors if j.user_id]
    managed = defaultdict(set)
    for user_id, pole_id in Pole.managers.through.objects.filter(user_id__in=users).values_list(
        "user_id", "pole_id"
    ):
        managed[user_id].add(pole_id)
    result = []
    for juror in jurors:
        organisation = juror.organisation
        result.append(
            conflicts.Juror(
                id=juror.pk,
                organisation_id=juror.organisation_id,
                organisation_siren=organisation.siren if organisation else "",
                managed_pole_ids=frozenset(managed.get(juror.user_id, ())),
                commune_code=organisation.commune_code if organisation else "",
                department_code=organisation.department_code if organisation else "",
                region_code=(organisation.region_code if organisation else "") or juror.region_code,
            )
        )
    return result


def conflict_poles(pole_ids) -> list[conflicts.Pole]:
    """The poles (by id) as ``calls.conflicts`` sees them: members with their role and
    SIREN, networks, and the places of the pole and of its declared territory."""
    pole_ids = list(pole_ids)
    members = defaultdict(list)
    for pole_id, organisation_id, role, siren in (
        Membership.objects.filter(pole_id__in=pole_ids)
        .order_by("pk")
        .values_list("pole_id", "organisation_id", "role", "organisation__siren")
    ):
        members[pole_id].append(conflicts.PoleMember(organisation_id, role, siren))
    networks = defaultdict(set)
    for pole_id, network_id in Pole.networks.through.objects.filter(
        pole_id__in=pole_ids
    ).values_list("pole_id", "network_id"):
        networks[pole_id].add(network_id)
    areas = defaultdict(lambda: defaultdict(set))
    for pole_id, kind, code in TerritoryArea.objects.filter(pole_id__in=pole_ids).values_list(
        "pole_id", "kind", "code"
    ):
        areas[pole_id][kind].add(code)
    result = []
    for pole_id, commune, department, region in Pole.objects.filter(pk__in=pole_ids).values_list(
        "pk", "commune_code", "department_code", "region_code"
    ):
        declared = areas[pole_id]
        result.append(
            conflicts.Pole(
                id=pole_id,
                members=tuple(members[pole_id]),
                network_ids=frozenset(networks[pole_id]),
                commune_codes=frozenset({commune} - {""}) | declared["commune"],
                department_codes=frozenset({department} - {""}) | declared["department"],
                region_codes=frozenset({region} - {""}),
            )
        )
    return result
