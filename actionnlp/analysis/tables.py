"""Building the tables: from read plans or from a researcher's own table."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from actionnlp.analysis.result import PLAN_COLUMNS, PROBLEM_COLUMNS
from actionnlp.labels import ERAS, counts_as_action, era_of, is_action_row

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.plan import ActionPlan
    from actionnlp.prisons import PrisonRegister

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


def concern_text(frame: pd.DataFrame) -> list[str]:
    """Concern text followed by its recommendation when present and different."""
    out = []
    n = len(frame)
    recs = frame["recommendation_text"].tolist() if "recommendation_text" in frame else [None] * n
    for text, rec in zip(frame["concern_text"].tolist(), recs, strict=True):
        text = text if isinstance(text, str) else ""
        if isinstance(rec, str) and rec.strip() and rec != text:
            text = f"{text} {rec}".strip()
        out.append(text)
    return out


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
                "year_source": plan.year_source,
                "plan_submitted": plan.plan_submitted,
                "report_published": plan.report_published,
                "era": plan.era,
                "n_concerns": len(plan.concerns),
                "n_actions": sum(is_action_row(x.kind) for x in plan.actions),
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


OPTIONAL_COLUMNS = (
    "source",
    "year",
    "plan_submitted",
    "report_published",
    "era",
    "agreement",
    "kind",
    "recommendation_text",
    "section",
    "directed_to",
    "ref",
    "target_date",
    "status",
)
"""Columns :func:`frames_from_table` reads when present (others are kept as they are)."""

DATE_COLUMNS = ("plan_submitted", "report_published", "target_date")
ID_COLUMNS = ("concern_id", "ref")
"""Columns holding identifiers: always text ("5.10" is not 5.1)."""

#: Spellings of a decision :func:`standard_agreement` knows, folded (lower case, single spaces).
AGREEMENT_SPELLINGS = {
    "agreed": "agreed",
    "accepted": "agreed",
    "partly agreed": "partly_agreed",
    "partially agreed": "partly_agreed",
    "part agreed": "partly_agreed",
    "partly accepted": "partly_agreed",
    "partially accepted": "partly_agreed",
    "part accepted": "partly_agreed",
    "not agreed": "not_agreed",
    "not accepted": "not_agreed",
    "rejected": "not_agreed",
    "disagreed": "not_agreed",
}


def standard_agreement(values: pd.Series) -> pd.Series:
    """Decisions as ``agreed`` / ``partly_agreed`` / ``not_agreed`` (empty cells None).

    Case, white space, ``_`` and ``-`` do not matter; any other value raises
    :class:`~actionnlp.errors.TableError` naming it.

    >>> import pandas as pd
    >>> standard_agreement(pd.Series(["Agreed", "Partly Agreed", "REJECTED", None])).tolist()
    ['agreed', 'partly_agreed', 'not_agreed', None]
    """
    import pandas as pd

    from actionnlp.errors import TableError

    def fold(v: object) -> str | None:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            return None
        text = " ".join(str(v).replace("_", " ").replace("-", " ").split()).casefold()
        return text or None

    folded = [fold(v) for v in values]
    unknown = sorted(
        {
            str(v)
            for v, f in zip(values, folded, strict=True)
            if f is not None and f not in AGREEMENT_SPELLINGS
        }
    )
    if unknown:
        known = "Agreed, Accepted, Partly agreed, Partially accepted, Not agreed, Rejected"
        raise TableError(
            f"the agreement column holds value(s) that are not a decision: {unknown}; "
            f"expected one of {known} (any case)"
        )
    out = [AGREEMENT_SPELLINGS[f] if f is not None else None for f in folded]
    return pd.Series(out, index=values.index, dtype=object)


def day_first_dates(values: pd.Series) -> pd.Series:
    """Dates of a column, day first whatever the cell: ``05/03/2024`` is 5 March 2024.

    Dates and timestamps are kept; text is read by :func:`actionnlp.read.dates.parse_date`
    (each distinct cell once); cells without a date are NaT.

    >>> import pandas as pd
    >>> day_first_dates(pd.Series(["05/03/2024", "2024-03-05", None])).dt.day.tolist()
    [5.0, 5.0, nan]
    """
    import datetime as dt

    import pandas as pd

    from actionnlp.read.dates import parse_date

    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values).astype("datetime64[ns]")
    cache: dict[str, object] = {}
    out = []
    for v in values:
        if isinstance(v, (dt.date, pd.Timestamp)):
            out.append(pd.Timestamp(v))
        elif isinstance(v, str) and v.strip():
            if v not in cache:
                cache[v] = parse_date(v)
            out.append(cache[v])
        else:
            out.append(None)
    return pd.Series(pd.to_datetime(out), index=values.index).astype("datetime64[ns]")


def as_id(value: object) -> str | None:
    """An identifier as text: ``5.0`` (a spreadsheet number) is ``'5'``, text is kept.

    >>> as_id(5.0), as_id("5.10"), as_id(None)
    ('5', '5.10', None)
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def rename_table(frame: pd.DataFrame, columns: dict[str, str] | None) -> pd.DataFrame:
    """``frame`` with its columns renamed to the documented names (``{theirs: ours}``)."""
    from actionnlp.errors import TableError

    if not columns:
        return frame
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise TableError(
            f"the column mapping names column(s) {absent} the table does not have; "
            f"it has {list(frame.columns)}"
        )
    return frame.rename(columns=columns)


