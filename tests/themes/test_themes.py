"""ThemeTagger (estimator contract, thresholds, own taxonomy) and the zero-shot tagger."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from actionnlp.embed import FakeEmbedder
from actionnlp.errors import ArtifactError
from actionnlp.themes import ThemeTagger, tags_frame
from actionnlp.themes.tagger import _best_threshold

# Checks that assume a single-output classifier (predict returns 1-D labels) do not
# apply to a multi-label tagger whose predict returns an indicator matrix.
SINGLE_OUTPUT_CHECKS = {
    "check_classifiers_train": "multi-label: predict returns an indicator matrix",
    "check_classifiers_one_label": "a single label gives a constant column",
    "check_classifier_data_not_an_array": "multi-label output",
    "check_fit_score_takes_y": "multi-label output",
    "check_classifiers_multilabel_representation_invariance": "list-of-labels y",
    "check_n_features_in_after_fitting": "error message differs",
    "check_pipeline_consistency": "score() is subset accuracy on indicator output",
}


@parametrize_with_checks(
    [ThemeTagger(tune_thresholds=False, calibrate=True)],
    expected_failed_checks=lambda est: SINGLE_OUTPUT_CHECKS,
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_expected_failures_name_checks_that_run():
    """Every expected failure is a check sklearn generates for this estimator (a stale
    name would silently expect nothing)."""
    (mark,) = [m for m in test_sklearn_contract.pytestmark if m.name == "parametrize"]
    generated = set()
    for param in mark.args[1]:
        check = getattr(param, "values", param)[1]  # pytest.param or a plain tuple
        generated.add(getattr(check, "func", check).__name__)
    assert "check_estimators_pickle" in generated
    assert set(SINGLE_OUTPUT_CHECKS) <= generated


TEXTS = [
    "Illicit drugs were easy to get on the wings",
    "Drug testing found many positive results",
    "Substance misuse services will support recovery",
    "The quality of teaching and learning was poor",
    "Too few prisoners gained English and maths qualifications",
    "The curriculum did not meet the needs of prisoners",
    "Drug dealing disrupted education classes",
    "Health care staff shortages delayed medicines",
    "Nurses will administer medicines at the cell door",
    "A new GP clinic will reduce waiting times",
]
LABELS = [
    ["drugs"],
    ["drugs"],
    ["drugs"],
    ["education"],
    ["education"],
    ["education"],
    ["drugs", "education"],
    ["healthcare"],
    ["healthcare"],
    ["healthcare"],
]


def fitted(**kw) -> ThemeTagger:
    return ThemeTagger(embedder=FakeEmbedder(dim=64), cv=2, **kw).fit(TEXTS, LABELS)


def test_fit_on_texts_multilabel():
    tagger = fitted()
    assert list(tagger.classes_) == ["drugs", "education", "healthcare"]
    assert tagger.thresholds_.shape == (3,)
    assert ((tagger.thresholds_ > 0) & (tagger.thresholds_ < 1)).all()
    P = tagger.predict_proba(TEXTS)
    assert P.shape == (10, 3) and ((P >= 0) & (P <= 1)).all()
    labels = tagger.predict_labels(["Drug testing of prisoners", "Maths classes and teaching"])
    assert "drugs" in labels[0] and "education" in labels[1]


def test_thresholds_are_tuned_and_used():
    tuned = fitted()
    fixed = fitted(tune_thresholds=False)
    assert (fixed.thresholds_ == 0.5).all()
    P = tuned.predict_proba(TEXTS)
    assert (tuned.predict(TEXTS) == (tuned.thresholds_ <= P).astype(int)).all()
    tuned.thresholds_ = np.array([1.01, 1.01, 1.01])
    assert tuned.predict(TEXTS).sum() == 0


def test_own_taxonomy_and_precomputed_embeddings():
    emb = FakeEmbedder(dim=64)
    mine = [["violence"], ["violence"], ["food"], ["food"], ["violence", "food"]]
    texts = [
        "fights on the wing",
        "assaults on staff",
        "cold meals",
        "small portions",
        "fights in the food queue",
    ]
    tagger = ThemeTagger(embedder=emb, cv=2).fit(texts, mine)
    assert list(tagger.classes_) == ["food", "violence"]
    E = emb.encode(texts)
    on_vectors = ThemeTagger(cv=2).fit(E, mine)
    assert np.allclose(on_vectors.predict_proba(E), tagger.predict_proba(texts))


def test_label_present_everywhere_or_nowhere_is_constant():
    y = [["a", "b"], ["a"], ["a", "b"], ["a"]]
    tagger = ThemeTagger(embedder=FakeEmbedder(), cv=2).fit(["w x", "y z", "w y", "x z"], y)
    assert (tagger.predict_proba(["anything"])[:, 0] == 1.0).all()


def test_wrong_inputs():
    tagger = fitted()
    with pytest.raises(TypeError, match="single string"):
        tagger.predict("just one string")
    with pytest.raises(ValueError, match="features"):
        tagger.predict_proba(np.zeros((2, 5)))
    with pytest.raises(ValueError):
        ThemeTagger().fit(np.zeros((3, 4)), np.array([[0, 2], [1, 0], [0, 1]]))


def test_clone_and_params():
    tagger = ThemeTagger(C=2.0, cv=4)
    params = clone(tagger).get_params()
    assert params["C"] == 2.0 and params["cv"] == 4 and params["embedder"] is None


def _round_trip(tagger: ThemeTagger, directory) -> ThemeTagger:
    """``tagger`` saved with save_pretrained and read back with its own embedder."""
    tagger.save_pretrained(directory)
    return ThemeTagger.from_pretrained(directory, embedder=tagger.embedder)


def test_save_and_reload_identical(tmp_path):
    import json

    import skops.io

    tagger = fitted()
    loaded = _round_trip(tagger, tmp_path)
    assert np.array_equal(loaded.predict_proba(TEXTS), tagger.predict_proba(TEXTS))
    assert loaded.get_params() == tagger.get_params()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "head.skops"]
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["model"] == "actionnlp.themes.ThemeTagger"
    assert config["embedding"] == {"name": "fake", "weights_sha256": "fake-64"}
    assert config["params"]["cv"] == 2 and "embedder" not in config["params"]
    # the fitted parts are scikit-learn and NumPy types only: no actionnlp class, no pickle
    assert skops.io.get_untrusted_types(file=tmp_path / "head.skops") == []


def test_reloading_with_another_embedder_or_a_foreign_file_is_refused(tmp_path):
    from actionnlp.skops_io import save_sklearn

    fitted().save_pretrained(tmp_path)
    with pytest.raises(ArtifactError, match=r"config\.json: built with embedding fake \(fake-64\)"):
        ThemeTagger.from_pretrained(tmp_path, embedder=FakeEmbedder(dim=16))
    save_sklearn({"classes_": np.array(["a"])}, tmp_path / "head.skops")
    with pytest.raises(ArtifactError, match=r"head\.skops: must hold exactly the fitted parts"):
        ThemeTagger.from_pretrained(tmp_path, embedder=FakeEmbedder(dim=64))
    with pytest.raises(ArtifactError, match=r"no config\.json"):
        ThemeTagger.from_pretrained(tmp_path / "nowhere", embedder=FakeEmbedder(dim=64))


def test_tags_frame_columns():
    frame = tags_frame(fitted(), ["Drug testing", "Teaching quality"])
    assert list(frame.columns) == ["themes", "p_drugs", "p_education", "p_healthcare"]
    assert isinstance(frame.themes[0], list)


def test_tfidf_and_context_features(tmp_path):
    emb = FakeEmbedder(dim=64)
    tagger = ThemeTagger(embedder=emb, features="embedding+tfidf", context=True, cv=2)
    tagger.fit(TEXTS, LABELS)
    assert tagger.n_features_in_ > 128  # embedding, context embedding, then TF-IDF
    pairs = [("Staff will act on this", "Illicit drugs were easy to get on the wings")]
    assert tagger.predict_proba(pairs).shape == (1, 3)
    # A plain text is its own context.
    assert np.array_equal(
        tagger.predict_proba(["Drug testing"]),
        tagger.predict_proba([("Drug testing", "Drug testing")]),
    )
    with pytest.raises(ValueError, match="needs texts"):
        tagger.predict_proba(np.zeros((1, 128)))
    loaded = _round_trip(tagger, tmp_path)
    assert np.array_equal(loaded.predict_proba(pairs), tagger.predict_proba(pairs))


def test_unknown_features_rejected():
    with pytest.raises(ValueError, match="features must be one of"):
        ThemeTagger(embedder=FakeEmbedder(), features="bag", cv=2).fit(TEXTS, LABELS)


def calibration_data() -> tuple[np.ndarray, np.ndarray]:
    """Ready-made features; label 0 has about 20 positives of 80, label 1 has 4."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    common = (X[:, 0] + 0.7 * rng.normal(size=80) > 0.8).astype(int)
    rare = np.zeros(80, dtype=int)
    rare[np.argsort(X[:, 1])[-4:]] = 1
    return X, np.column_stack([common, rare])


