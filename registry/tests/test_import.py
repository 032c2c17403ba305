"""CSV import: encodings and separators, the dry run, row errors, all or nothing,
idempotence; the command and the editors' page."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from core.errors import DomainError
from registry import importing, services
from registry.models import Membership, Organisation

pytestmark = pytest.mark.django_db

HEADER = "name;siret;siren;category;ess_status;commune_code;pole;role\n"
ROWS = (
    "Archer;;;ess_enterprise;association;26281;Pôle Sud Archer;initiator\n"
    "Chaussures Romans;73282932000074;;enterprise;not_ess;26281;Pôle Sud Archer;member\n"
    "Valence Romans Agglo;;;local_authority;not_ess;26362;Pôle Sud Archer;partner\n"
)


@pytest.fixture
def archer(db):
    return services.pole_save(
        data={
            "name": "Pôle Sud Archer",
            "commune_code": "26281",
            "territory": ["26"],
            "strategy": "Reprendre des entreprises en difficulté et créer des emplois à Romans.",
        }
    )


@pytest.mark.parametrize(
    ("encode", "separator"),
    [
        (lambda t: t.encode("utf-8"), ";"),
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), ";"),
        (lambda t: t.encode("cp1252"), ";"),
        (lambda t: t.replace(";", ",").encode("latin-1", "replace"), ","),
        (lambda t: t.replace(";", "\t").encode("utf-16"), "\t"),  # Excel's "Unicode text"
    ],
)
def test_french_spreadsheets_are_read_whatever_their_encoding(archer, encode, separator):
    plan = importing.plan(encode(HEADER + ROWS), "structures")
    assert plan.ok, plan.errors
    assert plan.delimiter == separator and plan.counts() == {
        "create": 3,
        "update": 0,
        "unchanged": 0,
    }


def test_import_is_all_or_nothing_then_idempotent(archer):
    raw = (HEADER + ROWS).encode()
    counts = importing.apply(importing.plan(raw, "structures"))
    assert counts["create"] == 3
    assert Membership.objects.filter(pole=archer).count() == 3
    archer.refresh_from_db()
    assert archer.status == "checked"  # the check ran on the new members
    again = importing.plan(raw, "structures")
    assert again.counts() == {"create": 0, "update": 0, "unchanged": 3}
    importing.apply(again)
    assert Organisation.objects.count() == 3


def test_the_dry_run_shows_field_changes(archer):
    importing.apply(importing.plan((HEADER + ROWS).encode(), "structures"))
    changed = ROWS.replace(
        "Chaussures Romans;73282932000074;;enterprise;not_ess;26281",
        "Chaussures de Romans;73282932000074;;enterprise;not_ess;26362",
    )
    plan = importing.plan((HEADER + changed).encode(), "structures")
    row = next(r for r in plan.rows if r.action == "update")
    assert row.changes["name"] == ("Chaussures Romans", "Chaussures de Romans")
    assert row.changes["commune_code"] == ("26281", "26362")
    assert Organisation.objects.get(siret="73282932000074").name == "Chaussures Romans"


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        ("X;73282932000075;;enterprise;not_ess;;;\n", "siret", "clé de contrôle"),
        ("X;;12345;enterprise;not_ess;;;\n", "siren", "9 chiffres"),
        ("X;;;enterprise;not_ess;99999;;\n", "commune_code", "code INSEE"),
        ("X;;;vip;not_ess;;;\n", "category", "valeurs attendues"),
        ("X;;;enterprise;not_ess;;Pôle inconnu;\n", "pole", "Aucun pôle"),
        ("X;;;enterprise;not_ess;;Pôle Sud Archer;chef\n", "role", "valeurs attendues"),
        (";;;enterprise;not_ess;;;\n", "name", "obligatoire"),
        (
            "Chaussures bis;73282932000074;;enterprise;not_ess;;;\n",
            "siret",
            "Doublon de la ligne 3",
        ),
        ("=1+1" + "x" * 300 + ";;;enterprise;not_ess;;;\n", "name", "Trop long"),
    ],
)
def test_bad_rows_are_reported_by_line_and_nothing_is_written(archer, line, column, words):
    plan = importing.plan((HEADER + ROWS + line).encode(), "structures")
    assert not plan.ok
    [error] = plan.errors
    assert error.line == 5 and error.column == column and words in error.message
    with pytest.raises(DomainError):
        importing.apply(plan)
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"nom;categorie\nX;Y\n", "missing_columns"),
        (b"PK\x03\x04\x00\x00binary", "not_csv"),
        (b"\xff\xfen\x00a\x00\x00\xd8", "bad_encoding"),  # UTF-16 cut in a surrogate
        (b"x" * (importing.MAX_BYTES + 1), "file_too_large"),
    ],
)
def test_unreadable_files_are_refused(db, raw, code):
    with pytest.raises(DomainError) as caught:
        importing.plan(raw, "structures")
    assert caught.value.code == code and caught.value.message


def test_poles_import_round_trips_the_open_data_export(client, db):
    call_command("load_registry_demo", stdout=StringIO())
    export = b"".join(client.get("/donnees/poles.csv").streaming_content)
    plan = importing.plan(export, "poles")
    assert plan.ok, plan.errors[:3]
    assert plan.counts()["create"] == 0 and plan.counts()["update"] == 0


def test_the_command_dry_run_and_errors(archer, tmp_path):
    path = tmp_path / "membres.csv"
    path.write_bytes((HEADER + ROWS).encode("cp1252"))
    out = StringIO()
    call_command("import_registry", "structures", str(path), "--dry-run", stdout=out)
    assert "dry run: 3 create" in out.getvalue() and not Organisation.objects.exists()
    call_command("import_registry", "structures", str(path), stdout=StringIO())
    assert Organisation.objects.count() == 3
    path.write_bytes((HEADER + "X;;;vip;not_ess;;;\n").encode())
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_registry", "structures", str(path), stdout=StringIO())


def test_the_editors_page_checks_then_imports(client, archer):
    user = get_user_model().objects.create_user("editrice", password="x-pass-1234", is_staff=True)
    client.force_login(user)
    assert client.get("/gestion/annuaire/import/").status_code == 403
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_organisation", "add_pole"])
    )
    upload = SimpleUploadedFile("membres.csv", (HEADER + ROWS).encode(), "text/csv")
    page = client.post("/gestion/annuaire/import/", {"kind": "structures", "file": upload})
    text = page.content.decode()
    assert "3 à créer" in text and 'name="payload"' in text
    assert not Organisation.objects.exists()
    payload = page.context["payload"]
    response = client.post("/gestion/annuaire/import/", {"payload": payload})
    assert response.status_code == 302 and Organisation.objects.count() == 3
    tampered = client.post("/gestion/annuaire/import/", {"payload": payload[:-3] + "abc"})
    assert "trop ancienne ou a été modifiée" in tampered.content.decode()
    bad = SimpleUploadedFile("x.csv", (HEADER + "X;;;vip;not_ess;;;\n").encode(), "text/csv")
    text = client.post(
        "/gestion/annuaire/import/", {"kind": "structures", "file": bad}
    ).content.decode()
    assert "1 ligne refusée" in text and 'name="payload"' not in text


def test_an_import_keeps_what_the_file_does_not_mention(archer):
    organisation = services.organisation_save(
        data={
            "name": "Archer",
            "category": "ess_enterprise",
            "ess_status": "association",
            "address": "1 rue des Clercs",
            "postal_code": "26100",
            "commune_code": "26281",
            "source_url": "https://example.org/archer",
        }
    )
    raw = f"id,name,category,ess_status,website\n{organisation.pk},Archer,ess_enterprise,association,https://archer.example\n"
    plan = importing.plan(raw.encode(), "structures")
    assert [r.changes for r in plan.rows] == [{"website": ("", "https://archer.example")}]
    importing.apply(plan)
    organisation.refresh_from_db()
    assert organisation.website == "https://archer.example"
    assert (organisation.address, organisation.postal_code) == ("1 rue des Clercs", "26100")
    assert organisation.source_url == "https://example.org/archer"


def test_a_territory_change_is_seen_and_applied(archer):
    raw = f"id,name,territory\n{archer.pk},Pôle Sud Archer,26 07\n".encode()
    plan = importing.plan(raw, "poles")
    assert plan.rows[0].action == "update" and plan.rows[0].changes["territory"] == ("26", "07 26")
    importing.apply(plan)
    assert sorted(archer.territory.values_list("code", flat=True)) == ["07", "26"]


@pytest.mark.parametrize(
    ("column", "value", "code_words"),
    [
        ("year_founded", "abcd", "année"),
        ("jobs", "-3", "emplois"),
        ("website", "javascript:alert(1)", "https://"),
    ],
)
def test_pole_rows_are_checked_in_the_dry_run(archer, column, value, code_words):
    raw = f"name,{column}\nNouveau pôle,{value}\n".encode()
    plan = importing.plan(raw, "poles")
    assert not plan.ok and plan.errors[0].column == column and code_words in plan.errors[0].message
