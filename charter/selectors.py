"""Reads of the charter."""

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from charter.ledger import GENESIS
from charter.models import CharterVersion, LedgerEntry, LedgerHead, Signature
from core.input import parse_id
from core.text import fold as fold_name
from events.models import Event
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


# --- versions ---------------------------------------------------------------------------


def version_in_force(*, today=None) -> CharterVersion | None:
    return CharterVersion.objects.in_force(today=today)


def version_list() -> QuerySet[CharterVersion]:
    """Every version, the newest first."""
    return CharterVersion.objects.order_by("-number")


def version_get(*, number: int) -> CharterVersion:
    """The version of this number (404 without)."""
    return get_object_or_404(CharterVersion, number=number)


# --- signatures --------------------------------------------------------------------------


def signature_get_public(*, pk: int) -> Signature:
    """A signature that was made (signed, or signed then withdrawn), with what its page
    shows: 404 for a pending or expired request, or no signature at all."""
    return get_object_or_404(
        Signature.objects.made()
        .select_related("version", "pole", "network", "event")
        .prefetch_related("entries"),
        pk=pk,
    )


def signature_entries(signature: Signature) -> list[LedgerEntry]:
    """The ledger entries of a signature, in order (its signature, its withdrawal)."""
    return list(signature.entries.all())


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
        region = region_key(params.get("region", ""))
        if region in geo.regions():
            filters.region = region
        filters.version = parse_id(params.get("version"))
        if params.get("channel") in Signature.Channel.values:
            filters.channel = params["channel"]
        return filters

    @property
    def chosen(self) -> bool:
        """Some filter is set (an empty list then says « none matches », not « none yet »)."""
        return bool(self.kind or self.region or self.version is not None or self.channel)


def signer_from(value) -> Pole | Network | None:
    """The pole or network of a « pole:12 » / « network:3 » value (a form's choice), or
    None for anything else."""
    kind, _sep, pk = str(value or "").partition(":")
    model = {"pole": Pole, "network": Network}.get(kind)
    pk = parse_id(pk)
    return model.objects.filter(pk=pk).first() if model and pk else None


def managed_signers(user) -> list[tuple[str, Pole | Network]]:
    """[(kind, pole or network)] whose entry this person manages: those they may sign for."""
    if not user.is_authenticated:
        return []
    return [("pole", p) for p in Pole.objects.filter(managers=user).order_by("name")] + [
        ("network", n) for n in Network.objects.filter(managers=user).order_by("name")
    ]


def managed_signatures(signers, version: CharterVersion) -> dict[tuple[str, int], Signature]:
    """{(kind, pk): the signature made for ``version``} among ``signers`` (from
    ``managed_signers``): those that may no longer sign it (withdrawn counts, as for the
    service)."""
    poles = [s.pk for kind, s in signers if kind == "pole"]
    networks = [s.pk for kind, s in signers if kind == "network"]
    if not poles and not networks:
        return {}
    made = Signature.objects.made().filter(
        Q(pole_id__in=poles) | Q(network_id__in=networks), version=version
    )
    return {
        ("pole", s.pole_id) if s.pole_id else ("network", s.network_id): s
        for s in made.order_by("signed_at")
    }


@dataclass
class PoleToSign:
    pole: Pole
    signed: bool  # this version is signed (or was, then withdrawn) for the pole


def _poles_named(query: str):
    """The poles whose name (accents and case aside) holds every word of the query, or None
    when the query has no word."""
    words = fold_name(query).split()
    if not words:
        return None
    poles = Pole.objects.all()
    for word in words:
        poles = poles.filter(search_text__contains=word)
    return poles


def poles_to_sign(query: str, version: CharterVersion, *, limit: int) -> list[PoleToSign]:
    """The poles whose name (accents and case aside) holds every word of the query, each
    with whether it already signed this version."""
    poles = _poles_named(query)
    if poles is None:
        return []
    found = list(poles.order_by("name")[:limit])
    signed = set(
        Signature.objects.made()
        .filter(version=version, pole__in=found)
        .values_list("pole_id", flat=True)
    )
    return [PoleToSign(pole=p, signed=p.pk in signed) for p in found]


def signature_list(filters: SignatureFilters) -> QuerySet[Signature]:
    """The signatures made, in the order they were signed, filtered."""
    rows = (
        Signature.objects.made()
        .select_related("version", "pole", "network")
        .order_by("signed_at", "pk")
    )
    if filters.kind == "pole":
        rows = rows.filter(pole__isnull=False)
    elif filters.kind == "network":
        rows = rows.filter(network__isnull=False)
    if filters.region:
        rows = rows.filter(pole__region_code__in=region_spellings(filters.region))
    if filters.version:
        rows = rows.filter(version__number=filters.version)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    return rows


