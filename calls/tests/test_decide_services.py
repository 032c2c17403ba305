"""Deciding and publishing: the ranking selector, passing on, decisions within the
budget, notifying, publishing (idempotent), the pole page's facts, the SCDL open data
and the minutes."""

import csv
import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from calls import opendata
from calls.models import Application, Call, Decision
from calls.selectors_decide import ranking_for_stage
from calls.services import decisions as services
from calls.tests import decide_helpers as given
from core.errors import DomainError
from core.models import OutboundEmail
from registry import hooks as registry_hooks
from registry.models import Laureate

PUBLISH = {
    "grantor_name": "Ministère de l’Économie",
    "grantor_siret": "110 020 013 00010",
    "payments_from": date(2026, 3, 1),
    "payments_until": date(2028, 2, 28),
}


@pytest.fixture
def manager(user):
    return user("gestion")


@pytest.fixture
def scored(call, manager):
    """A one-stage call with three scored files (cut-off 2, a minimum of 2 on the second
    criterion, spread flagged above 1.5) and one file without any review."""
    created = call()
    created.managers.add(manager)
    stage = created.stages.get()
    stage.cutoff = Decimal("2")
    stage.spread_threshold = Decimal("1.5")
    stage.save()
    second = stage.criteria.order_by("position")[1]
    second.eliminatory_min = Decimal("2")
    second.save()
    a, b = given.juror(stage, "Anne Juré"), given.juror(stage, "Bruno Juré")
    top = given.submitted(
        created, pole_=given.pole("Pôle Archer", category="ess_enterprise"), title="Mobilité"
    )
    mid = given.submitted(
        created, pole_=given.pole("Pôle Bocage", region_code="53", category="local_authority")
    )
    low = given.submitted(created, pole_=given.pole("Pôle Causse", region_code="76"))
    unscored = given.submitted(created, pole_=given.pole("Pôle Delta"))
    given.review(stage, top, a, [5, 4])
    given.review(stage, top, b, [4, 4])
    given.review(stage, mid, a, [4, 3])
    given.review(stage, mid, b, [1, 3])
    given.review(stage, low, a, [3, 1])
    return created, stage, {"top": top, "mid": mid, "low": low, "unscored": unscored}


def test_ranking_orders_flags_and_lists_the_files_not_scored(scored):
    call, stage, files = scored
    standing = ranking_for_stage(stage)
    assert [r.application for r in standing.rows] == [files["top"], files["mid"], files["low"]]
    low = standing.rows[2]
    assert low.eliminated_labels == ["Ancrage territorial"]
    assert standing.rows[1].result.spread_flag  # 3.67 and 1.67
    assert [r.application for r in standing.unscored] == [files["unscored"]]
    assert [j.name for j in standing.jurors] == ["Anne Juré", "Bruno Juré"]
    regions = {name: (apps, proposed) for name, apps, proposed in standing.regions}
    assert regions["Auvergne-Rhône-Alpes"] == (2, 0)  # final stage: no laureate yet
    assert regions["Bretagne"] == (1, 0)
    categories = {name: apps for name, apps, _ in standing.categories}
    assert categories["entreprise de l’ESS"] == 1
    assert [bar.value for bar in standing.chart["bars"]] == [0, 0, 2, 0, 1]


def test_ranking_balance_counts_the_laureates(scored, manager):
    call, stage, files = scored
    services.decision_record(
        application=files["top"],
        outcome="laureate",
        amount="100000",
        reason="Solide",
        actor=manager,
    )
    regions = {name: proposed for name, _, proposed in ranking_for_stage(stage).regions}
    assert regions["Auvergne-Rhône-Alpes"] == 1


# --- decisions -------------------------------------------------------------------------------


def test_a_laureate_decision_is_recorded_and_logged(scored, manager):
    call, stage, files = scored
    decision = services.decision_record(
        application=files["top"],
        outcome="laureate",
        amount="150 000,50",
        reason="Coopération exemplaire",
        actor=manager,
    )
    assert decision.amount == Decimal("150000.50")
    assert call.log.filter(action="decision.recorded").count() == 1
    entry = call.log.get(action="decision.recorded")
    assert entry.payload["state"] == {
        "application": files["top"].pk,
        "outcome": "laureate",
        "amount": "150000.5000",
    }
    assert entry.actor == manager


