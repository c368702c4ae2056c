"""compare(): counts, Wilson and bootstrap intervals, expected shares, NA handling, noise."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from actionnlp.analysis import Analysis
from actionnlp.analysis.compare import (
    bootstrap_interval,
    compare,
    metrics,
    noise_summary,
    wilson_interval,
)
from actionnlp.labels import THEMES


def _wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_wilson_known_values():
    lo, hi = wilson_interval(3, 10)
    assert lo == pytest.approx(0.1078, abs=1e-4) and hi == pytest.approx(0.6032, abs=1e-4)
    assert (lo, hi) == pytest.approx(_wilson_by_hand(3, 10))
    lo, hi = wilson_interval(0, 10)
    assert lo == 0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson_interval(10, 10)
    assert hi == 1 and lo == pytest.approx(0.7225, abs=1e-4)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_share(kn):
    k, n = kn
    lo, hi = wilson_interval(k, n)
    assert 0 <= lo <= k / n <= hi <= 1
    assert (lo, hi) == pytest.approx(_wilson_by_hand(k, n), abs=1e-12)


def test_bootstrap_is_deterministic_and_seeded():
    values = np.random.default_rng(5).normal(3, 1, 40)
    first = bootstrap_interval(values, seed=7)
    assert bootstrap_interval(values, seed=7) == first
    assert bootstrap_interval(values, seed=8) != first
    lo, hi = first
    assert lo < values.mean() < hi
    # the percentile interval of a mean is close to the normal one for 40 values
    se = values.std(ddof=1) / math.sqrt(len(values))
    assert hi - lo == pytest.approx(2 * 1.96 * se, rel=0.25)
    assert all(math.isnan(v) for v in bootstrap_interval([np.nan, np.nan]))
    assert bootstrap_interval([1.0, np.nan, 1.0]) == (1.0, 1.0)
    med = bootstrap_interval([1.0, 2.0, 3.0, 4.0, 100.0], "median", seed=0)
    assert med[1] <= 100 and med[0] >= 1
    with pytest.raises(ValueError, match="statistic"):
        bootstrap_interval([1.0], "mode")


def _analysis(theme_rows, smart_scores, p_drugs=None, agreement=None) -> Analysis:
    """Two prisons: A with the given concerns/actions, B with one concern and one action."""
    n_c = len(theme_rows)
    concerns = pd.DataFrame(
        {
            "source": ["a.txt"] * n_c + ["b.txt"],
            "prison": ["HMP A"] * n_c + ["HMP B"],
            "concern_index": [*range(n_c), 0],
            "themes": [*theme_rows, ["drugs"]],
            "agreement": agreement or [None] * (n_c + 1),
            **({"p_drugs": [*p_drugs, 0.9]} if p_drugs is not None else {}),
        }
    )
    n_a = len(smart_scores)
    smart = pd.array([*smart_scores, 5], dtype="Int64")
    actions = pd.DataFrame(
        {
            "source": ["a.txt"] * n_a + ["b.txt"],
            "prison": ["HMP A"] * n_a + ["HMP B"],
            "concern_index": [0] * (n_a + 1),
            "kind": ["action"] * (n_a + 1),
            "smart_score": smart,
            "smart_S": pd.array(
                [None if s is None else int(s >= 3) for s in smart_scores] + [1], dtype="Int64"
            ),
            "smart_applicable": [s is not None for s in smart_scores] + [True],
            "owner_categories": [["prison_leadership"]] * (n_a + 1),
            "status": ["planned"] * (n_a + 1),
            "p_smart_S": [0.5] * (n_a + 1),
        }
    )
    plans = pd.DataFrame(
        {"source": ["a.txt", "b.txt"], "prison": ["HMP A", "HMP B"], "year": [2024, 2024]}
    )
    return Analysis(plans, concerns, actions, pd.DataFrame(columns=["source"]))


def test_known_counts_give_known_wilson_bounds():
    themes = [["drugs"]] * 3 + [["regime"]] * 7
    table = compare(_analysis(themes, [4, 2]), "prison").set_index("prison")
    row = table.loc["HMP A"]
    assert row.theme_drugs == pytest.approx(0.3) and row.theme_drugs_n == 10
    assert (row.theme_drugs_lo, row.theme_drugs_hi) == pytest.approx(wilson_interval(3, 10))
    assert row.theme_regime_n == 10 and row.theme_regime == pytest.approx(0.7)
    b = table.loc["HMP B"]
    assert b.theme_drugs == 1 and b.theme_drugs_n == 1
    assert b.theme_drugs_lo == pytest.approx(wilson_interval(1, 1)[0])


def test_columns_are_tidy_quadruples():
    table = compare(_analysis([["drugs"]], [3]), "prison")
    for m in metrics():
        cols = [m.column, f"{m.column}_n", f"{m.column}_lo", f"{m.column}_hi"]
        assert all(c in table.columns for c in cols)
        assert table[f"{m.column}_n"].dtype == "int64"
    ok = table["theme_drugs"].notna()
    assert (table.loc[ok, "theme_drugs_lo"] <= table.loc[ok, "theme_drugs"]).all()
    assert (table.loc[ok, "theme_drugs"] <= table.loc[ok, "theme_drugs_hi"]).all()


def test_na_smart_scores_are_left_out_of_means_and_counts():
    # HMP A: scores 4, 2 and one not-applicable row scored NA
    a = _analysis([["drugs"]], [4, 2, None])
    row = compare(a, "prison").set_index("prison").loc["HMP A"]
    assert row.smart_mean == pytest.approx(3.0)
    assert row.smart_mean_n == 2 and row.n_actions == 2
    assert row.smart_S_rate_n == 2 and row.smart_S_rate == pytest.approx(0.5)
    lo, hi = row.smart_mean_lo, row.smart_mean_hi
    assert 2 <= lo <= 3 <= hi <= 4
    # the same NA rows marked applicable still do not count in the mean
    a.actions["smart_applicable"] = True
    row = compare(a, "prison").set_index("prison").loc["HMP A"]
    assert row.smart_mean == pytest.approx(3.0) and row.smart_mean_n == 2 and row.n_actions == 3


def test_bootstrap_interval_of_smart_mean_is_reproducible():
    a = _analysis([["drugs"]], [5, 4, 3, 1, 0, 2, 5, 5])
    first = compare(a, "prison")
    again = compare(a, "prison")
    pd.testing.assert_frame_equal(first, again)
    other = compare(a, "prison", seed=3)
    assert other.smart_mean_lo.iloc[0] != first.smart_mean_lo.iloc[0]


def test_expected_share_is_mean_of_probabilities():
    p = [0.1, 0.2, 0.9, 0.4]
    a = _analysis([["drugs"], [], ["drugs"], []], [3], p_drugs=p)
    plain = compare(a, "prison")
    assert "theme_drugs_expected" not in plain.columns
    table = compare(a, "prison", expected=True).set_index("prison")
    row = table.loc["HMP A"]
    assert row.theme_drugs_expected == pytest.approx(np.mean(p))
    assert row.theme_drugs_expected_n == 4
    assert row.theme_drugs_expected_lo <= np.mean(p) <= row.theme_drugs_expected_hi
    assert row.smart_S_expected == pytest.approx(0.5)
    # themes without probability columns: no value, count 0
    assert math.isnan(row.theme_regime_expected) and row.theme_regime_expected_n == 0
    assert a.compare(expected=True).theme_drugs_expected.iloc[0] == pytest.approx(np.mean(p))


def test_decision_shares_count_only_decided_concerns():
    a = _analysis([[], [], [], []], [3], agreement=["agreed", "agreed", "not_agreed", None, None])
    row = compare(a, "prison").set_index("prison").loc["HMP A"]
    assert row.agreed_rate_n == 3 and row.agreed_rate == pytest.approx(2 / 3)
    assert (row.agreed_rate_lo, row.agreed_rate_hi) == pytest.approx(wilson_interval(2, 3))


def test_noise_summary_calls_overlap_within_noise():
    # 30/100 vs 35/100 overlap; 5/100 vs 60/100 do not
    table = pd.DataFrame({"prison": ["A", "B"]})
    for col, (k1, k2) in {"theme_drugs": (30, 35), "theme_regime": (5, 60)}.items():
        table[col] = [k1 / 100, k2 / 100]
        table[f"{col}_n"] = [100, 100]
        lo, hi = zip(wilson_interval(k1, 100), wilson_interval(k2, 100), strict=True)
        table[f"{col}_lo"], table[f"{col}_hi"] = lo, hi
    noise = noise_summary(table, ["prison"]).set_index("metric")
    assert noise.loc["theme_drugs", "within_noise"]
    assert not noise.loc["theme_regime", "within_noise"]
    assert (
        noise.loc["theme_regime", "highest"] == "B" and noise.loc["theme_regime", "lowest"] == "A"
    )
    assert "smart_mean" not in noise.index  # figures absent from the table are skipped


def test_noise_summary_needs_two_groups():
    table = compare(_analysis([["drugs"]], [3]), "prison")
    one = noise_summary(table.iloc[:1], ["prison"])
    assert one.within_noise.isna().all()
    assert set(one.metric) >= {f"theme_{t}" for t in THEMES}
