"""The inputs of ``calls.conflicts`` read from the registry, in a few queries for a whole
jury and all its files: the one reader of the conflicts' links, used by the detection and
the access checks (``calls.services.jury``), the demo (which runs the detection) and the
scale bench.

What is read:

- the juror's organisation (its id and SIREN) and its place (commune, department,
  region); a juror without an organisation has only the region typed at the invitation;
- the organisation's networks: in the registry only *poles* belong to networks
  (``Pole.networks``); an organisation belongs to the networks of the poles it is a
  member of (any role), and the juror's account adds the networks it manages
  (``Network.managers``);
- the poles the juror's account manages (``Pole.managers``). Organisations have no
  managers in the registry, so ``managed_organisation_ids`` stays empty;
- the applying pole: its memberships (role and SIREN of each organisation), its networks,
  its own commune, department and region plus its declared territory (``TerritoryArea``:
  communes and departments; an EPCI code is not a place code the juror can sit in).
"""

from collections import defaultdict

from calls import conflicts as pure
from registry.models import Membership, Network, Pole, TerritoryArea


def conflict_jurors(jurors) -> list[pure.Juror]:
    """The jurors (``calls.models.Juror`` rows, their organisation selected) as
    ``calls.conflicts`` sees them."""
    organisation_ids = {j.organisation_id for j in jurors if j.organisation_id}
    user_ids = {j.user_id for j in jurors if j.user_id}
    networks_of_org = defaultdict(set)
    for organisation_id, network_id in Membership.objects.filter(
        organisation_id__in=organisation_ids, pole__networks__isnull=False
    ).values_list("organisation_id", "pole__networks"):
        networks_of_org[organisation_id].add(network_id)
    managed_poles = defaultdict(set)
    for user_id, pole_id in Pole.managers.through.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "pole_id"
    ):
        managed_poles[user_id].add(pole_id)
    managed_networks = defaultdict(set)
    for user_id, network_id in Network.managers.through.objects.filter(
        user_id__in=user_ids
    ).values_list("user_id", "network_id"):
        managed_networks[user_id].add(network_id)
    links = []
    for j in jurors:
        org = j.organisation
        links.append(
            pure.Juror(
                id=j.pk,
                organisation_id=j.organisation_id,
                organisation_siren=org.siren if org else "",
                organisation_networks=frozenset(
                    networks_of_org.get(j.organisation_id, set())
                    | managed_networks.get(j.user_id, set())
                ),
                managed_pole_ids=frozenset(managed_poles.get(j.user_id, set())),
                commune_code=org.commune_code if org else "",
                department_code=org.department_code if org else "",
                region_code=(org.region_code if org else "") or j.region_code,
            )
        )
    return links


def conflict_poles(pole_ids) -> list[pure.Pole]:
    """The poles (by id) as ``calls.conflicts`` sees them."""
    members = defaultdict(list)
    for pole_id, organisation_id, role, siren in (
        Membership.objects.filter(pole_id__in=pole_ids)
        .order_by("organisation_id", "pk")
        .values_list("pole_id", "organisation_id", "role", "organisation__siren")
    ):
        members[pole_id].append(pure.PoleMember(organisation_id, role, siren or ""))
    networks = defaultdict(set)
    for pole_id, network_id in Pole.networks.through.objects.filter(
        pole_id__in=pole_ids
    ).values_list("pole_id", "network_id"):
        networks[pole_id].add(network_id)
    territory = defaultdict(lambda: {"commune": set(), "department": set()})
    for pole_id, kind, code in TerritoryArea.objects.filter(
        pole_id__in=pole_ids, kind__in=["commune", "department"]
    ).values_list("pole_id", "kind", "code"):
        territory[pole_id][kind].add(code)
    poles = []
    for pk, commune, department, region in Pole.objects.filter(pk__in=pole_ids).values_list(
        "pk", "commune_code", "department_code", "region_code"
    ):
        area = territory[pk]
        poles.append(
            pure.Pole(
                id=pk,
                members=tuple(members[pk]),  # by organisation, as read
                network_ids=frozenset(networks[pk]),
                commune_codes=frozenset(area["commune"] | {commune} - {""}),
                department_codes=frozenset(area["department"] | {department} - {""}),
                region_codes=frozenset({region} - {""}),
            )
        )
    return poles
