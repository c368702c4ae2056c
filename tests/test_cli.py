"""The ``actionnlp parse``, ``score`` and ``compare`` commands (score with the fast CI models)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from actionnlp.cli import main
from actionnlp.data import sample_paths


@pytest.fixture()
def fast(monkeypatch, fast_models):
    monkeypatch.setattr("actionnlp.loading.load", lambda *a, **k: fast_models)
    return fast_models


def test_parse_samples_csv(tmp_path, capsys):
    out = tmp_path / "tables"
    code = main(
        ["parse", *map(str, sample_paths()), "--out", str(out), "--format", "csv", "--quiet"]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "read 4 plan(s): 53 concerns, 201 actions," in printed  # rationale rows not counted
    assert "0 file(s) failed" in printed
    for name in ("concerns", "actions", "problems", "errors"):
        assert (out / f"{name}.csv").is_file()
    actions = pd.read_csv(out / "actions.csv")
    assert (actions["kind"] == "action").sum() == 201
    joined = actions["owner_parts"].dropna()
    assert joined.str.contains(" | ", regex=False).any()
    assert not joined.str.startswith("[").any()


def test_parse_only_a_bad_file_fails(tmp_path, capsys):
    (tmp_path / "broken.pdf").write_bytes(b"not a pdf")
    code = main(["parse", str(tmp_path / "broken.pdf"), "--out", str(tmp_path / "out"), "--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    assert "read 0 plan(s)" in captured.out and "1 file(s) failed" in captured.out
    assert "broken.pdf" in captured.err


def test_score_samples_then_compare(fast, tmp_path, capsys):
    out = tmp_path / "results"
    code = main(["score", *map(str, sample_paths()), "--out", str(out), "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "scored 4 plan(s): 53 concerns" in printed and "0 file(s) failed" in printed
    for name in ("plans", "concerns", "actions", "problems", "errors"):
        assert (out / f"{name}.parquet").is_file()
    assert (out / "report.html").stat().st_size > 10_000

    assert main(["compare", str(out)]) == 0
    table = capsys.readouterr().out
    assert "HMP Stafford" in table and "smart_mean" in table and "theme_drugs" in table
    assert main(["compare", str(out), "--by", "prison,year", "--transpose"]) == 0
    assert "2020" in capsys.readouterr().out


def test_score_uses_the_caches_unless_told_not_to(monkeypatch, fast_models, tmp_path):
    from actionnlp.cache import CachedEmbedder, ResultCache

    calls: list[dict] = []

    def load(*args, **kwargs):
        calls.append(kwargs)
        return fast_models

    monkeypatch.setattr("actionnlp.loading.load", load)
    plan = str(sample_paths()[0])
    assert main(["score", plan, "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert isinstance(calls[0]["embedder"], CachedEmbedder)
    assert isinstance(calls[0]["results"], ResultCache)
    assert main(["score", plan, "--out", str(tmp_path / "b"), "--quiet", "--no-cache"]) == 0
    assert calls[1] == {}  # the bundled embedder, no cache of either kind


def test_score_csv_with_a_bad_file(fast, tmp_path, capsys):
    shutil.copy(sample_paths()[0], tmp_path)
    (tmp_path / "broken.pdf").write_bytes(b"not a pdf")
    out = tmp_path / "out"
    assert main(["score", str(tmp_path), "--out", str(out), "--format", "csv", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "1 file(s) failed" in captured.out and "broken.pdf" in captured.err
    assert (out / "actions.csv").is_file() and (out / "report.html").is_file()


def test_score_only_bad_files_fails(fast, tmp_path, capsys):
    (tmp_path / "broken.pdf").write_bytes(b"not a pdf")
    (tmp_path / "empty.txt").write_text("")
    assert main(["score", str(tmp_path), "--out", str(tmp_path / "out"), "--quiet"]) != 0
    assert "nothing could be read" in capsys.readouterr().err


def test_compare_without_saved_analysis(tmp_path, capsys):
    assert main(["compare", str(tmp_path)]) != 0
    assert "no saved analysis" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["--help"], ["parse", "--help"], ["score", "--help"], ["compare", "--help"]]
)
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: actionnlp" in capsys.readouterr().out
