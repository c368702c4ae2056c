"""``analyze``: read plans (or take a researcher's table), run the three models, compare.

One :class:`Analysis` holds five tidy tables that share ``source`` (one plan):

``plans``
    One row per plan: ``source``, ``prison``, ``year``, ``plan_submitted``,
    ``report_published``, ``era``, ``n_concerns``, ``n_actions`` (rationale rows
    not counted), ``n_problems``, ``stated_total``, ``stated_agreed``,
    ``stated_partly_agreed``, ``stated_not_agreed`` (totals the plan itself states).
``concerns``
    :meth:`ActionPlan.to_frame` ``("concerns")`` plus ``themes`` (list of theme
    names) and ``p_<theme>`` for each theme in :data:`actionnlp.corpus.THEMES`,
    tagged from the concern text followed by its recommendation.
``actions``
    :meth:`ActionPlan.to_frame` ``("actions")`` plus ``action_themes`` and
    ``p_action_<theme>`` (themes of the action's own text), ``owners``,
    ``owner_categories``, ``owner_mentions`` (owner model), ``smart_S`` ..
    ``smart_T``, ``p_smart_S`` .. ``p_smart_T``, ``smart_score``,
    ``smart_evidence``, ``smart_applicable`` (SMART scorer) and
    ``months_to_target`` (months from ``plan_submitted`` to ``target_date``).
``problems``
    What reconciliation found in each plan (``kind``, ``concern_id``, ``message``, ``text``).
``errors``
    Files that could not be read: ``source``, ``error``, ``message``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actionnlp.corpus import OWNER_CATEGORIES, SMART_KEYS, THEMES

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.plan import ActionPlan
    from actionnlp.registry import Models

__all__ = ["REQUIRED_COLUMNS", "Analysis", "analyze"]

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

TABLES = ("plans", "concerns", "actions", "problems", "errors")
AGREEMENTS = ("agreed", "partly_agreed", "not_agreed")
DAYS_PER_MONTH = 365.25 / 12
_BATCH = 128
_MANIFEST = "analysis.json"

PLAN_COLUMNS = [
    "source",
    "prison",
    "year",
    "plan_submitted",
    "report_published",
    "era",
    "n_concerns",
    "n_actions",
    "n_problems",
    "stated_total",
    "stated_agreed",
    "stated_partly_agreed",
    "stated_not_agreed",
]
PROBLEM_COLUMNS = ["source", "prison", "year", "kind", "concern_id", "message", "text"]
ERROR_COLUMNS = ["source", "error", "message"]


# -- the result ---------------------------------------------------------------------------


@dataclass
class Analysis:
    """Scored plans as five tidy tables (see the module docstring for the columns).

    Example:
        >>> import actionnlp
        >>> result = actionnlp.analyze(actionnlp.sample_paths())  # doctest: +SKIP
        >>> result.compare("prison")[["prison", "n_concerns"]]  # doctest: +SKIP
                         prison  n_concerns
        0         HMP Littlehey           9
        ...
    """

    plans: pd.DataFrame
    concerns: pd.DataFrame
    actions: pd.DataFrame
    problems: pd.DataFrame
    errors: pd.DataFrame = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.errors is None:
            import pandas as pd

            self.errors = pd.DataFrame(columns=ERROR_COLUMNS)

    def __repr__(self) -> str:
        return (
            f"Analysis({len(self.plans)} plans, {len(self.concerns)} concerns, "
            f"{len(self.actions)} action rows, {len(self.problems)} problems, "
            f"{len(self.errors)} errors)"
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """The five tables by name, in a fixed order."""
        return {name: getattr(self, name) for name in TABLES}

    def compare(self, by: str | Sequence[str] = "prison") -> pd.DataFrame:
        """One row per group (``by`` is a column of ``plans`` or a list of them).

        Columns, after the group keys:

        - ``n_plans``, ``n_concerns``, ``n_actions`` (rationale rows not counted);
        - ``theme_<t>``: share of the group's concerns tagged with theme ``t``;
        - ``smart_mean``: mean SMART score (0-5) of the actions; ``smart_S_rate`` ..
          ``smart_T_rate``: share of actions meeting each criterion (rationale rows
          and rows the scorer marks not applicable are excluded);
        - ``owner_<category>``: share of all owners named in the group's actions that
          fall in each category of :data:`actionnlp.corpus.OWNER_CATEGORIES`;
        - ``agreed_rate``, ``partly_agreed_rate``, ``not_agreed_rate``: shares of the
          concerns with a recorded decision (NaN when none has one);
        - ``completed_share``: share of actions whose target status is completed;
        - ``median_months_to_target``: median months from plan submission to target
          date over actions with both (NaN when unknown).

        Shares are NaN when the group has nothing to divide by.

        >>> a = Analysis.read("results")  # doctest: +SKIP
        >>> a.compare(["prison", "year"]).columns[:4].tolist()  # doctest: +SKIP
        ['prison', 'year', 'n_plans', 'n_concerns']
        """
        return compare(self, by)

    # -- persistence -------------------------------------------------------------------

    def to_parquet(self, directory: str | os.PathLike[str]) -> Path:
        """Write each table to ``<directory>/<table>.parquet`` (lists kept as lists)."""
        return _save(self, Path(directory), "parquet")

    def to_csv(self, directory: str | os.PathLike[str]) -> Path:
        """Write each table to ``<directory>/<table>.csv`` (lists and dicts as JSON)."""
        return _save(self, Path(directory), "csv")

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> Analysis:
        """Reload an analysis written by :meth:`to_parquet` or :meth:`to_csv`.

        Nothing is recomputed; list and dict columns and dtypes are restored.

        >>> Analysis.read("results")  # doctest: +SKIP
        Analysis(4 plans, 53 concerns, 208 action rows, 14 problems, 0 errors)
        """
        return _load(Path(directory))

    def report(self, path: str | os.PathLike[str], *, by: str | Sequence[str] = "prison") -> Path:
        """Write one self-contained HTML page: counts, comparison, plots, problems, errors.

        >>> Analysis.read("results").report("results/report.html")  # doctest: +SKIP
        PosixPath('results/report.html')
        """
        return write_report(self, Path(path), by=by)


# -- building the tables ------------------------------------------------------------------


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


def _fill_year(
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


def _with_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
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


def _tag_unique(models: Models, items: list[Any], bar: Any) -> pd.DataFrame:
    """Theme tags of each distinct item (a text or a ``(text, context)`` pair), tagged
    once, in the order of ``items``."""
    import pandas as pd

    unique = list(dict.fromkeys(items))
    parts = []
    for start in range(0, len(unique), _BATCH):
        chunk = unique[start : start + _BATCH]
        parts.append(models.tag_themes(chunk))
        bar.update(len(chunk))
    cols = ["themes", *(f"p_{t}" for t in THEMES)]
    tags = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    position = {item: i for i, item in enumerate(unique)}
    return tags.iloc[[position[item] for item in items]].reset_index(drop=True)


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


def tag_concerns(concerns: pd.DataFrame, models: Models, *, bar: Any = None) -> pd.DataFrame:
    """Add ``themes`` and ``p_<theme>``: each distinct concern text is tagged once."""
    tags = _tag_unique(models, concern_text(concerns), bar or _NoBar())
    out = concerns.reset_index(drop=True).copy()
    for col in tags.columns:
        out[col] = tags[col].to_numpy()
    return out


def _action_items(actions: pd.DataFrame) -> list[tuple[str, str]]:
    """``(action text, concern text with its recommendation)`` per action row."""
    texts = [t if isinstance(t, str) else "" for t in actions["action_text"].tolist()]
    context = concern_text(actions) if "concern_text" in actions else texts
    return list(zip(texts, context, strict=True))


def tag_actions(actions: pd.DataFrame, models: Models, *, bar: Any = None) -> pd.DataFrame:
    """Add ``action_themes`` and ``p_action_<theme>``: each distinct (action text,
    concern) pair is tagged once, the concern (with its recommendation) as context."""
    tags = _tag_unique(models, _action_items(actions), bar or _NoBar())
    out = actions.reset_index(drop=True).copy()
    out["action_themes"] = tags["themes"].to_numpy()
    for t in THEMES:
        out[f"p_action_{t}"] = tags[f"p_{t}"].to_numpy()
    return out


def find_owners(actions: pd.DataFrame, models: Models, *, bar: Any = None) -> pd.DataFrame:
    """Add ``owners``, ``owner_categories`` and ``owner_mentions`` (see the owner model)."""
    # One call: the owner finder collects acronyms per plan itself and parses each
    # distinct (text, acronyms) pair once across plans.
    found = models.find_owners(actions)
    (bar or _NoBar()).update(len(actions))
    return found


def score_smart(actions: pd.DataFrame, models: Models, *, bar: Any = None) -> pd.DataFrame:
    """Add ``smart_S`` .. ``smart_T``, ``p_smart_*``, ``smart_score``, ``smart_evidence``,
    ``smart_applicable`` (False for rationale rows)."""
    scored = models.score_smart(actions)  # one pass: each distinct text embedded once
    (bar or _NoBar()).update(len(actions))
    return scored


def add_months_to_target(actions: pd.DataFrame) -> pd.DataFrame:
    """Add ``months_to_target``: months from ``plan_submitted`` to ``target_date``.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"plan_submitted": pd.to_datetime(["2024-01-01"]),
    ...                   "target_date": pd.to_datetime(["2024-07-01"])})
    >>> round(float(add_months_to_target(f).months_to_target[0]), 1)
    6.0
    """
    import pandas as pd

    out = actions.copy()
    start = pd.to_datetime(out.get("plan_submitted"))
    end = pd.to_datetime(out.get("target_date"))
    if start is None or end is None:
        out["months_to_target"] = float("nan")
        return out
    out["months_to_target"] = (end - start).dt.days / DAYS_PER_MONTH
    return out


class _NoBar:
    total = 0

    def update(self, n: int = 1) -> None:
        """Ignore progress."""

    def refresh(self) -> None:
        """Ignore progress."""

    def set_description(self, desc: str) -> None:
        """Ignore progress."""


# -- analyze ------------------------------------------------------------------------------


def analyze(
    source: str
    | os.PathLike[str]
    | Iterable[str | os.PathLike[str]]
    | Sequence[ActionPlan]
    | pd.DataFrame,
    *,
    models: Models | None = None,
    n_jobs: int = 1,
    progress: bool = True,
) -> Analysis:
    """Read (or take) plans, tag themes, find owners and score SMART in one pass.

    ``source`` is a file, a folder, a list of paths (read with
    :func:`~actionnlp.read_plans`; unreadable files become rows of ``errors``), a
    list of :class:`~actionnlp.ActionPlan`, or a researcher's own actions table
    with :data:`REQUIRED_COLUMNS` (see :func:`frames_from_table`). ``models``
    defaults to :func:`actionnlp.registry.load` with the on-disk embedding and result
    caches (:mod:`actionnlp.embed_cache`, :mod:`actionnlp.result_cache`). Each
    distinct concern text is tagged once, and each distinct (action text, concern)
    pair: an action's themes are read with its concern as context.

    ``n_jobs`` runs through joblib: files are read in parallel, and the plans are
    split into one group per worker for scoring (results in the same row order as
    with ``n_jobs=1``). Workers use ``models`` (sent to them) or, when it is None,
    load the shipped models once per process; any joblib backend (loky, threads,
    dask, ray) works without code changes.

    >>> import actionnlp
    >>> result = actionnlp.analyze(actionnlp.sample_paths())  # doctest: +SKIP
    >>> result  # doctest: +SKIP
    Analysis(4 plans, 53 concerns, 208 action rows, 14 problems, 0 errors)
    """
    import pandas as pd
    from tqdm.auto import tqdm

    from actionnlp.plan import ActionPlan

    errors = pd.DataFrame(columns=ERROR_COLUMNS)
    if isinstance(source, pd.DataFrame):
        plans, concerns, actions, problems = frames_from_table(source)
    else:
        items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
        if items and all(isinstance(x, ActionPlan) for x in items):
            read = items
        elif any(isinstance(x, ActionPlan) for x in items):
            raise TypeError("give either paths or ActionPlan objects, not a mix")
        else:
            from actionnlp.read.api import read_plans

            read, errors = read_plans(items, n_jobs=n_jobs, progress=progress)
        plans, concerns, actions, problems = frames_from_plans(read)  # type: ignore[arg-type]
    if not actions.empty:
        actions = add_months_to_target(actions)
    if "target_date" in actions.columns:
        plans, concerns, actions, problems = _fill_year(plans, concerns, actions, problems)
    groups = _plan_groups(concerns, actions, n_jobs)
    if len(groups) > 1:
        concerns, actions = _score_parallel(concerns, actions, groups, models, n_jobs, progress)
    else:
        models = _default_models() if models is None else models
        total = _progress_total(concerns, actions) if progress else 0
        with tqdm(total=total, desc="scoring", unit="text", disable=not progress) as bar:
            concerns, actions = _score(concerns, actions, models, bar)
    tables = [plans, concerns, actions, problems, errors.reset_index(drop=True)]
    return Analysis(*(_with_dtypes(t) for t in tables))


def _progress_total(concerns: pd.DataFrame, actions: pd.DataFrame) -> int:
    """Steps of the progress bar: distinct concern texts and (action, concern) pairs
    tagged, then every action row for owners and for SMART."""
    n_texts = len(set(concern_text(concerns))) if not concerns.empty else 0
    n_items = len(set(_action_items(actions))) if len(actions) else 0
    return n_texts + n_items + 2 * len(actions)


def _score(
    concerns: pd.DataFrame, actions: pd.DataFrame, models: Models, bar: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every model stage over ``concerns`` and ``actions`` (in this process)."""
    _prefetch(concerns, actions, models, bar)
    if not concerns.empty:
        bar.set_description("tagging concern themes")
        concerns = tag_concerns(concerns, models, bar=bar)
    if len(actions):
        bar.set_description("tagging action themes")
        actions = tag_actions(actions, models, bar=bar)
        bar.set_description("finding owners")
        actions = find_owners(actions, models, bar=bar)
        bar.set_description("scoring SMART")
        actions = score_smart(actions, models, bar=bar)
    return concerns, actions


