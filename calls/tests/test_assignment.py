"""The assignment of jurors to files (pure, no database)."""

from collections import Counter
from itertools import combinations, product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls.assignment import assign, check_assignment


def _check_invariants(files, jurors, forbidden, k, result):
    for file, chosen in result.assignment.items():
        assert len(chosen) == len(set(chosen))
        for juror in chosen:
            assert (juror, file) not in forbidden
        eligible = sum(1 for j in jurors if (j, file) not in forbidden)
        if eligible >= k:
            assert len(chosen) == k
        else:
            assert len(chosen) == eligible
            assert any(p.code == "too_few_jurors" and p.file == file for p in result.problems)
    loads = {j: sum(j in c for c in result.assignment.values()) for j in jurors}
    assert loads == result.loads
    if loads and max(loads.values()) - min(loads.values()) > 1:
        assert any(p.code == "unbalanced_loads" for p in result.problems)


@st.composite
def stages(draw, max_conflict_rate=1.0):
    regions = ["ARA", "BRE", "IDF", "OCC"]
    n_files = draw(st.integers(0, 25))
    n_jurors = draw(st.integers(1, 9))
    files = {f: draw(st.sampled_from(regions)) for f in range(n_files)}
    jurors = {f"j{i}": draw(st.sampled_from(regions)) for i in range(n_jurors)}
    rate = draw(st.floats(0, max_conflict_rate))
    pairs = [(j, f) for j in jurors for f in files]
    flags = draw(st.lists(st.floats(0, 1), min_size=len(pairs), max_size=len(pairs)))
    forbidden = {p for p, x in zip(pairs, flags, strict=True) if x < rate}
    k = draw(st.integers(1, 4))
    return files, jurors, forbidden, k


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stages())
def test_property_no_conflict_full_files_or_reason_balanced_or_reason(stage):
    files, jurors, forbidden, k = stage
    result = assign(files, jurors, forbidden, k)
    _check_invariants(files, jurors, forbidden, k, result)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stages(max_conflict_rate=0.0))
def test_property_without_conflicts_loads_are_within_one(stage):
    files, jurors, forbidden, k = stage
    result = assign(files, jurors, forbidden, k)
    _check_invariants(files, jurors, forbidden, k, result)
    assert max(result.loads.values()) - min(result.loads.values()) <= 1
    assert not [p for p in result.problems if p.code == "unbalanced_loads"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stages(max_conflict_rate=0.3))
def test_property_unbalanced_is_reported_exactly_when_the_loads_spread(stage):
    files, jurors, forbidden, k = stage
    result = assign(files, jurors, forbidden, k)
    spread = max(result.loads.values()) - min(result.loads.values())
    unbalanced = any(p.code == "unbalanced_loads" for p in result.problems)
    assert unbalanced == (spread > 1)
    if not unbalanced:
        assert check_assignment(result.assignment, jurors, forbidden, k) == []


