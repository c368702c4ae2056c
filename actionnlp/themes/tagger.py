"""Theme tagging: a multi-label scikit-learn estimator over sentence embeddings.

:class:`ThemeTagger` is a SetFit-shaped head: the embedding model is referenced
(an :class:`~actionnlp.embed.Embedder`), never pickled; the head is one logistic
regression per label with a decision threshold per label tuned by cross-validation
on the training data. It accepts texts (embedded with its embedder) or an
already-embedded 2-D numeric array, so it can be checked with scikit-learn's
``parametrize_with_checks`` and reused on cached embeddings. Two options widen the
features: ``features="embedding+tfidf"`` appends TF-IDF word/bigram features (texts
only), and ``context=True`` appends the embedding of each text's context (the concern
an action answers), given as ``(text, context)`` pairs; a plain text is its own
context, as a concern is. With ``calibrate=True`` each label's probabilities are
Platt-scaled on its cross-validated probabilities where the label has enough
positives and negatives (balanced class weights can inflate the probabilities of rare
labels). It is off by default and in the shipped tagger: on the labelled plans it
lowered macro-F1 and did not improve the Brier score out of plan, where the plain
probabilities were already close to calibrated (``docs/experiments.md``).

Its zero-shot baseline, which needs no labels, is :mod:`actionnlp.themes.zeroshot`;
:func:`tags_frame` tags a frame with either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.embed import Embedder
    from actionnlp.resultmap import ResultMap

__all__ = ["ThemeTagger", "embed_inputs", "label_lists", "tags_frame"]

#: Fewest training positives (and negatives) for which a label's probabilities are
#: calibrated; below it the label keeps its logistic regression's probabilities.
MIN_CALIBRATION_POSITIVES = 10


def _is_text(X: Any) -> bool:
    if isinstance(X, str):
        raise TypeError("expected a sequence of texts or a 2-D array, got a single string")
    if isinstance(X, np.ndarray):
        return X.dtype.kind in "US" or (
            X.dtype.kind == "O" and X.size > 0 and isinstance(X.flat[0], str)
        )
    first = next(iter(X), None) if isinstance(X, Sequence) else None
    return isinstance(first, str)


def _pairs(X: Any) -> list[tuple[str, str]] | None:
    """``(text, context)`` pairs when ``X`` holds texts or pairs; None for anything else
    (numeric arrays, data frames of features).

    A text is its own context, and so is a pair's missing or empty context.

    >>> _pairs(["a", ("b", "c"), ("d", None)])
    [('a', 'a'), ('b', 'c'), ('d', 'd')]
    >>> _pairs(np.zeros((1, 2))) is None, _pairs([[0.5, 1.0]]) is None
    (True, True)
    """
    if isinstance(X, str):
        raise TypeError("expected a sequence of texts or a 2-D array, got a single string")
    if isinstance(X, np.ndarray):
        if X.dtype.kind not in "USO":
            return None
        rows = X.tolist()
    elif isinstance(X, (list, tuple)):
        rows = list(X)
    elif type(X).__name__ == "Series":  # a pandas column of texts or pairs
        rows = X.tolist()
    else:
        return None
    out: list[tuple[str, str]] = []
    for row in rows:
        if isinstance(row, str):
            out.append((row, row))
        elif isinstance(row, (tuple, list)) and len(row) == 2 and isinstance(row[0], str):
            text, context = row
            out.append((text, context if isinstance(context, str) and context else text))
        else:
            return None
    return out or None


def embed_inputs(X: Any, embedder: Embedder | None) -> np.ndarray:
    """Texts embedded with ``embedder`` (None: the bundled model), or a numeric array
    checked and used as it is.

    >>> from actionnlp.embed import FakeEmbedder
    >>> embed_inputs(["drug tests"], FakeEmbedder(dim=8)).shape, embed_inputs([[1, 2]], None)
    ((1, 8), array([[1., 2.]]))
    """
    if _is_text(X):
        from actionnlp.embed import default_embedder, embed_texts

        return embed_texts([str(t) for t in X], embedder or default_embedder())
    from sklearn.utils.validation import check_array

    return check_array(X, dtype=np.float64)


def _indicator(y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Labels as ``(indicator matrix, classes)`` from lists of labels, a matrix or 1-D labels."""
    from sklearn.preprocessing import LabelBinarizer, MultiLabelBinarizer

    if isinstance(y, np.ndarray) and y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if isinstance(y, np.ndarray) and y.ndim == 2:
        Y = np.asarray(y)
        if not np.isin(Y, (0, 1)).all():
            raise ValueError("a 2-D y must be a 0/1 indicator matrix")
        return Y.astype(int), np.arange(Y.shape[1])
    items = list(y)
    if items and all(isinstance(v, (list, tuple, set, frozenset)) for v in items):
        mlb = MultiLabelBinarizer()
        Y = mlb.fit_transform(items)
        return Y, mlb.classes_
    lb = LabelBinarizer()
    Y = lb.fit_transform(items)
    if Y.shape[1] == 1:  # binary 1-D labels: one indicator column per class
        Y = np.hstack([1 - Y, Y])
    return Y, lb.classes_


