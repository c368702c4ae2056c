"""A damaged saved analysis gives DamagedAnalysisError naming the file, never a
KeyError or TypeError traceback (analysis/store.py, ``actionnlp compare``)."""

from __future__ import annotations

import json

import pytest

from actionnlp.analysis import Analysis
from actionnlp.analysis.result import TABLES
from actionnlp.cli import main
from actionnlp.errors import ActionPlanError, DamagedAnalysisError


def _table_meta() -> dict:
    return {"columns": ["prison"], "dtypes": {"prison": "object"}, "nested": []}


DAMAGED = {
    "not json": b"{oops",
    "not utf-8": b"\xff\xfe\x00garbage",
    "a list": b"[]",
    "no tables": json.dumps({"format": "csv"}).encode(),
    "bad format": json.dumps({"format": "xls", "tables": {}}).encode(),
    "tables wrong type": json.dumps({"format": "csv", "tables": []}).encode(),
    "table meta wrong": json.dumps({"format": "csv", "tables": {"plans": {"columns": 3}}}).encode(),
    "dtypes not strings": json.dumps(
        {"format": "csv", "tables": {"plans": {"columns": [], "dtypes": {"a": 1}, "nested": []}}}
    ).encode(),
    "a table missing": json.dumps({"format": "csv", "tables": {"plans": _table_meta()}}).encode(),
    "deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_manifest_is_a_library_error(tmp_path, case):
    (tmp_path / "analysis.json").write_bytes(DAMAGED[case])
    with pytest.raises(DamagedAnalysisError, match=r"analysis\.json: ") as err:
        Analysis.read(tmp_path)
    assert isinstance(err.value, ActionPlanError) and isinstance(err.value, ValueError)


def test_a_damaged_table_file_is_named(tmp_path):
    manifest = {"format": "csv", "tables": {name: _table_meta() for name in TABLES}}
    (tmp_path / "analysis.json").write_text(json.dumps(manifest))
    for name in TABLES:
        (tmp_path / f"{name}.csv").write_text("prison\nHMP A\n")
    (tmp_path / "plans.csv").write_text("other\n1\n")
    with pytest.raises(DamagedAnalysisError, match=r"plans\.csv: lacks the columns \['prison'\]"):
        Analysis.read(tmp_path)
    (tmp_path / "plans.csv").unlink()
    with pytest.raises(DamagedAnalysisError, match=r"plans\.csv: no such file"):
        Analysis.read(tmp_path)


def test_compare_on_a_damaged_analysis_prints_one_line(tmp_path, capsys):
    (tmp_path / "analysis.json").write_text('{"format": "parquet", "tables": {"plans": 1}}')
    assert main(["compare", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("actionnlp compare: ") and "analysis.json" in err
    assert "Traceback" not in err
