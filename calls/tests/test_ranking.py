"""Scoring and ranking of a stage (pure, no database)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calls.ranking import Criterion, Grid, ScoringError, rank, territorial_balance, weighted_total

GRID = Grid(
    criteria=[
        Criterion("impact", "Impact", weight=3, eliminatory_min=8),
        Criterion("coop", "Coopération", weight=1),
    ],
    scale_max=20,
    cutoff=10,
)


def test_weighted_total():
    assert weighted_total({"impact": 16, "coop": 8}, GRID) == pytest.approx(14)
    assert weighted_total({"impact": 0, "coop": 0}, GRID) == 0
    assert weighted_total({"impact": 20, "coop": 20}, GRID) == 20


@pytest.mark.parametrize(
    ("scores", "code"),
    [
        ({"impact": 21, "coop": 5}, "score_out_of_scale"),
        ({"impact": -1, "coop": 5}, "score_out_of_scale"),
        ({"impact": 10}, "score_missing"),
        ({"impact": 10, "coop": 5, "other": 3}, "unknown_criterion"),
    ],
)
def test_bad_scores_raise_a_coded_value_error(scores, code):
    with pytest.raises(ValueError) as info:
        weighted_total(scores, GRID)
    assert isinstance(info.value, ScoringError) and info.value.code == code


def test_score_out_of_scale_message_in_french():
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ScoringError) as info:
        weighted_total({"impact": 25, "coop": 5}, GRID)
    assert info.value.message == "La note de «\u00a0Impact\u00a0» doit être comprise entre 0 et 20."
    assert info.value.params == {"criterion": "impact", "value": 25, "max": 20}


def test_a_grid_needs_positive_weights():
    with pytest.raises(ScoringError):
        Grid([Criterion("a", "A", weight=0)], scale_max=10)


def _same(score):
    return {"impact": score, "coop": score}


def test_harsh_juror_does_not_sink_their_files():
    # "harsh" scores 5 points below "fair" on the same quality; files A, B are seen by the
    # harsh juror and C, D by the lenient one; each file also by "fair"
    reviews = {
        "A": {"harsh": _same(10), "fair": _same(15)},
        "B": {"harsh": _same(8), "fair": _same(13)},
        "C": {"lenient": _same(15), "fair": _same(15)},
        "D": {"lenient": _same(13), "fair": _same(13)},
    }
    results = {r.file: r for r in rank(reviews, GRID)}
    # raw: the harsh juror's files look worse than their twins
    assert results["A"].raw < results["C"].raw
    assert results["B"].raw < results["D"].raw
    # normalised: twins are equal, and A beats D although its raw score is lower
    assert results["A"].normalised == pytest.approx(results["C"].normalised)
    assert results["B"].normalised == pytest.approx(results["D"].normalised)
    assert results["A"].normalised > results["D"].normalised
    assert results["A"].raw < results["D"].raw


def test_single_file_juror_keeps_raw_total_and_flat_juror_goes_to_the_mean():
    reviews = {
        "A": {"solo": _same(18), "x": _same(10)},
        "B": {"x": _same(14), "flat": _same(12)},
        "C": {"x": _same(12), "flat": _same(12)},
    }
    results = {r.file: r for r in rank(reviews, GRID)}
    totals = [18, 10, 14, 12, 12, 12]
    mean = sum(totals) / len(totals)
    # B: x's z-score (14 - 12) / std(10, 14, 12) and flat → the mean of all totals
    import statistics

    std_all = statistics.pstdev(totals)
    std_x = statistics.pstdev([10, 14, 12])
    x_b = mean + (14 - 12) / std_x * std_all
    assert results["B"].normalised == pytest.approx((x_b + mean) / 2)
    x_a = mean + (10 - 12) / std_x * std_all
    assert results["A"].normalised == pytest.approx((18 + x_a) / 2)


def test_eliminatory_minimum_uses_the_mean_of_the_criterion():
    reviews = {
        # one juror below 8 on impact, the mean (9) is not: not eliminated
        "A": {"j1": {"impact": 6, "coop": 20}, "j2": {"impact": 12, "coop": 20}},
        # the mean of impact is 7.5 < 8: eliminated, although its total is high
        "B": {"j1": {"impact": 7, "coop": 20}, "j2": {"impact": 8, "coop": 20}},
    }
    results = {r.file: r for r in rank(reviews, GRID)}
    assert results["A"].eliminated_on == []
    assert results["B"].eliminated_on == ["impact"]
    assert not results["B"].passes
    assert [r.file for r in rank(reviews, GRID)] == ["A", "B"]


def test_cutoff_flag_and_failing_files_rank_after_passing_ones():
    reviews = {
        "low": {"j1": _same(9.5), "j2": _same(9.5)},
        "ok": {"j1": _same(10), "j2": _same(10)},
    }
    results = {r.file: r for r in rank(reviews, GRID)}
    assert results["low"].below_cutoff and not results["ok"].below_cutoff
    assert [r.file for r in rank(reviews, GRID)] == ["ok", "low"]


def test_spread_flag():
    reviews = {
        "A": {"j1": _same(18), "j2": _same(10)},
        "B": {"j1": _same(14), "j2": _same(12)},
    }
    results = {r.file: r for r in rank(reviews, GRID, spread_threshold=4)}
    assert results["A"].spread == pytest.approx(8) and results["A"].spread_flag
    assert not results["B"].spread_flag
    assert not any(r.spread_flag for r in rank(reviews, GRID))


def test_ties_fall_back_to_raw_then_file_id():
    # every juror scores a single file: normalised = raw
    reviews = {
        "b": {"j1": _same(14)},
        "a": {"j2": _same(14)},
        "c": {"j3": _same(16)},
    }
    ranked = rank(reviews, GRID)
    assert [(r.file, r.position, r.tied) for r in ranked] == [
        ("c", 1, False),
        ("a", 2, True),
        ("b", 3, True),
    ]


def test_equal_normalised_scores_are_ordered_by_raw():
    # "hard" and "soft" are the same juror pattern shifted: normalised equal, raw differ
    reviews = {
        "x": {"hard": _same(10)},
        "y": {"hard": _same(6)},
        "z": {"soft": _same(16)},
        "w": {"soft": _same(12)},
    }
    ranked = rank(reviews, GRID)
    assert [r.file for r in ranked[:2]] == ["z", "x"]
    assert ranked[0].normalised == pytest.approx(ranked[1].normalised)
    assert not ranked[1].tied


def test_ties_then_fewer_eliminatory_flags():
    grid = Grid(
        criteria=[
            Criterion("a", "A", weight=1, eliminatory_min=5),
            Criterion("b", "B", weight=1, eliminatory_min=5),
        ],
        scale_max=10,
    )
    reviews = {
        # same totals (4), both below a minimum: "one" on one criterion, "two" on both
        "two": {"j": {"a": 4, "b": 4}},
        "one": {"k": {"a": 2, "b": 6}},
    }
    ranked = rank(reviews, grid)
    assert [r.file for r in ranked] == ["one", "two"]
    assert ranked[0].tied and ranked[1].tied


def test_every_file_of_a_tie_is_marked_and_no_other():
    reviews = {
        "a": {"j1": _same(14)},
        "b": {"j2": _same(14)},
        "c": {"j3": _same(14)},
        "d": {"j4": _same(10)},
        "e": {"j5": _same(16)},
    }
    ranked = rank(reviews, GRID)
    assert [(r.file, r.tied) for r in ranked] == [
        ("e", False),
        ("a", True),
        ("b", True),
        ("c", True),
        ("d", False),
    ]


def test_rank_of_nothing():
    assert rank({}, GRID) == []


def test_territorial_balance():
    regions = {1: "BRE", 2: "BRE", 3: "IDF", 4: None, 5: "ARA"}
    rows = territorial_balance(regions, proposed={1, 3})
    assert [(r.region, r.applications, r.proposed) for r in rows] == [
        ("ARA", 1, 0),
        ("BRE", 2, 1),
        ("IDF", 1, 1),
        (None, 1, 0),
    ]
    with pytest.raises(ValueError):
        territorial_balance(regions, proposed={9})


# --- the ranking as first written (statistics.fmean and pstdev, one dict per review): the
# faster ``rank`` must give the same order, positions, ties, flags and scores


def _reference_rank(reviews, grid, spread_threshold=None):
    import statistics

    totals = {
        (juror, file): weighted_total(scores, grid)
        for file, by_juror in reviews.items()
        for juror, scores in by_juror.items()
    }
    if not totals:
        return []
    values = list(totals.values())
    overall_mean, overall_std = statistics.fmean(values), statistics.pstdev(values)
    by_juror = {}
    for (juror, file), total in totals.items():
        by_juror.setdefault(juror, {})[file] = total
    normalised = {}
    for juror, own in by_juror.items():
        own_values = list(own.values())
        if overall_std == 0 or len(own_values) == 1:
            normalised.update({(juror, f): t for f, t in own.items()})
            continue
        mean, std = statistics.fmean(own_values), statistics.pstdev(own_values)
        for f, t in own.items():
            z = 0.0 if std == 0 else (t - mean) / std
            normalised[(juror, f)] = overall_mean + z * overall_std
    rows = []
    for file, by_juror in reviews.items():
        jurors = list(by_juror)
        file_totals = [totals[(j, file)] for j in jurors]
        means = {c.id: statistics.fmean(by_juror[j][c.id] for j in jurors) for c in grid.criteria}
        raw = statistics.fmean(file_totals)
        eliminated = [
            c.id
            for c in grid.criteria
            if c.eliminatory_min is not None and round(means[c.id], 9) < c.eliminatory_min
        ]
        spread = max(file_totals) - min(file_totals)
        rows.append(
            {
                "file": file,
                "raw": raw,
                "normalised": statistics.fmean(normalised[(j, file)] for j in jurors),
                "means": means,
                "eliminated": eliminated,
                "below": grid.cutoff is not None and round(raw, 9) < grid.cutoff,
                "spread": spread,
                "flag": spread_threshold is not None and round(spread, 9) > spread_threshold,
            }
        )
    rows.sort(
        key=lambda r: (
            bool(r["eliminated"] or r["below"]),
            -round(r["normalised"], 9),
            -round(r["raw"], 9),
            len(r["eliminated"]),
            r["file"],
        )
    )
    return rows


@given(
    st.dictionaries(
        st.integers(0, 40),
        st.dictionaries(
            st.integers(0, 8),
            st.tuples(st.integers(0, 10), st.integers(0, 10), st.integers(0, 10)),
            min_size=1,
            max_size=4,
        ),
        max_size=30,
    ),
    st.sampled_from([None, 4.0, 6.5]),
    st.sampled_from([None, 3, 5]),
    st.sampled_from([None, 2.0]),
)
@settings(max_examples=200, deadline=None)
def test_rank_gives_what_the_first_version_gave(reviews, cutoff, minimum, threshold):
    grid = Grid(
        criteria=[
            Criterion("a", "A", weight=2, eliminatory_min=minimum),
            Criterion("b", "B", weight=1),
            Criterion("c", "C", weight=1.5),
        ],
        scale_max=10,
        cutoff=cutoff,
    )
    reviews = {
        f: {j: dict(zip("abc", map(float, s), strict=True)) for j, s in by_juror.items()}
        for f, by_juror in reviews.items()
    }
    expected = _reference_rank(reviews, grid, threshold)
    got = rank(reviews, grid, spread_threshold=threshold)
    assert [r.file for r in got] == [r["file"] for r in expected]
    assert [r.position for r in got] == list(range(1, len(got) + 1))
    for r, e in zip(got, expected, strict=True):
        assert r.raw == pytest.approx(e["raw"], abs=1e-12)
        assert r.normalised == pytest.approx(e["normalised"], abs=1e-9)
        assert r.criterion_means == pytest.approx(e["means"], abs=1e-12)
        assert (r.eliminated_on, r.below_cutoff) == (e["eliminated"], e["below"])
        assert (r.spread, r.spread_flag) == (pytest.approx(e["spread"]), e["flag"])


def test_rank_refuses_a_bad_score_inside_a_stage():
    reviews = {"A": {"j1": _same(12)}, "B": {"j1": {"impact": 12, "coop": 25}}}
    with pytest.raises(ScoringError) as info:
        rank(reviews, GRID)
    assert info.value.code == "score_out_of_scale"
    with pytest.raises(ScoringError) as info:
        rank({"A": {"j1": {"impact": 12, "coop": None}}}, GRID)
    assert info.value.code == "score_missing"
    with pytest.raises(ScoringError) as info:
        rank({"A": {"j1": {"impact": 12, "coop": 3, "x": 1}}}, GRID)
    assert info.value.code == "unknown_criterion"