#: Feature sets of :class:`ThemeTagger`.
FEATURES = ("embedding", "embedding+tfidf")

#: The class name a saved tagger's ``config.json`` records.
MODEL_NAME = "actionnlp.themes.ThemeTagger"
#: The skops file of a saved tagger's fitted parts.
HEAD_FILE = "head.skops"
#: The fitted attributes :meth:`ThemeTagger.save_pretrained` writes to ``head.skops``.
FITTED = (
    "classes_",
    "n_features_in_",
    "estimators_",
    "thresholds_",
    "calibration_",
    "tfidf_",
    "description_vectors_",
)


class ThemeTagger(MultiOutputMixin, ClassifierMixin, BaseEstimator):
    """Multi-label tagger: one logistic regression per label, thresholds tuned per label.

    ``X`` is a sequence of texts, of ``(text, context)`` pairs, or a 2-D numeric
    array of ready-made dense features (used as they are; TF-IDF needs texts).

    Parameters:
        embedder: how texts are embedded (None: the bundled all-MiniLM-L6-v2).
            Ignored when ``X`` is already a numeric array.
        features: ``"embedding"`` or ``"embedding+tfidf"`` (appends TF-IDF word and
            bigram features, fitted on the training texts).
        context: append the embedding of each text's context (the concern an action
            answers; a plain text is its own context).
        C: inverse regularisation strength of each logistic regression.
        class_weight: passed to each logistic regression.
        tune_thresholds: tune each label's threshold by ``cv``-fold
            cross-validation on the training data (F1-optimal); else 0.5.
        cv: folds for threshold tuning and calibration.
        random_state: seed for the folds.
        cv_repeats: how many times the ``cv``-fold split is drawn (each with its own
            shuffle); thresholds and calibration are fitted on the probabilities of all
            repeats pooled, so they depend less on ``random_state``.
        descriptions: label descriptions (label to one line, as the zero-shot tagger
            takes): their embeddings are kept at fit time, and each text's cosine
            similarity to each description (and its context's, with ``context``) is
            appended to the features, a prior the head learns how far to trust.
            Needs texts.
        calibrate: Platt-scale each label's probabilities (slope and intercept on the
            logit scale, fitted on its ``cv``-fold cross-validated probabilities) when
            it has at least :data:`MIN_CALIBRATION_POSITIVES` positives and as many
            negatives; thresholds are then tuned on the calibrated probabilities.

    Example:
        >>> from actionnlp.embed import FakeEmbedder
        >>> texts = ["drug testing on wings", "illicit drugs supply", "mandatory drug tests",
        ...          "teaching quality was poor", "English and maths classes", "curriculum review"]
        >>> labels = [["drugs"], ["drugs"], ["drugs"], ["education"], ["education"], ["education"]]
        >>> tagger = ThemeTagger(embedder=FakeEmbedder(), cv=2).fit(texts, labels)
        >>> list(tagger.classes_), tagger.predict_labels(["drug testing"])
        (['drugs', 'education'], [['drugs']])
        >>> wide = ThemeTagger(embedder=FakeEmbedder(), features="embedding+tfidf", context=True,
        ...                    cv=2).fit(texts, labels)
        >>> wide.predict_labels([("drug testing", "illicit drugs supply")])
        [['drugs']]
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        features: str = "embedding",
        context: bool = False,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        tune_thresholds: bool = True,
        cv: int = 3,
        random_state: int = 0,
        calibrate: bool = False,
        cv_repeats: int = 1,
        descriptions: Mapping[str, str] | None = None,
    ) -> None:
        self.embedder = embedder
        self.features = features
        self.context = context
        self.C = C
        self.class_weight = class_weight
        self.tune_thresholds = tune_thresholds
        self.cv = cv
        self.random_state = random_state
        self.calibrate = calibrate
        self.cv_repeats = cv_repeats
        self.descriptions = descriptions

    def _head(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=2000, random_state=self.random_state
        )

    def fit(self, X: Any, y: Any) -> ThemeTagger:
        """Fit on texts (or embeddings) and labels (lists of labels, indicator matrix, or 1-D)."""
        from sklearn.utils.validation import check_consistent_length

        if y is None:
            raise ValueError("ThemeTagger requires y to be passed, but the target y is None")
        if self.features not in FEATURES:
            raise ValueError(f"features must be one of {FEATURES}, got {self.features!r}")
        if self.cv_repeats < 1:
            raise ValueError(f"cv_repeats must be at least 1, got {self.cv_repeats!r}")
        self.tfidf_ = None
        self.description_vectors_ = None
        pairs = _pairs(X)
        if self.features == "embedding+tfidf":
            from sklearn.feature_extraction.text import TfidfVectorizer

            if pairs is None:
                raise ValueError("features='embedding+tfidf' needs texts, not a numeric array")
            self.tfidf_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
            self.tfidf_.fit([text for text, _ in pairs])
        if self.descriptions:
            if pairs is None:
                raise ValueError("descriptions need texts, not a numeric array")
            self.description_vectors_ = embed_inputs(
                list(self.descriptions.values()), self.embedder
            )
        E = self._features(X)
        Y, classes = _indicator(y)
        check_consistent_length(E, Y)
        self.classes_ = np.asarray(classes)
        self.n_features_in_ = E.shape[1]
        self.estimators_: list[Any] = []
        self.thresholds_ = np.full(Y.shape[1], 0.5)
        self.calibration_ = np.tile([1.0, 0.0], (Y.shape[1], 1))  # identity
        for j in range(Y.shape[1]):
            col = Y[:, j]
            if col.min() == col.max():
                self.estimators_.append(float(col[0]))  # constant label
                continue
            self.estimators_.append(self._head().fit(E, col))
            if not (self.tune_thresholds or self.calibrate):
                continue
            p = self._cv_proba(E, col)
            if p is None:
                continue
            pooled = np.tile(col, self.cv_repeats)
            fewest = min(int(col.sum()), int(len(col) - col.sum()))
            if self.calibrate and fewest >= MIN_CALIBRATION_POSITIVES:
                self.calibration_[j] = _platt(p, pooled)
            if self.tune_thresholds:
                self.thresholds_[j] = _best_threshold(pooled, _calibrated(p, self.calibration_[j]))
        return self

    def texts_to_embed(self, X: Any) -> list[str]:
        """The texts :meth:`predict` will embed for ``X`` (texts, then contexts when
        ``context`` is on; none for a numeric array), so a caller can embed them first.

        >>> ThemeTagger(context=True).texts_to_embed([("Audit.", "Dirty."), "Gym."])
        ['Audit.', 'Gym.', 'Dirty.', 'Gym.']
        """
        pairs = _pairs(X)
        if pairs is None:
            return []
        texts = [text for text, _ in pairs]
        return texts + [context for _, context in pairs] if self.context else texts

    def _features(self, X: Any) -> Any:
        """The head's input: embeddings, then context embeddings, then TF-IDF (sparse)."""
        pairs = _pairs(X)
        if pairs is None:
            if self.features == "embedding+tfidf":
                raise ValueError("features='embedding+tfidf' needs texts, not a numeric array")
            return embed_inputs(X, self.embedder)
        E = embed_inputs([text for text, _ in pairs], self.embedder)
        parts = [E]
        if self.context:
            parts.append(embed_inputs([context for _, context in pairs], self.embedder))
        if self.description_vectors_ is not None:
            parts += [part @ self.description_vectors_.T for part in list(parts)]
        E = np.hstack(parts)
        if self.tfidf_ is None:
            return E
        import scipy.sparse as sp

        T = self.tfidf_.transform([text for text, _ in pairs])
        return sp.hstack([sp.csr_matrix(E), T]).tocsr()

    def _cv_proba(self, E: Any, col: np.ndarray) -> np.ndarray | None:
        """Cross-validated probabilities of one label, the ``cv_repeats`` repeats one
        after another (so they line up with ``col`` tiled); None when it has < 2 of a class.
        """
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        n_splits = min(self.cv, int(col.sum()), int(len(col) - col.sum()))
        if n_splits < 2:
            return None
        from sklearn.utils import check_random_state

        # The first repeat is the single split of cv_repeats=1; the others are drawn.
        drawn = check_random_state(self.random_state).randint(2**31 - 1, size=self.cv_repeats)
        seeds = [self.random_state, *(int(s) for s in drawn[1:])]
        return np.concatenate(
            [
                cross_val_predict(
                    self._head(),
                    E,
                    col,
                    cv=StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed),
                    method="predict_proba",
                )[:, 1]
                for seed in seeds
            ]
        )

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each label, shape ``(n_samples, n_labels)``."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "estimators_")
        E = self._features(X)
        if E.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {E.shape[1]} features, but ThemeTagger was fitted with "
                f"{self.n_features_in_} features"
            )
        cols = [
            np.full(E.shape[0], est)
            if isinstance(est, float)
            else _calibrated(est.predict_proba(E)[:, 1], ab)
            for est, ab in zip(self.estimators_, self.calibration_, strict=True)
        ]
        return np.column_stack(cols) if cols else np.zeros((E.shape[0], 0))

    def predict(self, X: Any) -> np.ndarray:
        """0/1 indicator matrix, shape ``(n_samples, n_labels)``."""
        return self.decide(self.predict_proba(X))

    def decide(self, P: np.ndarray) -> np.ndarray:
        """Labels from probabilities already computed (each label's threshold)."""
        return (P >= self.thresholds_).astype(int)

    def predict_labels(self, X: Any) -> list[list[str]]:
        """The labels of each text, as lists of class names."""
        return label_lists(self.classes_, self.predict(X))

    # -- persistence: a folder with config.json and head.skops (actionnlp.pretrained) ----
    def save_pretrained(self, directory: str | Path) -> Path:
        """Write the tagger into ``directory``: ``config.json`` (its hyperparameters and
        the embedding it reads, by name and weights SHA-256; the embedder itself is never
        serialised) and ``head.skops`` (the fitted heads, thresholds, calibration, TF-IDF
        vocabulary and description vectors: scikit-learn and NumPy types only).

        >>> import tempfile
        >>> from actionnlp.embed import FakeEmbedder
        >>> texts, labels = ["drug tests", "drug finds", "maths class", "English class"], [
        ...     ["drugs"], ["drugs"], ["education"], ["education"]]
        >>> tagger = ThemeTagger(embedder=FakeEmbedder(), cv=2).fit(texts, labels)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = tagger.save_pretrained(d)
        ...     again = ThemeTagger.from_pretrained(d, embedder=FakeEmbedder())
        >>> again.predict_labels(["drug tests"]), again.get_params()["cv"]
        ([['drugs']], 2)
        """
        from sklearn.utils.validation import check_is_fitted

        from actionnlp.pretrained import write_config
        from actionnlp.skops_io import save_sklearn

        check_is_fitted(self, "estimators_")
        params = {k: v for k, v in self.get_params(deep=False).items() if k != "embedder"}
        if params["descriptions"] is not None:
            params["descriptions"] = dict(params["descriptions"])
        embedder = self.embedder
        if embedder is None:
            from actionnlp.embed import default_embedder

            embedder = default_embedder()
        directory = Path(directory)
        write_config(directory, MODEL_NAME, params, embedding=embedder)
        save_sklearn({name: getattr(self, name) for name in FITTED}, directory / HEAD_FILE)
        return directory

    @classmethod
    def from_pretrained(
        cls, directory: str | Path, *, embedder: Embedder | None = None
    ) -> ThemeTagger:
        """The tagger :meth:`save_pretrained` wrote into ``directory``, reading texts with
        ``embedder`` (None: the bundled model), which must be the embedding it records.

        Raises :class:`~actionnlp.errors.ArtifactError` naming the file when the folder
        is not a saved tagger, records another embedding, or its ``head.skops`` holds
        anything but the fitted parts (or a type outside the skops allowlist).
        """
        from actionnlp.errors import ArtifactError
        from actionnlp.pretrained import read_config
        from actionnlp.skops_io import load_sklearn

        directory = Path(directory)
        if embedder is None:
            from actionnlp.embed import default_embedder

            check: Embedder = default_embedder()
        else:
            check = embedder
        config = read_config(directory, MODEL_NAME, embedder=check)
        try:
            model = cls(embedder=embedder, **config["params"])
        except TypeError as exc:
            raise ArtifactError(
                f"params this ThemeTagger does not take ({exc})", directory
            ) from exc
        parts = load_sklearn(directory / HEAD_FILE)
        if not isinstance(parts, dict) or set(parts) != set(FITTED):
            raise ArtifactError(
                f"must hold exactly the fitted parts {', '.join(FITTED)}", directory / HEAD_FILE
            )
        for name in FITTED:
            setattr(model, name, parts[name])
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        tags.classifier_tags.multi_label = True
        return tags


