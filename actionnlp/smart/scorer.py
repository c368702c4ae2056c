"""The shipped SMART scorer: the rules, with a learned head where one beats them.

:class:`SmartScorer` scores every criterion by the rules of
:mod:`actionnlp.smart.rules`, with R also accepting an embedding similarity to the
concern (:data:`~actionnlp.smart.rules.MIN_SIMILARITY`). For S, M, A and R it may learn a
logistic-regression head from the signal counts, the rule decisions, the similarity
and text statistics, but keeps the rule unless the head beat it in cross-validation
inside the training data, grouped by plan when ``groups`` are given (:func:`select`).
T is always the rule's, so a concrete target date can never lower it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

from actionnlp.labels import SMART_KEYS
from actionnlp.smart.rules import annotate_frame, applicability, rule_t, rules
from actionnlp.smart.signals import (
    FRAME_COLUMNS,
    SIGNAL_GROUPS,
    Signals,
    clean,
    compile_patterns,
    distinct_rows,
    signals_for_frame,
)

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from actionnlp.embed import Embedder
    from actionnlp.resultmap import ResultMap

__all__ = ["C_GRID", "MIN_MINORITY", "SELECTION_MARGIN", "SmartScorer", "select"]

LEARNED = ("S", "M", "A", "R")
FEATURE_NAMES = (
    *(f"n_{g}" for g in SIGNAL_GROUPS),
    "target_has_date",
    "target_completed",
    "target_ongoing",
    "target_empty",
    "n_text_dates",
    "owner_named",
    "named_actor",
    "non_answer",
    "similarity",
    "n_overlap",
    "log_content",
    "log_tokens",
    "rule_S",
    "rule_M",
    "rule_A",
    "rule_R",
)
RULE_WEIGHT = 4.0
"""Rule decisions enter unscaled at this size, so the L2 penalty on following them is
small: the heads start from the rules and learn departures from the other features."""
C_GRID = (0.01, 0.1, 1.0)
"""Regularisation strengths tried for each head inside the training data."""
SELECTION_MARGIN = 0.05
"""How much better (kappa, cross-validated inside the training data) a head must be than
the rule to replace it: with a handful of negative labels, smaller differences are noise."""
MIN_MINORITY = 10
"""Fewest training labels of a criterion's rarer class before a head may replace the rule."""
MODEL_NAME = "actionnlp.smart.SmartScorer"
"""The class name a saved scorer's ``config.json`` records."""


