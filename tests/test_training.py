"""The training pipeline's CI variant runs end to end and its artifacts load and predict."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import actionnlp
from actionnlp.corpus import validate_corpus


def test_corpus_is_valid_and_complete():
    assert validate_corpus("training/data", samples=actionnlp.sample_paths()) == []


def test_fast_training_writes_verified_artifacts(fast_training):
    out, results = fast_training
    assert set(results) == {"themes", "owners", "smart"}
    for name in ("themes-v1", "owners-v1", "smart-v1"):
        manifest = json.loads((out / name / "manifest.json").read_text())
        assert manifest["files"] and manifest["data_hash"]
    themes = results["themes"]["metrics"]
    assert set(themes["models"]) == {"embedding+logreg", "tfidf+logreg", "zero-shot"}
    assert len(themes["models"]["zero-shot"]["folds"]) == 4  # leave-one-prison-out
    smart = results["smart"]["metrics"]
    assert "trained" in smart and "rules" in smart
    assert "mentions" in results["owners"]["metrics"]


def test_fast_models_predict_identically_twice(fast_models, fast_training):
    from actionnlp.embed import FakeEmbedder
    from actionnlp.loading import load

    texts = ["Illicit drugs were easy to get.", "Teaching was poor."]
    a = fast_models.tag_themes(texts)
    b = load(fast_training[0], embedder=FakeEmbedder(dim=64)).tag_themes(texts)
    assert np.array_equal(a.filter(like="p_").to_numpy(), b.filter(like="p_").to_numpy())
    frame = actionnlp.read_plan(actionnlp.sample_paths()[0]).to_frame()
    s1 = fast_models.score_smart(frame)
    assert s1["smart_score"].between(0, 5).all()
    assert s1["smart_evidence"].map(len).eq(5).all()


def test_fast_cli_leaves_the_shipped_model_card_alone(fast_training_run, capsys):
    """`train.py --fast --out D` (the session's one training run) writes no card unless
    `--cards DIR` is given, and refuses the shipped models folder."""
    from argparse import Namespace

    from tests.conftest import ROOT, _train_module

    train = _train_module()
    assert train.cards_dir(Namespace(no_cards=False, cards=None, fast=False)) == ROOT / "docs"
    assert train.cards_dir(Namespace(no_cards=False, cards=None, fast=True)) is None
    assert train.cards_dir(Namespace(no_cards=False, cards="c", fast=True)) == Path("c")
    assert train.cards_dir(Namespace(no_cards=True, cards="c", fast=False)) is None
    with pytest.raises(SystemExit):  # --fast never writes into the shipped models folder
        train.main(["--fast"])
    assert "give --out DIR" in capsys.readouterr().err

    out, before, after, printed = fast_training_run
    assert (out / "smart-v1" / "manifest.json").is_file()
    assert after == before
    if printed:  # empty when ACTIONNLP_TEST_MODELS reused an earlier run
        assert "themes:" in printed


def test_second_theme_labelling_lines_up_with_the_corpus(tmp_path):
    """The second-pass labels (training/agreement.py) cover every item in order; a
    file that no longer lines up with the corpus is refused, not silently misread."""
    import importlib.util

    from actionnlp.corpus import load_corpus
    from actionnlp.labels import THEMES
    from actionnlp.themes.training import theme_items
    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location(
        "actionnlp_agreement", ROOT / "training" / "agreement.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.agreement()
    items = theme_items(*load_corpus(ROOT / "training" / "data"))
    assert result["n_items"] == len(items)
    counts = {t: sum(t in row for row in items["themes"]) for t in THEMES}
    assert {t: x["corpus"] for t, x in result["per_label"].items()} == counts
    assert 0 < result["macro_f1_required"] <= 1

    rows = module.SECOND_PASS.read_text(encoding="utf-8").splitlines()
    shifted = tmp_path / "shifted.jsonl"
    shifted.write_text("\n".join(rows[1:] + rows[:1]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 1 is not the item"):
        module.agreement(second=shifted)
    short = tmp_path / "short.jsonl"
    short.write_text("\n".join(rows[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="rows, expected one per item"):
        module.agreement(second=short)


def test_smart_second_coding_and_adjudication_line_up_with_the_corpus(tmp_path):
    """The second SMART coding (training/smart_agreement.py) covers every action of the
    corpus; every adjudicated change is applied in the corpus, names a rule and differs
    from the corpus value it replaced; a coded id the corpus does not have is refused."""
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location(
        "actionnlp_smart_agreement", ROOT / "training" / "smart_agreement.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    actions = module.corpus_actions()
    result = module.agreement()
    assert result["n_coded"] == result["n_items"] == len(actions)
    assert result["actions"]["n"] == sum(r["kind"] != "rationale" for r in actions.values())
    for change in module.read_adjudication():
        record = actions[change["id"]]
        assert record["smart"][change["criterion"]] == change["adjudicated"] != change["corpus"]
        assert change["rule"] in (ROOT / "docs" / "annotation.md").read_text(encoding="utf-8")
    original = module.original_labels(actions, module.read_adjudication())
    changed = sum(original[i][k] != r["smart"][k] for i, r in actions.items() for k in "SMART")
    assert changed == result["changes"]

    rows = module.SECOND.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([rows[0], "nowhere-2020/1/0" + rows[1][rows[1].index(",") :]]))
    with pytest.raises(ValueError, match="ids not in the corpus"):
        module.agreement(second=bad)


def test_pin_command_re_pins_a_retrained_folder(fast_training, tmp_path):
    import runpy
    import shutil

    from actionnlp.embed import FakeEmbedder
    from actionnlp.errors import ArtifactError
    from actionnlp.loading import load
    from tests.conftest import _train_module

    train = _train_module()
    out = tmp_path / "models"
    shutil.copytree(fast_training[0], out)
    path = out / "smart-v1" / "manifest.json"
    path.write_text(path.read_text().replace('"format_version": 1', '"format_version":  1'))
    with pytest.raises(ArtifactError, match="pinned"):
        load(out, embedder=FakeEmbedder(dim=64))
    assert train.main(["--pin", "--out", str(out)]) == 0
    assert load(out, embedder=FakeEmbedder(dim=64)).pinned
    pins = json.loads((out / "pins.json").read_text())
    train.write_pins_module(tmp_path / "pins.py", pins)
    assert runpy.run_path(str(tmp_path / "pins.py"))["PINS"] == pins
