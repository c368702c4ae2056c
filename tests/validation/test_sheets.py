"""Coding sheets: stratified and uncertainty sampling, XLSX/CSV round trips, checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from actionnlp.errors import CodingSheetError
from actionnlp.validation.sheets import _allocate, coding_sheet, read_sheet, write_sheet


@pytest.fixture(scope="module")
def analysis(samples):
    return samples


def test_allocation_is_proportional_with_one_per_stratum():
    assert _allocate({"a": 30, "b": 10, "c": 1}, 8) == {"a": 5, "b": 2, "c": 1}
    assert sum(_allocate({"a": 3, "b": 2}, 50).values()) == 5  # never more than exists
    assert sum(_allocate({k: 5 for k in "abcdef"}, 4).values()) == 4  # more strata than n


def test_random_sample_is_stratified_seeded_and_has_no_rationale(analysis):
    sheet = coding_sheet(analysis, n=40, by="prison", seed=3)
    assert len(sheet) == 40 and sheet["item"].tolist() == list(range(1, 41))
    assert sheet["unit"].value_counts().to_dict() == {"concern": 20, "action": 20}
    per_prison = sheet.groupby(["unit", "prison"]).size()
    assert (per_prison >= 1).all() and len(per_prison) == 8  # every prison, both units
    concerns = analysis.concerns.groupby("prison").size()
    shares = per_prison["concern"] / 20
    assert np.allclose(shares, concerns / concerns.sum(), atol=0.1)
    again = coding_sheet(analysis, n=40, by="prison", seed=3)
    other = coding_sheet(analysis, n=40, by="prison", seed=4)
    assert sheet.equals(again) and not sheet["text"].equals(other["text"])
    rationale = set(analysis.actions.loc[analysis.actions["kind"] == "rationale", "action_text"])
    assert not rationale & set(sheet["text"])
    assert sheet.filter(like="code_").isna().all().all()  # codes start empty


def test_uncertain_takes_the_items_nearest_the_thresholds(analysis):
    thresholds = {"healthcare": 0.5}
    sheet = coding_sheet(analysis, n=10, by=None, strategy="uncertain", units=["concern"],
                         thresholds=thresholds)  # fmt: skip
    probs = analysis.concerns.filter(like="p_").to_numpy(dtype=float)
    cols = [c[2:] for c in analysis.concerns.filter(like="p_").columns]
    cut = np.array([thresholds.get(t, 0.5) for t in cols])
    margin = np.abs(probs - cut).min(axis=1)
    texts = actionnlp_concern_texts(analysis)
    chosen = np.isin(texts, sheet["text"].to_numpy())
    assert chosen.sum() == 10
    assert margin[chosen].max() <= np.sort(margin)[9] + 1e-12


def actionnlp_concern_texts(analysis):
    from actionnlp.analysis.run import concern_text

    return np.array(concern_text(analysis.concerns), dtype=object)


def test_xlsx_has_drop_downs_and_hidden_model_columns_and_round_trips(analysis, tmp_path):
    sheet = coding_sheet(analysis, n=12, seed=1)
    sheet.loc[0, "text"] = '=HYPERLINK("http://x")'  # a text a spreadsheet would run
    xlsx, csv = write_sheet(sheet, tmp_path / "sheet", about={"seed": 1})
    assert xlsx.suffix == ".xlsx" and csv.suffix == ".csv"
    wb = load_workbook(xlsx)
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    lists = {str(dv.formula1): str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert '"1,0"' in lists and any("health_provider" in f for f in lists)
    letter = ws.cell(row=1, column=header.index("code_smart_T") + 1).column_letter
    assert letter in lists['"1,0"']
    model_col = ws.cell(row=1, column=header.index("model_smart_T") + 1).column_letter
    assert ws.column_dimensions[model_col].hidden
    assert ws["H2"].data_type == "s" and ws["H2"].value.startswith("=HYPERLINK")
    assert "README" in wb.sheetnames and "about" in wb.sheetnames
    assert "'=HYPERLINK" in csv.read_text(encoding="utf-8")
    for path in (xlsx, csv):
        back = read_sheet(path)
        assert back["text"].tolist() == sheet["text"].tolist()
        assert back["concern_id"].tolist() == sheet["concern_id"].tolist()
        assert back["code_theme_drugs"].isna().all()
    shown = write_sheet(sheet, tmp_path / "shown.xlsx", show_models=True)[0]
    ws = load_workbook(shown)["coding"]
    assert not ws.column_dimensions[model_col].hidden


def test_bad_sheets_are_refused_with_the_file_named(analysis, tmp_path):
    sheet = coding_sheet(analysis, n=6, seed=0)
    sheet["code_theme_drugs"] = sheet["code_theme_drugs"].astype(object)
    sheet.loc[2, "code_theme_drugs"] = "yes"
    path = write_sheet(sheet, tmp_path / "bad")[0]
    with pytest.raises(CodingSheetError, match=r"bad\.xlsx: item 3: code_theme_drugs"):
        read_sheet(path)
    other = tmp_path / "other.csv"
    pd.DataFrame({"a": [1]}).to_csv(other, index=False)
    with pytest.raises(CodingSheetError, match="not a coding sheet"):
        read_sheet(other)
    with pytest.raises(CodingSheetError, match="no such file"):
        read_sheet(tmp_path / "missing.xlsx")
    with pytest.raises(CodingSheetError, match="strategy"):
        coding_sheet(analysis, strategy="loudest")
    with pytest.raises(CodingSheetError, match="stratify"):
        coding_sheet(analysis, by="colour")


def test_own_taxonomy_columns(analysis):
    sheet = coding_sheet(analysis, n=4, themes=["food", "work"])
    assert [c for c in sheet.columns if c.startswith("code_theme_")] == [
        "code_theme_food",
        "code_theme_work",
    ]


def test_strata_on_any_plan_column(analysis):
    sheet = coding_sheet(analysis, n=8, by=["era", "year"], seed=0)
    assert len(sheet) == 8 and "era" not in sheet.columns
    years = set(analysis.concerns["year"].dropna())
    assert set(sheet["year"]) == years  # each year (a stratum) gets at least one item