def frames_from_table(
    frame: pd.DataFrame, columns: dict[str, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(plans, concerns, actions, problems)`` from a researcher's actions table.

    ``frame`` needs :data:`REQUIRED_COLUMNS` (``columns`` maps other names to them,
    ``{"their name": "our name"}``); :data:`OPTIONAL_COLUMNS` are read when present:

    - ``agreement`` is standardised (:func:`standard_agreement`; unknown values raise
      :class:`~actionnlp.errors.TableError`); ``era`` is ``recommendations`` for plans
      with a decision when the table has no ``era``;
    - dates are read day first (:func:`day_first_dates`); an empty ``target_date`` and
      ``status`` are read from ``target_raw``;
    - ``year`` is the table's, else the year of ``plan_submitted`` ("stated"), else of
      ``report_published`` ("report"), else of the earliest target date ("target-date
      estimate"); ``year_source`` says which. A plan without a submission date gets a
      ``missing_metadata`` problem.

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
    >>> a.loc[0, "status"], int(p.loc[0, "year"]), p.loc[0, "year_source"]
    ('planned', 2024, 'target-date estimate')
    """
    import pandas as pd

    from actionnlp.errors import TableError
    from actionnlp.read.dates import parse_target

    frame = rename_table(frame, columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise TableError(
            f"the table lacks required column(s) {missing}; it needs {list(REQUIRED_COLUMNS)} "
            f"(map other names with columns={{'their name': 'our name'}})"
        )
    a = frame.reset_index(drop=True).copy()
    for col in ID_COLUMNS:
        if col in a.columns:
            a[col] = pd.Series([as_id(v) for v in a[col]], index=a.index, dtype=object)
    if "source" not in a.columns:
        year = a["year"].astype("string") if "year" in a.columns else None
        a["source"] = a["prison"].astype("string")
        if year is not None:
            a["source"] = (a["source"] + " " + year.fillna("")).str.strip()
    # rows that name no plan are one plan of their own, so they keep a row in `plans`
    a["source"] = a["source"].astype(object).where(a["source"].notna(), UNNAMED_SOURCE)
    for col in OPTIONAL_COLUMNS:
        if col not in a.columns:
            a[col] = None
    a["kind"] = a["kind"].fillna("action")
    a["agreement"] = standard_agreement(a["agreement"])
    raw = [t if isinstance(t, str) else None for t in a["target_raw"]]
    parsed = {t: parse_target(t) for t in dict.fromkeys(raw)}  # each distinct cell once
    targets = [parsed[t] for t in raw]
    for col in DATE_COLUMNS:
        a[col] = day_first_dates(a[col])
    from_raw = pd.to_datetime(pd.Series([t.date for t in targets], index=a.index))
    a["target_date"] = a["target_date"].fillna(from_raw.astype("datetime64[ns]"))
    a["status"] = (
        a["status"]
        .astype(object)
        .where(a["status"].notna(), pd.Series([t.status for t in targets], index=a.index))
    )
    if a["era"].isna().all():
        era = a["agreement"].notna().groupby(a["source"]).transform("any")
        a["era"] = era.map(era_of)
    bad_era = sorted(set(a["era"].dropna()) - set(ERAS))
    if bad_era:
        raise TableError(f"era must be 'concerns' or 'recommendations', not {bad_era}")
    stated = pd.to_numeric(a["year"], errors="coerce")
    first_target = a.groupby("source")["target_date"].transform("min").dt.year
    candidates = (
        ("stated", stated),
        ("stated", a["plan_submitted"].dt.year),
        ("report", a["report_published"].dt.year),
        ("target-date estimate", first_target),
    )
    year = pd.Series(float("nan"), index=a.index)
    a["year_source"] = None
    for label, values in candidates:
        fill = year.isna() & values.notna()
        year = year.where(~fill, values)
        a.loc[fill, "year_source"] = label
    a["year"] = year.astype("Int64")
    # position of each concern in its plan, in order of first appearance (as factorize)
    first = a.groupby(["source", "concern_id"], sort=False, dropna=False).ngroup()
    first = first.where(a["concern_id"].notna())
    index = first.groupby(a["source"], sort=False, dropna=False).rank(method="dense") - 1
    a["concern_index"] = index.fillna(-1).astype(int)
    a["action_index"] = a.groupby(["source", "concern_id"], sort=False, dropna=False).cumcount()
    a["owner_parts"] = [[] for _ in range(len(a))]

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
    counts = a.groupby(keys, sort=False, dropna=False).size().rename("n_actions").reset_index()
    concerns = concerns.merge(counts, on=keys, how="left")
    plans = (
        a.groupby("source", sort=False)
        .agg(
            prison=("prison", "first"),
            year=("year", "first"),
            year_source=("year_source", "first"),
            plan_submitted=("plan_submitted", "first"),
            report_published=("report_published", "first"),
            era=("era", "first"),
        )
        .reset_index()
    )
    is_action = counts_as_action(a).groupby(a["source"], sort=False).sum()
    plans["n_actions"] = plans["source"].map(is_action).astype(int)
    plans["n_concerns"] = plans["source"].map(concerns.groupby("source").size())
    plans["n_problems"] = 0
    for col in PLAN_COLUMNS:
        if col not in plans.columns:
            plans[col] = None
    extra = [c for c in a.columns if c not in base and c != "year_source"]
    actions = a[base + extra]
    problems = pd.DataFrame(columns=PROBLEM_COLUMNS)
    return plans[PLAN_COLUMNS], concerns, actions, problems


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A researcher's table from ``.csv``, ``.xlsx`` or ``.parquet`` (ids kept as text).

    CSV cells are read as text (so ``5.10`` stays ``5.10``); the first sheet of a
    workbook is read. Raises :class:`~actionnlp.errors.TableError` for other files.
    """
    import pandas as pd

    from actionnlp.errors import MissingFileError, TableError

    p = Path(path)
    if not p.is_file():
        raise MissingFileError("no such file", p)
    suffix = p.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
        if suffix == ".xlsx":
            return pd.read_excel(p, dtype=object, engine="openpyxl")
        if suffix == ".parquet":
            return pd.read_parquet(p)
    except (ValueError, OSError, KeyError) as err:  # malformed file: the library's error
        raise TableError(f"cannot read the table: {err}", p) from err
    raise TableError(f"a table must be .csv, .xlsx or .parquet, not {suffix or '(none)'!r}", p)


def fill_year(
    plans: pd.DataFrame, concerns: pd.DataFrame, actions: pd.DataFrame, problems: pd.DataFrame
) -> tuple[pd.DataFrame, ...]:
    """Plans without a dated year take the year of their earliest target date
    (``year_source`` "target-date estimate"); plans without a submission date get a
    ``missing_metadata`` problem saying where their year came from."""
    import pandas as pd

    plans = plans.copy()
    year = pd.to_numeric(plans["year"])
    if "year_source" not in plans.columns:
        plans["year_source"] = [None if pd.isna(y) else "stated" for y in year]
    if not actions.empty and "target_date" in actions.columns:
        first = actions.groupby("source")["target_date"].min().dt.year
        estimate = plans["source"].map(first)
        filled = year.isna() & estimate.notna()
        year = year.fillna(estimate)
        plans.loc[filled, "year_source"] = "target-date estimate"
    plans["year"] = year.astype("Int64")
    problems = _metadata_problems(plans, problems)
    counts = problems.groupby("source").size() if len(problems) else pd.Series(dtype=int)
    plans["n_problems"] = plans["source"].map(counts).fillna(0).astype(int)
    lookup = dict(zip(plans["source"], plans["year"], strict=True))
    out = [plans]
    for frame in (concerns, actions, problems):
        frame = frame.copy()
        if "source" in frame.columns:
            frame["year"] = frame["source"].map(lookup).astype("Int64")
        out.append(frame)
    return tuple(out)


_YEAR_FROM = {
    "report": "the report's publication date",
    "inspection": "the inspection dates",
    "target-date estimate": "the earliest target date (an estimate)",
    "stated": "the table's year column",
}


def _metadata_problems(plans: pd.DataFrame, problems: pd.DataFrame) -> pd.DataFrame:
    """A ``missing_metadata`` problem for each plan that states no submission date."""
    import pandas as pd

    rows = []
    for plan in plans.itertuples(index=False):
        if not pd.isna(plan.plan_submitted):
            continue
        source = getattr(plan, "year_source", None)
        how = (
            f"its year is taken from {_YEAR_FROM[source]}"
            if isinstance(source, str)
            else "its year is unknown"
        )
        rows.append(
            {
                "source": plan.source,
                "prison": plan.prison,
                "year": plan.year,
                "kind": "missing_metadata",
                "concern_id": None,
                "message": f"the plan states no submission date; {how}",
                "text": None,
            }
        )
    if not rows:
        return problems
    extra = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    return _concat([problems, extra], PROBLEM_COLUMNS).reset_index(drop=True)


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


def with_establishments(
    plans: pd.DataFrame,
    concerns: pd.DataFrame,
    actions: pd.DataFrame,
    problems: pd.DataFrame,
    register: PrisonRegister | None = None,
) -> tuple[pd.DataFrame, ...]:
    """Canonical prison names and establishment columns (:mod:`actionnlp.prisons`).

    ``plans`` gains :data:`~actionnlp.prisons.ESTABLISHMENT_COLUMNS`; the ``prison`` of
    every table becomes the register's name (unknown prisons keep the printed one).
    """
    from actionnlp.prisons import PrisonRegister

    register = register or PrisonRegister.default()
    plans = register.annotate(plans)
    lookup = dict(zip(plans["source"], plans["prison"], strict=True))
    out = [plans]
    for frame in (concerns, actions, problems):
        frame = frame.copy()
        if "source" in frame.columns and "prison" in frame.columns:
            frame["prison"] = (
                frame["source"]
                .map(lookup)
                .where(frame["source"].isin(lookup.keys()), frame["prison"])
            )
        out.append(frame)
    return tuple(out)
