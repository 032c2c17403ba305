"""Conflicts of interest from the registry graph: each reason, its level and its French
sentence; the matrix equals the pairwise computation."""

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from calls.conflicts import (
    CONFLICT,
    REVIEW,
    Juror,
    Pole,
    PoleMember,
    conflict_matrix,
    conflicts,
)

POLE = Pole(
    id=7,
    members=(
        PoleMember(100, "initiator", "111111111"),
        PoleMember(101, "member", "222222222"),
        PoleMember(102, "partner", ""),
    ),
    network_ids=frozenset({1, 2}),
    commune_codes=frozenset({"26362"}),
    department_codes=frozenset({"26", "07"}),
    region_codes=frozenset({"84"}),
)
STRANGER = Juror(id=1, organisation_id=900, organisation_siren="999999999")


def reasons(juror, pole=POLE):
    return [(c.level, c.reason, c.subject) for c in conflicts(juror, pole)]


def french(juror, pole=POLE):
    with translation.override("fr"):
        return [c.message for c in conflicts(juror, pole)]


def test_a_juror_without_link_has_no_conflict():
    assert conflicts(STRANGER, POLE) == []
    assert conflicts(Juror(id=2), POLE) == []  # a qualified person, no organisation


def test_the_juror_organisation_as_a_member():
    juror = Juror(id=1, organisation_id=101, organisation_siren="222222222")
    assert reasons(juror) == [(CONFLICT, "organisation_member", "101")]  # not also same_siren
    assert french(juror) == ["L’organisation de ce membre du jury est membre du pôle."]


def test_the_juror_organisation_as_a_partner():
    juror = Juror(id=1, organisation_id=102)
    assert reasons(juror) == [(CONFLICT, "organisation_partner", "102")]
    assert french(juror) == ["L’organisation de ce membre du jury est partenaire du pôle."]


def test_the_juror_organisation_as_an_initiator():
    juror = Juror(id=1, organisation_id=100)
    assert reasons(juror) == [(CONFLICT, "organisation_initiator", "100")]
    assert french(juror) == ["L’organisation de ce membre du jury est porteuse du pôle."]


def test_the_same_siren_as_a_member():
    juror = Juror(id=1, organisation_id=555, organisation_siren="222222222")
    assert reasons(juror) == [(CONFLICT, "same_siren", "222222222")]
    assert french(juror) == [
        "L’organisation de ce membre du jury a le même SIREN (222222222) qu’un membre du pôle."
    ]


def test_an_empty_siren_matches_nothing():
    assert conflicts(Juror(id=1, organisation_id=555, organisation_siren=""), POLE) == []


def test_the_juror_manages_the_pole():
    juror = Juror(id=1, managed_pole_ids=frozenset({7, 8}))
    assert reasons(juror) == [(CONFLICT, "manages_pole", "7")]
    assert french(juror) == ["Ce membre du jury gère la fiche du pôle dans l’annuaire."]


def test_the_juror_manages_a_member_organisation():
    juror = Juror(id=1, managed_organisation_ids=frozenset({101, 555}))
    assert reasons(juror) == [(CONFLICT, "manages_member", "101")]
    assert french(juror) == ["Ce membre du jury gère une organisation membre du pôle."]


def test_a_shared_network_is_to_review():
    juror = Juror(id=1, organisation_id=900, organisation_networks=frozenset({2, 3}))
    assert reasons(juror) == [(REVIEW, "same_network", "2")]
    assert french(juror) == [
        "L’organisation de ce membre du jury et le pôle appartiennent au même réseau."
    ]


def test_the_territory_is_to_review_at_the_closest_scale():
    in_commune = Juror(id=1, commune_code="26362", department_code="26", region_code="84")
    assert reasons(in_commune) == [(REVIEW, "same_territory", "26362")]
    assert french(in_commune) == [
        "Ce membre du jury est situé sur le territoire du pôle (commune 26362)."
    ]
    in_department = Juror(id=1, commune_code="07010", department_code="07", region_code="84")
    assert reasons(in_department) == [(REVIEW, "same_territory", "07")]
    assert french(in_department) == [
        "Ce membre du jury est situé sur le territoire du pôle (département 07)."
    ]
    in_region = Juror(id=1, commune_code="38185", department_code="38", region_code="84")
    assert reasons(in_region) == [(REVIEW, "same_territory", "84")]
    assert french(in_region) == [
        "Ce membre du jury est situé sur le territoire du pôle (région 84)."
    ]
    elsewhere = Juror(id=1, commune_code="75056", department_code="75", region_code="11")
    assert conflicts(elsewhere, POLE) == []


