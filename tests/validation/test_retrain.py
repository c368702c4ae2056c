"""Sample -> code -> agreement -> train -> load, end to end (codes filled programmatically
from the labelled corpus, fast CI models and the fake embedder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import actionnlp
from actionnlp.artifacts import file_sha256
from actionnlp.embed import FakeEmbedder
from actionnlp.errors import ArtifactError, CodingSheetError
from actionnlp.loading import MODELS_DIR, load
from actionnlp.themes.training import shipped_tagger
from actionnlp.validation import (
    SHIPPED_CORPUS,
    agreement,
    coding_sheet,
    read_sheet,
    train_on_labels,
    write_sheet,
)
from tests.coding import ROOT, fill_from_corpus


def test_packaged_corpus_is_training_data():
    """The corpus shipped in the package is byte for byte training/data (run
    `make sync-corpus` after changing training/data)."""
    shipped = {p.name: file_sha256(p) for p in (ROOT / "training" / "data").glob("*.jsonl")}
    packaged = {p.name: file_sha256(p) for p in SHIPPED_CORPUS.glob("*.jsonl")}
    assert packaged == shipped


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """A slice of the corpus (first three concerns of each plan, a third of the anchors)
    so that the retraining tests stay fast."""
    out = tmp_path_factory.mktemp("corpus")
    for file in sorted(SHIPPED_CORPUS.glob("*.jsonl")):
        rows = [json.loads(x) for x in file.read_text(encoding="utf-8").splitlines() if x]
        if file.name.endswith(".synthetic.jsonl"):
            rows = rows[::3]
        else:
            keep = list(dict.fromkeys(r["concern_id"] for r in rows))[:3]
            rows = [r for r in rows if r["concern_id"] in keep]
        (out / file.name).write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return out


@pytest.fixture(scope="module")
def coded(samples, tmp_path_factory):
    """A sheet sampled from the scored samples, written, filled and read back."""
    folder = tmp_path_factory.mktemp("sheet")
    sheet = coding_sheet(samples, n=24, by="prison", seed=0)
    xlsx, _ = write_sheet(sheet, folder / "sheet")
    filled = fill_from_corpus(read_sheet(xlsx))  # the researcher's coding
    path, _ = write_sheet(filled, folder / "coded")
    return path


#: The shipped tagger configuration with one cross-validation repeat (five times quicker).
QUICK = shipped_tagger(None).set_params(cv_repeats=1)


@pytest.fixture(scope="module")
def retrained(coded, fast_models, small_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("retrained") / "models"
    evaluation = train_on_labels(coded, out, base=fast_models, corpus=small_corpus, tagger=QUICK)
    return out, evaluation


def test_agreement_on_the_coded_sheet(coded):
    table = agreement(read_sheet(coded), n_boot=200, seed=0)
    assert set(table["group"]) == {"theme", "smart", "owner_category"}
    themes = table[(table["group"] == "theme") & (table["label"] != "macro")]
    assert len(themes) == 9 and (themes["n"] == 24).all()
    smart = table[(table["group"] == "smart") & (table["label"] != "macro")]
    assert smart["label"].tolist() == ["S", "M", "A", "R", "T"] and (smart["n"] == 12).all()
    defined = table.dropna(subset=["kappa"])
    assert (defined["kappa_low"] <= defined["kappa"] + 1e-9).all()
    assert (defined["kappa"] <= defined["kappa_high"] + 1e-9).all()


def test_train_writes_verified_models_that_load_and_score(retrained, fast_models):
    out, evaluation = retrained
    assert evaluation["verified"] == ["owners-v1", "smart-v1", "themes-v1"]
    assert len(evaluation["prisons"]) == 4  # one fold per prison the researcher coded
    for fold in evaluation["folds"]:
        assert {"retrained", "base"} <= set(fold["themes"])
        assert set(fold["smart"]["retrained"]) == {"S", "M", "A", "R", "T"}
    assert evaluation["n_theme_items"]["researcher"] == 24
    assert (out / "model-card.md").read_text().startswith("# Model card: models retrained")
    models = load(out, embedder=FakeEmbedder(dim=64))
    result = actionnlp.analyze(actionnlp.sample_paths()[:1], models=models, progress=False)
    assert result.concerns["themes"].map(len).sum() > 0
    assert result.actions["smart_score"].between(0, 5).all()
    # The shipped package was not touched.
    assert not any(p.stat().st_mtime > out.stat().st_mtime for p in MODELS_DIR.rglob("*"))


def test_owner_names_coded_become_gazetteer_entries(retrained, coded):
    out, evaluation = retrained
    models = load(out, embedder=FakeEmbedder(dim=64))
    for entry in evaluation["owner_additions"]:
        gazetteer = models.owner_finder.gazetteer
        found = gazetteer.exact(entry["canonical"]) or gazetteer.acronym(entry["canonical"])
        assert found is not None and found.category == entry["category"]


def test_tampered_or_other_version_artifacts_are_refused(retrained, tmp_path):
    out, _ = retrained
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with (copy / "themes-v1" / "head.skops").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        load(copy, embedder=FakeEmbedder(dim=64))
    shutil.rmtree(copy)
    shutil.copytree(out, copy)
    manifest = copy / "smart-v1" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["created_by"]["scikit-learn"] = "0.1.0"
    manifest.write_text(json.dumps(data))
    with pytest.raises(ArtifactError, match=r"built with scikit-learn 0\.1\.0"):
        load(copy, embedder=FakeEmbedder(dim=64))


def test_nothing_is_overwritten(coded, fast_models, small_corpus, retrained):
    with pytest.raises(ArtifactError, match="inside the installed actionnlp package"):
        train_on_labels(coded, MODELS_DIR / "mine", base=fast_models, corpus=small_corpus)
    with pytest.raises(ArtifactError, match="not empty"):
        train_on_labels(coded, retrained[0], base=fast_models, corpus=small_corpus)
    assert not (MODELS_DIR / "mine").exists()


def test_own_taxonomy_retrains_the_same_way(samples, fast_models, small_corpus, tmp_path):
    """A researcher's own theme names: trained on the researcher's rows alone."""
    sheet = coding_sheet(samples, n=24, seed=2, themes=["health", "work"])
    for i, row in sheet.iterrows():  # a simple, consistent coder
        text = str(row["text"]).lower()
        sheet.loc[i, "code_theme_health"] = int(any(w in text for w in ("health", "medic")))
        sheet.loc[i, "code_theme_work"] = int(any(w in text for w in ("work", "education")))
    path = write_sheet(sheet, tmp_path / "own")[0]
    evaluation = train_on_labels(
        path, tmp_path / "models", base=fast_models, corpus=small_corpus, tagger=QUICK
    )
    assert evaluation["themes"] == ["health", "work"]
    assert evaluation["n_theme_items"] == {"corpus": 0, "researcher": 24}
    assert evaluation["n_anchors"] == 0
    models = load(tmp_path / "models", embedder=FakeEmbedder(dim=64))
    tags = models.tag_themes(["Health care staff reviewed medication.", "Work places."])
    assert list(tags.columns) == ["themes", "p_health", "p_work"]
    result = actionnlp.analyze(actionnlp.sample_paths()[:1], models=models, progress=False)
    assert {"p_action_health", "p_action_work"} <= set(result.actions.columns)


def test_an_uncoded_sheet_is_refused(samples, fast_models, small_corpus, tmp_path):
    path = write_sheet(coding_sheet(samples, n=4), tmp_path / "empty")[0]
    with pytest.raises(CodingSheetError, match="no coded row"):
        train_on_labels(path, tmp_path / "m", base=fast_models, corpus=small_corpus)


def test_cli_sample_and_agreement(samples, tmp_path, capsys):
    from actionnlp.cli import main

    samples.to_parquet(tmp_path / "analysis")
    out = tmp_path / "sheet"
    code = main(["sample", str(out), "--analysis", str(tmp_path / "analysis"), "--n", "10",
                 "--seed", "5"])  # fmt: skip
    assert code == 0 and "sampled 10 items (5 concerns, 5 actions)" in capsys.readouterr().out
    filled = fill_from_corpus(read_sheet(out.with_suffix(".xlsx")))
    write_sheet(filled, tmp_path / "coded")
    assert main(["agreement", str(tmp_path / "coded.xlsx"), "--boot", "50"]) == 0
    printed = capsys.readouterr().out
    assert "kappa" in printed and "agreement.html" in printed
    html = (tmp_path / "agreement.html").read_text(encoding="utf-8")
    assert "<table" in html and "healthcare" in html
    assert main(["sample", str(out)]) == 2  # neither paths nor --analysis
    assert main(["agreement", str(tmp_path / "nothing.xlsx")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_train_and_score_with_the_real_model(tmp_path, capsys):
    """`actionnlp sample` -> coded -> `train --labels` -> `score --models` (real model)."""
    from actionnlp.cli import main

    paths = [str(p) for p in actionnlp.sample_paths()[:2]]
    assert main(["sample", str(tmp_path / "sheet"), *paths, "--n", "16", "--quiet"]) == 0
    filled = fill_from_corpus(read_sheet(tmp_path / "sheet.xlsx"))
    write_sheet(filled, tmp_path / "coded")
    assert main(["train", "--labels", str(tmp_path / "coded.xlsx"), "--out",
                 str(tmp_path / "models")]) == 0  # fmt: skip
    assert main(["score", *paths, "--models", str(tmp_path / "models"), "--out",
                 str(tmp_path / "out"), "--quiet"]) == 0  # fmt: skip
    assert (tmp_path / "out" / "report.html").is_file()
    assert Path(tmp_path / "models" / "themes-v1" / "manifest.json").is_file()
