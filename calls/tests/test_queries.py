"""Query counts pinned: each page of the calls that lists rows is rendered with 1 row and
with 30, and both counts are the number pinned below (an N+1 would add one per row).

Each page is loaded once before it is counted (``page_queries``), so that what a first
request caches does not count. The ranking and decisions pages (test_decide_views), the
call's public page (test_setup_views) and the jury's home and grid (test_jury_views) are
pinned beside their other tests.

A count that grows with the rows is a query per row; a count that changes without
growing is a page that reads something new: check it, then pin the new count.
"""

from itertools import count

import pytest
from django.utils import timezone

from calls.models import Conflict, Decision, Question
from calls.tests import decide_helpers as given
from conftest import page_queries

pytestmark = pytest.mark.django_db

_numbers = count(1)


def pinned(client, url: str, add_rows, expected: int) -> None:
    """``url`` with 1 row, then with 30 (``add_rows(n)`` adds n): ``expected`` both times."""
    add_rows(1)
    one = page_queries(client, url)
    add_rows(29)
    thirty = page_queries(client, url)
    assert (one, thirty) == (expected, expected), url


@pytest.fixture
def manager(user):
    return user("gestion")


def test_the_public_list_of_calls(client, call):
    pinned(
        client,
        "/appels/",
        lambda n: [call(slug=f"appel-{next(_numbers)}") for _ in range(n)],
        PUBLIC_LIST,
    )


def test_the_managers_list_of_calls(client, call, manager):
    client.force_login(manager)

    def add_calls(n):
        for _ in range(n):
            call(slug=f"appel-{next(_numbers)}").managers.add(manager)

    pinned(client, "/gestion/appels/", add_calls, MANAGE_LIST)


def test_the_form_builder(client, call, manager):
    created = call()
    created.managers.add(manager)
    client.force_login(manager)
    section = created.sections.get()

    def add_questions(n):
        for _ in range(n):
            i = next(_numbers)
            Question.objects.create(section=section, label=f"Question {i}", kind="text", position=i)

    pinned(client, f"/gestion/appels/{created.slug}/formulaire/", add_questions, FORM_BUILDER)


def test_the_applications_of_a_call(client, call, manager):
    created = call()
    created.managers.add(manager)
    client.force_login(manager)

    def add_files(n):
        for _ in range(n):
            given.submitted(created, title=f"Projet {next(_numbers)}")

    pinned(client, f"/gestion/appels/{created.slug}/dossiers/", add_files, APPLICATIONS)


def test_a_stages_jury_with_its_conflicts_and_assignment(client, call, manager):
    created = call()
    created.managers.add(manager)
    client.force_login(manager)
    stage = created.stages.get()

    def add_rows(n):
        for _ in range(n):
            application = given.submitted(created, stage=stage, title=f"Projet {next(_numbers)}")
            juror = given.juror(stage)
            Conflict.objects.create(
                juror=juror,
                application=application,
                level=Conflict.Level.REVIEW,
                reason="declared",
                source=Conflict.Source.JUROR,
            )
            given.review(stage, application, given.juror(stage), [3, 4])

    pinned(client, f"/gestion/appels/etapes/{stage.pk}/jury/", add_rows, STAGE_JURY)


def test_the_public_laureates(client, call, manager):
    now = timezone.now()
    created = call(results_published_at=now)

    def add_laureates(n):
        for _ in range(n):
            application = given.submitted(created, pole_=given.pole(category="ess_enterprise"))
            Decision.objects.create(
                application=application,
                outcome=Decision.Outcome.LAUREATE,
                amount=10_000,
                reason="Projet retenu.",
                decided_by=manager,
                decided_at=now,
            )

    pinned(client, f"/appels/{created.slug}/laureats/", add_laureates, LAUREATES)


@pytest.mark.parametrize("page", ["", "candidature/"])
def test_the_poles_a_manager_may_apply_for(client, call, user, page):
    """The call's page and the applying page list the poles the person manages, each with
    its eligibility: one query a pole is left, the charter's attestation read through the
    registry's slot (``registry.hooks.attestations_for`` takes one pole), and one for its
    laureates (``selectors_setup.pole_subject``, also the services' check)."""
    created = call()
    person = user("directrice")
    client.force_login(person)
    url = f"/appels/{created.slug}/{page}"
    given.pole().managers.add(person)
    one = page_queries(client, url)
    for _ in range(29):
        given.pole().managers.add(person)
    thirty = page_queries(client, url)
    assert (one, thirty - one) == (POLES[page], 29 * PER_POLE), url


# The pinned counts (the session and the user of the signed-in pages included).
PUBLIC_LIST = 1
MANAGE_LIST = 3
FORM_BUILDER = 10
APPLICATIONS = 5
STAGE_JURY = 9
LAUREATES = 4
POLES = {"": 10, "candidature/": 7}
PER_POLE = 2