def label_lists(classes: np.ndarray, indicator: np.ndarray) -> list[list[str]]:
    """Rows of a 0/1 indicator matrix as lists of class names.

    >>> label_lists(np.array(["drugs", "food"]), np.array([[1, 0], [1, 1], [0, 0]]))
    [['drugs'], ['drugs', 'food'], []]
    """
    return [[str(c) for c, on in zip(classes, row, strict=True) if on] for row in indicator]


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum(y & pred))
    denom = float(np.sum(y) + np.sum(pred))
    return 2 * tp / denom if denom else 0.0


def _best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The F1-optimal threshold on a grid over [0.1, 0.9]; among ties, the closest to
    0.5 (the least tuned).

    >>> _best_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.6, 0.7]))
    0.5
    """
    grid = np.linspace(0.1, 0.9, 33)
    f1 = [_f1(y, p >= t) for t in grid]
    best = float(np.max(f1))
    candidates = [t for t, f in zip(grid, f1, strict=True) if f >= best - 1e-9]
    return float(min(candidates, key=lambda t: abs(t - 0.5)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def _platt(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling of probabilities ``p`` against 0/1 labels ``y``: ``(slope,
    intercept)`` on the logit scale, or the identity ``(1.0, 0.0)`` when the fitted
    slope is not positive (calibrated scores would no longer rank as ``p`` does).

    >>> y = np.array([0, 0, 0, 0, 0, 1, 0, 0, 1, 1])
    >>> a, b = _platt(np.linspace(0.3, 0.95, 10), y)
    >>> bool(a > 0 and b < 0)
    True
    >>> _platt(np.linspace(0.95, 0.3, 10), y)
    (1.0, 0.0)
    """
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000).fit(_logit(p)[:, None], y)
    slope, intercept = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    return (slope, intercept) if slope > 0 else (1.0, 0.0)