def test_calibration_needs_enough_positives():
    X, Y = calibration_data()
    assert 10 <= Y[:, 0].sum() <= 70 and Y[:, 1].sum() < 10
    tagger = ThemeTagger(cv=3, calibrate=True).fit(X, Y)
    assert tagger.calibration_.shape == (2, 2) and tagger.calibration_.dtype == float
    assert tuple(tagger.calibration_[1]) == (1.0, 0.0)  # too few positives: identity
    slope, _ = tagger.calibration_[0]
    assert slope > 0 and tuple(tagger.calibration_[0]) != (1.0, 0.0)


def test_calibration_keeps_ranking_and_changes_probabilities():
    X, Y = calibration_data()
    cal = ThemeTagger(cv=3, calibrate=True).fit(X, Y)
    raw = ThemeTagger(cv=3, calibrate=False).fit(X, Y)
    P, R = cal.predict_proba(X), raw.predict_proba(X)
    order = np.argsort(R[:, 0], kind="stable")
    assert (np.diff(P[order, 0]) >= 0).all()  # same ranking
    assert not np.allclose(P[:, 0], R[:, 0])
    # Balanced class weights inflate a rarer label's probabilities; calibration lowers
    # them towards its base rate.
    assert abs(P[:, 0].mean() - Y[:, 0].mean()) < abs(R[:, 0].mean() - Y[:, 0].mean())
    assert np.array_equal(P[:, 1], R[:, 1])  # not calibrated
    assert (cal.predict(X) == cal.decide(P)).all()
    assert (cal.decide(P) == (cal.thresholds_ <= P).astype(int)).all()


