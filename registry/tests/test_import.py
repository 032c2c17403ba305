"""CSV import: encodings and separators, the dry run, row errors, all or nothing,
idempotence; the command and the editors' page."""

import hashlib
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from core.errors import DomainError
from registry import importing, services
from registry.models import ImportBatch, Membership, Organisation

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
        (b"nom;categorie\nX;Y\n", "registry.missing_columns"),
        (b"PK\x03\x04\x00\x00binary", "registry.not_csv"),
        (b"\xff\xfen\x00a\x00\x00\xd8", "registry.bad_encoding"),  # UTF-16 cut in a surrogate
        (b"x" * (importing.MAX_BYTES + 1), "registry.file_too_large"),
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


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("editrice", password="x-pass-1234", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_organisation", "add_pole"])
    )
    return user


def test_the_editors_page_checks_then_imports(
    client, archer, editor, django_capture_on_commit_callbacks
):
    other = get_user_model().objects.create_user("autre", password="x-pass-1234", is_staff=True)
    client.force_login(other)
    assert client.get("/gestion/annuaire/import/").status_code == 403
    client.force_login(editor)
    upload = SimpleUploadedFile("membres.csv", (HEADER + ROWS).encode(), "text/csv")
    page = client.post("/gestion/annuaire/import/", {"kind": "structures", "file": upload})
    text = page.content.decode()
    assert "3 à créer" in text and 'name="batch"' in text
    assert not Organisation.objects.exists()
    # the file is kept on the server, keyed by its hash: the confirmation posts its id only
    batch = ImportBatch.objects.get()
    assert batch.sha256 == hashlib.sha256((HEADER + ROWS).encode()).hexdigest()
    assert batch.status == "checked" and bytes(batch.raw) == (HEADER + ROWS).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/gestion/annuaire/import/", {"batch": batch.pk})
    assert (
        response.status_code == 302
        and response["Location"] == f"/gestion/annuaire/import/{batch.pk}/"
    )
    assert Organisation.objects.count() == 3
    status = client.get(response["Location"]).content.decode()
    assert "Importé\u00a0: 3 créées, 0 mises à jour, 0 inchangées." in status
    # confirmed twice (a double click): imported once
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/gestion/annuaire/import/", {"batch": batch.pk})
    assert Organisation.objects.count() == 3
    for forged in ("abc", "²", "99999"):
        text = client.post("/gestion/annuaire/import/", {"batch": forged}).content.decode()
        assert "trop ancienne ou a été modifiée" in text
    client.force_login(other)
    other.user_permissions.add(*editor.user_permissions.all())
    other = get_user_model().objects.get(pk=other.pk)  # permissions cache
    client.force_login(other)
    assert client.get(f"/gestion/annuaire/import/{batch.pk}/").status_code == 404
    assert client.post("/gestion/annuaire/import/", {"batch": batch.pk}).status_code == 200
    client.force_login(editor)
    bad = SimpleUploadedFile("x.csv", (HEADER + "X;;;vip;not_ess;;;\n").encode(), "text/csv")
    text = client.post(
        "/gestion/annuaire/import/", {"kind": "structures", "file": bad}
    ).content.decode()
    assert "1 ligne refusée" in text and 'name="batch"' not in text
    assert ImportBatch.objects.count() == 1


