"""The one writer (parquet, CSV, XLSX, DTA), its codebook, and reads by plain tools."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from actionnlp.analysis import Analysis
from actionnlp.analysis.codebook import SIDE_TABLES, codebook, codebook_markdown
from actionnlp.analysis.store import FORMATS, neutralise, restore

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_every_format(samples, tmp_path, fmt):
    samples.write(tmp_path, fmt)
    back = Analysis.read(tmp_path)
    for name, frame in samples.tables().items():
        pd.testing.assert_frame_equal(frame, back.tables()[name], check_dtype=True, obj=name)
    assert isinstance(back.actions.smart_evidence.iloc[0], dict)
    assert isinstance(back.actions.owner_mentions.iloc[0], list)
    pd.testing.assert_frame_equal(samples.compare(), back.compare())
    assert (tmp_path / "codebook.csv").is_file()


def test_parquet_has_real_types(samples, tmp_path):
    samples.to_parquet(tmp_path)
    actions = pd.read_parquet(tmp_path / "actions.parquet")
    assert isinstance(actions.owners.iloc[0], (list, type(actions.owners.iloc[0])))
    assert not isinstance(actions.owners.iloc[0], str)
    assert pd.api.types.is_datetime64_any_dtype(actions.target_date)
    assert str(actions.year.dtype) == "Int64"
    plans = pd.read_parquet(tmp_path / "plans.parquet")
    assert pd.api.types.is_datetime64_any_dtype(plans.plan_submitted)
    concerns = pd.read_parquet(tmp_path / "concerns.parquet")
    assert "5.10" in set(concerns.concern_id)  # Stafford's ids stay text


def test_plain_pandas_reads_csv_right(samples, tmp_path):
    samples.to_csv(tmp_path)
    concerns = pd.read_csv(tmp_path / "concerns.csv")  # no arguments
    ids = concerns.concern_id.tolist()
    assert "#5.10" in ids and "#5.1" in ids  # text: 5.10 is not 5.1
    assert pd.api.types.is_string_dtype(concerns.concern_id)
    assert not concerns.duplicated(["source", "concern_id"]).any()
    themes = pd.read_csv(tmp_path / "action_themes.csv")
    owners = pd.read_csv(tmp_path / "action_owners.csv")
    actions = pd.read_csv(tmp_path / "actions.csv")
    assert {"source", "concern_index", "action_index", "theme"} <= set(themes.columns)
    # the long tables join the actions table on the documented keys
    keys = ["source", "concern_index", "action_index"]
    assert len(owners.merge(actions[keys], on=keys)) == len(owners)
    n_owners = sum(len(x) for x in samples.actions.owners)
    assert len(owners) == n_owners
    evidence = pd.read_csv(tmp_path / "smart_evidence.csv")
    assert set(evidence.criterion) == {"S", "M", "A", "R", "T"}
    assert actions.smart_applicable.dtype == bool


def test_plain_read_stata(samples, tmp_path):
    samples.write(tmp_path, "dta")
    concerns = pd.read_stata(tmp_path / "concerns.dta")
    assert "5.10" in set(concerns.concern_id)
    owners = pd.read_stata(tmp_path / "action_owners.dta")
    assert len(owners) == sum(len(x) for x in samples.actions.owners)
    with pd.io.stata.StataReader(tmp_path / "plans.dta") as reader:
        labels = reader.variable_labels()
    assert labels["year_source"] == "where year comes from"


def test_workbook_sheets_and_codebook(samples, tmp_path):
    samples.write(tmp_path, "xlsx")
    sheets = pd.read_excel(tmp_path / "analysis.xlsx", sheet_name=None)
    assert {"plans", "concerns", "actions", "problems", "errors", "codebook"} <= set(sheets)
    assert set(SIDE_TABLES) <= set(sheets)
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "analysis.xlsx", read_only=True)["concerns"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    column = header.index("concern_id")
    ids = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "5.10" in ids and "5.1" in ids  # text cells: Excel shows 5.10, not 5.1
    assert all(isinstance(i, str) for i in ids if i is not None)


HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "'=1"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_cells_neutralised(samples, tmp_path, fmt):
    concerns = samples.concerns.copy()
    concerns.loc[: len(HOSTILE) - 1, "concern_text"] = HOSTILE
    plans = samples.plans.copy()
    source = '=HYPERLINK("http://evil","click").txt'
    errors = pd.DataFrame([{"source": source, "error": "X", "message": "=1+1"}])
    hostile = dataclasses.replace(samples, concerns=concerns, plans=plans, errors=errors)
    hostile.write(tmp_path, fmt)
    if fmt == "csv":
        written = pd.read_csv(tmp_path / "concerns.csv", keep_default_na=False)
        err = pd.read_csv(tmp_path / "errors.csv")
    else:
        written = pd.read_excel(tmp_path / "analysis.xlsx", sheet_name="concerns")
        err = pd.read_excel(tmp_path / "analysis.xlsx", sheet_name="errors")
        import openpyxl

        book = openpyxl.load_workbook(tmp_path / "analysis.xlsx")
        cells = [c.value for row in book["concerns"].iter_rows() for c in row]
        assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    cells = written.concern_text.tolist()[: len(HOSTILE)]
    assert all(c.startswith("'") for c in cells)
    assert err.source.iloc[0].startswith("'=") and err.message.iloc[0] == "'=1+1"
    back = Analysis.read(tmp_path)
    assert back.concerns.concern_text.tolist()[: len(HOSTILE)] == HOSTILE
    assert back.errors.source.iloc[0] == source
    # parquet keeps the raw value
    hostile.to_parquet(tmp_path / "pq")
    assert pd.read_parquet(tmp_path / "pq" / "errors.parquet").source.iloc[0] == source


def test_neutralise_is_reversible():
    for text in [*HOSTILE, "Governor", "", "''=x", "'plain"]:
        assert restore(neutralise(text)) == text
    assert neutralise(3) == 3


def test_codebook_describes_every_written_column(samples, tmp_path):
    samples.to_csv(tmp_path)
    book = pd.read_csv(tmp_path / "codebook.csv", keep_default_na=False)
    described = set(zip(book.table, book.column, strict=True))
    documented = set(zip(codebook().table, codebook().column, strict=True))
    for name, frame in samples.tables().items():
        for col in frame.columns:
            assert (name, col) in documented, f"{name}.{col} is not in the codebook"
    for name in SIDE_TABLES:
        for col in pd.read_csv(tmp_path / f"{name}.csv").columns:
            assert (name, col) in described
    assert (book.meaning != "").all()


def test_data_dictionary_page_in_sync():
    page = (DOCS / "data-dictionary.md").read_text(encoding="utf-8")
    assert page == codebook_markdown() + "\n", "run: python -m actionnlp.analysis.codebook"