def test_the_budget_is_never_exceeded(scored, manager):
    call, stage, files = scored
    call.budget = Decimal("200000")
    call.save()
    services.decision_record(
        application=files["top"], outcome="laureate", amount="150000", reason="Oui", actor=manager
    )
    with pytest.raises(DomainError) as caught:
        services.decision_record(
            application=files["mid"],
            outcome="laureate",
            amount="60000",
            reason="Oui",
            actor=manager,
        )
    assert caught.value.code == "calls.budget_exceeded"
    message = str(caught.value.message)
    assert "210\u202f000" in message and "200\u202f000" in message and "50\u202f000" in message
    assert not Decision.objects.filter(application=files["mid"]).exists()
    # changing the amount of a laureate counts its own amount once
    services.decision_record(
        application=files["top"], outcome="laureate", amount="200000", reason="Oui", actor=manager
    )


def test_without_a_budget_no_amount_is_granted(scored, manager):
    call, stage, files = scored
    call.budget = None
    call.save()
    with pytest.raises(DomainError) as caught:
        services.decision_record(
            application=files["top"], outcome="laureate", amount="1", reason="Oui", actor=manager
        )
    assert caught.value.code == "calls.budget_missing"


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_reason_is_required(scored, manager, reason):
    call, stage, files = scored
    with pytest.raises(DomainError) as caught:
        services.decision_record(
            application=files["low"], outcome="refused", reason=reason, actor=manager
        )
    assert caught.value.code == "calls.reason_required"
    assert caught.value.field == "reason"


def test_no_amount_on_a_refused_file(scored, manager):
    call, stage, files = scored
    with pytest.raises(DomainError) as caught:
        services.decision_record(
            application=files["low"], outcome="refused", amount="1000", reason="Non", actor=manager
        )
    assert caught.value.code == "calls.amount_not_laureate"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (None, "calls.amount_required"),
        ("", "calls.amount_required"),
        ("0", "calls.amount_required"),
        # not an amount at all: the applying side's refusal (parse_amount)
        ("-5", "calls.bad_amount"),
        ("abc", "calls.bad_amount"),
        ("NaN", "calls.bad_amount"),
    ],
)
def test_a_laureate_needs_an_amount_above_zero(scored, manager, amount, code):
    call, stage, files = scored
    with pytest.raises(DomainError) as caught:
        services.decision_record(
            application=files["top"], outcome="laureate", amount=amount, reason="Oui", actor=manager
        )
    assert caught.value.code == code


def test_an_unknown_outcome_is_refused(scored, manager):
    call, stage, files = scored
    with pytest.raises(DomainError) as caught:
        services.decision_record(
            application=files["top"], outcome="maybe", reason="Oui", actor=manager
        )
    assert caught.value.code == "calls.outcome_unknown"


def test_only_files_of_the_final_stage_are_decided(call, manager):
    created = call()
    regional, national = given.two_stages(created)
    application = given.submitted(created, stage=regional)
    with pytest.raises(DomainError) as caught:
        services.decision_record(
            application=application, outcome="refused", reason="Non", actor=manager
        )
    assert caught.value.code == "calls.not_final_stage"
    draft = Application.objects.create(call=created, pole=given.pole(), stage=national)
    with pytest.raises(DomainError) as caught:
        services.decision_record(application=draft, outcome="refused", reason="Non", actor=manager)
    assert caught.value.code == "calls.not_final_stage"


def test_no_decision_changes_after_publication(scored, manager):
    call, stage, files = scored
    services.decision_record(
        application=files["top"], outcome="laureate", amount="1000", reason="Oui", actor=manager
    )
    services.results_publish(call=call, actor=manager, **PUBLISH)
    with pytest.raises(DomainError) as caught:
        services.decision_record(
            application=files["mid"], outcome="refused", reason="Non", actor=manager
        )
    assert caught.value.code == "calls.results_published"


# --- passing on ------------------------------------------------------------------------------


@pytest.fixture
def regional(call, manager):
    created = call()
    regional, national = given.two_stages(created)
    jurors = [given.juror(regional), given.juror(regional)]
    files = [given.submitted(created, stage=regional) for _ in range(4)]
    for i, application in enumerate(files[:3]):
        for j in jurors:
            given.review(regional, application, j, [5 - i, 4])
    return created, regional, national, files