#: Texts per embedding call when every text is embedded up front (sorted by length).
_PREFETCH = 256


def _prefetch(concerns: pd.DataFrame, actions: pd.DataFrame, models: Models, bar: Any) -> None:
    """Embed every distinct text the stages will ask for, up front, shortest first.

    One length-sorted pass pads each batch least (embedding stage by stage costs
    about 20 % more); the stages then find every vector in memory
    (:func:`~actionnlp.embed.embed_texts`). Skipped when the models do not say
    which texts they need, or when there are more texts than the in-memory store
    keeps.
    """
    from actionnlp.embed import MEMO_SIZE, embed_texts

    tagger = getattr(models, "theme_tagger", None)
    scorer = getattr(models, "smart_scorer", None)
    if not hasattr(tagger, "texts_to_embed") or not hasattr(scorer, "texts_to_embed"):
        return
    texts: list[str] = []
    if not concerns.empty:
        texts += tagger.texts_to_embed(concern_text(concerns))
    if len(actions):
        texts += tagger.texts_to_embed(_action_items(actions))
        texts += scorer.texts_to_embed(actions)
    distinct = sorted(set(texts), key=lambda t: (len(t), t))
    if not distinct or len(distinct) > MEMO_SIZE:
        return
    bar.set_description("embedding texts")
    bar.total += len(distinct)
    bar.refresh()
    embedder = models.get_embedder()
    for start in range(0, len(distinct), _PREFETCH):
        chunk = distinct[start : start + _PREFETCH]
        embed_texts(chunk, embedder)
        bar.update(len(chunk))


