"""Train and evaluate theme taggers leave-one-prison-out, against two baselines.

Items are concerns (their text with the recommendation) and actions, labelled with
the nine themes; each item is given to the tagger as a ``(text, context)`` pair whose
context is the concern (a concern is its own context). Each fold trains on three
plans and tests on the fourth; metrics are per label precision/recall/F1 on the pooled
out-of-fold predictions, plus the mean of per-fold macro-F1. Baselines: TF-IDF +
logistic regression (same thresholds scheme) and the zero-shot tagger. The shipped
tagger is also scored given no context (each text its own), as ``tag_themes(texts)``
calls it. The calibration of its pooled out-of-fold probabilities (Brier score and
expected calibration error per label) is reported with and without Platt scaling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.labels import REQUIRED_THEMES, THEMES
from actionnlp.themes.tagger import ThemeTagger
from actionnlp.themes.zeroshot import ZeroShotTagger

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.embed import Embedder

__all__ = ["TfidfTagger", "theme_items", "train_and_evaluate"]


class TfidfTagger(ThemeTagger):
    """Baseline: the same head and thresholds over TF-IDF word/bigram features."""

    def fit(self, X: Any, y: Any) -> TfidfTagger:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        E = self.vectorizer_.fit_transform(list(X)).toarray()
        return super().fit(E, y)

    def predict_proba(self, X: Any) -> np.ndarray:
        return super().predict_proba(self.vectorizer_.transform(list(X)).toarray())


def theme_items(concerns: pd.DataFrame, actions: pd.DataFrame) -> pd.DataFrame:
    """One frame of labelled texts: ``plan``, ``unit``, ``text``, ``context``, ``themes``.

    ``context`` is the concern text of an action, and a concern's own text.
    """
    import pandas as pd

    c = concerns.assign(context=concerns["text"])
    a = actions.rename(columns={"action_text": "text"})
    a = a.assign(context=a["concern_text"] if "concern_text" in a else a["text"])
    cols = ["plan", "prison", "unit", "text", "context", "themes"]
    return pd.concat([c[cols], a[cols]], ignore_index=True)


def _indicator(labels: list[list[str]]) -> np.ndarray:
    return np.array([[int(t in row) for t in THEMES] for row in labels])


def _per_label(Y: np.ndarray, P: np.ndarray) -> dict[str, dict[str, float]]:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(Y, P, zero_division=0)
    return {
        t: {
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(s[i]),
        }
        for i, t in enumerate(THEMES)
    }


def _macro(Y: np.ndarray, P: np.ndarray, labels: tuple[str, ...]) -> float:
    from sklearn.metrics import f1_score

    idx = [THEMES.index(t) for t in labels]
    return float(f1_score(Y[:, idx], P[:, idx], average="macro", zero_division=0))


def _align(tagger: Any, P: np.ndarray) -> np.ndarray:
    """Columns of a tagger's output in THEMES order (missing labels predicted 0)."""
    out = np.zeros((len(P), len(THEMES)), dtype=P.dtype)
    for j, c in enumerate(tagger.classes_):
        if str(c) in THEMES:
            out[:, THEMES.index(str(c))] = P[:, j]
    return out


#: Regularisation of the shipped head. Chosen by the leave-one-prison-out score among
#: 1, 4, 16, 64, so the reported figure is slightly optimistic (the model card says so).
C = 16.0

#: Features of the shipped tagger: embedding + concern-context embedding + TF-IDF.
#: Chosen among 27 logged variants by the leave-one-prison-out score; a nested choice
#: made inside each fold's training plans picked the same setting in every fold.
SHIPPED_FEATURES = "embedding+tfidf"
SHIPPED_CONTEXT = True

#: Whether the shipped tagger Platt-scales its probabilities (``metrics["calibration"]``
#: compares both). Calibration is shipped only if it lowers the five-theme
#: leave-one-prison-out macro-F1 by at most 0.005; it lowered it (now 0.817 to 0.769) and
#: did not improve the mean Brier score (0.041 to 0.043), so the shipped tagger is
#: uncalibrated.
SHIPPED_CALIBRATE = False

#: Repeats of the 3-fold split that tunes the thresholds. With one split, the pooled
#: five-theme macro-F1 moved between 0.76 and 0.81 with the split's seed alone; pooling
#: five repeats makes the thresholds, and so the figure, depend much less on it.
SHIPPED_CV_REPEATS = 5

#: Whether the shipped tagger also learns from the cosine similarity of each text and
#: its concern to the guideline's nine theme descriptions (``resources/themes.json``).
SHIPPED_DESCRIPTIONS = True

