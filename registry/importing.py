"""CSV import of the registry: organisations (with their pole and role) and poles.

The columns are those of the open-data files (an export can be imported back). A file
is read as UTF-8 (with or without BOM) or, failing that, as Windows-1252/Latin-1, with
commas or semicolons (French spreadsheets). ``plan`` checks every row and says what
would change (the dry run) or why a row is refused; ``apply`` writes the plan in one
transaction, all or nothing. Re-importing the same file changes nothing: organisations
are matched by SIRET, then SIREN, then their id; poles by id, then SIREN, then name.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import DomainError
from core.input import parse_id, parse_int
from registry import errors, services
from registry.models import (
    ImportBatch,
    Membership,
    Organisation,
    Pole,
    PoleRevision,
    TerritoryArea,
)
from registry.names import name_block, name_key

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
PROGRESS_EVERY = 1000
CHECKED_KEPT = 24 * 3600  # seconds a checked file waits for its confirmation


@dataclass
class RowPlan:
    line: int
    action: str  # create | update | unchanged
    name: str
    changes: dict = field(default_factory=dict)  # field -> (before, after)
    data: dict = field(default_factory=dict)
    target_id: int | None = None
    pole_id: int | None = None
    role: str = ""
    since: int | None = None
    organisation: Organisation | None = field(default=None, repr=False)
    pole: Pole | None = field(default=None, repr=False)


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class Plan:
    kind: str
    rows: list[RowPlan]
    errors: list[RowError]
    encoding: str = ""
    delimiter: str = ","

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts


ORGANISATION_FIELDS = [
    "name",
    "siren",
    "siret",
    "legal_form",
    "ess_status",
    "category",
    "commune_code",
    "website",
]
# what organisation_save writes: an update starts from all of it
STORED_FIELDS = [
    *ORGANISATION_FIELDS,
    "address",
    "postal_code",
    "source_url",
    "department_code",
    "region_code",
    "is_demo",
]
POLE_FIELDS = [
    "name",
    "siren",
    "legal_form",
    "commune_code",
    "department_code",
    "region_code",
    "territory",
    "year_founded",
    "jobs",
    "website",
    "description",
    "strategy",
    "source_url",
]
KINDS = {
    "structures": {"required": ["name", "category", "ess_status"], "fields": ORGANISATION_FIELDS},
    "poles": {"required": ["name"], "fields": POLE_FIELDS},
}


# a multi-byte UTF-8 sequence (2 to 4 bytes, no overlong form, no surrogate)
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _line_of(data, index: int) -> int:
    return data[:index].count(b"\n" if isinstance(data, bytes) else "\n") + 1


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 (with or without BOM), UTF-16 with its BOM, or
    Windows-1252 for a file without a single UTF-8 accented letter. A file that is UTF-8
    in places and something else in others (one row pasted from another file) is refused
    with the line of its first wrong byte: decoded whole as Windows-1252, every accented
    name of the UTF-8 part would be garbled."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise DomainError(errors.BAD_ENCODING) from exc
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), "UTF-8 (BOM)" if bom else "UTF-8"
    except UnicodeDecodeError as exc:
        if bom or _UTF8_SEQUENCE.search(body):
            raise DomainError(errors.MIXED_ENCODING, line=_line_of(body, exc.start)) from exc
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"


def read(raw: bytes, kind: str) -> tuple[list[dict], str, str]:
    """The rows of a file as dicts (line numbers in "_line"), its encoding and delimiter;
    a DomainError for a file that cannot be read as such."""
    if kind not in KINDS:
        raise DomainError(errors.UNKNOWN_KIND)
    if len(raw) > MAX_BYTES:
        raise DomainError(errors.FILE_TOO_LARGE, max=MAX_BYTES // 2**20)
    text, encoding = decode(raw)
    nul = text.find("\x00")
    if 0 <= nul < 4096:
        raise DomainError(errors.NOT_CSV)
    if nul >= 0:
        raise DomainError(errors.NUL_BYTE, line=_line_of(text, nul))
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _rows(reader, kind), encoding, delimiter
    except csv.Error as exc:
        raise DomainError(
            errors.UNREADABLE_LINE,
            line=reader.line_num + 1,
            max=csv.field_size_limit() // 1024,
        ) from exc


def _rows(reader: csv.DictReader, kind: str) -> list[dict]:
    columns = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in KINDS[kind]["required"] if c not in columns]
    if missing:
        raise DomainError(errors.MISSING_COLUMNS, columns=", ".join(missing))
    rows = []
    for number, row in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise DomainError(errors.TOO_MANY_ROWS, max=MAX_ROWS)
        cleaned = {
            (key or "").strip().lower(): (value or "").strip()
            for key, value in row.items()
            if key is not None and not isinstance(value, list)
        }
        if not any(cleaned.values()):
            continue  # an empty line
        cleaned["_line"] = number
        rows.append(cleaned)
    return rows


def _diff(instance, data: dict, fields: list[str]) -> dict:
    changes = {}
    if "territory" in fields and "territory" in data and data["territory"]:
        before = " ".join(sorted(a.code for a in instance.territory.all())) if instance else ""
        after = " ".join(sorted(data["territory"]))
        if before != after:
            changes["territory"] = (before, after)
    for name in fields:
        if name not in data or name == "territory":
            continue
        before = getattr(instance, name, "") if instance else ""
        before = "" if before is None else str(before)
        after = str(data[name])
        if before != after:
            changes[name] = (before, after)
    return changes


CHUNK = 500  # values of one IN (...) query


# (commune, name block) pairs read by one query: a flat OR that SQLite's expression depth
# limit (1,000) and parameter limit take easily
PAIRS_PER_QUERY = 200


def _chunks(values) -> list[list]:
    values = list(values)
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


class _Organisations:
    """The organisations a file may name, read in a few queries (not a few per row):
    by SIRET, by SIREN, by id, and by name in their commune."""

    def __init__(self, rows: list[dict]):
        sirets = {r["siret"] for r in rows if r.get("siret")}
        sirens = {r["siren"] for r in rows if r.get("siren") and not r.get("siret")}
        ids = {r["_id"] for r in rows if r.get("_id")}
        named = [r for r in rows if not r.get("siren")]
        self.by_siret, self.by_siren, self.by_id, self.by_name = {}, {}, {}, {}
        for chunk in _chunks(sirets):
            for o in Organisation.objects.filter(siret__in=chunk):
                self.by_siret[o.siret] = o
        for chunk in _chunks(sirens):
            for o in Organisation.objects.filter(siren__in=chunk, siret="").order_by("pk"):
                self.by_siren.setdefault(o.siren, []).append(o)
        for chunk in _chunks(ids):
            self.by_id.update(Organisation.objects.in_bulk(chunk))
        # (commune, name block) pairs, many to a query whatever the number of communes
        keys = {(r.get("commune_code", ""), name_block(name_key(r["name"]))) for r in named}
        keys = sorted(keys)
        for start in range(0, len(keys), PAIRS_PER_QUERY):
            chunk = keys[start : start + PAIRS_PER_QUERY]
            pairs = Q()
            for commune, block in chunk:
                pairs |= Q(commune_code=commune, name_block=block)
            for o in Organisation.objects.filter(pairs):
                self.by_name.setdefault((o.name.casefold(), o.commune_code), []).append(o)
        self.memberships: dict[tuple[int, int], Membership] = {}

    def match(self, data: dict) -> Organisation | None:
        if data.get("siret") and data["siret"] in self.by_siret:
            return self.by_siret[data["siret"]]
        if data.get("siren") and not data.get("siret"):
            found = self.by_siren.get(data["siren"], [])
            if len(found) == 1:
                return found[0]
        if data.get("_id") and data["_id"] in self.by_id:
            return self.by_id[data["_id"]]
        if not data.get("siren"):  # no identifier: the same name in the same commune
            found = self.by_name.get((data["name"].casefold(), data.get("commune_code", "")), [])
            if len(found) == 1:
                return found[0]
        return None

    def load_memberships(self, pairs: set[tuple[int, int]]) -> None:
        poles = {p for p, _o in pairs}
        organisations = {o for _p, o in pairs}
        for chunk in _chunks(organisations):
            for m in Membership.objects.filter(pole_id__in=poles, organisation_id__in=chunk):
                self.memberships[(m.pole_id, m.organisation_id)] = m


class _Poles:
    """The poles a file names (by id, slug, SIREN or name), read in a few queries."""

    def __init__(self, refs: set[str], ids: set[int], sirens: set[str], names: set[str]):
        ids = ids | {parse_id(r) for r in refs if parse_id(r)}
        names = names | {r for r in refs if not parse_id(r)}
        found: dict[int, Pole] = {}
        for chunk in _chunks(ids):
            found.update(Pole.objects.prefetch_related("territory").in_bulk(chunk))
        for column, values in (("slug", refs), ("siren", sirens), ("name", names)):
            for chunk in _chunks({v for v in values if v}):
                for pole in Pole.objects.prefetch_related("territory").filter(
                    **{f"{column}__in": chunk}
                ):
                    found.setdefault(pole.pk, pole)
        self.by_id = found
        self.by_slug, self.by_siren, self.by_name = {}, {}, {}
        for pole in sorted(found.values(), key=lambda p: p.pk):
            self.by_slug.setdefault(pole.slug, pole)
            if pole.siren:
                self.by_siren.setdefault(pole.siren, pole)
            self.by_name.setdefault(pole.name, pole)

    def reference(self, ref: str) -> Pole | None:
        """A pole named in an organisation's row: its id, its slug or its name."""
        if parse_id(ref):
            return self.by_id.get(parse_id(ref))
        return self.by_slug.get(ref) or self.by_name.get(ref)

    def match(self, data: dict) -> Pole | None:
        if data.get("_id") and data["_id"] in self.by_id:
            return self.by_id[data["_id"]]
        if data.get("siren") and data["siren"] in self.by_siren:
            return self.by_siren[data["siren"]]
        return self.by_name.get(data.get("name", ""))