def test_a_confirmed_import_runs_in_the_background_with_its_progress(
    client, archer, editor, settings
):
    """With a queue (the database backend in production), the confirmation answers at
    once; the status page says where the import is, then what it did."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(editor)
    raw = (HEADER + ROWS).encode()
    plan, batch = importing.batch_check(raw=raw, kind="structures", actor=editor)
    response = client.post("/gestion/annuaire/import/", {"batch": batch.pk})
    assert response.status_code == 302 and not Organisation.objects.exists()
    assert "attend le processus" in client.get(response["Location"]).content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="checking", rows_done=1000, rows_total=4000
    )
    page = client.get(response["Location"]).content.decode()
    assert 'value="25"' in page and "1000 lignes sur 4000" in page
    ImportBatch.objects.filter(pk=batch.pk).update(status="queued")
    assert importing.batch_run(batch_id=batch.pk) == "done"
    assert Organisation.objects.count() == 3
    batch.refresh_from_db()
    assert batch.counts == {"create": 3, "update": 0, "unchanged": 0} and not bytes(batch.raw)


def test_a_file_that_became_wrong_before_the_worker_ran_imports_nothing(archer, editor):
    raw = (HEADER + ROWS).encode()
    _plan, batch = importing.batch_check(raw=raw, kind="structures", actor=editor)
    ImportBatch.objects.filter(pk=batch.pk).update(status="queued")
    archer.delete()  # the pole the rows name is gone
    assert importing.batch_run(batch_id=batch.pk) == "failed"
    batch.refresh_from_db()
    assert batch.status == "failed" and "ligne 2" in batch.error and "Aucun pôle" in batch.error
    assert not Organisation.objects.exists()


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


# --- hostile files -------------------------------------------------------------------------


def test_a_utf8_file_with_one_stray_latin1_byte_is_refused_with_its_line(archer):
    """Before: decoded whole as Windows-1252, every « é » of the file became « Ã© »."""
    good = (HEADER + ROWS).encode()  # UTF-8, with « ô » in « Pôle »
    raw = good + "Café du coin;;;ess_enterprise;association;26281;;\n".encode("latin-1")
    with pytest.raises(DomainError) as caught:
        importing.plan(raw, "structures")
    assert caught.value.code == "registry.mixed_encoding" and "ligne 5" in caught.value.message
    # pure Windows-1252 (no UTF-8 sequence at all) is still read as such
    plan = importing.plan((HEADER + ROWS).encode("cp1252"), "structures")
    assert plan.encoding == "Windows-1252" and plan.ok
    assert {r.name for r in plan.rows} >= {"Archer"}
    assert importing.plan(good, "structures").encoding == "UTF-8"


def test_a_nul_byte_after_the_first_4_kb_is_refused_with_its_line(archer):
    filler = "".join(f"Structure {n};;;enterprise;not_ess;26281;;\n" for n in range(200))
    assert len(HEADER + filler) > 4096
    raw = (HEADER + filler + "Nu\x00l;;;enterprise;not_ess;26281;;\n").encode()
    with pytest.raises(DomainError) as caught:
        importing.plan(raw, "structures")
    assert caught.value.code == "registry.nul_byte" and "ligne 202" in caught.value.message


def test_a_cell_over_the_csv_field_limit_is_a_clear_error(archer):
    raw = (HEADER + ROWS + '"' + "x" * 140_000 + '";;;enterprise;not_ess;;;\n').encode()
    with pytest.raises(DomainError) as caught:
        importing.plan(raw, "structures")
    assert (
        caught.value.code == "registry.unreadable_line"
        and "ligne 5" in caught.value.message.lower()
    )
    assert "128 Ko" in caught.value.message


@pytest.mark.parametrize(
    ("header", "line", "column"),
    [
        ("id,name,category,ess_status", "²,Archer,enterprise,not_ess", "id"),
        ("id,name,category,ess_status", "1e3,Archer,enterprise,not_ess", "id"),
        (
            "name,category,ess_status,pole,since",
            "A,enterprise,not_ess,Pôle Sud Archer,²⁰¹⁴",
            "since",
        ),
        (
            "name,category,ess_status,pole,since",
            "A,enterprise,not_ess,Pôle Sud Archer,99999",
            "since",
        ),
    ],
)
def test_ids_and_years_that_are_not_ascii_numbers_are_row_errors(archer, header, line, column):
    plan = importing.plan(f"{header}\n{line}\n".encode(), "structures")
    [error] = plan.errors
    assert (error.line, error.column) == (2, column) and error.message


def test_a_pole_named_by_an_odd_id_is_a_row_error(archer):
    raw = "name,category,ess_status,pole\nA,enterprise,not_ess,²\n".encode()
    [error] = importing.plan(raw, "structures").errors
    assert error.column == "pole" and "Aucun pôle" in error.message


@pytest.mark.parametrize("kind", ["structures", "poles"])
def test_invisible_characters_in_cells_are_reported_by_line_and_column(archer, kind):
    header = "name,category,ess_status,legal_form" if kind == "structures" else "name,legal_form"
    tail = ",enterprise,not_ess" if kind == "structures" else ""
    raw = f"{header}\nBon{tail},SA\nMal\u202enom{tail},SA\nBien{tail},S\u200bA\n".encode()
    plan = importing.plan(raw, kind)
    assert [(e.line, e.column) for e in plan.errors] == [(3, "name"), (4, "legal_form")]
    assert "U+202E" in plan.errors[0].message and "U+200B" in plan.errors[1].message


def test_the_dry_run_reads_the_registry_in_a_few_queries(archer, django_assert_max_num_queries):
    """Matching is set-based: the same queries for 3 rows or 300 (before: 3 to 5 a row)."""
    rows = "".join(
        f"Structure {n};;;enterprise;not_ess;26281;Pôle Sud Archer;member\n" for n in range(300)
    )
    with django_assert_max_num_queries(12):
        plan = importing.plan((HEADER + rows).encode(), "structures")
    assert plan.ok and plan.counts()["create"] == 300
    with django_assert_max_num_queries(40):
        importing.apply(plan)
    assert Membership.objects.filter(pole=archer).count() == 300
    again = importing.plan((HEADER + rows).encode(), "structures")
    assert again.counts() == {"create": 0, "update": 0, "unchanged": 300}


def test_the_stated_limits_are_reachable(
    archer, editor, client, django_capture_on_commit_callbacks
):
    """A file at the limits (here 2,000 rows of 250 bytes; bench/import_limits.py runs
    20,000 rows, 5 MB) goes through the dry run and the confirmation; the confirmation's
    body is a few bytes (before: the whole file, signed, over Django's 2.5 MB limit)."""
    from registry.tests.big_csv import organisations_csv

    raw = organisations_csv(2000, pole="Pôle Sud Archer", row_bytes=250)
    client.force_login(editor)
    upload = SimpleUploadedFile("grand.csv", raw, "text/csv")
    page = client.post("/gestion/annuaire/import/", {"kind": "structures", "file": upload})
    assert "2000 à créer" in page.content.decode()
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/gestion/annuaire/import/", {"batch": str(batch.pk)})
    assert response.status_code == 302
    assert Organisation.objects.count() == 2000
    assert Membership.objects.filter(pole=archer).count() == 2000
    archer.refresh_from_db()
    assert archer.member_categories == " enterprise ess_enterprise "


def test_a_poles_import_is_written_in_bulk(archer, django_assert_max_num_queries):
    """Poles too: the same queries for 3 rows or 100 (before: a dozen a row), each new
    pole with its territory, a revision and its legal check."""
    rows = "".join(f"Pôle numéro {n},26281,26 07,2010\n" for n in range(100))
    raw = f"name,commune_code,territory,year_founded\n{rows}".encode()
    plan = importing.plan(raw, "poles")
    assert plan.ok and plan.counts()["create"] == 100
    with django_assert_max_num_queries(40):
        importing.apply(plan)
    from registry.models import Pole, PoleRevision

    pole = Pole.objects.get(name="Pôle numéro 42")
    assert sorted(pole.territory.values_list("code", flat=True)) == ["07", "26"]
    assert pole.year_founded == 2010 and pole.department_code == "26"
    assert pole.checked_at is not None and "romans" in pole.search_text
    assert PoleRevision.objects.filter(pole=pole, source="import").exists()
    assert importing.plan(raw, "poles").counts()["unchanged"] == 100
