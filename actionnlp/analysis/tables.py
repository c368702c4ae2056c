"""Building the tables: from read plans or from a researcher's own table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from actionnlp.analysis.result import PLAN_COLUMNS, PROBLEM_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.plan import ActionPlan

REQUIRED_COLUMNS = (
    "prison",
    "concern_id",
    "concern_text",
    "action_text",
    "owner_raw",
    "target_raw",
)
"""Columns a researcher's own actions table must have for :func:`analyze`."""

UNNAMED_SOURCE = "(no prison)"
"""``source`` of a researcher's rows that name neither a source nor a prison."""


def _concat(parts: list[pd.DataFrame], columns: Sequence[str] | None = None) -> pd.DataFrame:
    import pandas as pd

    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=list(columns or []))
    return pd.concat(parts, ignore_index=True)


def frames_from_plans(
    plans: Sequence[ActionPlan],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(plans, concerns, actions, problems)`` tables of read plans, before any model.

    Plans without a ``source`` are named ``plan-<n>`` so the tables can be joined.

    >>> from actionnlp import read_plans, sample_paths
    >>> plans, _ = read_plans(sample_paths()[:1], progress=False)
    >>> p, c, a, _ = frames_from_plans(plans)
    >>> p[["prison", "n_concerns"]].values.tolist()
    [['HMP Littlehey', 9]]
    """
    import pandas as pd

    rows, concerns, actions, problems = [], [], [], []
    for i, plan in enumerate(plans):
        source = plan.source or f"plan-{i + 1}"
        totals = plan.stated_totals or {}
        c = plan.to_frame("concerns").assign(source=source)
        a = plan.to_frame("actions").assign(source=source)
        rows.append(
            {
                "source": source,
                "prison": plan.prison,
                "year": plan.year,
                "plan_submitted": plan.plan_submitted,
                "report_published": plan.report_published,
                "era": plan.era,
                "n_concerns": len(plan.concerns),
                "n_actions": sum(x.kind == "action" for x in plan.actions),
                "n_problems": len(plan.problems),
                "stated_total": totals.get("total"),
                "stated_agreed": totals.get("agreed"),
                "stated_partly_agreed": totals.get("partly_agreed"),
                "stated_not_agreed": totals.get("not_agreed"),
                **plan.read_quality(),
            }
        )
        concerns.append(c)
        actions.append(a)
        problems.append(plan.to_frame("problems").assign(source=source))
    table = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    prob = _concat(problems, PROBLEM_COLUMNS)
    prob = prob[[c for c in PROBLEM_COLUMNS if c in prob.columns]]
    return table, _concat(concerns), _concat(actions), prob


def frames_from_table(
    frame: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(plans, concerns, actions, problems)`` from a researcher's actions table.

    ``frame`` needs :data:`REQUIRED_COLUMNS`; ``year``, ``plan_submitted``,
    ``agreement``, ``kind``, ``recommendation_text``, ``target_date`` and ``status``
    are optional and derived when missing (target date and status from
    ``target_raw``; year from ``plan_submitted``, else the earliest target date).
    Rows sharing ``source`` (default: the prison, plus the year when given) are one plan;
    rows with neither form one plan named :data:`UNNAMED_SOURCE`.
    ``concern_index`` numbers a plan's concern ids in order of first appearance (-1 for
    rows without one); ``action_index`` counts the rows of each (plan, concern id),
    rows without an id counting as one group.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"prison": ["HMP X"], "concern_id": ["1"], "concern_text": ["Dirty."],
    ...     "action_text": ["Clean cells weekly."], "owner_raw": ["Governor"],
    ...     "target_raw": ["March 2024"]})
    >>> p, c, a, _ = frames_from_table(t)
    >>> a.loc[0, "status"], int(p.loc[0, "year"])
    ('planned', 2024)
    """
    import pandas as pd

    from actionnlp.read.dates import parse_target

    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"the table lacks required column(s) {missing}; it needs {list(REQUIRED_COLUMNS)}"
        )
    a = frame.reset_index(drop=True).copy()
    if "source" not in a.columns:
        year = a["year"].astype("string") if "year" in a.columns else None
        a["source"] = a["prison"].astype("string")
        if year is not None:
            a["source"] = (a["source"] + " " + year.fillna("")).str.strip()
    # rows that name no plan are one plan of their own, so they keep a row in `plans`
    a["source"] = a["source"].astype(object).where(a["source"].notna(), UNNAMED_SOURCE)
    for col, default in (
        ("kind", "action"),
        ("agreement", None),
        ("recommendation_text", None),
        ("plan_submitted", None),
        ("report_published", None),
        ("era", None),
        ("section", None),
        ("directed_to", None),
        ("ref", None),
    ):
        if col not in a.columns:
            a[col] = default
    a["kind"] = a["kind"].fillna("action")
    raw = [t if isinstance(t, str) else None for t in a["target_raw"]]
    parsed = {t: parse_target(t) for t in dict.fromkeys(raw)}  # each distinct cell once
    targets = [parsed[t] for t in raw]
    if "target_date" not in a.columns:
        a["target_date"] = [t.date for t in targets]
    if "status" not in a.columns:
        a["status"] = [t.status for t in targets]
    for col in ("plan_submitted", "report_published", "target_date"):
        a[col] = pd.to_datetime(a[col])
    if a["era"].isna().all():
        era = a["agreement"].notna().groupby(a["source"]).transform("any")
        a["era"] = era.map({True: "recommendations", False: "concerns"})
    if "year" not in a.columns:
        a["year"] = None
    derived = a["plan_submitted"].dt.year
    first_target = a.groupby("source")["target_date"].transform("min").dt.year
    a["year"] = pd.to_numeric(a["year"]).fillna(derived).fillna(first_target).astype("Int64")
    # position of each concern in its plan, in order of first appearance (as factorize)
    first = a.groupby(["source", "concern_id"], sort=False, dropna=False).ngroup()
    first = first.where(a["concern_id"].notna())
    index = first.groupby(a["source"], sort=False, dropna=False).rank(method="dense") - 1
    a["concern_index"] = index.fillna(-1).astype(int)
    a["action_index"] = a.groupby(["source", "concern_id"], sort=False, dropna=False).cumcount()
    a["owners"] = [[] for _ in range(len(a))]

    keys = ["source", "concern_id"]
    base = [
        "source",
        "prison",
        "plan_submitted",
        "report_published",
        "year",
        "era",
        "concern_index",
        "concern_id",
        "section",
        "directed_to",
        "agreement",
        "ref",
        "concern_text",
        "recommendation_text",
    ]
    concerns = a.drop_duplicates(keys)[base].reset_index(drop=True)
    counts = a.groupby(keys, sort=False).size().rename("n_actions").reset_index()
    concerns = concerns.merge(counts, on=keys, how="left")
    plans = (
        a.groupby("source", sort=False)
        .agg(
            prison=("prison", "first"),
            year=("year", "first"),
            plan_submitted=("plan_submitted", "first"),
            report_published=("report_published", "first"),
            era=("era", "first"),
        )
        .reset_index()
    )
    is_action = (a["kind"] == "action").groupby(a["source"], sort=False).sum()
    plans["n_actions"] = plans["source"].map(is_action).astype(int)
    plans["n_concerns"] = plans["source"].map(concerns.groupby("source").size())
    plans["n_problems"] = 0
    for col in PLAN_COLUMNS:
        if col not in plans.columns:
            plans[col] = None
    extra = [c for c in a.columns if c not in base]
    actions = a[base + extra]
    problems = pd.DataFrame(columns=PROBLEM_COLUMNS)
    return plans[PLAN_COLUMNS], concerns, actions, problems


