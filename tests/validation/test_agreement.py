"""Agreement between hand codes and model outputs: kappa, F1, bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score, f1_score

from actionnlp.validation.agreement import agreement, agreement_html, kappa_f1


def _sheet(codes, models, theme="drugs"):
    return pd.DataFrame(
        {"unit": "concern", f"code_theme_{theme}": codes, f"model_theme_{theme}": models}
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=2, max_size=40))
def test_kappa_and_f1_match_scikit_learn(pairs):
    y = np.array([a for a, _ in pairs])
    p = np.array([b for _, b in pairs])
    agree, kappa, f1 = kappa_f1(y, p)
    assert float(agree) == pytest.approx(float(np.mean(y == p)))
    if len(set(y) | set(p)) > 1:
        assert float(kappa) == pytest.approx(cohen_kappa_score(y, p), abs=1e-9)
    else:
        assert np.isnan(kappa)  # both coders give the same single value: kappa undefined
    if y.sum() + p.sum():
        assert float(f1) == pytest.approx(f1_score(y, p), abs=1e-9)
    else:
        assert np.isnan(f1)


def test_perfect_agreement_has_kappa_one_and_a_degenerate_interval():
    codes = [1, 0, 1, 0, 1, 1, 0, 0]
    row = agreement(_sheet(codes, codes), n_boot=300).iloc[0]
    assert row["kappa"] == 1 and row["f1"] == 1
    assert row["kappa_low"] == pytest.approx(1) and row["kappa_high"] == pytest.approx(1)


def test_intervals_are_seeded_contain_the_estimate_and_narrow_with_more_items():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 400)
    p = np.where(rng.random(400) < 0.8, y, 1 - y)  # 80 % agreement
    small = agreement(_sheet(y[:40], p[:40]), n_boot=500, seed=1).iloc[0]
    again = agreement(_sheet(y[:40], p[:40]), n_boot=500, seed=1).iloc[0]
    large = agreement(_sheet(y, p), n_boot=500, seed=1).iloc[0]
    assert small.equals(again)
    for row in (small, large):
        assert row["kappa_low"] <= row["kappa"] <= row["kappa_high"]
        assert row["f1_low"] <= row["f1"] <= row["f1_high"]
    assert (large["kappa_high"] - large["kappa_low"]) < (small["kappa_high"] - small["kappa_low"])


def test_uncoded_rows_are_skipped_and_blank_themes_of_a_coded_row_count_as_zero():
    sheet = pd.DataFrame(
        {
            "unit": ["concern"] * 4,
            "code_theme_drugs": [1, None, None, 0],
            "code_theme_regime": [None, None, 1, 1],
            "model_theme_drugs": [1, 1, 1, 0],
            "model_theme_regime": [0, 1, 1, 1],
        }
    )
    table = agreement(sheet, n_boot=50).set_index("label")
    assert table.loc["drugs", "n"] == 3  # row 2 has no theme coded at all
    assert table.loc["drugs", "researcher_pos"] == 1
    assert table.loc["drugs", "model_pos"] == 2  # row 3: blank drugs counts as 0, model says 1
    assert "macro" in table.index


def test_smart_and_owner_categories_per_label():
    sheet = pd.DataFrame(
        {
            "unit": ["action"] * 4,
            "code_theme_drugs": [0, 0, 0, 0],
            "model_theme_drugs": [0, 0, 0, 0],
            "code_smart_T": [1, 0, 1, None],
            "model_smart_T": [1, 0, 0, 1],
            "code_owner_category": ["health_provider", "prison_leadership", None, None],
            "model_owner_categories": ["health_provider; prison_leadership", "", "other", ""],
        }
    )
    table = agreement(sheet, n_boot=50)
    t = table[(table["group"] == "smart") & (table["label"] == "T")].iloc[0]
    assert t["n"] == 3 and t["agreement"] == pytest.approx(2 / 3)
    owners = table[table["group"] == "owner_category"].set_index("label")
    assert set(owners.index) == {"health_provider", "prison_leadership", "macro"}
    assert owners.loc["health_provider", "n"] == 2
    assert owners.loc["prison_leadership", "model_pos"] == 1


def test_split_by_a_column_and_html_escapes_text():
    sheet = pd.concat(
        [
            _sheet([1, 0, 1], [1, 0, 0]).assign(prison="<b>A</b>"),
            _sheet([1, 0], [1, 0]).assign(prison="B"),
        ]
    )
    table = agreement(sheet, by="prison", n_boot=20)
    assert table.columns[0] == "prison" and set(table["prison"]) == {"<b>A</b>", "B"}
    html = agreement_html(table, about={"sheet": "x<script>"})
    assert "<b>A</b>" not in html and "&lt;b&gt;A&lt;/b&gt;" in html
    assert "x<script>" not in html
    assert html.startswith("<!DOCTYPE html>") and "http" not in html