@st.composite
def tiny_stages(draw):
    regions = ["BRE", "IDF"]
    files = {f: draw(st.sampled_from(regions)) for f in range(draw(st.integers(1, 4)))}
    jurors = {f"j{i}": draw(st.sampled_from(regions)) for i in range(draw(st.integers(1, 4)))}
    pairs = [(j, f) for j in jurors for f in files]
    forbidden = set(draw(st.lists(st.sampled_from(pairs), max_size=len(pairs))))
    return files, jurors, forbidden, draw(st.integers(1, 3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_stages())
def test_property_matches_brute_force_on_tiny_stages(stage):
    """Against every possible assignment: balanced exactly when one exists, and then with
    the fewest same-region pairs among the balanced ones."""
    files, jurors, forbidden, k = stage
    choices = []
    for f in sorted(files):
        eligible = [j for j in sorted(jurors) if (j, f) not in forbidden]
        choices.append(list(combinations(eligible, min(k, len(eligible)))))
    best = None
    for combo in product(*choices):
        loads = Counter(j for chosen in combo for j in chosen)
        values = [loads[j] for j in jurors]
        if max(values) - min(values) <= 1:
            same = sum(
                jurors[j] == files[f]
                for f, chosen in zip(sorted(files), combo, strict=True)
                for j in chosen
            )
            best = same if best is None else min(best, same)
    result = assign(files, jurors, forbidden, k)
    unbalanced = any(p.code == "unbalanced_loads" for p in result.problems)
    assert unbalanced == (best is None)
    if best is not None:
        same = sum(jurors[j] == files[f] for f, chosen in result.assignment.items() for j in chosen)
        assert same == best


def test_a_juror_with_too_few_files_makes_balance_impossible_and_says_so():
    files = dict.fromkeys(range(6), "IDF")
    jurors = {"a": "IDF", "b": "IDF", "c": "IDF"}
    # c may take only file 0: loads 2,2,2 impossible, every file still gets its 1 juror
    forbidden = {("c", f) for f in range(1, 6)}
    result = assign(files, jurors, forbidden, 1)
    assert all(len(js) == 1 for js in result.assignment.values())
    assert result.loads["c"] <= 1
    assert any(p.code == "unbalanced_loads" and p.juror == "c" for p in result.problems)


def test_too_few_jurors_is_said_in_french_never_silently_short():
    from django.utils import translation

    files = {"f1": "BRE", "f2": "BRE"}
    jurors = {"a": "IDF", "b": "OCC", "c": "ARA"}
    forbidden = {("a", "f1")}
    with translation.override("fr"):
        result = assign(files, jurors, forbidden, 3)
    assert result.assignment["f1"] == ["b", "c"]
    assert result.assignment["f2"] == ["a", "b", "c"]
    [problem] = result.problems
    assert problem.code == "too_few_jurors" and problem.file == "f1"
    assert problem.message == (
        "seulement 2 membres du jury sans conflit pour ce dossier, 3 nécessaires"
    )


def test_territorial_mix_is_chosen_when_possible():
    files = dict.fromkeys(range(4), "BRE") | dict.fromkeys(range(4, 8), "IDF")
    jurors = {"b1": "BRE", "b2": "BRE", "i1": "IDF", "i2": "IDF"}
    result = assign(files, jurors, set(), 2)
    for file, chosen in result.assignment.items():
        assert all(jurors[j] != files[file] for j in chosen), (file, chosen)
    assert set(result.loads.values()) == {4}


def test_same_region_only_where_needed():
    files = {1: "BRE", 2: "BRE"}
    jurors = {"b1": "BRE", "i1": "IDF"}
    result = assign(files, jurors, set(), 1)
    # one file each (balance), so one BRE file necessarily gets the BRE juror
    assert sorted(result.loads.values()) == [1, 1]
    assert not result.problems


def test_deterministic():
    files = {f: ["ARA", "BRE", "IDF"][f % 3] for f in range(30)}
    jurors = {f"j{i}": ["ARA", "BRE", "IDF"][i % 3] for i in range(7)}
    forbidden = {(f"j{f % 7}", f) for f in range(0, 30, 4)}
    first = assign(files, jurors, forbidden, 3)
    for _ in range(3):
        again = assign(
            dict(reversed(files.items())),
            dict(reversed(jurors.items())),
            sorted(forbidden, key=str, reverse=True),
            3,
        )
        assert again.assignment == first.assignment
        assert again.problems == first.problems


def test_fixed_pairs_are_kept_and_a_conflicted_one_is_refused():
    files = {1: "BRE", 2: "IDF", 3: "OCC"}
    jurors = {"a": "BRE", "b": "IDF", "c": "OCC"}
    forbidden = {("c", 3)}
    result = assign(files, jurors, forbidden, 1, fixed=[("a", 1), ("c", 3)])
    assert result.assignment[1] == ["a"]
    assert "c" not in result.assignment[3]
    assert [p.code for p in result.problems] == ["fixed_pair_conflicted"]


def test_no_jurors_reports_every_file():
    result = assign({1: "BRE"}, {}, set(), 2)
    assert result.assignment == {1: []}
    assert [p.code for p in result.problems] == ["too_few_jurors"]


def test_check_assignment_accepts_a_valid_change():
    jurors = ["a", "b", "c"]
    assignment = {1: ["a", "b"], 2: ["c", "a"], 3: ["b", "c"]}
    assert check_assignment(assignment, jurors, set(), 2) == []


def test_check_assignment_refuses_a_conflicted_pair():
    from django.utils import translation

    with translation.override("fr"):
        errors = check_assignment({1: ["a"], 2: ["b"]}, ["a", "b"], {("a", 1)}, 1)
    assert errors == ["Le membre du jury a a un conflit d’intérêts avec le dossier 1."]


def test_check_assignment_refuses_more_than_k_and_a_juror_twice():
    errors = check_assignment({1: ["a", "b", "a"]}, ["a", "b"], set(), 2)
    assert any("deux fois" in e for e in errors)
    assert any("2 au plus" in e for e in errors)


def test_check_assignment_refuses_a_load_spread_over_one():
    errors = check_assignment({1: ["a"], 2: ["a"], 3: ["b"]}, ["a", "b", "c"], set(), 1)
    assert len(errors) == 1 and "diffèrent de plus d’un dossier" in errors[0]


def test_check_assignment_refuses_an_unknown_juror():
    errors = check_assignment({1: ["z"]}, ["a"], set(), 1)
    assert errors and "n’est pas membre du jury" in errors[0]