def _calibrated(p: np.ndarray, ab: Any) -> np.ndarray:
    """``p`` mapped by the Platt ``(slope, intercept)`` ``ab``; ``p`` itself for the
    identity, so an uncalibrated label keeps its probabilities bit for bit.

    >>> p = np.array([0.2, 0.5, 0.9])
    >>> _calibrated(p, (1.0, 0.0)) is p, round(float(_calibrated(p, (1.0, -0.5))[1]), 3)
    (True, 0.378)
    """
    slope, intercept = float(ab[0]), float(ab[1])
    if slope == 1.0 and intercept == 0.0:
        return p
    return 1.0 / (1.0 + np.exp(-(slope * _logit(p) + intercept)))


TAG_BATCH = 128
"""Texts per ``predict_proba`` call of :func:`tags_frame`: memory stays bounded, and the
batches (so the last bits of a probability, which BLAS sums in batch-dependent order)
do not depend on how many texts one call tags."""


def tags_frame(
    tagger: Any, texts: Sequence[str | tuple[str, str]], *, results: ResultMap | None = None
) -> pd.DataFrame:
    """A frame with ``themes`` (list of labels) and ``p_<label>`` per label.

    ``results`` is a result map (:mod:`actionnlp.resultmap`; ``Models`` passes one that
    reads the probabilities of texts tagged in an earlier run from the result cache).

    >>> from actionnlp.embed import FakeEmbedder
    >>> from actionnlp.themes.zeroshot import ZeroShotTagger
    >>> zs = ZeroShotTagger({"drugs": "illicit drugs", "food": "meals"}, embedder=FakeEmbedder())
    >>> list(tags_frame(zs, ["drug finds"]).columns)
    ['themes', 'p_drugs', 'p_food']
    """
    import pandas as pd

    from actionnlp.resultmap import compute_all, is_probabilities

    n = len(tagger.classes_)

    def compute(todo: list[str | tuple[str, str]]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(todo), TAG_BATCH):
            out += np.asarray(tagger.predict_proba(todo[start : start + TAG_BATCH])).tolist()
        return out

    def valid(value: Any) -> bool:
        return is_probabilities(value, n)

    apply = results or compute_all
    P = np.array(apply(list(texts), compute, valid, _key), dtype=float).reshape(-1, n)
    on = tagger.decide(P)
    frame = pd.DataFrame(P, columns=[f"p_{c}" for c in tagger.classes_])
    frame.insert(0, "themes", label_lists(tagger.classes_, on))
    return frame


def _key(item: str | tuple[str, str]) -> tuple[Any, ...]:
    """What identifies one input of :func:`tags_frame`: the text or (text, context) pair."""
    return (item,)