def fill_year(
    plans: pd.DataFrame, concerns: pd.DataFrame, actions: pd.DataFrame, problems: pd.DataFrame
) -> tuple[pd.DataFrame, ...]:
    """Plans without a dated year take the year of their earliest target date."""
    import pandas as pd

    plans = plans.copy()
    year = pd.to_numeric(plans["year"])
    if not actions.empty and "target_date" in actions.columns:
        first = actions.groupby("source")["target_date"].min().dt.year
        year = year.fillna(plans["source"].map(first))
    plans["year"] = year.astype("Int64")
    lookup = dict(zip(plans["source"], plans["year"], strict=True))
    out = [plans]
    for frame in (concerns, actions, problems):
        frame = frame.copy()
        if "source" in frame.columns:
            frame["year"] = frame["source"].map(lookup).astype("Int64")
        out.append(frame)
    return tuple(out)


def with_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetimes as ``datetime64[ns]`` and years as ``Int64``, in every table."""
    import pandas as pd

    frame = frame.copy()
    for col in ("plan_submitted", "report_published", "target_date"):
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in ("year", *(c for c in PLAN_COLUMNS if c.startswith(("n_", "stated_")))):
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    for col in frame.columns:
        if frame[col].dtype == object and frame[col].isna().any():  # NaN cells become None
            values = [None if isinstance(v, float) and v != v else v for v in frame[col].tolist()]
            frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame


# -- model stages (each takes a frame and returns a new one) -------------------------------
