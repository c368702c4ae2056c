"""CLI: one writer for parse and score, researcher's tables, saying when nothing was read,
and the small command-line defects (version, help defaults, transpose, broken pipe)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import actionnlp
from actionnlp.cli import main
from actionnlp.data import sample_paths


@pytest.fixture()
def fast(monkeypatch, fast_models):
    monkeypatch.setattr("actionnlp.loading.load", lambda *a, **k: fast_models)
    return fast_models


def research_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Prison": ["HMP Stafford", "HMP Stafford", "Peterborough"],
            "concern_id": ["5.10", "5.1", "1"],
            "concern_text": ["Cells were dirty.", "Drugs were common.", "No work."],
            "action_text": ["Clean cells weekly.", "Test for drugs.", "Open workshops."],
            "owner_raw": ["Governor", "Head of Security", "Head of Industries"],
            "target_raw": ["31/03/2025", "June 2024", "Ongoing"],
            "plan_submitted": ["05/03/2024", "05/03/2024", "01/02/2024"],
            "agreement": ["Agreed", "Partly Agreed", "accepted"],
        }
    )


def test_parse_writes_what_compare_reads(tmp_path, capsys):
    out = tmp_path / "parsed"
    assert main(["parse", *map(str, sample_paths()), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    for name in ("plans", "concerns", "actions", "problems", "errors"):
        assert (out / f"{name}.parquet").is_file()
    assert (out / "analysis.json").is_file() and (out / "codebook.csv").is_file()
    # every plan with problems is listed with its counts by kind (Littlehey has 8)
    assert "8 problem(s):" in printed and "clipped_id" in printed
    assert main(["compare", str(out), "--by", "operator"]) == 0
    table = capsys.readouterr().out
    assert "contracted" in table and "public" in table
    actions = pd.read_parquet(out / "actions.parquet")
    assert "owners" not in actions  # the reader's split cell is owner_parts, a list
    assert not isinstance(actions.owner_parts.iloc[0], str)
    assert all(isinstance(o, str) for o in actions.owner_parts.iloc[0])


def test_parse_and_score_write_the_same_way(fast, tmp_path):
    paths = [str(sample_paths()[0])]
    assert main(["parse", *paths, "--out", str(tmp_path / "p"), "--format", "csv", "--quiet"]) == 0
    assert main(["score", *paths, "--out", str(tmp_path / "s"), "--format", "csv", "--quiet"]) == 0
    parsed = pd.read_csv(tmp_path / "p" / "actions.csv")
    scored = pd.read_csv(tmp_path / "s" / "actions.csv")
    # the same columns written the same way; score puts the owner model's canonical
    # names (owners) where the reader's split owner cell (owner_parts) was
    renamed = ["owners" if c == "owner_parts" else c for c in parsed.columns]
    assert [c for c in scored.columns if c in renamed] == renamed
    shared = [c for c in parsed.columns if c in scored.columns]
    pd.testing.assert_frame_equal(parsed[shared], scored[shared])
    assert main(["compare", str(tmp_path / "p")]) == 0
    assert main(["compare", str(tmp_path / "s")]) == 0


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".parquet"])
def test_score_a_researchers_table(fast, tmp_path, capsys, suffix):
    table = research_table()
    path = tmp_path / f"mine{suffix}"
    if suffix == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(table.columns))
        for row in table.itertuples(index=False):
            sheet.append(list(row))
        book.save(path)
    elif suffix == ".csv":
        table.to_csv(path, index=False)
    else:
        table.to_parquet(path)
    out = tmp_path / "out"
    code = main(["score", str(path), "--out", str(out), "--quiet", "--columns", "Prison=prison"])
    assert code == 0, capsys.readouterr().err
    back = actionnlp.analysis.Analysis.read(out)
    assert back.concerns.concern_id.tolist() == ["5.10", "5.1", "1"]
    assert back.concerns.agreement.tolist() == ["agreed", "partly_agreed", "agreed"]
    assert back.plans.plan_submitted.iloc[0] == pd.Timestamp("2024-03-05")
    assert back.plans.prison.tolist() == ["HMP Stafford", "HMP/YOI Peterborough"]


def test_score_table_with_unknown_decision_says_so(fast, tmp_path, capsys):
    path = tmp_path / "t.csv"
    research_table().rename(columns={"Prison": "prison"}).assign(agreement="Maybe").to_csv(
        path, index=False
    )
    assert main(["score", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "'Maybe'" in capsys.readouterr().err


def test_nothing_read_is_said(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["parse", str(empty), "--out", str(tmp_path / "o"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "nothing could be read" in err and "holds no plan files" in err
    assert not (tmp_path / "o").exists()


def test_skipped_files_are_noted(tmp_path, capsys):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "notes.csv").write_text("a,b\n")
    (folder / "plan.txt").write_text(sample_paths()[0].read_text())
    assert main(["parse", str(folder), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 file(s)" in err and "notes.csv" in err


def test_sentences_as_paths_fail_clearly(tmp_path, capsys):
    sentences = ["The Governor will review cells.", "Staff will be trained by June."]
    assert main(["parse", *sentences, "--out", str(tmp_path / "o"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "2 path(s) do not exist" in err and "read_plan(text=...)" in err


def test_library_warns_when_nothing_read(tmp_path):
    from actionnlp.analysis.run import parse_tables

    with pytest.warns(UserWarning) as caught:
        parse_tables(tmp_path, progress=False)
    messages = [str(w.message) for w in caught]
    assert any("holds no plan files" in m for m in messages)
    assert any("no plan was read" in m for m in messages)
    with pytest.warns(UserWarning, match="do not exist"):
        actionnlp.read_plans(["Cells are dirty and need cleaning."], progress=False)


def test_version_and_help_defaults(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"actionnlp {actionnlp.__version__}"
    with pytest.raises(SystemExit):
        main(["parse", "--help"])
    text = capsys.readouterr().out
    assert "(default: out)" in text and "(default: parquet)" in text and "(default: 1)" in text


def test_transpose_prints_counts_as_integers(tmp_path, capsys):
    out = tmp_path / "p"
    assert main(["parse", *map(str, sample_paths()), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["compare", str(out), "--transpose"]) == 0
    rows = {ln.split()[0]: ln.split()[1:] for ln in capsys.readouterr().out.splitlines() if ln}
    assert rows["n_concerns"] == ["9", "21", "12", "11"]  # groups sorted by prison
    assert all("." not in v for v in rows["n_plans"])


def test_compare_into_a_closed_pipe_is_quiet(samples, tmp_path):
    out = tmp_path / "scored"
    samples.to_parquet(out)
    code = (
        "import sys\n"
        "from actionnlp.cli import main\n"
        f"sys.exit(main(['compare', {str(out)!r}, '--transpose']))\n"
    )
    env = {"CODE": code, "PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    proc = subprocess.run(
        f'{sys.executable} -c "$CODE" | true',  # the reader is gone before anything is written
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr


def test_dir_lists_lazy_api():
    names = dir(actionnlp)
    assert "analyze" in names and "load" in names and "read_plan" in names


def test_tag_themes_of_nothing_is_an_empty_frame(fast_models):
    frame = fast_models.tag_themes([])
    assert len(frame) == 0 and "themes" in frame.columns


def test_progress_total_is_set_once(monkeypatch, fast_models):
    import tqdm.auto

    from actionnlp.analysis import analyze

    seen = []

    class Bar:
        def __init__(self, iterable=None, total=0, **_):
            self._total, self.n, self.iterable = total, 0, iterable
            seen.append(self)

        def __iter__(self):
            return iter(self.iterable)

        @property
        def total(self):
            return self._total

        @total.setter
        def total(self, value):
            raise AssertionError(f"total changed mid-run from {self._total} to {value}")

        def update(self, n=1):
            self.n += n

        def refresh(self):
            pass

        def set_description(self, desc):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    analyze(sample_paths()[:1], models=fast_models, progress=True)
    scoring = seen[-1]
    assert scoring.n == scoring.total > 0