#: Seeds of the threshold splits over which the shipped setting is also evaluated
#: (``metrics["seeds"]``), so the card shows how much the figure owes to one seed.
SPREAD_SEEDS = (1, 2)


def shipped_tagger(
    embedder: Embedder | None, seed: int = 0, calibrate: bool = SHIPPED_CALIBRATE
) -> ThemeTagger:
    """The configuration trained and shipped by :func:`train_and_evaluate`.

    >>> params = shipped_tagger(None).get_params()
    >>> params["features"], params["cv_repeats"], sorted(params["descriptions"])[:2]
    ('embedding+tfidf', 5, ['drugs', 'education'])
    """
    from actionnlp.labels import theme_descriptions

    return ThemeTagger(
        embedder=embedder,
        features=SHIPPED_FEATURES,
        context=SHIPPED_CONTEXT,
        C=C,
        random_state=seed,
        calibrate=calibrate,
        cv_repeats=SHIPPED_CV_REPEATS,
        descriptions=theme_descriptions() if SHIPPED_DESCRIPTIONS else None,
    )


def _ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: over ``bins`` equal-width bins of ``p``, the mean
    absolute gap between the mean probability and the share of positives, weighted by
    the bin's share of items.

    >>> round(_ece(np.array([0, 1, 0, 1]), np.array([0.5, 0.5, 0.1, 0.9])), 3)
    0.05
    """
    which = np.minimum((p * bins).astype(int), bins - 1)
    gaps = [
        abs(float(p[which == b].mean() - y[which == b].mean())) * float(np.mean(which == b))
        for b in range(bins)
        if np.any(which == b)
    ]
    return float(sum(gaps))


def _calibration(Y: np.ndarray, P: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """Brier score and ECE per label of pooled probabilities ``P``, with F1 of ``pred``."""
    from sklearn.metrics import f1_score

    per_label = {
        t: {
            "brier": float(np.mean((P[:, i] - Y[:, i]) ** 2)),
            "ece": _ece(Y[:, i], P[:, i]),
            "f1": float(f1_score(Y[:, i], pred[:, i], zero_division=0)),
        }
        for i, t in enumerate(THEMES)
    }
    return {
        "per_label": per_label,
        "mean_brier": float(np.mean([x["brier"] for x in per_label.values()])),
        "mean_ece": float(np.mean([x["ece"] for x in per_label.values()])),
        "macro_f1_required": _macro(Y, pred, REQUIRED_THEMES),
        "macro_f1_all": _macro(Y, pred, THEMES),
    }


def _lopo_predictions(
    items: pd.DataFrame,
    pairs: list[tuple[str, str]],
    anchors: tuple[list[str], list[list[str]]],
    embedder: Embedder,
    seed: int,
) -> np.ndarray:
    """Pooled leave-one-prison-out decisions of the shipped setting with ``seed``."""
    P = np.zeros((len(items), len(THEMES)), dtype=int)
    for plan in sorted(items["plan"].unique()):
        test = (items["plan"] == plan).to_numpy()
        train_pairs, labels, test_pairs = _fold(items, pairs, anchors, test)
        tagger = shipped_tagger(embedder, seed).fit(train_pairs, labels)
        P[test] = _align(tagger, tagger.predict(test_pairs))
    return P


def _fold(
    items: pd.DataFrame,
    pairs: list[tuple[str, str]],
    anchors: tuple[list[str], list[list[str]]],
    test: np.ndarray,
) -> tuple[list[Any], list[list[str]], list[tuple[str, str]]]:
    """One fold: the training pairs (the other plans' items, then the anchors), their
    labels, and the held-out plan's pairs."""
    anchor_texts, anchor_labels = anchors
    train_pairs = [pairs[i] for i in np.where(~test)[0]] + anchor_texts
    labels = [list(t) for t in items.loc[~test, "themes"]] + anchor_labels
    return train_pairs, labels, [pairs[i] for i in np.where(test)[0]]


def train_and_evaluate(
    concerns: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    embedder: Embedder,
    anchors: tuple[list[str], list[list[str]]] = ([], []),
    seed: int = 0,
) -> tuple[ThemeTagger, dict[str, Any]]:
    """Leave-one-prison-out evaluation of the tagger and baselines; then fit on all.

    ``anchors`` are synthetic (text, themes) pairs built from the guideline's label
    definitions: they are added to every training fold and never evaluated on.
    Returns the tagger fitted on every item and a JSON-serialisable metrics dict.
    """
    from actionnlp.embed import embed_texts

    items = theme_items(concerns, actions)
    texts = items["text"].tolist()
    pairs = list(zip(texts, items["context"], strict=True))
    E = embed_texts(texts, embedder)
    anchor_texts, anchor_labels = anchors
    Y = _indicator(items["themes"].tolist())
    plans = sorted(items["plan"].unique())
    models = {
        "embedding+logreg": lambda: shipped_tagger(embedder, seed),
        "tfidf+logreg": lambda: TfidfTagger(
            C=C, random_state=seed, calibrate=SHIPPED_CALIBRATE, cv_repeats=SHIPPED_CV_REPEATS
        ),
    }
    # The shipped tagger given no context (each text its own), as tag_themes(texts) is;
    # reported under "without_context", not among the compared models.
    no_context = "without_context"
    pooled = {name: np.zeros_like(Y) for name in [*models, no_context, "zero-shot"]}
    folds: dict[str, list[dict[str, Any]]] = {name: [] for name in pooled}
    # Pooled probabilities and decisions of the shipped setting with (True) and without
    # (False) calibration; the shipped one is the "embedding+logreg" model's.
    proba = {cal: np.zeros(Y.shape) for cal in (True, False)}
    decided = {cal: np.zeros_like(Y) for cal in (True, False)}
    zero_shot = ZeroShotTagger(embedder=embedder)
    for plan in plans:
        test = (items["plan"] == plan).to_numpy()
        train_pairs, labels, test_pairs = _fold(items, pairs, anchors, test)
        train_idx, test_idx = np.where(~test)[0], np.where(test)[0]
        for name, make in models.items():
            tagger = make()
            if name == "embedding+logreg":
                tagger.fit(train_pairs, labels)
                pred = tagger.predict(test_pairs)
                pooled[no_context][test] = _align(
                    tagger, tagger.predict([texts[i] for i in test_idx])
                )
                other = shipped_tagger(embedder, seed, calibrate=not SHIPPED_CALIBRATE)
                other.fit(train_pairs, labels)
                for cal, fitted in ((SHIPPED_CALIBRATE, tagger), (not SHIPPED_CALIBRATE, other)):
                    P = fitted.predict_proba(test_pairs)
                    proba[cal][test] = _align(fitted, P)
                    decided[cal][test] = _align(fitted, fitted.decide(P))
            else:
                tagger.fit([texts[i] for i in train_idx] + anchor_texts, labels)
                pred = tagger.predict([texts[i] for i in test_idx])
            pooled[name][test] = _align(tagger, pred)
        pooled["zero-shot"][test] = _align(zero_shot, zero_shot.predict(E[test]))
        for name in pooled:
            folds[name].append(
                {
                    "held_out": plan,
                    "n": int(test.sum()),
                    "macro_f1_required": _macro(Y[test], pooled[name][test], REQUIRED_THEMES),
                    "macro_f1_all": _macro(Y[test], pooled[name][test], THEMES),
                }
            )
    metrics: dict[str, Any] = {
        "n_items": len(items),
        "n_concerns": len(concerns),
        "n_actions": len(actions),
        "plans": plans,
        "label_counts": {t: int(Y[:, i].sum()) for i, t in enumerate(THEMES)},
        "models": {},
    }
    for name, P in pooled.items():
        section = metrics if name == no_context else metrics["models"]
        section[name] = {
            "per_label": _per_label(Y, P),
            "macro_f1_required": _macro(Y, P, REQUIRED_THEMES),
            "macro_f1_all": _macro(Y, P, THEMES),
            "fold_mean_macro_f1_required": float(
                np.mean([f["macro_f1_required"] for f in folds[name]])
            ),
            "folds": folds[name],
        }
    metrics["calibration"] = {
        "shipped": SHIPPED_CALIBRATE,
        "calibrated": _calibration(Y, proba[True], decided[True]),
        "uncalibrated": _calibration(Y, proba[False], decided[False]),
    }
    metrics["n_anchors"] = len(anchor_texts)
    metrics["C"] = C
    metrics["features"] = {
        "features": SHIPPED_FEATURES,
        "context": SHIPPED_CONTEXT,
        "descriptions": SHIPPED_DESCRIPTIONS,
        "cv_repeats": SHIPPED_CV_REPEATS,
    }
    metrics["seeds"] = {str(seed): metrics["models"]["embedding+logreg"]["macro_f1_required"]}
    for other_seed in SPREAD_SEEDS:
        pred = _lopo_predictions(items, pairs, anchors, embedder, other_seed)
        metrics["seeds"][str(other_seed)] = _macro(Y, pred, REQUIRED_THEMES)
    final = shipped_tagger(embedder, seed).fit(
        pairs + anchor_texts, [list(t) for t in items["themes"]] + anchor_labels
    )
    metrics["thresholds"] = {
        str(c): float(t) for c, t in zip(final.classes_, final.thresholds_, strict=False)
    }
    return final, metrics
