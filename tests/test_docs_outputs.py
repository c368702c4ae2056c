"""The pandas snippets of docs/outputs.md run against real output of each format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "outputs.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def outputs(samples, tmp_path_factory):
    root = tmp_path_factory.mktemp("outputs")
    for fmt in ("csv", "parquet", "dta"):
        samples.write(root / fmt, fmt)
    return {
        "OUT": str(root / "csv"),
        "OUT_PARQUET": str(root / "parquet"),
        "OUT_DTA": str(root / "dta"),
    }


def test_page_has_snippets():
    assert len(SNIPPETS) >= 4


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_snippet_runs(snippet, outputs, capsys):
    exec(compile(snippet, str(PAGE), "exec"), dict(outputs))
    assert capsys.readouterr().out.strip()
