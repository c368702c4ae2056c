"""analyze / Analysis / plots on the bundled samples, with fast CI models.

The models are trained once per session with ``training/train.py``'s fast variant
(fake embedder): the ``fast_models`` and ``samples`` fixtures in ``conftest.py``.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from actionnlp import read_plan
from actionnlp.analysis import Analysis, analyze
from actionnlp.data import sample_paths
from actionnlp.labels import OWNER_CATEGORIES, SMART_KEYS, THEMES

PNG = b"\x89PNG\r\n\x1a\n"


# prisons by their canonical register names ("HMP Peterborough (Men)" as printed)
COUNTS = {"HMP Whitemoor": 12, "HMP/YOI Peterborough": 11, "HMP Littlehey": 9, "HMP Stafford": 21}


def test_tables_have_model_columns(samples):
    assert len(samples.plans) == 4 and samples.errors.empty
    assert dict(zip(samples.plans.prison, samples.plans.n_concerns, strict=True)) == COUNTS
    assert {"themes", *(f"p_{t}" for t in THEMES)} <= set(samples.concerns.columns)
    need = {"action_themes", "owners", "owner_categories", "owner_mentions", "smart_score"}
    need |= {f"smart_{k}" for k in SMART_KEYS} | {"smart_evidence", "months_to_target"}
    assert need <= set(samples.actions.columns)
    assert samples.concerns["themes"].map(lambda x: isinstance(x, list)).all()
    assert samples.plans["year"].notna().all()  # Whitemoor's from its target dates
    stafford = samples.plans.set_index("prison").loc["HMP Stafford"]
    assert (stafford.stated_total, stafford.stated_agreed) == (23, 16)


def test_each_distinct_text_tagged_once(fast_models, monkeypatch):
    from actionnlp.analysis.tables import concern_text

    plan = read_plan(sample_paths()[1])
    twice = [plan, dataclasses.replace(plan, source="second copy")]
    tagger = fast_models.theme_tagger
    tagged: list = []
    predict = tagger.predict_proba
    monkeypatch.setattr(tagger, "predict_proba", lambda X: tagged.extend(X) or predict(X))
    result = analyze(twice, models=fast_models, progress=False)
    assert len(result.concerns) == 2 * len(plan.concerns)
    n_concern_texts = len(set(concern_text(result.concerns)))
    actions = result.actions
    pairs = zip(actions.action_text.fillna(""), concern_text(actions), strict=True)
    n_action_items = len(set(pairs))
    assert len(tagged) == n_concern_texts + n_action_items  # what reached the tagger
    assert n_concern_texts == len(plan.concerns)
    pd.testing.assert_series_equal(
        result.concerns.themes.iloc[: len(plan.concerns)],
        result.concerns.themes.iloc[len(plan.concerns) :].reset_index(drop=True),
    )


def test_texts_embedded_up_front_each_once(fast_training):
    from collections import Counter

    from actionnlp.cache.vectors import PREFETCH_CHUNK
    from actionnlp.embed import FakeEmbedder
    from actionnlp.loading import load

    class Counting(FakeEmbedder):
        def __init__(self) -> None:
            super().__init__(dim=64)
            self.calls: list[int] = []
            self.texts: Counter[str] = Counter()

        def encode(self, texts, *, batch_size=32, show_progress=False):
            self.calls.append(len(texts))
            self.texts.update(texts)
            return super().encode(texts, batch_size=batch_size, show_progress=show_progress)

    embedder = Counting()
    models = load(fast_training[0], embedder=embedder)
    analyze(sample_paths(), models=models, progress=False)
    assert max(embedder.texts.values()) == 1  # no text reaches the model twice
    # every call is a full up-front chunk but the last: the stages found all in memory
    assert all(n == PREFETCH_CHUNK for n in embedder.calls[:-1])
    assert sum(embedder.calls) == len(embedder.texts)


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_parallel_scoring_matches_serial(samples, fast_models, backend):
    import joblib

    with joblib.parallel_config(backend=backend):
        parallel = analyze(sample_paths(), models=fast_models, n_jobs=2, progress=False)
    for name in ("plans", "concerns", "actions", "problems", "errors"):
        pd.testing.assert_frame_equal(getattr(parallel, name), getattr(samples, name))


def test_parallel_scoring_keeps_rows_without_a_prison(fast_models):
    import joblib

    frame = pd.DataFrame(
        {
            "prison": ["HMP A", None, "HMP B", "HMP C"],
            "concern_id": ["1", "1", "1", "1"],
            "concern_text": ["Cells were dirty.", "No work.", "Drugs.", "Long waits."],
            "action_text": ["Audit weekly.", "Create 40 places.", "Test 10%.", "Hire two."],
            "owner_raw": ["Governor", None, "Head of Security", "NHFT"],
            "target_raw": ["March 2024", "Ongoing", "June 2024", "Completed"],
        }
    )
    serial = analyze(frame, models=fast_models, progress=False)
    with joblib.parallel_config(backend="threading"):
        parallel = analyze(frame, models=fast_models, n_jobs=2, progress=False)
    assert len(parallel.actions) == 4
    pd.testing.assert_frame_equal(parallel.actions, serial.actions)
    pd.testing.assert_frame_equal(parallel.concerns, serial.concerns)


def test_plan_groups_balance_rows():
    from actionnlp.analysis.run import _plan_groups

    actions = pd.DataFrame({"source": ["a"] * 5 + ["b"] * 3 + ["c"] * 2})
    concerns = pd.DataFrame({"source": ["a", "b", "c"]})
    assert _plan_groups(concerns, actions, 1) == [["a", "b", "c"]]
    assert _plan_groups(concerns, actions, 2) == [["a"], ["b", "c"]]
    assert len(_plan_groups(concerns, actions, 8)) == 3  # never more groups than plans
    no_actions = pd.DataFrame()
    assert len(_plan_groups(concerns, no_actions, 2)) == 2  # plans from concerns alone
    unnamed = pd.DataFrame({"action_text": ["x"]})
    assert _plan_groups(concerns, unnamed, 2) == [[]]  # rows naming no plan: one process


def test_compare_by_prison(samples):
    table = samples.compare("prison")
    assert dict(zip(table.prison, table.n_concerns, strict=True)) == COUNTS
    expected = [
        *(f"theme_{t}" for t in THEMES),
        "smart_mean",
        *(f"smart_{k}_rate" for k in SMART_KEYS),
        *(f"owner_{c}" for c in OWNER_CATEGORIES),
        "agreed_rate",
        "partly_agreed_rate",
        "not_agreed_rate",
        "completed_share",
        "median_months_to_target",
    ]
    quads = [f"{c}{s}" for c in expected for s in ("", "_n", "_lo", "_hi")]
    assert table.columns.tolist() == ["prison", "n_plans", "n_concerns", "n_actions", *quads]
    shares = table[[c for c in expected if c.startswith(("theme_", "smart_", "owner_"))]]
    shares = shares.drop(columns=[c for c in shares.columns if c.startswith("smart_mean")])
    shares = shares[[c for c in shares.columns if not c.endswith("_n")]]
    assert ((shares.fillna(0) >= 0) & (shares.fillna(0) <= 1)).all().all()
    assert table.smart_mean.between(0, 5).all()
    owners = table[[f"owner_{c}" for c in OWNER_CATEGORIES]].sum(axis=1)
    assert owners.round(6).eq(1).all()
    by = table.set_index("prison")
    assert by.loc["HMP Stafford", "agreed_rate"] + by.loc["HMP Stafford", "partly_agreed_rate"] == 1
    assert pd.isna(by.loc["HMP Whitemoor", "agreed_rate"])  # no decisions recorded
    assert pd.isna(by.loc["HMP Whitemoor", "median_months_to_target"])  # no submission date
    assert by.loc["HMP/YOI Peterborough", "median_months_to_target"] > 0
    assert by.completed_share.between(0, 1).all()


def test_compare_by_prison_and_year(samples):
    table = samples.compare(["prison", "year"])
    assert table.columns[:3].tolist() == ["prison", "year", "n_plans"]
    assert len(table) == 4 and table.n_concerns.sum() == 53
    with pytest.raises(ValueError, match="cannot group by"):
        samples.compare("colour")


def test_batch_with_bad_files(tmp_path, fast_models):
    for p in sample_paths()[:2]:
        shutil.copy(p, tmp_path)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (tmp_path / "empty.txt").write_text("")
    result = analyze(tmp_path, models=fast_models, progress=False)
    assert len(result.plans) == 2 and len(result.concerns) > 0
    assert sorted(Path(s).name for s in result.errors.source) == ["broken.pdf", "empty.txt"]
    assert result.errors.columns.tolist() == ["source", "error", "message"]


def test_researcher_frame(fast_models):
    frame = pd.DataFrame(
        {
            "prison": ["HMP A", "HMP A", "HMP A", "HMP B"],
            "concern_id": ["1", "1", "2", "1"],
            "concern_text": ["Cells were dirty.", "Cells were dirty.", "Drugs.", "No work."],
            "action_text": [
                "The Governor will audit cells weekly from March 2024.",
                "Cleaning orderlies will be recruited.",
                "Drug testing will increase to 10% of prisoners monthly.",
                "Head of Reducing Reoffending will create 40 new workshop places.",
            ],
            "owner_raw": ["Governor", "Head of Residence", "Head of Security", None],
            "target_raw": ["March 2024", "Completed", "June 2024", "Ongoing"],
        }
    )
    result = analyze(frame, models=fast_models, progress=False)
    assert result.plans.prison.tolist() == ["HMP A", "HMP B"]
    assert result.plans.n_concerns.tolist() == [2, 1]
    assert result.actions.status.tolist() == ["planned", "completed", "planned", "ongoing"]
    assert result.actions.target_date.iloc[0] == pd.Timestamp("2024-03-31")
    assert result.plans.year.tolist()[0] == 2024
    assert "smart_score" in result.actions and "themes" in result.concerns
    table = result.compare()
    assert table.n_concerns.tolist() == [2, 1]
    with pytest.raises(ValueError, match="target_raw"):
        analyze(frame.drop(columns="target_raw"), models=fast_models, progress=False)


def test_researcher_frame_positions_and_counts():
    from actionnlp.analysis import frames_from_table

    frame = pd.DataFrame(
        {
            "prison": ["HMP A", "HMP A", "HMP B", "HMP A", "HMP B", "HMP A", None],
            "concern_id": ["2", "2", "1", None, "7", "1", "1"],
            "concern_text": ["c"] * 7,
            "action_text": ["a"] * 7,
            "owner_raw": [None] * 7,
            "target_raw": ["March 2024"] * 7,
            "kind": ["action", "rationale", "action", "action", "action", "action", "action"],
        }
    )
    plans, _, actions, _ = frames_from_table(frame)
    # concerns numbered per plan in order of first appearance; no id gives -1
    assert actions.concern_index.tolist() == [0, 0, 0, -1, 1, 1, 0]
    assert actions.action_index.tolist() == [0, 1, 0, 0, 0, 0, 0]
    # the row naming no prison is a plan of its own, not dropped from `plans`
    assert plans.source.tolist() == ["HMP A", "HMP B", "(no prison)"]
    assert plans.n_actions.tolist() == [3, 2, 1]  # the rationale row is not an action
    assert plans.era.tolist() == ["concerns"] * 3


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip(samples, tmp_path, fmt):
    getattr(samples, f"to_{fmt}")(tmp_path)
    assert (tmp_path / f"actions.{fmt}").is_file()
    back = Analysis.read(tmp_path)
    for name, frame in samples.tables().items():
        pd.testing.assert_frame_equal(frame, back.tables()[name], check_dtype=True)
    assert isinstance(back.actions.smart_evidence.iloc[0], dict)
    assert isinstance(back.actions.owner_mentions.iloc[0], list)
    pd.testing.assert_frame_equal(samples.compare(), back.compare())


def test_read_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no saved analysis"):
        Analysis.read(tmp_path)


def test_report(samples, tmp_path):
    path = samples.report(tmp_path / "out" / "report.html")
    html = path.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 4
    assert "5.18 and 5.19 missing" in html
    assert 'src="http' not in html and "<link" not in html and "<script src" not in html
    assert "HMP Whitemoor" in html and "theme_healthcare" in html
    assert "concern nan" not in html and "concern None" not in html


@pytest.mark.parametrize(
    "name", ["theme_heatmap", "smart_by_prison", "owner_categories", "target_horizon"]
)
def test_plots_render_png(samples, tmp_path, name):
    from actionnlp.analysis import plots

    fig = getattr(plots, name)(samples)
    path = tmp_path / f"{name}.png"
    fig.savefig(path)
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 5_000
    assert fig.axes[0].get_title()


def test_plots_of_empty_analysis(tmp_path):
    from actionnlp.analysis import frames_from_plans, plots

    empty = Analysis(*frames_from_plans([]))
    why = {
        "theme_heatmap": "no plans",
        "smart_by_prison": "no scored actions",
        "owner_categories": "no owners found",
        "target_horizon": "no actions with both a submission and a target date",
    }
    for name, message in why.items():
        fig = getattr(plots, name)(empty)
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        assert path.read_bytes().startswith(PNG)
        (ax,) = fig.axes
        assert ax.get_title()
        assert [t.get_text() for t in ax.texts] == [message]
    assert empty.compare().empty


def test_import_is_cheap_and_lazy():
    import subprocess

    code = (
        "import sys, actionnlp; "
        "assert 'actionnlp.analysis' not in sys.modules; "
        "assert 'matplotlib' not in sys.modules; "
        "actionnlp.analyze; assert 'actionnlp.analysis' in sys.modules; "
        "assert 'matplotlib' not in sys.modules; print(actionnlp.Analysis.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    assert out.stdout.strip() == "Analysis"