def _default_models() -> Models:
    """The shipped models (verified) with the on-disk embedding and result caches."""
    from actionnlp.embed import default_embedder
    from actionnlp.embed_cache import CachedEmbedder
    from actionnlp.registry import load
    from actionnlp.result_cache import ResultCache

    return load(embedder=CachedEmbedder(default_embedder()), results=ResultCache())


_WORKER_MODELS: dict[str, Models] = {}
_WORKER_LOCK = threading.Lock()


def _worker_models() -> Models:
    """:func:`_default_models` loaded once per joblib worker process and kept there."""
    with _WORKER_LOCK:
        if "default" not in _WORKER_MODELS:
            _WORKER_MODELS["default"] = _default_models()
        return _WORKER_MODELS["default"]


def _plan_groups(concerns: pd.DataFrame, actions: pd.DataFrame, n_jobs: int) -> list[list[Any]]:
    """Plans (``source`` values) split into one group per joblib worker, balanced by
    rows; a single group when ``n_jobs`` is 1 or there is one plan."""
    from joblib import effective_n_jobs

    sizes: dict[Any, int] = {}
    for frame in (concerns, actions):
        if len(frame) and "source" not in frame.columns:
            return [[]]  # rows that name no plan: score everything in this process
        if "source" in frame.columns:
            for source, n in _plan_keys(frame).value_counts(sort=False).items():
                sizes[source] = sizes.get(source, 0) + int(n)
    k = min(effective_n_jobs(n_jobs), len(sizes))
    if k <= 1:
        return [list(sizes)]
    groups: list[list[Any]] = [[] for _ in range(k)]
    load = [0] * k
    for source, n in sorted(sizes.items(), key=lambda kv: -kv[1]):
        i = load.index(min(load))
        groups[i].append(source)
        load[i] += n
    return groups


