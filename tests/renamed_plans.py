"""Many plans from a few: copies of an analysis's plans under new prison names (no rescoring)."""

from __future__ import annotations

from actionnlp.analysis import Analysis


def renamed_copies(analysis: Analysis, n_plans: int) -> Analysis:
    """``n_plans`` plans cycling over ``analysis``'s, each copy under its own prison.

    Copy ``k`` is prison ``HMP Sample kkk`` with source ``copy-kkk/<file>``; every
    table (plans, concerns, actions, problems, errors) is renamed the same way.
    """
    import pandas as pd

    plans = analysis.plans.reset_index(drop=True)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in analysis.tables()}
    for k in range(n_plans):
        plan = plans.iloc[k % len(plans)]
        source, new_source = plan["source"], f"copy-{k:03d}/{plan['source'].rsplit('/', 1)[-1]}"
        for name, frame in analysis.tables().items():
            rows = frame[frame["source"] == source].copy()
            rows["source"] = new_source
            if "prison" in rows.columns:
                rows["prison"] = f"HMP Sample {k:03d}"
            parts[name].append(rows)
    tables = {
        name: pd.concat(frames, ignore_index=True) if frames else analysis.tables()[name]
        for name, frames in parts.items()
    }
    return Analysis(**tables)