class ConstantHead:
    """Predicts one class for every row (a criterion with one class in training)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def predict_proba(self, x: NDArray[Any]) -> NDArray[np.float64]:
        """``[1 - value, value]`` for every row."""
        p = np.full(len(x), float(self.value))
        return np.column_stack([1.0 - p, p])


class RuleHead:
    """Stands for a criterion whose nested validation preferred the rule to a head."""

    def __init__(self, criterion: str) -> None:
        self.criterion = criterion


def select(
    x: NDArray[np.float64],
    target: NDArray[np.int_],
    rule: NDArray[np.int_],
    groups: NDArray[Any] | None,
    make_head: Any,
    c_default: float,
    seed: int,
) -> float | None:
    """Nested choice for one criterion: a head (and its C) or the rule.

    Cross-validation inside the training data only (grouped when three or more
    ``groups`` are given, else stratified folds) compares the rule's kappa with each
    head's; a head is kept only when it beats the rule by more than
    :data:`SELECTION_MARGIN`. Returns the chosen C, or None for the rule. The rule also
    stays, untested, when the rarer class has fewer than :data:`MIN_MINORITY` labels or
    some validation fold would train on one class only.

    >>> x = np.zeros((6, 1)); y = np.array([1, 1, 1, 1, 1, 0])
    >>> select(x, y, y, None, None, 1.0, 0) is None
    True
    """
    from sklearn.metrics import cohen_kappa_score
    from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict

    counts = np.bincount(target, minlength=2)
    if int(counts.min()) < MIN_MINORITY:
        return None
    if groups is not None and len(set(groups)) >= 3:
        cv = GroupKFold(n_splits=min(len(set(groups)), 4))
        splits = list(cv.split(x, target, groups))
    else:
        n = int(min(3, counts.min()))
        splits = list(StratifiedKFold(n, shuffle=True, random_state=seed).split(x, target))
    if any(len(np.unique(target[tr])) < 2 for tr, _ in splits):
        return None

    def kappa(pred: NDArray[np.int_]) -> float:
        return -1.0 if len(np.unique(pred)) < 2 else float(cohen_kappa_score(target, pred))

    best_c, best = None, kappa(rule)
    for c in sorted({*C_GRID, c_default}):
        pred = cross_val_predict(make_head(c), x, target, cv=splits)
        score = kappa(pred)
        if score > best + SELECTION_MARGIN:
            best_c, best = c, score
    return best_c


def _features(s: Signals, sim: float | None, rule: dict[str, int]) -> list[float]:
    return [
        *(math.log1p(len(getattr(s, g))) for g in SIGNAL_GROUPS),
        s.target_has_date,
        s.target_completed,
        s.target_ongoing,
        s.target_empty,
        len(s.text_dates),
        s.owner_named,
        s.named_actor,
        s.non_answer,
        0.5 if sim is None else sim,
        math.log1p(len(s.overlap)),
        math.log1p(len(s.content)),
        math.log1p(s.n_tokens),
        *(RULE_WEIGHT * rule[k] for k in LEARNED),
    ]


class SmartScorer(BaseEstimator):
    """Trained SMART scorer: the rules, with a head per criterion S, M, A, R when one
    beats its rule in validation inside the training data (:attr:`selection_`).

    ``embedder`` (default: the bundled model) gives the action-concern similarity that R
    also accepts. ``fit(frame, labels, groups=...)``: ``groups`` (e.g. the plan of each
    row) makes the inner validation leave-one-group-out. :meth:`annotate` adds the SMART
    columns to a frame; rows SMART does not apply to get NA
    (:func:`~actionnlp.smart.rules.applicability`).

    >>> import pandas as pd
    >>> from actionnlp.embed import FakeEmbedder
    >>> frame = pd.DataFrame({
    ...     "action_text": ["Two trolleys have been procured.", "We will look to improve."],
    ...     "concern_text": ["Medicines trolleys.", "Regime."],
    ...     "owner_raw": ["Governor", ""], "target_raw": ["Completed", "Ongoing"]})
    >>> model = SmartScorer(embedder=FakeEmbedder()).fit(frame, [[1, 1, 1, 1, 1], [0, 0, 0, 1, 0]])
    >>> model.predict(frame).tolist()
    [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]
    """

    def __init__(self, embedder: Embedder | None = None, C: float = 1.0, random_state: int = 0):
        self.embedder = embedder
        self.C = C
        self.random_state = random_state

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            from actionnlp.embed import default_embedder

            return default_embedder()
        return self.embedder

    def texts_to_embed(self, frame: pd.DataFrame) -> list[str]:
        """The texts :meth:`annotate` will embed for ``frame`` (its distinct rows' action
        and concern texts, cleaned), so a caller can embed them in one batch first.

        >>> import pandas as pd
        >>> f = pd.DataFrame({"action_text": ["Audit.", "Audit."], "concern_text": ["Dirty.",
        ...     "Dirty."], "owner_raw": ["", ""], "target_raw": ["", ""]})
        >>> SmartScorer().texts_to_embed(f)
        ['Audit.', 'Dirty.']
        """
        rows, _ = distinct_rows(frame)
        return self._texts(rows)

    @staticmethod
    def _texts(frame: pd.DataFrame) -> list[str]:
        actions = [clean(t) for t in frame["action_text"].tolist()]
        return actions + [clean(t) for t in frame["concern_text"].tolist()]

    def _similarity(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        from actionnlp.embed import embed_texts

        texts = self._texts(frame)
        n = len(texts) // 2
        if n == 0:
            return np.zeros(0)
        vectors = embed_texts(texts, self._embedder())
        sim = np.einsum("ij,ij->i", vectors[:n], vectors[n:]).astype(float)
        sim[[not c for c in texts[n:]]] = np.nan
        return sim

    def _features(self, frame: pd.DataFrame) -> tuple[NDArray[np.float64], list[Any]]:
        sigs = signals_for_frame(frame)
        rows, info = [], []
        for s, sim in zip(sigs, self._similarity(frame), strict=True):
            simv = None if np.isnan(sim) else float(sim)
            rule, evidence = rules(s, simv)
            rows.append(_features(s, simv, rule))
            info.append((s, rule, evidence))
        return np.asarray(rows, dtype=float).reshape(-1, len(FEATURE_NAMES)), info

    def fit(self, frame: pd.DataFrame, labels: Any, groups: Any = None) -> SmartScorer:
        """Choose, per criterion S, M, A, R, the rule or a head; ``labels`` has columns
        (or a second axis) S M A R T; ``groups`` (one per row) groups the inner validation."""
        from sklearn.compose import ColumnTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        y = label_array(labels)
        if len(y) != len(frame):
            raise ValueError(f"{len(frame)} rows but {len(y)} label rows")
        groups = None if groups is None else np.asarray(groups)
        if groups is not None and len(groups) != len(frame):
            raise ValueError(f"{len(frame)} rows but {len(groups)} groups")
        x, info = self._features(frame)
        n_plain = len(FEATURE_NAMES) - len(LEARNED)

        def make_head(c: float) -> Any:
            return make_pipeline(
                ColumnTransformer(
                    [("scale", StandardScaler(), list(range(n_plain)))], remainder="passthrough"
                ),
                LogisticRegression(
                    C=c, class_weight="balanced", max_iter=2000, random_state=self.random_state
                ),
            )

        heads: dict[str, Any] = {}
        self.selection_: dict[str, str] = {}
        for k in LEARNED:
            target = y[:, SMART_KEYS.index(k)]
            rule = np.array([r[k] for _, r, _ in info], dtype=int)
            classes = np.unique(target)
            choice = None
            if len(classes) == 2:
                choice = select(x, target, rule, groups, make_head, self.C, self.random_state)
            self.selection_[k] = "rule" if choice is None else f"head C={choice:g}"
            heads[k] = RuleHead(k) if choice is None else make_head(choice).fit(x, target)
        self.heads_ = heads
        self.feature_names_ = list(FEATURE_NAMES)
        self.n_features_in_ = len(FEATURE_NAMES)
        self.embedder_name_ = self._embedder().name
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "heads_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                "SmartScorer is not fitted: call fit() or SmartScorer.from_pretrained()"
            )

    def _run(
        self, frame: pd.DataFrame, results: ResultMap | None = None
    ) -> tuple[NDArray[np.float64], list[dict[str, str]], list[Applies]]:
        """Probabilities, evidence and the signals :func:`applicability` reads, of every
        row: each distinct row is scored once, or its result taken from ``results`` (a
        result map, :mod:`actionnlp.resultmap`) when an earlier run scored it."""
        from actionnlp.resultmap import compute_all

        self._check_fitted()
        rows, inverse = distinct_rows(frame)
        values = list(zip(*(rows[c].tolist() for c in FRAME_COLUMNS), strict=True))

        def compute(todo: list[int]) -> list[dict[str, Any]]:
            proba, evidence, sigs = self._score_rows(rows.iloc[todo])
            return [
                {
                    "p": p.tolist(),
                    "evidence": e,
                    "applies": {k: list(getattr(s, k)) for k in APPLIES},
                }
                for p, e, s in zip(proba, evidence, sigs, strict=True)
            ]

        def key(i: int) -> tuple[str, ...]:
            return tuple(clean(v) for v in values[i])

        found = (results or compute_all)(range(len(rows)), compute, is_result, key)
        proba = np.array([r["p"] for r in found], dtype=float).reshape(-1, len(SMART_KEYS))
        evidence = [r["evidence"] for r in found]
        applies = [Applies(*(tuple(r["applies"][k]) for k in APPLIES)) for r in found]
        return proba[inverse], [dict(evidence[i]) for i in inverse], [applies[i] for i in inverse]

    def _score_rows(
        self, rows: pd.DataFrame
    ) -> tuple[NDArray[np.float64], list[dict[str, str]], list[Signals]]:
        x, info = self._features(rows)
        proba = np.zeros((len(rows), len(SMART_KEYS)))
        for j, k in enumerate(SMART_KEYS):
            head = self.heads_.get(k)
            if k == "T":
                proba[:, j] = [float(rule_t(s)[0]) for s, *_ in info]
            elif isinstance(head, (RuleHead, type(None))):
                proba[:, j] = [float(rule[k]) for _, rule, _ in info]
            elif len(x):
                proba[:, j] = head.predict_proba(x)[:, 1]
        evidence = []
        for i, (_, rule, ev) in enumerate(info):
            out = dict(ev)
            for j, k in enumerate(SMART_KEYS):
                if int(proba[i, j] >= 0.5) != rule[k]:
                    out[k] = f"model p={proba[i, j]:.2f} overrides rule ({ev[k]})"
            evidence.append(out)
        return proba, evidence, [s for s, *_ in info]

    def predict_proba(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """Probability of 1 per criterion, shape ``(n, 5)``, for every row (0.0/1.0 where
        the rule decides)."""
        return self._run(frame)[0]

    def predict(self, frame: pd.DataFrame) -> NDArray[np.int_]:
        """0/1 array of shape ``(n, 5)`` in S, M, A, R, T order, for every row (use
        :meth:`annotate` for NA on rows SMART does not apply to)."""
        return (self._run(frame)[0] >= 0.5).astype(int)

    def annotate(self, frame: pd.DataFrame, *, results: ResultMap | None = None) -> pd.DataFrame:
        """A copy of ``frame`` with ``smart_S``..``smart_T`` (nullable integers: NA on rows
        SMART does not apply to), ``p_smart_*``, ``smart_score``, ``smart_evidence`` and
        ``smart_applicable``.

        ``results`` is a result map (:mod:`actionnlp.resultmap`; ``Models`` passes one
        that keeps each distinct row's result in the result cache for later runs)."""
        proba, evidence, applies = self._run(frame, results)
        ok, why = applicability(frame, applies)  # type: ignore[arg-type]
        return annotate_frame(frame, proba, evidence, ok, why)

    # -- persistence: a folder with config.json and head_<K>.skops (actionnlp.pretrained) --
    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``config.json`` (hyperparameters, embedding by name and weights SHA-256,
        feature names, which criteria keep their rule) and one ``head_<K>.skops`` per
        learned head (scikit-learn types only) into ``directory``; return it."""
        from actionnlp.pretrained import write_config
        from actionnlp.skops_io import save_sklearn

        self._check_fitted()
        directory = Path(directory)
        rule_heads = []
        for k, head in self.heads_.items():
            if isinstance(head, RuleHead):
                rule_heads.append(k)
            else:
                save_sklearn(head, directory / f"head_{k}.skops")
        write_config(
            directory,
            MODEL_NAME,
            {"C": self.C, "random_state": self.random_state},
            embedding=self._embedder(),
            feature_names=self.feature_names_,
            rule_weight=RULE_WEIGHT,
            constant_heads={},
            rule_heads=rule_heads,
            selection=getattr(self, "selection_", {}),
            t_rule="T decided by rules from the target cell and text deadlines",
        )
        return directory

    @classmethod
    def from_pretrained(
        cls, directory: str | Path, *, embedder: Embedder | None = None
    ) -> SmartScorer:
        """The scorer :meth:`save_pretrained` wrote into ``directory``; ``embedder`` (None:
        the bundled model) must be the embedding it records, and its features and rule
        weight those of this actionnlp."""
        from actionnlp.errors import ArtifactError
        from actionnlp.pretrained import CONFIG, read_config
        from actionnlp.skops_io import load_sklearn

        directory = Path(directory)
        model = cls(embedder=embedder)
        emb = model._embedder()
        config = read_config(directory, MODEL_NAME, embedder=emb)
        path = directory / CONFIG
        if config.get("feature_names") != list(FEATURE_NAMES):
            raise ArtifactError("saved features differ from this actionnlp's", path)
        if config.get("rule_weight") != RULE_WEIGHT:
            raise ArtifactError("saved rule weight differs from this actionnlp's", path)
        try:
            model.set_params(**config["params"])
        except ValueError as exc:
            raise ArtifactError(f"params this SmartScorer does not take ({exc})", path) from exc
        heads: dict[str, Any] = {}
        for k in LEARNED:
            if k in config.get("constant_heads", {}):
                heads[k] = ConstantHead(int(config["constant_heads"][k]))
            elif k in config.get("rule_heads", []):
                heads[k] = RuleHead(k)
            else:
                heads[k] = load_sklearn(directory / f"head_{k}.skops")
        model.heads_ = heads
        model.selection_ = dict(config.get("selection", {}))
        model.feature_names_ = list(config["feature_names"])
        model.n_features_in_ = len(model.feature_names_)
        model.embedder_name_ = emb.name
        compile_patterns()
        return model


def label_array(labels: Any) -> NDArray[np.int_]:
    """Labels (a frame with S..T columns, or an ``(n, 5)`` array) as a 0/1 int array.

    >>> label_array([[1, 0, 1, 1, 0]]).shape
    (1, 5)
    """
    cols = getattr(labels, "columns", None)
    if cols is not None:
        missing = [k for k in SMART_KEYS if k not in cols]
        if missing:
            raise ValueError(f"labels lack column(s) {', '.join(missing)}")
        arr = np.asarray(labels[list(SMART_KEYS)], dtype=int)
    else:
        arr = np.asarray(labels, dtype=int)
    if arr.ndim != 2 or arr.shape[1] != 5:
        raise ValueError(f"labels must have 5 columns S M A R T, got shape {arr.shape}")
    if not np.isin(arr, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return arr


class Applies(NamedTuple):
    """The signals :func:`~actionnlp.smart.rules.applicability` reads, kept with each
    stored result so a rerun needs no signals: decision, refusal and step phrases."""

    decision: tuple[str, ...]
    refusal: tuple[str, ...]
    step: tuple[str, ...]


APPLIES = Applies._fields


def is_result(value: Any) -> bool:
    """Whether a cached value is one row's ``{"p": [5 numbers], "evidence": {...},
    "applies": {"decision": [...], "refusal": [...], "step": [...]}}``.

    >>> none = {"decision": [], "refusal": [], "step": ["will fit"]}
    >>> is_result({"p": [1, 0, 1, 1, 0], "evidence": {}, "applies": none})
    True
    >>> is_result({"p": [1, 0, 1, 1, 0], "evidence": {}}), is_result({"p": [1]})
    (False, False)
    """
    if not isinstance(value, dict) or not isinstance(value.get("evidence"), dict):
        return False
    from actionnlp.resultmap import is_probabilities

    applies = value.get("applies")
    return (
        is_probabilities(value.get("p"), len(SMART_KEYS))
        and all(isinstance(k, str) for k in value["evidence"])
        and isinstance(applies, dict)
        and all(
            isinstance(applies.get(k), list) and all(isinstance(x, str) for x in applies[k])
            for k in APPLIES
        )
    )
