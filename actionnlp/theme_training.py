"""Train and evaluate theme taggers leave-one-prison-out, against two baselines.

Items are concerns (their text with the recommendation) and actions, labelled with
the nine themes. Each fold trains on three plans and tests on the fourth; metrics are
per label precision/recall/F1 on the pooled out-of-fold predictions, plus the mean of
per-fold macro-F1. Baselines: TF-IDF + logistic regression (same thresholds scheme)
and the zero-shot tagger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.corpus import REQUIRED_THEMES, THEMES
from actionnlp.themes import ThemeTagger, ZeroShotTagger

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
    """One frame of labelled texts: ``plan``, ``unit``, ``text``, ``themes``."""
    import pandas as pd

    a = actions.rename(columns={"action_text": "text"})
    cols = ["plan", "prison", "unit", "text", "themes"]
    return pd.concat([concerns[cols], a[cols]], ignore_index=True)


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


#: Regularisation of the shipped head (chosen leave-one-prison-out among 1, 4, 16, 64).
C = 16.0


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
    E = embed_texts(texts, embedder)
    anchor_texts, anchor_labels = anchors
    Ea = embed_texts(anchor_texts, embedder) if anchor_texts else np.zeros((0, E.shape[1]))
    Y = _indicator(items["themes"].tolist())
    plans = sorted(items["plan"].unique())
    models = {
        "embedding+logreg": lambda: ThemeTagger(embedder=embedder, C=C, random_state=seed),
        "tfidf+logreg": lambda: TfidfTagger(C=C, random_state=seed),
    }
    pooled = {name: np.zeros_like(Y) for name in [*models, "zero-shot"]}
    folds: dict[str, list[dict[str, Any]]] = {name: [] for name in pooled}
    zero_shot = ZeroShotTagger(embedder=embedder)
    for plan in plans:
        test = (items["plan"] == plan).to_numpy()
        labels = [list(t) for t in items.loc[~test, "themes"]] + anchor_labels
        train_idx, test_idx = np.where(~test)[0], np.where(test)[0]
        for name, make in models.items():
            tagger = make()
            if name == "embedding+logreg":
                tagger.fit(np.vstack([E[~test], Ea]), labels)
                pred = tagger.predict(E[test])
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
        metrics["models"][name] = {
            "per_label": _per_label(Y, P),
            "macro_f1_required": _macro(Y, P, REQUIRED_THEMES),
            "macro_f1_all": _macro(Y, P, THEMES),
            "fold_mean_macro_f1_required": float(
                np.mean([f["macro_f1_required"] for f in folds[name]])
            ),
            "folds": folds[name],
        }
    metrics["n_anchors"] = len(anchor_texts)
    metrics["C"] = C
    final = ThemeTagger(embedder=embedder, C=C, random_state=seed).fit(
        np.vstack([E, Ea]), [list(t) for t in items["themes"]] + anchor_labels
    )
    metrics["thresholds"] = {
        str(c): float(t) for c, t in zip(final.classes_, final.thresholds_, strict=False)
    }
    return final, metrics
