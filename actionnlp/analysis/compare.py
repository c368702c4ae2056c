"""The comparison table of :meth:`Analysis.compare`, with counts and intervals.

Every share or mean comes with three more columns: ``<name>_n`` (what it is divided
by: concerns, actions or named owners with a value), ``<name>_lo`` and ``<name>_hi``
(a 95% interval). Shares get the Wilson score interval; means and medians a
percentile bootstrap over the group's actions or concerns (``resamples`` draws from a
generator seeded with ``seed``, so the same table gives the same interval every time).

>>> tuple(round(v, 4) for v in wilson_interval(3, 10))
(0.1078, 0.6032)
>>> bootstrap_interval([1.0, 2.0, 3.0, 4.0], seed=0) == bootstrap_interval([1.0, 2.0, 3.0, 4.0])
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from actionnlp.labels import OWNER_CATEGORIES, SMART_KEYS, THEMES, counts_as_action

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.result import Analysis

__all__ = [
    "AGREEMENTS",
    "Metric",
    "bootstrap_interval",
    "compare",
    "group_keys",
    "metrics",
    "noise_summary",
    "plan_groups",
    "scored_actions",
    "wilson_interval",
]

AGREEMENTS = ("agreed", "partly_agreed", "not_agreed")
Z95 = 1.959963984540054  # two-sided 95% normal quantile
RESAMPLES = 2000
SEED = 0
_MAX_DRAWS = 2_000_000  # bootstrap indices drawn at once (bounds memory for big groups)


@dataclass(frozen=True)
class Metric:
    """One figure of the comparison table.

    ``kind`` is ``"share"`` (0-1, Wilson interval), ``"mean"`` or ``"median"``
    (bootstrap interval); ``of`` says what the count ``<column>_n`` counts.
    """

    column: str
    family: str
    label: str
    kind: str
    of: str


def metrics(expected: bool = False) -> list[Metric]:
    """The figures of :func:`compare` in column order (the ``expected`` ones last).

    >>> [m.column for m in metrics()][:2]
    ['theme_healthcare', 'theme_drugs']
    """
    out = [Metric(f"theme_{t}", "Themes of concerns", t, "share", "concerns") for t in THEMES]
    out.append(Metric("smart_mean", "SMART", "mean score (0-5)", "mean", "actions"))
    out += [Metric(f"smart_{k}_rate", "SMART", k, "share", "actions") for k in SMART_KEYS]
    out += [
        Metric(f"owner_{c}", "Owners named", c, "share", "named owners") for c in OWNER_CATEGORIES
    ]
    out += [Metric(f"{a}_rate", "Decisions", a, "share", "decided concerns") for a in AGREEMENTS]
    out.append(Metric("completed_share", "Targets", "completed", "share", "actions"))
    out.append(
        Metric("median_months_to_target", "Targets", "median months", "median", "dated actions")
    )
    if expected:
        out += [
            Metric(f"theme_{t}_expected", "Expected theme shares", t, "mean", "concerns")
            for t in THEMES
        ]
        out += [
            Metric(f"smart_{k}_expected", "Expected SMART shares", k, "mean", "actions")
            for k in SMART_KEYS
        ]
    return out


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of ``k`` successes in ``n`` trials (NaN, NaN when n is 0).

    >>> lo, hi = wilson_interval(0, 5)
    >>> lo, round(hi, 3)
    (0.0, 0.434)
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo = 0.0 if k == 0 else max(0.0, (centre - half) / denom)
    hi = 1.0 if k == n else min(1.0, (centre + half) / denom)
    return (lo, hi)


def bootstrap_interval(
    values: Iterable[float],
    statistic: str = "mean",
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (or ``"median"``) of ``values``.

    NaN values are dropped first; no value gives (NaN, NaN), one value gives a
    zero-width interval. Deterministic for a given ``seed``.

    >>> bootstrap_interval([2.0, 2.0, 2.0])
    (2.0, 2.0)
    """
    import numpy as np

    if statistic not in ("mean", "median"):
        raise ValueError(f"statistic must be 'mean' or 'median', got {statistic!r}")
    x = np.asarray(list(values), dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return (math.nan, math.nan)
    if np.all(x == x[0]):
        return (float(x[0]), float(x[0]))
    rng = np.random.default_rng(seed)
    stat = np.mean if statistic == "mean" else np.median
    chunk = max(1, min(resamples, _MAX_DRAWS // len(x)))
    stats = []
    for start in range(0, resamples, chunk):
        idx = rng.integers(0, len(x), size=(min(chunk, resamples - start), len(x)))
        stats.append(stat(x[idx], axis=1))
    alpha = (1 - level) / 2
    lo, hi = np.quantile(np.concatenate(stats), [alpha, 1 - alpha])
    return (float(lo), float(hi))


def scored_actions(actions: pd.DataFrame) -> pd.DataFrame:
    """Action rows that count: not rationale, and SMART-applicable when scored."""
    if actions.empty or "kind" not in actions.columns:
        return actions
    keep = counts_as_action(actions)
    if "smart_applicable" in actions.columns:
        keep &= actions["smart_applicable"].fillna(False).astype(bool)
    return actions[keep]


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _numbers(values: Any) -> Any:
    """A float array of ``values`` with NA, None and non-numbers as NaN."""
    import numpy as np

    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return np.array([_float(v) for v in values], dtype=float)


def _share_cells(name: str, hits: Any) -> dict[str, float]:
    """``name``, ``name_n``, ``name_lo``, ``name_hi`` of 0/1 values (NaN ignored)."""
    import numpy as np

    x = _numbers(hits)
    x = x[~np.isnan(x)]
    n, k = len(x), int(x.sum())
    lo, hi = wilson_interval(k, n)
    return {name: k / n if n else math.nan, f"{name}_n": n, f"{name}_lo": lo, f"{name}_hi": hi}


def _mean_cells(
    name: str, values: Any, statistic: str, resamples: int, seed: int
) -> dict[str, float]:
    import numpy as np

    x = _numbers(values)
    x = x[~np.isnan(x)]
    value = (float(np.mean(x)) if statistic == "mean" else float(np.median(x))) if len(x) else None
    lo, hi = bootstrap_interval(x, statistic, resamples=resamples, seed=seed)
    return {
        name: math.nan if value is None else value,
        f"{name}_n": len(x),
        f"{name}_lo": lo,
        f"{name}_hi": hi,
    }


def _column(frame: pd.DataFrame | None, name: str) -> Any:
    return [] if frame is None or name not in frame.columns else frame[name].tolist()


def _group_row(
    c: pd.DataFrame | None, a: pd.DataFrame | None, expected: bool, resamples: int, seed: int
) -> dict[str, Any]:
    """Every figure of one group from its concerns ``c`` and counted actions ``a``."""
    row: dict[str, Any] = {}
    themes = [x for x in _column(c, "themes") if x is not None]
    for t in THEMES:
        row.update(_share_cells(f"theme_{t}", [t in list(x) for x in themes]))
    row.update(_mean_cells("smart_mean", _column(a, "smart_score"), "mean", resamples, seed))
    for k in SMART_KEYS:
        row.update(_share_cells(f"smart_{k}_rate", _column(a, f"smart_{k}")))
    owners = [x for xs in _column(a, "owner_categories") if xs is not None for x in list(xs)]
    for cat in OWNER_CATEGORIES:
        row.update(_share_cells(f"owner_{cat}", [x == cat for x in owners]))
    decided = [x for x in _column(c, "agreement") if isinstance(x, str)]
    for ag in AGREEMENTS:
        row.update(_share_cells(f"{ag}_rate", [x == ag for x in decided]))
    status = [x for x in _column(a, "status") if isinstance(x, str)]
    row.update(_share_cells("completed_share", [x == "completed" for x in status]))
    months = _column(a, "months_to_target")
    row.update(_mean_cells("median_months_to_target", months, "median", resamples, seed))
    if expected:
        for t in THEMES:
            p = _column(c, f"p_{t}")
            row.update(_mean_cells(f"theme_{t}_expected", p, "mean", resamples, seed))
        for k in SMART_KEYS:
            p = _column(a, f"p_smart_{k}")
            row.update(_mean_cells(f"smart_{k}_expected", p, "mean", resamples, seed))
    return row


def group_keys(analysis: Analysis, by: str | Sequence[str]) -> list[str]:
    """``by`` as a list of columns of ``plans`` (ValueError naming any that is not)."""
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in analysis.plans.columns]
    if missing:
        raise ValueError(
            f"cannot group by {missing}: not columns of plans ({', '.join(analysis.plans.columns)})"
        )
    return keys


def plan_groups(analysis: Analysis, keys: Sequence[str]) -> list[tuple[tuple, list[str]]]:
    """The groups of :func:`compare`, in its row order: (key values, plan sources)."""
    out = []
    for group, plans in analysis.plans.groupby(list(keys), dropna=False, sort=True):
        group = group if isinstance(group, tuple) else (group,)
        out.append((group, list(dict.fromkeys(plans["source"]))))
    return out


def compare(
    analysis: Analysis,
    by: str | Sequence[str] = "prison",
    *,
    expected: bool = False,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> pd.DataFrame:
    """The comparison table of :meth:`Analysis.compare` (see there for the columns)."""
    import pandas as pd

    keys = group_keys(analysis, by)
    plan_keys = analysis.plans[["source", *keys]].drop_duplicates("source")

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.drop(columns=[k for k in keys if k in frame.columns])
        return frame.merge(plan_keys, on="source", how="left")

    concerns = keyed(analysis.concerns) if not analysis.concerns.empty else None
    actions = keyed(scored_actions(analysis.actions)) if not analysis.actions.empty else None
    by_source_c = dict(iter(concerns.groupby("source", sort=False))) if concerns is not None else {}
    by_source_a = dict(iter(actions.groupby("source", sort=False))) if actions is not None else {}
    rows = []
    for group, sources in plan_groups(analysis, keys):
        row: dict[str, Any] = dict(zip(keys, group, strict=True))
        c_parts = [by_source_c[s] for s in sources if s in by_source_c]
        a_parts = [by_source_a[s] for s in sources if s in by_source_a]
        c = pd.concat(c_parts) if c_parts else None
        a = pd.concat(a_parts) if a_parts else None
        row["n_plans"] = len(sources)
        row["n_concerns"] = 0 if c is None else len(c)
        row["n_actions"] = 0 if a is None else len(a)
        row.update(_group_row(c, a, expected, resamples, seed))
        rows.append(row)
    columns = [*keys, "n_plans", "n_concerns", "n_actions"]
    for m in metrics(expected):
        columns += [m.column, f"{m.column}_n", f"{m.column}_lo", f"{m.column}_hi"]
    out = pd.DataFrame(rows, columns=columns)
    counts = ["n_plans", "n_concerns", "n_actions", *(f"{m.column}_n" for m in metrics(expected))]
    return out.astype(dict.fromkeys(counts, "int64"))


def noise_summary(table: pd.DataFrame, keys: Sequence[str], expected: bool = False) -> pd.DataFrame:
    """For each figure, its highest and lowest group and whether they differ beyond noise.

    The test is deliberately simple and conservative: the difference between the
    highest and the lowest group is called *within noise* when their 95% intervals
    overlap. Two non-overlapping 95% intervals mean a difference clearly beyond
    chance; overlapping ones can still hide a real but small difference, so
    *within noise* reads "these data do not show a difference", not "no difference".
    Groups with nothing to count are left out.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"prison": ["A", "B"], "theme_drugs": [0.2, 0.8],
    ...     "theme_drugs_n": [50, 50], "theme_drugs_lo": [0.11, 0.67],
    ...     "theme_drugs_hi": [0.33, 0.89]})
    >>> row = noise_summary(t, ["prison"]).iloc[0]
    >>> row.metric, row.highest, row.lowest, bool(row.within_noise)
    ('theme_drugs', 'B', 'A', False)
    """
    import pandas as pd

    rows = []
    label = table[list(keys)].astype(str).agg(", ".join, axis=1) if len(table) else []
    for m in metrics(expected):
        if m.column not in table.columns:
            continue
        ok = table[m.column].notna() & (table[f"{m.column}_n"] > 0)
        if ok.sum() < 2:
            rows.append({"metric": m.column, "highest": None, "lowest": None, "within_noise": None})
            continue
        sub = table[ok]
        top, low = sub[m.column].idxmax(), sub[m.column].idxmin()
        within = bool(table.at[top, f"{m.column}_lo"] <= table.at[low, f"{m.column}_hi"])
        rows.append(
            {
                "metric": m.column,
                "highest": label[top],
                "lowest": label[low],
                "within_noise": within,
            }
        )
    return pd.DataFrame(rows, columns=["metric", "highest", "lowest", "within_noise"])
