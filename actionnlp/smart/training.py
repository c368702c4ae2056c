"""Train and evaluate the SMART scorer: leave-one-prison-out, then fit on everything.

:func:`train_and_evaluate` takes the labelled actions (as
:func:`actionnlp.corpus.load_corpus` returns them) and for each plan fits
:class:`~actionnlp.smart.SmartScorer` on the other plans (grouped by plan for its inner
choice of head or rule) and scores the held-out plan; :class:`~actionnlp.smart.RuleSmartScorer`
and a majority-class baseline are scored on the same folds. Kappa is computed on the
labelled actions (``rationale`` rows excluded, as the guideline leaves them out of SMART);
an action the scorer judges not applicable counts as 0 on every criterion. The headline
per criterion is the *pooled* Cohen's kappa over all folds (a fold whose labels are
constant has no kappa: None, listed under ``undefined``). Plans from before May 2022
(the recommendations era) are also reported on their own (``recommendations_era``), and
``applicability`` says how the rationale rows were recognised with and without the
``kind`` column.

>>> import pandas as pd
>>> from actionnlp.embed import FakeEmbedder
>>> rows = []
>>> for plan in ("a-2020", "b-2024"):
...     rows += [dict(plan=plan, action_text="Two trolleys have been procured monthly.",
...                   concern_text="Trolleys.", owner_raw="Governor", target_raw="March 2024",
...                   kind="action", smart=dict(S=1, M=1, A=1, R=1, T=1)),
...              dict(plan=plan, action_text="We will look to improve where possible.",
...                   concern_text="Regime.", owner_raw="", target_raw="Ongoing",
...                   kind="action", smart=dict(S=0, M=0, A=0, R=1, T=0))]
>>> report = train_and_evaluate(pd.DataFrame(rows), embedder=FakeEmbedder())
>>> report["n_actions"], report["plans"], report["trained"]["pooled"]["T"]["kappa"]
(4, ['a-2020', 'b-2024'], 1.0)
>>> report["recommendations_era"]["plans"]
['a-2020']
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.labels import SMART_KEYS, counts_as_action
from actionnlp.smart.rules import RuleSmartScorer, applicability
from actionnlp.smart.scorer import SmartScorer
from actionnlp.smart.signals import FRAME_COLUMNS, signals_for_frame

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.embed import Embedder

__all__ = ["evaluate_predictions", "recommendations_era", "train_and_evaluate"]

ERA_END = 2022
"""Plans before this year answer recommendations (Agreed / Partly / Not Agreed)."""


def recommendations_era(plan: str) -> bool:
    """Whether a plan id ending in its year (``name-2020``) is from before :data:`ERA_END`.

    >>> [recommendations_era(p) for p in ("stafford-2020", "x-2024", "x")]
    [True, False, False]
    """
    m = re.search(r"(19|20)[0-9]{2}$", plan)
    return bool(m) and int(m.group(0)) < ERA_END


def _kappa(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import cohen_kappa_score

    if len(y) == 0 or len(np.unique(y)) < 2:
        return math.nan
    return float(cohen_kappa_score(y, p))


def _num(x: float | None) -> float | None:
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


def _labels(frame: pd.DataFrame) -> np.ndarray:
    y = np.array([[int(s[k]) for k in SMART_KEYS] for s in frame["smart"]], dtype=int)
    return y.reshape(-1, 5)


def _prepare(actions: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    missing = [c for c in ("plan", *FRAME_COLUMNS, "smart") if c not in actions.columns]
    if missing:
        raise ValueError(f"actions lack column(s) {', '.join(missing)}")
    keep = counts_as_action(actions)
    rationale = actions[~keep]
    frame = actions[keep]
    frame = frame.reset_index(drop=True)
    return frame, _labels(frame), rationale.reset_index(drop=True)


def _predict(model: Any, frame: pd.DataFrame) -> np.ndarray:
    """0/1 predictions, 0 on every criterion for rows judged not applicable."""
    out = model.annotate(frame)
    cols = [f"smart_{k}" for k in SMART_KEYS]
    return out[cols].fillna(0).to_numpy(dtype=int)


def _rule_predictions(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """0/1 predictions of the rules and of the rules with hedged steps counting for S
    (0 on every criterion for rows judged not applicable), from one parse of ``frame``."""
    signals = signals_for_frame(frame)
    applicable = applicability(frame, signals)[0]
    return {
        name: RuleSmartScorer(hedged_specific=hedged).fit().predict_signals(signals, applicable)
        for name, hedged in (("rules", False), ("rules_hedged_specific", True))
    }


def _majority(y_train: np.ndarray, n: int) -> np.ndarray:
    major = (y_train.mean(axis=0) >= 0.5).astype(int)
    return np.tile(major, (n, 1))


def _applicability_report(frame: pd.DataFrame, rationale: pd.DataFrame) -> dict[str, Any]:
    """How rationale rows and actions are told apart, with and without ``kind``."""
    out: dict[str, Any] = {"n_rationale": len(rationale), "n_actions": len(frame)}
    for name, drop in (("with_kind", []), ("text_only", ["kind", "agreement"])):
        r = rationale.drop(columns=[c for c in drop if c in rationale.columns])
        a = frame.drop(columns=[c for c in drop if c in frame.columns])
        r_ok = applicability(r)[0] if len(r) else np.zeros(0, dtype=bool)
        a_ok = applicability(a)[0] if len(a) else np.zeros(0, dtype=bool)
        out[name] = {
            "rationale_not_applicable": int((~r_ok).sum()),
            "actions_not_applicable": int((~a_ok).sum()),
        }
    return out


def train_and_evaluate(
    actions: pd.DataFrame,
    *,
    embedder: Embedder | None,
    seed: int = 0,
    out_dir: str | Path | None = None,
    C: float = 1.0,
    other_labels: Mapping[str, Sequence[Mapping[str, int]]] | None = None,
) -> dict[str, Any]:
    """Leave-one-prison-out evaluation of the trained and rules scorers and a
    majority baseline, then a final fit on every plan (saved to ``out_dir``).

    ``actions`` has columns ``plan, action_text, concern_text, owner_raw, target_raw,
    kind, smart`` (a dict S..T of 0/1). Returns a JSON-serialisable dict: ``n_actions``,
    ``plans``, for ``trained``, ``rules``, ``rules_hedged_specific`` (the rules with a
    hedged step counting for S, the reading issue 17 rejects, for comparison) and
    ``majority`` the ``pooled`` metrics per
    criterion, ``mean_kappa`` and ``folds``; ``recommendations_era`` (the same for the
    plans before :data:`ERA_END`, each held out) and ``applicability``.

    ``other_labels`` maps a name to another set of SMART labels for the same rows of
    ``actions`` (one S..T dict per row, e.g. the labels before an adjudication): the same
    out-of-fold predictions are also scored against each, under ``other_labels[name]``
    (``pooled``, ``mean_kappa`` and ``recommendations_era`` per scorer).
    """
    frame, y, rationale = _prepare(actions)
    keep = counts_as_action(actions).to_numpy()
    others = {
        name: np.array([[int(d[k]) for k in SMART_KEYS] for d in labels], dtype=int).reshape(
            -1, len(SMART_KEYS)
        )[keep]
        for name, labels in (other_labels or {}).items()
    }
    plans = sorted(frame["plan"].astype(str).unique())
    if len(plans) < 2:
        raise ValueError("leave-one-prison-out needs at least two plans")
    plan_col = frame["plan"].astype(str).to_numpy()
    names = ("trained", "rules", "rules_hedged_specific", "majority")
    preds = {name: np.zeros_like(y) for name in names}
    folds: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for plan in plans:
        test = plan_col == plan
        train_frame, test_frame = frame[~test], frame[test]
        trained = SmartScorer(embedder=embedder, C=C, random_state=seed)
        trained.fit(train_frame, y[~test], groups=plan_col[~test])
        fold_preds = {
            "trained": _predict(trained, test_frame),
            **_rule_predictions(test_frame),
            "majority": _majority(y[~test], int(test.sum())),
        }
        for name, p in fold_preds.items():
            preds[name][test] = p
            metrics = evaluate_predictions(y[test], p)
            fold = {
                "plan": plan,
                "n": int(test.sum()),
                "metrics": metrics,
                "mean_kappa": _mean_kappa(metrics),
                "undefined": [k for k, m in metrics.items() if m["kappa"] is None],
            }
            if name == "trained":
                fold["selection"] = dict(trained.selection_)
            folds[name].append(fold)
    report: dict[str, Any] = {
        "n_actions": len(frame),
        "plans": plans,
        "label_rate": {k: _num(float(y[:, j].mean())) for j, k in enumerate(SMART_KEYS)},
        "seed": seed,
        "C": C,
        "t_rule": "T is decided by rules in both scorers",
    }
    for name in names:
        pooled = evaluate_predictions(y, preds[name])
        report[name] = {"pooled": pooled, "mean_kappa": _mean_kappa(pooled), "folds": folds[name]}
    era = [p for p in plans if recommendations_era(p)]
    in_era = np.isin(plan_col, era)
    report["recommendations_era"] = {
        "plans": era,
        "n": int(in_era.sum()),
        **{
            name: {
                "pooled": (m := evaluate_predictions(y[in_era], preds[name][in_era])),
                "mean_kappa": _mean_kappa(m),
            }
            for name in names
        },
    }
    report["other_labels"] = {
        label_set: {
            name: {
                "pooled": (m := evaluate_predictions(y_other, preds[name])),
                "mean_kappa": _mean_kappa(m),
                "recommendations_era": {
                    "pooled": (e := evaluate_predictions(y_other[in_era], preds[name][in_era])),
                    "mean_kappa": _mean_kappa(e),
                },
            }
            for name in names
        }
        for label_set, y_other in others.items()
    }
    report["applicability"] = _applicability_report(frame, rationale)
    if out_dir is not None:
        final = SmartScorer(embedder=embedder, C=C, random_state=seed)
        final.fit(frame, y, groups=plan_col)
        final.save_pretrained(out_dir)
        report["saved_to"] = str(out_dir)
        report["final_selection"] = dict(final.selection_)
    return report