def _check_organisation(row: dict) -> dict:
    """The row cleaned by the services' own checks (a DomainError names the column)."""
    data = {k: row.get(k, "") for k in ORGANISATION_FIELDS if k in row}
    data["siret"] = services.clean_siret(data.get("siret", ""))
    data["siren"] = services.clean_siren(data.get("siren", "")) or data["siret"][:9]
    if data["siret"] and data["siret"][:9] != data["siren"]:
        raise DomainError(errors.SIRET_SIREN_MISMATCH, field="siret")
    data["name"] = services.clean_text(data.get("name"), "name", required=True)
    if "legal_form" in data:
        data["legal_form"] = services.clean_text(data["legal_form"], "legal_form")
    if "website" in data:
        data["website"] = services.clean_url(data["website"], "website")
    services.clean_choice(data.get("category", ""), Organisation.Category, "category")
    services.clean_choice(data.get("ess_status", ""), Organisation.EssStatus, "ess_status")
    if data.get("commune_code"):
        data["commune_code"] = services.clean_commune(data["commune_code"]).code
    return data


def _check_pole(row: dict) -> dict:
    data = {k: row[k] for k in POLE_FIELDS if k in row}
    data["territory"] = data.get("territory", "").split()
    data["name"] = services.clean_text(data.get("name"), "name", required=True)
    data["siren"] = services.clean_siren(data.get("siren", ""))
    if data.get("commune_code"):
        data["commune_code"] = services.clean_commune(data["commune_code"]).code
    services.clean_area(data)
    services.clean_territory(data["territory"])
    for name in ("description", "strategy", "legal_form"):
        if name in data:
            data[name] = services.clean_text(data[name], name)
    for name in ("website", "source_url"):
        if name in data:
            data[name] = services.clean_url(data[name], name)
    services.clean_year_and_jobs(data)
    return data


