"""Conflicts of interest between jurors and applying poles, from the registry graph given
as plain data (no database).

Two levels:

- ``conflict``: the juror must not review the file;
- ``review``: a weaker link, to be confirmed or dismissed by the call manager.

Reasons (``Conflict.reason``):

- ``organisation_member`` / ``organisation_partner`` / ``organisation_initiator``
  (conflict): the juror's organisation belongs to the pole with that role;
- ``same_siren`` (conflict): the juror's organisation shares its SIREN with another member
  of the pole (the same legal person recorded twice, or an establishment of it);
- ``manages_pole`` (conflict): the juror manages the pole in the directory;
- ``manages_member`` (conflict): the juror manages an organisation member of the pole;
- ``same_network`` (review): the juror's organisation and the pole belong to one network;
- ``same_territory`` (review): the juror sits in the pole's territory (commune, else
  department, else region: one line, the closest).

``conflicts(juror, pole)`` lists them for one pair; ``conflict_matrix(jurors, poles)`` for
a whole jury, through indexes (by organisation, SIREN, network, place, manager): only the
poles a juror is linked to are looked at.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CONFLICT, REVIEW = "conflict", "review"
MEMBER, PARTNER, INITIATOR = "member", "partner", "initiator"

MESSAGES = {
    "organisation_member": _("The juror's organisation is a member of the pole."),
    "organisation_partner": _("The juror's organisation is a partner of the pole."),
    "organisation_initiator": _("The juror's organisation is an initiator of the pole."),
    "same_siren": _(
        "The juror's organisation shares its SIREN (%(siren)s) with a member of the pole."
    ),
    "manages_pole": _("The juror manages the pole in the directory."),
    "manages_member": _("The juror manages an organisation that is a member of the pole."),
    "same_network": _("The juror's organisation and the pole belong to the same network."),
    "same_territory_commune": _("The juror is located in the pole's territory (commune %(code)s)."),
    "same_territory_department": _(
        "The juror is located in the pole's territory (department %(code)s)."
    ),
    "same_territory_region": _("The juror is located in the pole's territory (region %(code)s)."),
}
LEVELS = {"same_network": REVIEW, "same_territory": REVIEW}
_ORDER = (CONFLICT, REVIEW)


@dataclass(frozen=True)
class Juror:
    id: int
    organisation_id: int | None = None
    organisation_siren: str = ""
    organisation_networks: frozenset[int] = frozenset()
    managed_pole_ids: frozenset[int] = frozenset()
    managed_organisation_ids: frozenset[int] = frozenset()
    commune_code: str = ""
    department_code: str = ""
    region_code: str = ""


@dataclass(frozen=True)
class PoleMember:
    organisation_id: int
    role: str  # member | partner | initiator
    siren: str = ""


@dataclass(frozen=True)
class Pole:
    id: int
    members: tuple[PoleMember, ...] = ()
    network_ids: frozenset[int] = frozenset()
    commune_codes: frozenset[str] = frozenset()
    department_codes: frozenset[str] = frozenset()
    region_codes: frozenset[str] = frozenset()


@dataclass(frozen=True, order=True)
class Conflict:
    juror_id: int
    pole_id: int
    level: str
    reason: str
    subject: str = ""  # the organisation, network or place concerned (an id or a code)
    message_key: str = ""

    @property
    def message(self) -> str:
        """The reason in plain words, in the active language."""
        key = self.message_key or self.reason
        return str(MESSAGES[key] % {"siren": self.subject, "code": self.subject})


def _conflict(juror: Juror, pole: Pole, reason: str, subject="", key="") -> Conflict:
    return Conflict(juror.id, pole.id, LEVELS.get(reason, CONFLICT), reason, str(subject), key)


def _sort_key(conflict: Conflict):
    return (_ORDER.index(conflict.level), conflict.reason, conflict.subject)


def conflicts(juror: Juror, pole: Pole) -> list[Conflict]:
    """The conflicts of one juror with one pole, the strongest first."""
    found = []
    for member in pole.members:
        own = juror.organisation_id is not None and member.organisation_id == juror.organisation_id
        if own:
            found.append(
                _conflict(juror, pole, f"organisation_{member.role}", member.organisation_id)
            )
        elif juror.organisation_siren and member.siren == juror.organisation_siren:
            found.append(_conflict(juror, pole, "same_siren", juror.organisation_siren))
        if member.organisation_id in juror.managed_organisation_ids:
            found.append(_conflict(juror, pole, "manages_member", member.organisation_id))
    if pole.id in juror.managed_pole_ids:
        found.append(_conflict(juror, pole, "manages_pole", pole.id))
    for network_id in sorted(juror.organisation_networks & pole.network_ids):
        found.append(_conflict(juror, pole, "same_network", network_id))
    for code, codes, scale in (
        (juror.commune_code, pole.commune_codes, "commune"),
        (juror.department_code, pole.department_codes, "department"),
        (juror.region_code, pole.region_codes, "region"),
    ):
        if code and code in codes:
            found.append(_conflict(juror, pole, "same_territory", code, f"same_territory_{scale}"))
            break
    return sorted(set(found), key=_sort_key)


def conflict_matrix(
    jurors: Iterable[Juror], poles: Iterable[Pole]
) -> dict[tuple[int, int], list[Conflict]]:
    """{(juror id, pole id): conflicts} for every pair with at least one conflict.

    The poles are indexed once by what links a juror to them; each juror is then checked
    only against the poles it is linked to."""
    poles = list(poles)
    by_id = {pole.id: pole for pole in poles}
    by_organisation = defaultdict(set)
    by_siren = defaultdict(set)
    by_network = defaultdict(set)
    by_place = defaultdict(set)
    for pole in poles:
        for member in pole.members:
            by_organisation[member.organisation_id].add(pole.id)
            if member.siren:
                by_siren[member.siren].add(pole.id)
        for network_id in pole.network_ids:
            by_network[network_id].add(pole.id)
        for scale, codes in (
            ("c", pole.commune_codes),
            ("d", pole.department_codes),
            ("r", pole.region_codes),
        ):
            for code in codes:
                by_place[(scale, code)].add(pole.id)
    matrix = {}
    for juror in jurors:
        linked = set()
        if juror.organisation_id is not None:
            linked |= by_organisation.get(juror.organisation_id, set())
        if juror.organisation_siren:
            linked |= by_siren.get(juror.organisation_siren, set())
        for organisation_id in juror.managed_organisation_ids:
            linked |= by_organisation.get(organisation_id, set())
        linked |= {pole_id for pole_id in juror.managed_pole_ids if pole_id in by_id}
        for network_id in juror.organisation_networks:
            linked |= by_network.get(network_id, set())
        for scale, code in (
            ("c", juror.commune_code),
            ("d", juror.department_code),
            ("r", juror.region_code),
        ):
            if code:
                linked |= by_place.get((scale, code), set())
        for pole_id in linked:
            found = conflicts(juror, by_id[pole_id])
            if found:
                matrix[(juror.id, pole_id)] = found
    return matrix
