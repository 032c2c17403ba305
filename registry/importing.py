"""CSV import of the registry: organisations (with their pole and role) and poles.

The columns are those of the open-data files (an export can be imported back). A file
is read as UTF-8 (with or without BOM) or, failing that, as Windows-1252/Latin-1, with
commas or semicolons (French spreadsheets). ``plan`` checks every row and says what
would change (the dry run) or why a row is refused; ``apply`` writes the plan in one
transaction, all or nothing. Re-importing the same file changes nothing: organisations
are matched by SIRET, then SIREN, then their id; poles by id, then SIREN, then name.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from registry import services
from registry.models import Membership, Organisation, Pole

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


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


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding name)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "UTF-8 (BOM)"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise DomainError(
                "bad_encoding",
                _("This UTF-16 file is damaged: save it again as CSV UTF-8."),
            ) from exc
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"


def read(raw: bytes, kind: str) -> tuple[list[dict], str, str]:
    """The rows of a file as dicts (line numbers in "_line"), its encoding and delimiter;
    a DomainError for a file that cannot be read as such."""
    if kind not in KINDS:
        raise DomainError("unknown_kind", _("Choose what the file holds: organisations or poles."))
    if len(raw) > MAX_BYTES:
        raise DomainError(
            "file_too_large",
            _("The file is too large (%(max)d MB at most).") % {"max": MAX_BYTES // 2**20},
        )
    text, encoding = decode(raw)
    if "\x00" in text[:4096]:
        raise DomainError(
            "not_csv", _("This is not a CSV text file (a spreadsheet saved as .xlsx?).")
        )
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in KINDS[kind]["required"] if c not in columns]
    if missing:
        raise DomainError(
            "missing_columns",
            _("Missing columns: %(columns)s (the first line must name the columns).")
            % {"columns": ", ".join(missing)},
        )
    rows = []
    for number, row in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise DomainError(
                "too_many_rows", _("Too many rows (%(max)d at most).") % {"max": MAX_ROWS}
            )
        cleaned = {
            (key or "").strip().lower(): (value or "").strip()
            for key, value in row.items()
            if key is not None and not isinstance(value, list)
        }
        if not any(cleaned.values()):
            continue  # an empty line
        cleaned["_line"] = number
        rows.append(cleaned)
    return rows, encoding, delimiter


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


def _org_match(data: dict) -> Organisation | None:
    if data.get("siret"):
        found = Organisation.objects.filter(siret=data["siret"]).first()
        if found:
            return found
    if data.get("siren") and not data.get("siret"):
        found = list(Organisation.objects.filter(siren=data["siren"], siret="")[:2])
        if len(found) == 1:
            return found[0]
    if data.get("id", "").isdigit():
        found = Organisation.objects.filter(pk=int(data["id"])).first()
        if found:
            return found
    if not data.get("siren"):  # no identifier: the same name in the same commune
        found = list(
            Organisation.objects.filter(
                name__iexact=data["name"], commune_code=data.get("commune_code", "")
            )[:2]
        )
        if len(found) == 1:
            return found[0]
    return None


def _pole_match(data: dict) -> Pole | None:
    if data.get("id", "").isdigit():
        found = Pole.objects.filter(pk=int(data["id"])).first()
        if found:
            return found
    if data.get("siren"):
        found = Pole.objects.filter(siren=data["siren"]).first()
        if found:
            return found
    return Pole.objects.filter(name=data.get("name", "")).first()


def _check_organisation(row: dict) -> dict:
    """The row cleaned by the services' own checks (a DomainError names the column)."""
    data = {k: row.get(k, "") for k in ORGANISATION_FIELDS if k in row}
    data["siret"] = services.clean_siret(data.get("siret", ""))
    data["siren"] = services.clean_siren(data.get("siren", "")) or data["siret"][:9]
    if data["siret"] and data["siret"][:9] != data["siren"]:
        raise DomainError(
            "siret_siren_mismatch", _("The SIRET does not begin with the SIREN."), field="siret"
        )
    services.clean_text(data.get("name"), "name", required=True)
    if "legal_form" in data:
        services.clean_text(data["legal_form"], "legal_form")
    if "website" in data:
        services.clean_url(data["website"], "website")
    services.clean_choice(data.get("category", ""), Organisation.Category, "category")
    services.clean_choice(data.get("ess_status", ""), Organisation.EssStatus, "ess_status")
    if data.get("commune_code"):
        data["commune_code"] = services.clean_commune(data["commune_code"]).code
    return data