def _row_id(row: dict) -> int | None:
    """The « id » column: a positive ASCII integer, else a DomainError (« ² » is not one)."""
    value = row.get("id", "")
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        raise DomainError(errors.INVALID_ID, field="id")
    return number


def plan(raw: bytes, kind: str, *, progress=None) -> Plan:
    """The dry run: every row checked and matched, in a few queries whatever the number
    of rows (the registry is read in bulk first). ``progress(done, total)`` is called
    every PROGRESS_EVERY rows."""
    rows, encoding, delimiter = read(raw, kind)
    result = Plan(kind=kind, rows=[], errors=[], encoding=encoding, delimiter=delimiter)
    checked: list[tuple[dict, dict]] = []
    for row in rows:
        try:
            data = _check_organisation(row) if kind == "structures" else _check_pole(row)
            data["_id"] = _row_id(row)
            if kind == "structures":
                since = row.get("since", "")
                data["_since"] = parse_int(since, minimum=1900, maximum=2100) if since else None
                if since and data["_since"] is None:
                    raise DomainError(errors.INVALID_SINCE, field="since")
                data["_pole"] = row.get("pole", "") or row.get("pole_id", "")
                data["_role"] = row.get("role", "") or "member"
                if data["_pole"]:
                    services.clean_choice(data["_role"], Membership.Role, "role")
        except DomainError as exc:
            result.errors.append(RowError(row["_line"], exc.field or "", str(exc.message)))
            continue
        checked.append((row, data))
    if kind == "structures":
        organisations = _Organisations([d for _r, d in checked])
        poles = _Poles({d["_pole"] for _r, d in checked if d["_pole"]}, set(), set(), set())
    else:
        poles = _Poles(
            set(),
            {d["_id"] for _r, d in checked if d["_id"]},
            {d["siren"] for _r, d in checked if d["siren"]},
            {d["name"] for _r, d in checked},
        )
    seen: dict[str, int] = {}  # SIRET/SIREN/name → first line, to catch duplicates
    pending_memberships: list[RowPlan] = []
    for number, (row, data) in enumerate(checked, start=1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number, len(checked))
        line = row["_line"]
        row_id = data.pop("_id")
        try:
            if kind == "structures":
                since, pole_ref, role = data.pop("_since"), data.pop("_pole"), data.pop("_role")
                key = (
                    data["siret"]
                    or (data["siren"] and f"siren:{data['siren']}")
                    or f"name:{data['name'].casefold()}:{data.get('commune_code', '')}"
                )
                target = organisations.match({**data, "_id": row_id})
                item = RowPlan(line=line, action="", name=data["name"], data=data)
                if pole_ref:
                    pole = poles.reference(pole_ref)
                    if pole is None:
                        raise DomainError(errors.UNKNOWN_POLE, field="pole", pole=pole_ref[:80])
                    item.pole_id, item.role, item.since = pole.pk, role, since
                fields = ORGANISATION_FIELDS
            else:
                key = f"siren:{data['siren']}" if data["siren"] else f"name:{data['name']}"
                target = poles.match({**data, "_id": row_id})
                item = RowPlan(line=line, action="", name=data["name"], data=data)
                fields = POLE_FIELDS
        except DomainError as exc:
            result.errors.append(RowError(line, exc.field or "", str(exc.message)))
            continue
        if key in seen:
            result.errors.append(
                RowError(
                    line,
                    "siret" if kind == "structures" else "name",
                    _("Duplicate of line %(line)d.") % {"line": seen[key]},
                )
            )
            continue
        seen[key] = line
        item.target_id = target.pk if target else None
        item.changes = _diff(target, data, fields)
        if item.pole_id and target is not None:
            pending_memberships.append(item)
        result.rows.append(item)
    if pending_memberships:
        organisations.load_memberships({(i.pole_id, i.target_id) for i in pending_memberships})
        for item in pending_memberships:
            membership = organisations.memberships.get((item.pole_id, item.target_id))
            if membership is None or membership.role != item.role:
                item.changes["pole"] = ("", f"{item.pole_id} ({item.role})")
    for item in result.rows:
        if item.target_id is None:
            item.action = "create"
        else:
            item.action = "update" if item.changes else "unchanged"
    result.errors.sort(key=lambda e: e.line)
    return result


