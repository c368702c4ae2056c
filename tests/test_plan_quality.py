"""The read-quality line of a plan (ActionPlan.read_quality and the plans table)."""

from __future__ import annotations

import pandas as pd

from actionnlp import read_plan
from actionnlp.analysis import frames_from_plans
from actionnlp.plan import ActionPlan
from actionnlp.read.segment import RawRow, build_concerns


def _plan(rows: list[RawRow], **kw) -> ActionPlan:
    concerns, problems = build_concerns(rows)
    return ActionPlan(concerns=concerns, problems=problems, **kw)


def test_even_counts_pair_by_count():
    plan = _plan(
        [
            RawRow(
                "1",
                "Dirty.",
                response=["A.", "B."],
                owners=["X", "Y"],
                targets=["May 2024", "June 2024"],
            )
        ]
    )
    q = plan.read_quality()
    assert q["read_paired_by_count"] == 1.0 and q["read_paired_by_position"] == 0.0


def test_uneven_counts_are_paired_by_position():
    plan = _plan(
        [
            RawRow(
                "1",
                "Dirty.",
                response=["A.", "B.", "C."],
                owners=["X", "Y"],
                targets=["May 2024", "June 2024"],
            ),
            RawRow("2", "Cold.", response=["D."], owners=["Z"], targets=["July 2024"]),
        ],
        stated_totals={"total": 4},
    )
    q = plan.read_quality()
    assert q["read_paired_by_position"] == 0.75  # three of the four actions
    assert q["read_found_share"] == 0.5  # two of four stated concerns


def test_partial_plan_is_flagged_in_the_plans_table():
    text = "Action Plan: HMP Eastwold\nReport Published: 3 rd January 2022\nHMIP inspection\n"
    plan = read_plan(text=text)
    table, *_ = frames_from_plans([plan])
    row = table.iloc[0]
    assert bool(row["read_partial"]) is True and row["prison"] == "HMP Eastwold"
    assert pd.isna(row["read_paired_by_count"])  # no actions: nothing was paired


def test_a_cover_only_plan_goes_through_the_analysis(fast_models):
    from actionnlp.analysis import analyze
    from actionnlp.data import sample_paths

    cover = read_plan(text="Action Plan: HMP Eastwold\nReport Published: 05/05/2020\nHMIP\n")
    full = read_plan(sample_paths()[0])
    result = analyze([cover, full], models=fast_models, progress=False)
    plans = result.plans.set_index("prison")
    assert bool(plans.loc["HMP Eastwold", "read_partial"]) is True
    assert plans.loc["HMP Eastwold", "n_concerns"] == 0
    assert bool(plans.loc[full.prison, "read_partial"]) is False
    assert set(result.actions["prison"]) == {full.prison}
    assert "no_table" in set(result.problems["kind"])