_NO_SOURCE = "<no source>"


def _plan_keys(frame: pd.DataFrame) -> pd.Series:
    """``source`` per row as a grouping key (missing sources share one key).

    >>> import pandas as pd
    >>> _plan_keys(pd.DataFrame({"source": ["a", None]})).tolist()
    ['a', '<no source>']
    """
    source = frame["source"].astype(object)
    return source.where(source.notna(), _NO_SOURCE)


def _score_part(
    concerns: pd.DataFrame, actions: pd.DataFrame, models: Models | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run in a joblib worker: score one group of plans."""
    return _score(concerns, actions, models or _worker_models(), _NoBar())


def _score_parallel(
    concerns: pd.DataFrame,
    actions: pd.DataFrame,
    groups: list[list[Any]],
    models: Models | None,
    n_jobs: int,
    progress: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score each group of plans in a joblib worker; rows come back in their order.

    Workers given no ``models`` load the shipped ones once per process (verified, with
    the shared on-disk embedding and result caches), so any joblib backend works.
    """
    import pandas as pd
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    concerns = concerns.reset_index(drop=True).assign(_row=lambda f: range(len(f)))
    actions = actions.reset_index(drop=True).assign(_row=lambda f: range(len(f)))

    def part(frame: pd.DataFrame, group: list[Any]) -> pd.DataFrame:
        if "source" not in frame.columns:
            return frame.iloc[:0]
        return frame[_plan_keys(frame).isin(group).to_numpy()]

    parts = [(part(concerns, g), part(actions, g)) for g in groups]
    jobs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_score_part)(c, a, models) for c, a in parts
    )
    done_c, done_a = [], []
    total = len(concerns) + len(actions)
    with tqdm(total=total, desc="scoring plans", unit="row", disable=not progress) as bar:
        for c, a in jobs:
            done_c.append(c)
            done_a.append(a)
            bar.update(len(c) + len(a))

    def merged(frames: list[pd.DataFrame], original: pd.DataFrame) -> pd.DataFrame:
        kept = [f for f in frames if len(f)]
        if not kept:  # no rows of this kind: nothing was scored, as in one process
            return original.drop(columns="_row")
        out = pd.concat(kept, ignore_index=True).sort_values("_row", kind="stable")
        if len(out) != len(original):
            raise RuntimeError(f"parallel scoring returned {len(out)} of {len(original)} rows")
        return out.drop(columns="_row").reset_index(drop=True)

    return merged(done_c, concerns), merged(done_a, actions)