def test_pass_on_moves_the_chosen_files_and_closes_the_stage(regional, manager):
    call, stage, national, files = regional
    moved = services.stage_pass_on(
        stage=stage, application_ids=[files[0].pk, str(files[2].pk)], actor=manager
    )
    assert {a.pk for a in moved} == {files[0].pk, files[2].pk}
    assert set(Application.objects.filter(stage=national)) == {files[0], files[2]}
    stage.refresh_from_db()
    assert stage.closed_at is not None
    assert call.log.filter(action="application.passed_on").count() == 2
    assert call.log.filter(action="stage.closed").count() == 1
    with pytest.raises(DomainError) as caught:
        services.stage_pass_on(stage=stage, application_ids=[files[1].pk], actor=manager)
    assert caught.value.code == "calls.stage_closed"
    # the closed stage's ranking still shows the files, those passed on marked
    standing = ranking_for_stage(stage)
    assert [r.passed_on for r in standing.rows] == [True, False, True]
    assert {name: p for name, _, p in standing.regions}["Auvergne-Rhône-Alpes"] == 2


@pytest.mark.parametrize(
    ("choose", "code"),
    [
        (lambda f: [f[0].pk, f[1].pk, f[2].pk], "calls.pass_on_too_many"),
        (lambda f: [f[3].pk], "calls.pass_on_not_ranked"),  # not scored
        (lambda f: [999999], "calls.pass_on_not_ranked"),
        (lambda f: ["x"], "calls.pass_on_not_ranked"),
        (lambda f: [], "calls.pass_on_none"),
    ],
)
def test_pass_on_refusals(regional, manager, choose, code):
    call, stage, national, files = regional
    with pytest.raises(DomainError) as caught:
        services.stage_pass_on(stage=stage, application_ids=choose(files), actor=manager)
    assert caught.value.code == code
    assert not Application.objects.filter(stage=national).exists()
    stage.refresh_from_db()
    assert stage.closed_at is None


def test_the_last_stage_passes_nothing_on(regional, manager):
    call, stage, national, files = regional
    with pytest.raises(DomainError) as caught:
        services.stage_pass_on(stage=national, application_ids=[files[0].pk], actor=manager)
    assert caught.value.code == "calls.no_next_stage"


# --- notify, publish, the pole page, open data, minutes ---------------------------------------


def test_notify_emails_each_pole_manager_once(
    scored, manager, user, django_capture_on_commit_callbacks
):
    call, stage, files = scored
    pole_manager = user("porteuse")
    files["top"].pole.managers.add(pole_manager)
    files["low"].pole.managers.add(user("autre"))
    services.decision_record(
        application=files["top"], outcome="laureate", amount="90000", reason="Bravo", actor=manager
    )
    services.decision_record(
        application=files["low"], outcome="refused", reason="Ancrage faible", actor=manager
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.results_notify(call=call, actor=manager) == 2
    assert OutboundEmail.objects.filter(kind="calls.decision.notified").count() == 2
    sent = {m.to[0]: m for m in mail.outbox}
    assert "lauréat" in sent["porteuse@example.org"].body
    assert "90" in sent["porteuse@example.org"].body
    assert "Ancrage faible" in sent["autre@example.org"].body
    assert all(d.notified_at for d in Decision.objects.all())
    # again: nothing new to send
    assert services.results_notify(call=call, actor=manager) == 0
    assert OutboundEmail.objects.filter(kind="calls.decision.notified").count() == 2


def test_notify_needs_a_decision(scored, manager):
    call, stage, files = scored
    with pytest.raises(DomainError) as caught:
        services.results_notify(call=call, actor=manager)
    assert caught.value.code == "calls.nothing_decided"


def test_publish_is_idempotent_and_adds_the_laureates_to_the_directory(scored, manager):
    call, stage, files = scored
    services.decision_record(
        application=files["top"], outcome="laureate", amount="90000", reason="Oui", actor=manager
    )
    services.decision_record(
        application=files["mid"], outcome="waiting", reason="Liste d’attente", actor=manager
    )
    services.results_publish(call=call, actor=manager, **PUBLISH)
    call.refresh_from_db()
    first = call.results_published_at
    assert first is not None
    assert call.grantor_siret == "11002001300010"
    laureate = Laureate.objects.get()
    assert laureate.pole == files["top"].pole
    assert laureate.year == call.opens_at.year
    assert laureate.call == call.title
    assert laureate.source_url.endswith(f"/appels/{call.slug}/laureats/")
    services.results_publish(call=call, actor=manager, **PUBLISH)
    call.refresh_from_db()
    assert call.results_published_at == first
    assert Laureate.objects.count() == 1
    assert call.log.filter(action="results.published").count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"grantor_siret": "1234"}, "calls.grantor_siret"),
        ({"grantor_name": " "}, "calls.text_required"),
        ({"payments_until": date(2025, 1, 1)}, "calls.payment_period"),
        ({"payments_from": None}, "calls.payment_period"),
    ],
)
def test_publish_refusals(scored, manager, change, code):
    call, stage, files = scored
    services.decision_record(
        application=files["top"], outcome="laureate", amount="90000", reason="Oui", actor=manager
    )
    with pytest.raises(DomainError) as caught:
        services.results_publish(call=call, actor=manager, **{**PUBLISH, **change})
    assert caught.value.code == code
    call.refresh_from_db()
    assert call.results_published_at is None