def apply(result: Plan, *, actor=None) -> dict[str, int]:
    """Write a plan without errors, all or nothing (a DomainError rolls everything back)."""
    if not result.ok:
        raise DomainError(errors.IMPORT_HAS_ERRORS)
    with transaction.atomic():
        if result.kind == "structures":
            _apply_organisations(result, actor=actor)
        else:
            _apply_poles(result, actor=actor)
    return result.counts()


def _apply_poles(result: Plan, *, actor) -> None:
    """Poles created and updated in bulk, their territories replaced in bulk, one revision
    each (the dry run's changes), one audit entry, then the legal check of each."""
    rows = [r for r in result.rows if r.action != "unchanged"]
    targets: dict[int, Pole] = {}
    for chunk in _chunks([r.target_id for r in rows if r.target_id]):
        targets.update(Pole.objects.prefetch_related("territory", "activities").in_bulk(chunk))
    created, updated, areas = [], [], []
    slugs = services.free_slugs(Pole, [r.data["name"] for r in rows if not r.target_id])
    for row in rows:
        target = targets.get(row.target_id)
        data = {}
        if target is not None:  # a column the file does not have keeps its value
            data = {f: getattr(target, f) for f in POLE_FIELDS if f != "territory"}
            data = {k: ("" if v is None else v) for k, v in data.items()}
            data["territory"] = [a.code for a in target.territory.all()]
        data.update({k: v for k, v in row.data.items() if k != "territory" or v})
        pole, territory = services.pole_build(data=data, pole=target)
        pole.search_text = services.pole_search_text(pole)  # activities: prefetched, or none
        if target is None:
            pole.slug = slugs.pop(0)
            created.append(pole)
        else:
            updated.append(pole)
        areas.append((pole, territory))
        row.pole = pole
    Pole.objects.bulk_create(created, batch_size=CHUNK)
    if updated:
        Pole.objects.bulk_update(updated, services.POLE_WRITTEN, batch_size=CHUNK)
    for chunk in _chunks([p.pk for p in updated]):
        TerritoryArea.objects.filter(pole_id__in=chunk).delete()
    TerritoryArea.objects.bulk_create(
        [
            TerritoryArea(pole=pole, kind=kind, code=code)
            for pole, territory in areas
            for kind, code in territory
        ],
        batch_size=CHUNK,
    )
    user = actor if actor is not None and actor.is_authenticated else None
    PoleRevision.objects.bulk_create(
        [
            PoleRevision(
                pole=row.pole,
                user=user,
                source="import",
                changes={k: [str(b), str(a)] for k, (b, a) in row.changes.items()},
            )
            for row in rows
            if row.changes
        ],
        batch_size=CHUNK,
    )
    audit(
        "registry.import.applied",
        scope="registry.import",
        actor=actor,
        kind=result.kind,
        created=len(created),
        updated=len(updated),
    )
    services.poles_check([p.pk for p in created + updated])