def export_rows(filters: SignatureFilters) -> QuerySet[Signature]:
    """The signatures of the CSV and JSON exports, with their ledger entries (the digest
    of each signature's entry is a column)."""
    return signature_list(filters).prefetch_related("entries")


def export_row(signature: Signature) -> list:
    signer = signature.signer
    entries = [e for e in signature.entries.all() if e.action == LedgerEntry.SIGNED]
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
    return Signature.objects.in_force().filter(version=version).count()


DIGITS = re.compile(r"[0-9]+")  # ASCII digits only (str.isdigit accepts « ² »)


def region_key(code) -> str:
    """One spelling per region code: « 1 », « 01 » and « 01 » (spaces) are Guadeloupe."""
    code = str(code or "").strip()
    return code.zfill(2) if DIGITS.fullmatch(code) and len(code) < 2 else code


def region_spellings(code: str) -> list[str]:
    """The stored spellings a region code may have (« 01 » and « 1 »)."""
    key = region_key(code)
    return sorted({key, key.lstrip("0") or "0"}) if DIGITS.fullmatch(key) else [key]


def regions_with_signatures() -> list[tuple[str, str]]:
    """The regions of the poles that signed, each once (by its code, whatever its stored
    spelling), by name. ``order_by()``: the model's ordering would otherwise enter the
    DISTINCT and repeat a region once per signature."""
    codes = (
        Signature.objects.made()
        .filter(pole__isnull=False)
        .order_by()
        .values_list("pole__region_code", flat=True)
        .distinct()
    )
    found = {region_key(c) for c in codes if region_key(c)}
    return sorted(((c, geo.region_name(c) or c) for c in found), key=lambda r: fold_name(r[1]))


@dataclass
class LedgerSummary:
    digest: str
    entries: int
    updated_at: object  # datetime of the last entry, None for an empty register


def ledger_summary() -> LedgerSummary:
    """The published digest (the last one of the chain), how many entries it seals and
    since when: the last entry says all three (the head row repeats its digest)."""
    last = LedgerEntry.objects.order_by("-sequence").only("sequence", "digest", "created_at")
    last = last.first()
    if last is None:
        return LedgerSummary(digest=GENESIS, entries=0, updated_at=None)
    return LedgerSummary(digest=last.digest, entries=last.sequence, updated_at=last.created_at)


def ledger_digest() -> str:
    """The digest of the ledger's head: the last one of the chain (64 zeros when empty)."""
    head = LedgerHead.objects.filter(pk=1).first()
    return head.digest if head else GENESIS


def ledger_entries() -> list[dict]:
    return [
        {"sequence": e.sequence, "payload": e.payload, "previous": e.previous, "digest": e.digest}
        for e in LedgerEntry.objects.order_by("sequence")
    ]


def projection_event(*, slug: str) -> Event:
    """A published event, for the room's screen (404 for a draft or a cancelled one)."""
    event = Event.objects.filter(slug=slug, status=Event.Status.PUBLISHED).first()
    if event is None:
        raise Http404
    return event


def event_signatures(event) -> QuerySet[Signature]:
    """Signatures made in the room at this event, newest first."""
    return (
        Signature.objects.made()
        .filter(event=event)
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
    for signature in Signature.objects.made():
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


def search_signers(
    query: str, *, version: CharterVersion | None = None, limit: int = 20
) -> list[tuple[str, object, bool]]:
    """[(kind, pole or network, already signed ``version``)] whose name matches (accents
    and case aside), for the room."""
    poles = _poles_named(query)
    if poles is None:
        return []
    words = fold_name(query).split()
    poles = list(poles.order_by("name")[:limit])
    networks = [n for n in Network.objects.all() if all(w in fold_name(n.name) for w in words)]
    networks = networks[:limit]
    made = (
        Signature.objects.made()
        .filter(Q(pole__in=poles) | Q(network__in=networks), version=version)
        .values_list("pole_id", "network_id")
    )
    signed_poles, signed_networks = set(), set()
    for pole_id, network_id in made:
        (signed_poles if pole_id else signed_networks).add(pole_id or network_id)
    return [("pole", p, p.pk in signed_poles) for p in poles] + [
        ("network", n, n.pk in signed_networks) for n in networks
    ]


# --- panels of the pages that join the apps (portal: home, account space) ---------------


def charter_summary(*, today=None) -> dict:
    """The home page's charter panel: the version in force and how many signed it."""
    version = CharterVersion.objects.in_force(today=today)
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


def latest_pole_signature(pole) -> Signature | None:
    """The pole's most recent signature that was made (signed, or signed then withdrawn)."""
    return (
        Signature.objects.made()
        .filter(pole=pole)
        .select_related("version")
        .order_by("-version__number", "-signed_at")
        .first()
    )
