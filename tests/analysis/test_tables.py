"""A researcher's own table in: decisions, day-first dates, years that say where they
come from, column mappings, and table files (CSV, XLSX, parquet)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from actionnlp.analysis import frames_from_table
from actionnlp.analysis.run import parse_tables
from actionnlp.analysis.tables import read_table
from actionnlp.errors import TableError


def table(**extra) -> pd.DataFrame:
    n = len(next(iter(extra.values()))) if extra else 2
    base = {
        "prison": ["HMP A"] * n,
        "concern_id": [str(i + 1) for i in range(n)],
        "concern_text": ["Cells were dirty."] * n,
        "action_text": ["Clean cells weekly."] * n,
        "owner_raw": ["Governor"] * n,
        "target_raw": ["March 2024"] * n,
    }
    base.update(extra)
    return pd.DataFrame(base)


def test_decisions_standardised():
    spelled = [
        "Agreed",
        "Partly Agreed",
        "Not agreed",
        "agreed",
        "Accepted",
        "Partially accepted",
        "REJECTED",
        "partly_agreed",
        None,
    ]
    _, concerns, _, _ = frames_from_table(table(agreement=spelled))
    assert concerns.agreement.tolist() == [
        "agreed",
        "partly_agreed",
        "not_agreed",
        "agreed",
        "agreed",
        "partly_agreed",
        "not_agreed",
        "partly_agreed",
        None,
    ]


def test_decision_rates_sum_to_one(fast_models):
    from actionnlp.analysis import analyze

    frame = table(agreement=["Agreed", "Partly Agreed", "Not agreed", "agreed", "Accepted"])
    row = analyze(frame, models=fast_models, progress=False).compare().iloc[0]
    assert row.agreed_rate == pytest.approx(0.6)
    assert row.partly_agreed_rate + row.not_agreed_rate == pytest.approx(0.4)


def test_unknown_decision_names_the_values():
    with pytest.raises(TableError, match=r"'Maybe'.*'Yes'"):
        frames_from_table(table(agreement=["Yes", "Maybe", "Agreed"]))


def test_dates_day_first_and_target_filled_from_raw():
    frame = table(
        plan_submitted=["05/03/2024", "05/03/2024"],
        target_date=["01/04/2025", None],
        target_raw=["1 April 2025", "31/03/2025"],
    )
    plans, _, actions, _ = frames_from_table(frame)
    assert plans.plan_submitted.iloc[0] == pd.Timestamp("2024-03-05")  # 5 March
    assert actions.target_date.tolist() == [pd.Timestamp("2025-04-01"), pd.Timestamp("2025-03-31")]
    assert plans.year_source.iloc[0] == "stated"


def test_era_inferred_from_decisions():
    plans, _, _, _ = frames_from_table(
        pd.concat([table(agreement=["Agreed", None]), table(prison=["HMP B"] * 2)])
    )
    assert plans.set_index("prison").era.to_dict() == {
        "HMP A": "recommendations",
        "HMP B": "concerns",
    }


def test_estimated_year_is_flagged_and_a_problem():
    result = parse_tables(table(), progress=False)
    assert result.plans.year.iloc[0] == 2024
    assert result.plans.year_source.iloc[0] == "target-date estimate"
    problems = result.problems
    assert problems.kind.tolist() == ["missing_metadata"]
    assert "estimate" in problems.message.iloc[0]
    assert result.plans.n_problems.iloc[0] == 1


def test_whitemoor_year_estimate_is_a_problem():
    from actionnlp.data import sample_paths

    whitemoor = [p for p in sample_paths() if "whitemoor" in p.name]
    result = parse_tables(whitemoor, progress=False)
    assert result.plans.year_source.tolist() == ["target-date estimate"]
    assert "missing_metadata" in set(result.problems.kind)


def test_column_mapping():
    frame = table().rename(columns={"concern_id": "Rec no", "owner_raw": "Owner"})
    with pytest.raises(TableError, match="concern_id"):
        frames_from_table(frame)
    _, concerns, _, _ = frames_from_table(frame, {"Rec no": "concern_id", "Owner": "owner_raw"})
    assert concerns.concern_id.tolist() == ["1", "2"]
    with pytest.raises(TableError, match="Nope"):
        frames_from_table(frame, {"Nope": "concern_id"})


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_read_table_keeps_ids_as_text(tmp_path, suffix):
    frame = table(concern_id=["5.10", "5.1"])
    path = tmp_path / f"t{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False, engine="openpyxl")
    else:
        frame.to_parquet(path)
    back = read_table(path)
    _, concerns, _, _ = frames_from_table(back)
    assert concerns.concern_id.tolist() == ["5.10", "5.1"]


def test_read_table_refuses_other_files(tmp_path):
    (tmp_path / "t.json").write_text("{}")
    with pytest.raises(TableError, match="csv"):
        read_table(tmp_path / "t.json")


_SPELLINGS = {
    "agreed": ["Agreed", "Accepted"],
    "partly_agreed": ["Partly agreed", "Partially accepted", "Partly accepted", "Partially agreed"],
    "not_agreed": ["Not agreed", "Rejected", "Not accepted"],
}


@given(
    st.sampled_from([(k, s) for k, v in _SPELLINGS.items() for s in v]),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
    st.sampled_from(["", " ", "  ", "\t"]),
)
def test_any_case_and_spacing_of_a_decision(pair, case, pad):
    from actionnlp.analysis.tables import standard_agreement

    expected, spelled = pair
    value = pad + case(spelled).replace(" ", " " + pad) + pad
    assert standard_agreement(pd.Series([value])).tolist() == [expected]


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2039, 12, 31)))
def test_numeric_dates_are_day_first(day):
    from actionnlp.analysis.tables import day_first_dates

    cells = pd.Series([day.strftime("%d/%m/%Y"), day.isoformat(), day])
    assert day_first_dates(cells).dt.date.tolist() == [day] * 3