def _apply_organisations(result: Plan, *, actor) -> None:
    """Organisations created and updated in bulk, memberships likewise, one revision per
    pole whose members changed, and one legal check per pole touched."""
    rows = [r for r in result.rows if r.action != "unchanged"]
    targets: dict[int, Organisation] = {}
    for chunk in _chunks([r.target_id for r in rows if r.target_id]):
        targets.update(Organisation.objects.in_bulk(chunk))
    created, updated = [], []
    slugs = services.free_slugs(Organisation, [r.data["name"] for r in rows if not r.target_id])
    for row in rows:
        target = targets.get(row.target_id)
        # a column the file does not have keeps its value
        data = {f: getattr(target, f) or "" for f in STORED_FIELDS} if target else {}
        data.update(row.data)
        organisation = services.organisation_build(data=data, organisation=target, checked=True)
        if target is None:
            organisation.slug = slugs.pop(0)
            created.append(organisation)
        else:
            updated.append(organisation)
        row.organisation = organisation
    try:
        Organisation.objects.bulk_create(created, batch_size=CHUNK)
    except IntegrityError as exc:
        raise DomainError(errors.DUPLICATE_SIRET) from exc
    if updated:
        Organisation.objects.bulk_update(updated, services.ORGANISATION_WRITTEN, batch_size=CHUNK)
    touched = set()
    for chunk in _chunks([o.pk for o in updated]):
        touched.update(
            Membership.objects.filter(organisation_id__in=chunk).values_list("pole_id", flat=True)
        )
    members = [r for r in rows if r.pole_id]
    existing: dict[tuple[int, int], Membership] = {}
    for chunk in _chunks([r.organisation.pk for r in members]):
        for m in Membership.objects.filter(organisation_id__in=chunk):
            existing[(m.pole_id, m.organisation_id)] = m
    new, changed, revisions = [], [], {}
    labels = dict(Membership.Role.choices)
    for row in members:
        key = (row.pole_id, row.organisation.pk)
        before = existing.get(key)
        if before is not None and (before.role, before.since) == (row.role, row.since):
            continue
        if before is None:
            new.append(
                Membership(
                    pole_id=row.pole_id,
                    organisation=row.organisation,
                    role=row.role,
                    since=row.since,
                )
            )
        else:
            old_role = str(labels.get(before.role, before.role))
            before.role, before.since = row.role, row.since
            changed.append(before)
        revisions.setdefault(row.pole_id, {})[f"member: {row.organisation.name}"] = [
            old_role if before is not None else "",
            str(labels[row.role]),
        ]
        touched.add(row.pole_id)
    Membership.objects.bulk_create(new, batch_size=CHUNK)
    Membership.objects.bulk_update(changed, ["role", "since"], batch_size=CHUNK)
    user = actor if actor is not None and actor.is_authenticated else None
    PoleRevision.objects.bulk_create(
        PoleRevision(pole_id=pole_id, user=user, source="import", changes=changes)
        for pole_id, changes in revisions.items()
    )
    audit(
        "registry.import.applied",
        scope="registry.import",
        actor=actor,
        kind=result.kind,
        created=len(created),
        updated=len(updated),
        memberships=len(new) + len(changed),
    )
    services.poles_check(touched)