def test_several_reasons_come_strongest_first():
    juror = Juror(
        id=1,
        organisation_id=100,
        organisation_networks=frozenset({1}),
        managed_pole_ids=frozenset({7}),
        managed_organisation_ids=frozenset({100}),
        region_code="84",
    )
    assert reasons(juror) == [
        (CONFLICT, "manages_member", "100"),
        (CONFLICT, "manages_pole", "7"),
        (CONFLICT, "organisation_initiator", "100"),
        (REVIEW, "same_network", "1"),
        (REVIEW, "same_territory", "84"),
    ]
    assert all(c.juror_id == 1 and c.pole_id == 7 for c in conflicts(juror, POLE))


def test_the_matrix_lists_only_pairs_with_a_conflict():
    other = Pole(id=8, members=(PoleMember(900, "member"),))
    jurors = [STRANGER, Juror(id=2, organisation_id=101), Juror(id=3)]
    matrix = conflict_matrix(jurors, [POLE, other])
    assert set(matrix) == {(1, 8), (2, 7)}
    assert [c.reason for c in matrix[(1, 8)]] == ["organisation_member"]
    assert [c.reason for c in matrix[(2, 7)]] == ["organisation_member"]


# The matrix equals the naive pairwise computation, on random small graphs (small id
# spaces so that links are frequent).

ids = st.integers(min_value=1, max_value=8)
sirens = st.sampled_from(["", "111111111", "222222222", "333333333"])
places = st.sampled_from(["", "a", "b", "c"])
id_sets = st.frozensets(ids, max_size=3)
place_sets = st.frozensets(places.filter(bool), max_size=2)

jurors_strategy = st.lists(
    st.builds(
        Juror,
        id=st.integers(),
        organisation_id=st.none() | ids,
        organisation_siren=sirens,
        organisation_networks=id_sets,
        managed_pole_ids=id_sets,
        managed_organisation_ids=id_sets,
        commune_code=places,
        department_code=places,
        region_code=places,
    ),
    max_size=6,
    unique_by=lambda j: j.id,
)
poles_strategy = st.lists(
    st.builds(
        Pole,
        id=ids,
        members=st.lists(
            st.builds(
                PoleMember,
                organisation_id=ids,
                role=st.sampled_from(["member", "partner", "initiator"]),
                siren=sirens,
            ),
            max_size=4,
            unique_by=lambda m: m.organisation_id,
        ).map(tuple),
        network_ids=id_sets,
        commune_codes=place_sets,
        department_codes=place_sets,
        region_codes=place_sets,
    ),
    max_size=8,
    unique_by=lambda p: p.id,
)


@settings(max_examples=300, deadline=None)
@given(jurors=jurors_strategy, poles=poles_strategy)
def test_the_matrix_equals_the_pairwise_computation(jurors, poles):
    naive = {}
    for juror in jurors:
        for pole in poles:
            found = conflicts(juror, pole)
            if found:
                naive[(juror.id, pole.id)] = found
    assert conflict_matrix(jurors, poles) == naive


def test_the_matrix_of_a_full_call_sees_every_link():
    """60 jurors, 2,000 poles: the indexes find the same pairs as a full scan."""
    poles = [
        Pole(
            id=p,
            members=(PoleMember(p, "initiator", f"{p:09d}"), PoleMember(10_000 + p % 50, "member")),
            network_ids=frozenset({p % 7}),
            department_codes=frozenset({f"{p % 95:02d}"}),
        )
        for p in range(2000)
    ]
    jurors = [
        Juror(
            id=j,
            organisation_id=10_000 + j,
            organisation_siren=f"{j * 30:09d}",
            organisation_networks=frozenset({j % 7}) if j % 3 == 0 else frozenset(),
            department_code=f"{j:02d}",
        )
        for j in range(60)
    ]
    matrix = conflict_matrix(jurors, poles)
    pairwise = {(j.id, p.id): found for j in jurors for p in poles if (found := conflicts(j, p))}
    assert matrix == pairwise
    assert (0, 0) in matrix and (59, 1770) in matrix