def test_publish_needs_a_decision(scored, manager):
    call, stage, files = scored
    with pytest.raises(DomainError) as caught:
        services.results_publish(call=call, actor=manager, **PUBLISH)
    assert caught.value.code == "calls.nothing_decided"


def test_the_pole_page_says_candidate_or_laureate_only_after_publication(scored, manager):
    call, stage, files = scored
    services.decision_record(
        application=files["top"], outcome="laureate", amount="90000", reason="Oui", actor=manager
    )
    services.decision_record(
        application=files["mid"], outcome="refused", reason="Non", actor=manager
    )
    assert not any(call.title in f["value"] for f in registry_hooks.facts_for(files["top"].pole))
    assert not any(call.title in f["value"] for f in registry_hooks.facts_for(files["mid"].pole))
    services.results_publish(call=call, actor=manager, **PUBLISH)
    top = [f["value"] for f in registry_hooks.facts_for(files["top"].pole)]
    mid = [f["value"] for f in registry_hooks.facts_for(files["mid"].pole)]
    year = call.opens_at.year
    assert str(year) in call.title  # the year is not doubled
    assert f"Lauréat\xa0: {call.title}" in top
    assert f"({year}) ({year})" not in " ".join(top)
    assert f"Candidat\xa0: {call.title}" in mid
    Call.objects.filter(pk=call.pk).update(title="Appel des pôles")
    top = [f["value"] for f in registry_hooks.facts_for(files["top"].pole)]
    assert f"Lauréat\xa0: Appel des pôles ({year})" in top


@pytest.fixture
def csv_limit_kept():
    """frictionless raises the csv module's field size limit for the whole process when
    its CSV parser is first imported: put it back (the registry's import tests check the
    default limit)."""
    limit = csv.field_size_limit()
    yield
    csv.field_size_limit(limit)