# --- the editors' import: a checked file kept on the server, applied in the background -----


def batch_check(*, raw: bytes, kind: str, actor) -> tuple[Plan, ImportBatch | None]:
    """The dry run of an uploaded file; a file without errors is kept (keyed by its hash:
    the same file checked twice by the same person is one row) until it is confirmed."""
    result = plan(raw, kind)
    if not result.ok:
        return result, None
    from django.utils import timezone

    digest = hashlib.sha256(raw).hexdigest()
    with transaction.atomic():
        # checked files never confirmed are kept a day (the confirmation expires with them)
        ImportBatch.objects.filter(
            status=ImportBatch.Status.CHECKED,
            created_at__lt=timezone.now() - timedelta(seconds=CHECKED_KEPT),
        ).delete()
        batch = ImportBatch.objects.filter(
            sha256=digest, kind=kind, created_by=actor, status=ImportBatch.Status.CHECKED
        ).first()
        if batch is None:
            batch = ImportBatch.objects.create(
                kind=kind,
                sha256=digest,
                raw=raw,
                size=len(raw),
                created_by=actor,
                rows_total=len(result.rows),
            )
    return result, batch


def batch_confirm(*, batch_id: int, actor) -> ImportBatch:
    """Queue a checked file for import (once): the worker checks it again, then writes."""
    from registry.tasks import run_import

    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .filter(pk=batch_id, created_by=actor)
            .defer("raw")
            .first()
        )
        if batch is None:
            raise DomainError(errors.IMPORT_EXPIRED)
        if batch.status != ImportBatch.Status.CHECKED:
            return batch  # confirmed twice (a double click): queued once
        batch.status = ImportBatch.Status.QUEUED
        batch.save(update_fields=["status"])
        audit("registry.import.queued", scope=f"registry.import:{batch.pk}", actor=actor)
        transaction.on_commit(partial(run_import.enqueue, batch_id=batch.pk))
    return batch


def _set(batch_id: int, **values) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(**values)


def batch_run(*, batch_id: int) -> str:
    """The background import of a confirmed file: checked again (the registry may have
    changed since the dry run), with its progress saved every PROGRESS_EVERY rows, then
    written all or nothing."""
    from django.utils import timezone

    batch = ImportBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.QUEUED:
        return "skipped"
    _set(batch_id, status=ImportBatch.Status.CHECKING, rows_done=0)
    try:
        result = plan(
            bytes(batch.raw),
            batch.kind,
            progress=lambda done, total: _set(batch_id, rows_done=done, rows_total=total),
        )
        if not result.ok:
            first = result.errors[0]
            raise DomainError(
                errors.IMPORT_HAS_ERRORS,
                _("The registry changed since the check: line %(line)d: %(message)s")
                % {"line": first.line, "message": first.message},
            )
        _set(batch_id, status=ImportBatch.Status.WRITING, rows_done=len(result.rows))
        counts = apply(result, actor=batch.created_by)
    except DomainError as exc:
        _set(
            batch_id,
            status=ImportBatch.Status.FAILED,
            error=str(exc.message),
            raw=b"",
            finished_at=timezone.now(),
        )
        return "failed"
    _set(
        batch_id,
        status=ImportBatch.Status.DONE,
        counts=counts,
        raw=b"",  # written: the file is no longer needed
        finished_at=timezone.now(),
    )
    return "done"
