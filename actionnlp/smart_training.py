"""Train and evaluate the SMART scorer: leave-one-prison-out, then fit on everything.

:func:`train_and_evaluate` takes the labelled actions (as
:func:`actionnlp.corpus.load_corpus` returns them), drops ``rationale`` rows, and for
each plan trains :class:`~actionnlp.smart.SmartScorer` on the other plans and tests
on it; :class:`~actionnlp.smart.RuleSmartScorer` is scored on the same folds. The
headline per criterion is the *pooled* Cohen's kappa over all folds' predictions
(a fold whose labels are constant has no kappa: its value is NaN, reported as None
and listed under ``undefined``).

>>> import pandas as pd
>>> from actionnlp.embed import FakeEmbedder
>>> rows = []
>>> for plan in ("a", "b"):
...     rows += [dict(plan=plan, action_text="Two trolleys have been procured monthly.",
...                   concern_text="Trolleys.", owner_raw="Governor", target_raw="March 2024",
...                   kind="action", smart=dict(S=1, M=1, A=1, R=1, T=1)),
...              dict(plan=plan, action_text="We will look to improve where possible.",
...                   concern_text="Regime.", owner_raw="", target_raw="Ongoing",
...                   kind="action", smart=dict(S=0, M=0, A=0, R=1, T=0))]
>>> report = train_and_evaluate(pd.DataFrame(rows), embedder=FakeEmbedder())
>>> report["n_actions"], report["plans"], report["trained"]["pooled"]["T"]["kappa"]
(4, ['a', 'b'], 1.0)
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.corpus import SMART_KEYS
from actionnlp.smart import FRAME_COLUMNS, RuleSmartScorer, SmartScorer

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.embed import Embedder

__all__ = ["evaluate_predictions", "train_and_evaluate"]


def _kappa(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import cohen_kappa_score

    if len(y) == 0 or (len(np.unique(y)) < 2 and len(np.unique(p)) < 2):
        return math.nan
    if len(np.unique(y)) < 2:
        return math.nan
    k = float(cohen_kappa_score(y, p))
    return k


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 4)


def evaluate_predictions(y: np.ndarray, p: np.ndarray) -> dict[str, dict[str, Any]]:
    """Per-criterion accuracy, kappa (None when labels are constant) and label counts.

    >>> y = np.array([[1, 1, 1, 1, 1], [0, 0, 0, 1, 0]])
    >>> evaluate_predictions(y, y)["S"]
    {'accuracy': 1.0, 'kappa': 1.0, 'n': 2, 'n_pos': 1, 'n_pred_pos': 1}
    >>> evaluate_predictions(y, y)["R"]["kappa"] is None
    True
    """
    out = {}
    for j, k in enumerate(SMART_KEYS):
        yj, pj = y[:, j], p[:, j]
        out[k] = {
            "accuracy": _num(float((yj == pj).mean())) if len(yj) else None,
            "kappa": _num(_kappa(yj, pj)),
            "n": len(yj),
            "n_pos": int(yj.sum()),
            "n_pred_pos": int(pj.sum()),
        }
    return out


def _mean_kappa(metrics: dict[str, dict[str, Any]]) -> float | None:
    values = [m["kappa"] for m in metrics.values() if m["kappa"] is not None]
    return _num(float(np.mean(values))) if values else None


def _prepare(actions: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    missing = [c for c in ("plan", *FRAME_COLUMNS, "smart") if c not in actions.columns]
    if missing:
        raise ValueError(f"actions lack column(s) {', '.join(missing)}")
    frame = actions
    if "kind" in frame.columns:
        frame = frame[frame["kind"].astype(str) != "rationale"]
    frame = frame.reset_index(drop=True)
    y = np.array([[int(s[k]) for k in SMART_KEYS] for s in frame["smart"]], dtype=int)
    return frame, y.reshape(-1, 5)


def train_and_evaluate(
    actions: pd.DataFrame,
    *,
    embedder: Embedder | None,
    seed: int = 0,
    out_dir: str | Path | None = None,
    C: float = 1.0,
) -> dict[str, Any]:
    """Leave-one-prison-out evaluation of the trained and rules scorers, then a final fit.

    ``actions`` has columns ``plan, action_text, concern_text, owner_raw, target_raw,
    kind, smart`` (a dict S..T of 0/1); rationale rows are excluded. Returns a
    JSON-serialisable dict: ``n_actions``, ``plans``, for ``trained`` and ``rules``
    the ``pooled`` metrics per criterion, ``mean_kappa`` (pooled, over criteria
    with a defined kappa) and ``folds`` (per held-out plan, NaN kappas as None
    with the criteria listed under ``undefined``; trained folds also give the
    per-criterion ``selection``, head or rule). With ``out_dir`` the scorer fitted on
    all actions is saved there (:meth:`SmartScorer.save`) and its choice is reported
    as ``final_selection``.
    """
    frame, y = _prepare(actions)
    plans = sorted(frame["plan"].astype(str).unique())
    if len(plans) < 2:
        raise ValueError("leave-one-prison-out needs at least two plans")
    plan_col = frame["plan"].astype(str).to_numpy()
    preds = {"trained": np.zeros_like(y), "rules": np.zeros_like(y)}
    folds: dict[str, list[dict[str, Any]]] = {"trained": [], "rules": []}
    for plan in plans:
        test = plan_col == plan
        train_frame, test_frame = frame[~test], frame[test]
        models = {
            "trained": SmartScorer(embedder=embedder, C=C, random_state=seed).fit(
                train_frame, y[~test]
            ),
            "rules": RuleSmartScorer().fit(train_frame, y[~test]),
        }
        for name, model in models.items():
            p = model.predict(test_frame)
            preds[name][test] = p
            metrics = evaluate_predictions(y[test], p)
            fold = {
                "plan": plan,
                "n": int(test.sum()),
                "metrics": metrics,
                "undefined": [k for k, m in metrics.items() if m["kappa"] is None],
            }
            if isinstance(model, SmartScorer):
                fold["selection"] = dict(model.selection_)
            folds[name].append(fold)
    report: dict[str, Any] = {
        "n_actions": len(frame),
        "plans": plans,
        "label_rate": {k: _num(float(y[:, j].mean())) for j, k in enumerate(SMART_KEYS)},
        "seed": seed,
        "C": C,
        "t_rule": "T is decided by rules in both scorers",
    }
    for name in ("trained", "rules"):
        pooled = evaluate_predictions(y, preds[name])
        report[name] = {"pooled": pooled, "mean_kappa": _mean_kappa(pooled), "folds": folds[name]}
    if out_dir is not None:
        final = SmartScorer(embedder=embedder, C=C, random_state=seed).fit(frame, y)
        final.save(out_dir)
        report["saved_to"] = str(out_dir)
        report["final_selection"] = dict(final.selection_)
    return report