def test_the_awards_validate_against_the_scdl_schema(scored, manager, csv_limit_kept):
    from frictionless import Resource, Schema

    call, stage, files = scored
    services.decision_record(
        application=files["top"], outcome="laureate", amount="90000.5", reason="Oui", actor=manager
    )
    services.decision_record(
        application=files["mid"], outcome="laureate", amount="45000", reason="Oui", actor=manager
    )
    services.decision_record(
        application=files["low"], outcome="refused", reason="Non", actor=manager
    )
    assert list(csv.reader(io.StringIO(opendata.awards_csv()))) == [opendata.columns()]
    services.results_publish(call=call, actor=manager, **PUBLISH)
    text = opendata.awards_csv()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["nomBeneficiaire"] for r in rows] == ["Pôle Archer", "Pôle Bocage"]
    assert rows[0]["montant"] == "90000.50"
    assert rows[0]["datesPeriodeVersement"] == "2026-03-01/2028-02-28"
    assert rows[0]["objet"] == f"{call.title} : Mobilité"
    resource = Resource(
        data=text.encode(),
        format="csv",
        encoding="utf-8",
        schema=Schema.from_descriptor(opendata.schema()),
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # and a broken row is caught by the same schema (the check can fail)
    broken = text.replace("11002001300010", "110020013", 1)
    bad = Resource(
        data=broken.encode(),
        format="csv",
        encoding="utf-8",
        schema=Schema.from_descriptor(opendata.schema()),
    ).validate()
    assert not bad.valid


def test_the_awards_are_in_the_registry_data_package(scored, manager):
    from registry import opendata as registry_opendata

    package = registry_opendata.datapackage("https://example.org/donnees/")
    awards = [r for r in package["resources"] if r["name"] == "subventions"]
    assert len(awards) == 1
    assert awards[0]["path"] == "subventions.csv"  # beside the descriptor, as the others
    assert [f["name"] for f in awards[0]["schema"]["fields"]][:3] == [
        "nomAttribuant",
        "idAttribuant",
        "dateConvention",
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils)")
def test_the_minutes_name_the_jury_the_ranking_the_decisions_and_the_totals(scored, manager):
    from calls.minutes import minutes_pdf

    call, stage, files = scored
    services.decision_record(
        application=files["top"],
        outcome="laureate",
        amount="90000",
        reason="Coopération",
        actor=manager,
    )
    services.decision_record(
        application=files["mid"],
        outcome="laureate",
        amount="45000",
        reason="Ancrage",
        actor=manager,
    )
    services.decision_record(
        application=files["low"], outcome="refused", reason="Faible", actor=manager
    )
    pdf = minutes_pdf(call)
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    for expected in (
        call.title,
        "Anne Juré",
        "Bruno Juré",
        "Pôle Archer",
        "Pôle Bocage",
        "Pôle Delta",
        "non noté",
        "lauréat",
        "Coopération",
        "135 000 €",  # granted
        "1 000 000 €",  # budget
        "865 000 €",  # left
    ):
        assert expected.replace("\u202f", " ") in flat.replace("\u202f", " ").replace(
            "\u00a0", " "
        ), expected


def test_the_call_log_holds_after_passing_on_deciding_and_publishing(regional, manager):
    """Every change of this area is in the call's log, and the chain verifies."""
    from calls import ledger
    from calls.models import Assignment, Review

    call, stage, national, files = regional
    # what the other areas' services would have logged
    for application in files:
        ledger.record(call, "application.submitted", application)
    for assignment in Assignment.objects.filter(stage__call=call):
        ledger.record(call, "assignment.created", assignment)
    for review in Review.objects.filter(assignment__stage__call=call):
        ledger.record(call, "review.submitted", review)
    ledger.record(call, "call.published", call)
    assert ledger.verify(call) == []
    services.stage_pass_on(stage=stage, application_ids=[files[0].pk], actor=manager)
    services.decision_record(
        application=files[0], outcome="laureate", amount="5000", reason="Oui", actor=manager
    )
    services.results_notify(call=call, actor=manager)
    services.results_publish(call=call, actor=manager, **PUBLISH)
    assert ledger.verify(call) == []
    actions = list(call.log.order_by("sequence").values_list("action", flat=True))
    assert actions[-5:] == [
        "application.passed_on",
        "stage.closed",
        "decision.recorded",
        "results.notified",
        "results.published",
    ]


@pytest.mark.parametrize(
    ("acting", "account", "expected"),
    [("fr", "en", "the decision on your application"), ("en", "fr", "la décision")],
)
def test_each_pole_manager_is_told_in_the_account_language_not_the_call_manager_one(
    scored, manager, user, django_capture_on_commit_callbacks, acting, account, expected
):
    call, stage, files = scored
    files["top"].pole.managers.add(user("porteuse", language=account))
    services.decision_record(
        application=files["top"], outcome="laureate", amount="90000", reason="Oui", actor=manager
    )
    with translation.override(acting), django_capture_on_commit_callbacks(execute=True):
        services.results_notify(call=call, actor=manager)
    assert OutboundEmail.objects.get(kind="calls.decision.notified").language == account
    (message,) = mail.outbox
    assert expected in message.subject


def test_a_pole_manager_without_a_language_is_told_in_the_site_one(
    scored, manager, user, django_capture_on_commit_callbacks
):
    call, stage, files = scored
    files["top"].pole.managers.add(user("porteuse"))
    services.decision_record(
        application=files["top"], outcome="refused", reason="Non", actor=manager
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.results_notify(call=call, actor=manager)
    assert OutboundEmail.objects.get(kind="calls.decision.notified").language == "fr"
    assert "la décision" in mail.outbox[0].subject
