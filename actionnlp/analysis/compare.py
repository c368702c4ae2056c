"""The comparison table of :meth:`Analysis.compare`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from actionnlp.corpus import OWNER_CATEGORIES, SMART_KEYS, THEMES

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.result import Analysis
AGREEMENTS = ("agreed", "partly_agreed", "not_agreed")


def _share(values: pd.Series) -> float:
    """Mean of a boolean/0-1 series, NaN when empty."""
    return float(values.mean()) if len(values) else float("nan")


def scored_actions(actions: pd.DataFrame) -> pd.DataFrame:
    """Action rows that count: not rationale, and SMART-applicable when scored."""
    if actions.empty or "kind" not in actions.columns:
        return actions
    keep = actions["kind"].fillna("action") != "rationale"
    if "smart_applicable" in actions.columns:
        keep &= actions["smart_applicable"].fillna(False).astype(bool)
    return actions[keep]


def compare(analysis: Analysis, by: str | Sequence[str] = "prison") -> pd.DataFrame:
    """The comparison table of :meth:`Analysis.compare`."""
    import numpy as np
    import pandas as pd

    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in analysis.plans.columns]
    if missing:
        raise ValueError(
            f"cannot group by {missing}: not columns of plans ({', '.join(analysis.plans.columns)})"
        )
    plan_keys = analysis.plans[["source", *keys]].drop_duplicates("source")

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.drop(columns=[k for k in keys if k in frame.columns])
        return frame.merge(plan_keys, on="source", how="left")

    concerns = keyed(analysis.concerns) if not analysis.concerns.empty else None
    actions = keyed(scored_actions(analysis.actions)) if not analysis.actions.empty else None
    rows = []
    for group, plans in analysis.plans.groupby(keys, dropna=False, sort=True):
        group = group if isinstance(group, tuple) else (group,)
        row: dict[str, Any] = dict(zip(keys, group, strict=True))
        sources = set(plans["source"])
        c = concerns[concerns["source"].isin(sources)] if concerns is not None else None
        a = actions[actions["source"].isin(sources)] if actions is not None else None
        row["n_plans"] = len(plans)
        row["n_concerns"] = 0 if c is None else len(c)
        row["n_actions"] = 0 if a is None else len(a)
        for t in THEMES:
            has = [] if c is None or "themes" not in c else [t in list(x) for x in c["themes"]]
            row[f"theme_{t}"] = _share(pd.Series(has, dtype=float))
        scored = a is not None and "smart_score" in a.columns
        row["smart_mean"] = _share(a["smart_score"]) if scored else np.nan
        for k in SMART_KEYS:
            row[f"smart_{k}_rate"] = _share(a[f"smart_{k}"]) if scored else np.nan
        cats = [] if a is None or "owner_categories" not in a else a["owner_categories"]
        flat = pd.Series([x for xs in cats for x in (list(xs) if xs is not None else [])])
        for cat in OWNER_CATEGORIES:
            row[f"owner_{cat}"] = _share(flat == cat) if len(flat) else np.nan
        decided = c["agreement"].dropna() if c is not None and "agreement" in c else pd.Series([])
        for ag in AGREEMENTS:
            row[f"{ag}_rate"] = _share(decided == ag)
        row["completed_share"] = (
            _share(a["status"] == "completed") if a is not None and "status" in a else np.nan
        )
        months = (
            a["months_to_target"].dropna()
            if a is not None and "months_to_target" in a
            else pd.Series([])
        )
        row["median_months_to_target"] = float(months.median()) if len(months) else np.nan
        rows.append(row)
    columns = [
        *keys,
        "n_plans",
        "n_concerns",
        "n_actions",
        *(f"theme_{t}" for t in THEMES),
        "smart_mean",
        *(f"smart_{k}_rate" for k in SMART_KEYS),
        *(f"owner_{c}" for c in OWNER_CATEGORIES),
        *(f"{ag}_rate" for ag in AGREEMENTS),
        "completed_share",
        "median_months_to_target",
    ]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({"n_plans": "int64", "n_concerns": "int64", "n_actions": "int64"})


# -- persistence --------------------------------------------------------------------------