# -- compare ------------------------------------------------------------------------------


def _share(values: pd.Series) -> float:
    """Mean of a boolean/0-1 series, NaN when empty."""
    return float(values.mean()) if len(values) else float("nan")


def _scored(actions: pd.DataFrame) -> pd.DataFrame:
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
    actions = keyed(_scored(analysis.actions)) if not analysis.actions.empty else None
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


def _is_nested(series: pd.Series) -> bool:
    return any(isinstance(v, (list, dict, tuple)) for v in series)


def _plain(value: Any) -> Any:
    """Lists, dicts and numpy arrays as plain Python containers (for JSON/equality)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _save(analysis: Analysis, directory: Path, fmt: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"format": fmt, "tables": {}}
    for name, frame in analysis.tables().items():
        nested = [c for c in frame.columns if frame[c].dtype == object and _is_nested(frame[c])]
        out = frame.copy()
        for col in nested:
            out[col] = [json.dumps(_plain(v), ensure_ascii=False) for v in out[col]]
        path = directory / f"{name}.{fmt}"
        if fmt == "parquet":
            out.to_parquet(path, index=False)
        else:
            out.to_csv(path, index=False)
        manifest["tables"][name] = {
            "columns": list(frame.columns),
            "dtypes": {c: str(frame[c].dtype) for c in frame.columns},
            "json": nested,
        }
    (directory / _MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return directory


def _load(directory: Path) -> Analysis:
    import pandas as pd

    meta_path = directory / _MANIFEST
    if not meta_path.is_file():
        raise FileNotFoundError(f"{directory} holds no saved analysis (no {_MANIFEST})")
    manifest = json.loads(meta_path.read_text(encoding="utf-8"))
    fmt = manifest["format"]
    tables = {}
    for name in TABLES:
        meta = manifest["tables"][name]
        path = directory / f"{name}.{fmt}"
        if fmt == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)
        for col, dtype in meta["dtypes"].items():
            if col in meta["json"]:
                frame[col] = [json.loads(v) if isinstance(v, str) else v for v in frame[col]]
            elif dtype.startswith("datetime64"):
                frame[col] = pd.to_datetime(frame[col]).astype(dtype)
            elif dtype == "bool":
                frame[col] = frame[col].map(lambda v: v if isinstance(v, bool) else v == "True")
            elif dtype == "object":
                values = [None if isinstance(v, float) and v != v else v for v in frame[col]]
                frame[col] = pd.Series(values, index=frame.index, dtype=object)
            else:
                frame[col] = frame[col].astype(dtype)
        tables[name] = frame[meta["columns"]] if meta["columns"] else frame
    return Analysis(**tables)


# -- report -------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;
padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right;vertical-align:top}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
td.text{text-align:left}
.scroll{overflow-x:auto}.summary td{text-align:left}
img{max-width:100%;height:auto;display:block;margin:1rem 0}
.none{color:#777}
"""