def test_uncalibrated_tagger_gives_the_heads_probabilities():
    X, Y = calibration_data()
    raw = ThemeTagger(cv=3, calibrate=False).fit(X, Y)
    assert (raw.calibration_ == [1.0, 0.0]).all()
    heads = np.column_stack([est.predict_proba(X)[:, 1] for est in raw.estimators_])
    assert np.array_equal(raw.predict_proba(X), heads)


def test_calibrated_tagger_saves_and_reloads(tmp_path):
    X, Y = calibration_data()
    tagger = ThemeTagger(embedder=FakeEmbedder(), cv=3, calibrate=True).fit(X, Y)
    loaded = _round_trip(tagger, tmp_path)
    assert loaded.calibrate and np.array_equal(loaded.calibration_, tagger.calibration_)
    assert np.array_equal(loaded.predict_proba(X), tagger.predict_proba(X))


DESCRIPTIONS = {
    "drugs": "illicit drugs, drug testing and substance misuse",
    "education": "teaching, curriculum and qualifications",
    "healthcare": "nurses, GP clinics and medicines",
}


def test_description_similarities_are_features(tmp_path):
    emb = FakeEmbedder(dim=64)
    tagger = ThemeTagger(embedder=emb, context=True, descriptions=DESCRIPTIONS, cv=2)
    tagger.fit(TEXTS, LABELS)
    D = emb.encode(list(DESCRIPTIONS.values()))
    assert np.array_equal(tagger.description_vectors_, D)
    assert tagger.n_features_in_ == 64 + 64 + 3 + 3  # text, context, then both similarities
    pair = ("Staff will act on this", "Drug testing found many positive results")
    text, context = emb.encode(list(pair))
    features = tagger._features([pair])[0]
    assert np.allclose(features[128:131], D @ text) and np.allclose(features[131:], D @ context)
    assert "drugs" in tagger.predict_labels(["Drug testing of prisoners"])[0]
    with pytest.raises(ValueError, match="descriptions need texts"):
        ThemeTagger(descriptions=DESCRIPTIONS).fit(np.zeros((4, 3)), [0, 1, 0, 1])
    loaded = _round_trip(tagger, tmp_path)
    assert loaded.get_params()["descriptions"] == DESCRIPTIONS
    assert np.array_equal(loaded.predict_proba([pair]), tagger.predict_proba([pair]))


def test_threshold_splits_are_repeated_and_pooled():
    X, Y = calibration_data()
    col = Y[:, 0]
    single = ThemeTagger(cv=3)._cv_proba(X, col)
    repeated = ThemeTagger(cv=3, cv_repeats=4)._cv_proba(X, col)
    assert single.shape == (80,) and repeated.shape == (320,)
    assert np.array_equal(repeated[:80], single)  # the first repeat is the single split
    blocks = repeated.reshape(4, 80)
    assert all(not np.array_equal(blocks[0], b) for b in blocks[1:])  # other shuffles
    tagger = ThemeTagger(cv=3, cv_repeats=4).fit(X, Y)
    assert tagger.thresholds_[0] == _best_threshold(np.tile(col, 4), repeated)
    with pytest.raises(ValueError, match="cv_repeats must be at least 1"):
        ThemeTagger(cv_repeats=0).fit(X, Y)


def test_repeated_splits_make_thresholds_depend_less_on_the_seed():
    X, Y = calibration_data()
    col = Y[:, 0]

    def spread(repeats: int) -> float:
        thresholds = [
            _best_threshold(
                np.tile(col, repeats),
                ThemeTagger(cv=3, cv_repeats=repeats, random_state=seed)._cv_proba(X, col),
            )
            for seed in range(4)
        ]
        return float(np.ptp(thresholds))

    assert spread(6) < spread(1)


def test_repeated_splits_accept_any_random_state():
    X, Y = calibration_data()
    col = Y[:, 0]
    unseeded = ThemeTagger(cv=3, cv_repeats=2, random_state=None)._cv_proba(X, col)
    generator = np.random.RandomState(0)
    seeded = ThemeTagger(cv=3, cv_repeats=2, random_state=generator)._cv_proba(X, col)
    assert unseeded.shape == seeded.shape == (160,)
    assert ((0 <= seeded) & (seeded <= 1)).all()
