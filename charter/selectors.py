"""Reads of the charter."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from charter.models import CharterVersion, LedgerEntry, Signature
from core.input import parse_id
from registry import geo
from registry.models import Network, Pole

EXPORT_COLUMNS = [
    "id",
    "kind",
    "organisation",
    "organisation_id",
    "region",
    "version",
    "status",
    "channel",
    "signatory",
    "mandate",
    "signed_at",
    "withdrawn_at",
    "ledger_digest",
]


@dataclass
class SignatureFilters:
    kind: str = ""
    region: str = ""
    version: int | None = None
    channel: str = ""

    @classmethod
    def from_query(cls, params) -> "SignatureFilters":
        filters = cls()
        if params.get("kind") in ("pole", "network"):
            filters.kind = params["kind"]
        if params.get("region", "") in geo.regions():
            filters.region = params["region"]
        filters.version = parse_id(params.get("version"))
        if params.get("channel") in Signature.Channel.values:
            filters.channel = params["channel"]
        return filters


def signer_from(value) -> Pole | Network | None:
    """The pole or network of a « pole:12 » / « network:3 » value (a form's choice), or
    None for anything else."""
    kind, _sep, pk = str(value or "").partition(":")
    model = {"pole": Pole, "network": Network}.get(kind)
    pk = parse_id(pk)
    return model.objects.filter(pk=pk).first() if model and pk else None


def signature_list(filters: SignatureFilters) -> QuerySet[Signature]:
    rows = (
        Signature.objects.filter(status__in=["signed", "withdrawn"])
        .select_related("version", "pole", "network")
        .prefetch_related("entries")
        .order_by("signed_at", "pk")
    )
    if filters.kind == "pole":
        rows = rows.filter(pole__isnull=False)
    elif filters.kind == "network":
        rows = rows.filter(network__isnull=False)
    if filters.region:
        rows = rows.filter(pole__region_code=filters.region)
    if filters.version:
        rows = rows.filter(version__number=filters.version)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    return rows


def export_row(signature: Signature) -> list:
    signer = signature.signer
    entries = [e for e in signature.entries.all() if e.action == "signed"]
    return [
        signature.pk,
        "pole" if signature.pole_id else "network",
        signer.name,
        signer.pk,
        signature.pole.region_code if signature.pole_id else "",
        signature.version.number,
        signature.status,
        signature.channel,
        signature.signatory_name,
        signature.signatory_mandate,
        signature.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if signature.signed_at else "",
        signature.withdrawn_at.strftime("%Y-%m-%dT%H:%M:%SZ") if signature.withdrawn_at else "",
        entries[0].digest if entries else "",
    ]


def signed_count(version: CharterVersion) -> int:
    return Signature.objects.filter(version=version, status="signed").count()


def regions_with_signatures() -> list[tuple[str, str]]:
    codes = (
        Signature.objects.filter(~Q(pole=None), status__in=["signed", "withdrawn"])
        .values_list("pole__region_code", flat=True)
        .distinct()
    )
    return sorted(((c, geo.region_name(c)) for c in codes if c), key=lambda r: r[1])


def ledger_entries() -> list[dict]:
    return [
        {"sequence": e.sequence, "payload": e.payload, "previous": e.previous, "digest": e.digest}
        for e in LedgerEntry.objects.order_by("sequence")
    ]


def event_signatures(event) -> QuerySet[Signature]:
    """Signatures made in the room at this event, newest first."""
    return (
        Signature.objects.filter(event=event, status__in=["signed", "withdrawn"])
        .select_related("pole", "network", "version")
        .order_by("-signed_at", "-pk")
    )


def ledger_mismatches() -> list[str]:
    """Signatures whose row says something their last ledger entry does not (a row edited
    behind the services' back)."""
    last: dict[int, dict] = {}
    for entry in LedgerEntry.objects.order_by("sequence"):
        last[entry.signature_id] = entry.payload
    problems = []
    for signature in Signature.objects.filter(status__in=["signed", "withdrawn"]):
        payload = last.get(signature.pk)
        if payload is None:
            problems.append(f"signature {signature.pk}: not in the ledger")
            continue
        expected = {
            "action": signature.status,
            "signatory": signature.signatory_name,
            "mandate": signature.signatory_mandate,
        }
        for key, value in expected.items():
            if payload.get(key) != value:
                problems.append(f"signature {signature.pk}: {key} differs from the ledger")
    return problems


# --- panels of the pages that join the apps (portal: home, account space) ---------------


def charter_summary(*, today=None) -> dict:
    """The home page's charter panel: the version in force and how many signed it."""
    version = (
        CharterVersion.objects.filter(published_on__lte=today or timezone.localdate())
        .order_by("-number")
        .first()
    )
    return {"version": version, "count": signed_count(version) if version else 0}


def signatures_requested_by(*, user) -> list[Signature]:
    """The signatures this person made (or started) for a pole or a network."""
    if not user.is_authenticated:
        return []
    return list(
        Signature.objects.filter(requested_by=user)
        .select_related("version", "pole", "network")
        .order_by("-created_at", "-pk")
    )