def plan(raw: bytes, kind: str) -> Plan:
    rows, encoding, delimiter = read(raw, kind)
    result = Plan(kind=kind, rows=[], errors=[], encoding=encoding, delimiter=delimiter)
    seen: dict[str, int] = {}  # SIRET/SIREN/name → first line, to catch duplicates
    for row in rows:
        line = row["_line"]
        try:
            if kind == "structures":
                data = _check_organisation(row)
                key = (
                    data["siret"]
                    or (data["siren"] and f"siren:{data['siren']}")
                    or f"name:{data['name'].casefold()}:{data.get('commune_code', '')}"
                )
                target = _org_match({**data, "id": row.get("id", "")})
                item = RowPlan(line=line, action="", name=data["name"], data=data)
                pole_ref = row.get("pole", "") or row.get("pole_id", "")
                if pole_ref:
                    pole = (
                        Pole.objects.filter(pk=int(pole_ref)).first()
                        if pole_ref.isdigit()
                        else Pole.objects.filter(slug=pole_ref).first()
                        or Pole.objects.filter(name=pole_ref).first()
                    )
                    if pole is None:
                        raise DomainError(
                            "unknown_pole",
                            _("No pole “%(pole)s” in the directory.") % {"pole": pole_ref[:80]},
                            field="pole",
                        )
                    role = row.get("role", "") or "member"
                    services.clean_choice(role, Membership.Role, "role")
                    item.pole_id, item.role = pole.pk, role
                    since = row.get("since", "")
                    if since:
                        if not since.isdigit() or not 1900 <= int(since) <= 2100:
                            raise DomainError(
                                "invalid_since", _("Give a year (4 digits)."), field="since"
                            )
                        item.since = int(since)
                fields = ORGANISATION_FIELDS
            else:
                data = {k: row[k] for k in POLE_FIELDS if k in row}
                data["territory"] = data.get("territory", "").split()
                services.clean_text(data.get("name"), "name", required=True)
                data["siren"] = services.clean_siren(data.get("siren", ""))
                if data.get("commune_code"):
                    data["commune_code"] = services.clean_commune(data["commune_code"]).code
                services.clean_area(data)
                services.clean_territory(data["territory"])
                for name in ("description", "strategy", "legal_form"):
                    if name in data:
                        services.clean_text(data[name], name)
                for name in ("website", "source_url"):
                    if name in data:
                        services.clean_url(data[name], name)
                services.clean_year_and_jobs(data)
                key = f"siren:{data['siren']}" if data["siren"] else f"name:{data['name']}"
                target = _pole_match({**data, "id": row.get("id", "")})
                item = RowPlan(line=line, action="", name=data["name"], data=data)
                fields = POLE_FIELDS
        except DomainError as exc:
            result.errors.append(RowError(line, exc.field or "", str(exc.message)))
            continue
        if key and key in seen:
            result.errors.append(
                RowError(
                    line,
                    "siret" if kind == "structures" else "name",
                    _("Duplicate of line %(line)d.") % {"line": seen[key]},
                )
            )
            continue
        if key:
            seen[key] = line
        item.target_id = target.pk if target else None
        item.changes = _diff(target, data, fields)
        if kind == "structures" and item.pole_id and target is not None:
            membership = Membership.objects.filter(
                pole_id=item.pole_id, organisation=target
            ).first()
            if membership is None or membership.role != item.role:
                item.changes["pole"] = ("", f"{item.pole_id} ({item.role})")
        if target is None:
            item.action = "create"
        else:
            item.action = "update" if item.changes else "unchanged"
        result.rows.append(item)
    return result


def apply(result: Plan, *, actor=None) -> dict[str, int]:
    """Write a plan without errors, all or nothing (a DomainError rolls everything back)."""
    if not result.ok:
        raise DomainError("import_has_errors", _("Fix the errors of the file first."))
    with transaction.atomic():
        for row in result.rows:
            if row.action == "unchanged":
                continue
            if result.kind == "structures":
                target = (
                    Organisation.objects.filter(pk=row.target_id).first() if row.target_id else None
                )
                # a column the file does not have keeps its value
                data = {f: getattr(target, f) or "" for f in STORED_FIELDS} if target else {}
                data.update(row.data)
                organisation = services.organisation_save(
                    data=data, actor=actor, organisation=target
                )
                if row.pole_id:
                    services.membership_set(
                        pole=Pole.objects.get(pk=row.pole_id),
                        organisation=organisation,
                        role=row.role,
                        since=row.since,
                        actor=actor,
                        source="import",
                    )
            else:
                target = Pole.objects.filter(pk=row.target_id).first() if row.target_id else None
                data = {}
                if target is not None:  # a column the file does not have keeps its value
                    data = {f: getattr(target, f) for f in POLE_FIELDS if f != "territory"}
                    data = {k: ("" if v is None else v) for k, v in data.items()}
                    data["territory"] = [a.code for a in target.territory.all()]
                data.update({k: v for k, v in row.data.items() if k != "territory" or v})
                services.pole_save(data=data, actor=actor, pole=target, source="import")
    return result.counts()