def _png(fig: Any) -> str:
    """A Figure as a ``data:image/png;base64,...`` URI."""
    import base64
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _table_html(frame: pd.DataFrame) -> str:
    import pandas as pd

    frame = frame.copy()
    for col in frame.columns:  # nullable dtypes print <NA>, which na_rep does not catch
        if pd.api.types.is_extension_array_dtype(frame[col]):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), "–")
    text = frame.to_html(index=False, na_rep="–", float_format=lambda v: f"{v:.2f}", border=0)
    return f'<div class="scroll">{text}</div>'


def report_html(analysis: Analysis, *, by: str | Sequence[str] = "prison") -> str:
    """The self-contained HTML page of :meth:`Analysis.report` (plots as data: URIs)."""
    from html import escape

    from actionnlp import plots

    a = analysis
    n_actions = int((a.actions["kind"] != "rationale").sum()) if "kind" in a.actions else 0
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>actionnlp report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Action plans: themes, owners and SMART scores</h1>",
        '<table class="summary">',
        *(
            f"<tr><th>{escape(k)}</th><td>{v}</td></tr>"
            for k, v in (
                ("Plans read", len(a.plans)),
                ("Concerns", len(a.concerns)),
                ("Actions (rationale rows excluded)", n_actions),
                ("Reconciliation problems", len(a.problems)),
                ("Files that could not be read", len(a.errors)),
            )
        ),
        "</table>",
        "<h2>Plans</h2>",
        _table_html(a.plans.drop(columns=["source"]).assign(source=a.plans["source"])),
        f"<h2>Comparison by {escape(', '.join([by] if isinstance(by, str) else by))}</h2>",
        "<p>Shares are fractions (0–1); <code>theme_*</code> of concerns, <code>smart_*</code> "
        "of actions, <code>owner_*</code> of named owners, agreement rates of concerns with a "
        "decision. – means not available.</p>",
        _table_html(a.compare(by)),
        "<h2>Plots</h2>",
    ]
    for name in ("theme_heatmap", "smart_by_prison", "owner_categories", "target_horizon"):
        fig = getattr(plots, name)(a)
        alt = escape(fig.axes[0].get_title() if fig.axes else name)
        parts.append(f'<img alt="{alt}" src="{_png(fig)}">')
    parts.append("<h2>Reconciliation problems</h2>")
    if a.problems.empty:
        parts.append('<p class="none">None: every plan reconciled cleanly.</p>')
    for source, probs in a.problems.groupby("source", sort=False):
        prison = probs["prison"].dropna()
        title = prison.iloc[0] if len(prison) else source
        parts.append(f"<h3>{escape(str(title))} <small>({escape(str(source))})</small></h3><ul>")
        for p in probs.itertuples():
            cid = p.concern_id
            where = f" (concern {escape(cid)})" if isinstance(cid, str) and cid else ""
            extra = f": <q>{escape(str(p.text))}</q>" if isinstance(p.text, str) else ""
            parts.append(f"<li><b>{escape(p.kind)}</b>{where}: {escape(p.message)}{extra}</li>")
        parts.append("</ul>")
    parts.append("<h2>Files that could not be read</h2>")
    if a.errors.empty:
        parts.append('<p class="none">None.</p>')
    else:
        parts.append(_table_html(a.errors))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(analysis: Analysis, path: Path, *, by: str | Sequence[str] = "prison") -> Path:
    """Write :func:`report_html` to ``path`` (parent folders are created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_html(analysis, by=by), encoding="utf-8")
    return path
