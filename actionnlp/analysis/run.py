"""``analyze``: the model stages, orchestration and parallel scoring."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from actionnlp.analysis.recurring import mark_repeated
from actionnlp.analysis.result import ERROR_COLUMNS, Analysis
from actionnlp.analysis.tables import (
    concern_text,
    fill_year,
    frames_from_plans,
    frames_from_table,
    with_dtypes,
    with_establishments,
)

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.loading import Models
    from actionnlp.plan import ActionPlan
DAYS_PER_MONTH = 365.25 / 12


def tag_concerns(concerns: pd.DataFrame, models: Models, *, bar: Any = None) -> pd.DataFrame:
    """Add ``themes`` and ``p_<theme>``: each distinct concern text is tagged once."""
    tags = models.tag_themes(concern_text(concerns))
    (bar or _NoBar()).update(len(concerns))
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
    tags = models.tag_themes(_action_items(actions))
    (bar or _NoBar()).update(len(actions))
    out = actions.reset_index(drop=True).copy()
    out["action_themes"] = tags["themes"].to_numpy()
    for col in [c for c in tags.columns if c.startswith("p_")]:  # the tagger's own themes
        out[f"p_action_{col[2:]}"] = tags[col].to_numpy()
    return out


def find_owners(actions: pd.DataFrame, models: Models, *, bar: Any = None) -> pd.DataFrame:
    """Add ``owners``, ``owner_categories`` and ``owner_mentions`` (see the owner model)."""
    # One call: the owner finder collects acronyms per plan itself and parses each
    # distinct (text, acronyms) pair once across plans.
    found = models.find_owners(actions)
    (bar or _NoBar()).update(len(actions))
    if "owner_parts" in found.columns:  # the reader's split cell gives way to the owners
        columns = [c for c in found.columns if c != "owners"]
        columns[columns.index("owner_parts")] = "owners"
        found = found[columns]
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


def parse_tables(
    source: str
    | os.PathLike[str]
    | Iterable[str | os.PathLike[str]]
    | Sequence[ActionPlan]
    | pd.DataFrame,
    *,
    columns: dict[str, str] | None = None,
    n_jobs: int = 1,
    progress: bool = True,
) -> Analysis:
    """The five tables of ``source`` before any model (what ``actionnlp parse`` writes).

    ``source`` is as for :func:`analyze`. Prison names are made canonical and the
    establishment columns added (:mod:`actionnlp.prisons`); years are filled and plans
    without a submission date get a ``missing_metadata`` problem. Warns
    (:class:`UserWarning`) when nothing was read.

    >>> import actionnlp
    >>> parse_tables(actionnlp.sample_paths()[:1], progress=False).plans.prison.tolist()
    ['HMP Littlehey']
    """
    import warnings

    import pandas as pd

    from actionnlp.plan import ActionPlan

    errors = pd.DataFrame(columns=ERROR_COLUMNS)
    if isinstance(source, pd.DataFrame):
        plans, concerns, actions, problems = frames_from_table(source, columns)
    else:
        items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
        if items and all(isinstance(x, ActionPlan) for x in items):
            read = items
        elif any(isinstance(x, ActionPlan) for x in items):
            raise TypeError("give either paths or ActionPlan objects, not a mix")
        else:
            from actionnlp.read import read_plans

            read, errors = read_plans(items, n_jobs=n_jobs, progress=progress)
        plans, concerns, actions, problems = frames_from_plans(read)  # type: ignore[arg-type]
        if not read:
            warnings.warn(
                f"no plan was read from {_describe(items)}"
                + (f"; {len(errors)} file(s) failed (see .errors)" if len(errors) else ""),
                UserWarning,
                stacklevel=2,
            )
    if not actions.empty:
        actions = add_months_to_target(actions)
    concerns = mark_repeated(concerns)  # repeated, repeated_from: HMIP's own marks
    if "target_date" in actions.columns:
        plans, concerns, actions, problems = fill_year(plans, concerns, actions, problems)
    plans, concerns, actions, problems = with_establishments(plans, concerns, actions, problems)
    tables = [plans, concerns, actions, problems, errors.reset_index(drop=True)]
    return Analysis(*(with_dtypes(t) for t in tables))


def _describe(items: list[Any]) -> str:
    if not items:
        return "an empty list"
    shown = ", ".join(repr(str(x)) for x in items[:3])
    return shown + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def analyze(
    source: str
    | os.PathLike[str]
    | Iterable[str | os.PathLike[str]]
    | Sequence[ActionPlan]
    | pd.DataFrame,
    *,
    models: Models | None = None,
    columns: dict[str, str] | None = None,
    n_jobs: int = 1,
    progress: bool = True,
) -> Analysis:
    """Read (or take) plans, tag themes, find owners and score SMART in one pass.

    ``source`` is a file, a folder, a list of paths (read with
    :func:`~actionnlp.read_plans`; unreadable files become rows of ``errors``), a
    list of :class:`~actionnlp.ActionPlan`, or a researcher's own actions table
    with :data:`REQUIRED_COLUMNS` (see :func:`frames_from_table`; ``columns`` maps
    the table's own column names to those, ``{"their name": "our name"}``). ``models``
    defaults to :func:`actionnlp.loading.load` with the on-disk embedding and result
    caches (:mod:`actionnlp.cache`). Each
    distinct concern text is tagged once, and each distinct (action text, concern)
    pair: an action's themes are read with its concern as context. Warns when
    nothing was read (an empty folder, paths that do not exist).

    ``n_jobs`` runs through joblib: files are read in parallel, and the plans are
    split into one group per worker for scoring (results in the same row order as
    with ``n_jobs=1``). Workers use ``models`` (sent to them) or, when it is None,
    load the shipped models once per process; any joblib backend (loky, threads,
    dask, ray) works without code changes.

    >>> import actionnlp
    >>> result = actionnlp.analyze(actionnlp.sample_paths())  # doctest: +SKIP
    >>> result  # doctest: +SKIP
    Analysis(4 plans, 53 concerns, 208 action rows, 15 problems, 0 errors)
    """
    from tqdm.auto import tqdm

    base = parse_tables(source, columns=columns, n_jobs=n_jobs, progress=progress)
    concerns, actions = base.concerns, base.actions
    groups = _plan_groups(concerns, actions, n_jobs)
    if len(groups) > 1:
        concerns, actions = _score_parallel(concerns, actions, groups, models, n_jobs, progress)
    else:
        models = _default_models() if models is None else models
        texts = _texts_to_embed(concerns, actions, models)
        total = _progress_total(concerns, actions) + len(texts) if progress else 0
        with tqdm(total=total, desc="scoring", unit="text", disable=not progress) as bar:
            concerns, actions = _score(concerns, actions, models, bar, texts)
    tables = [base.plans, concerns, actions, base.problems, base.errors]
    return Analysis(*(with_dtypes(t) for t in tables))


def _progress_total(concerns: pd.DataFrame, actions: pd.DataFrame) -> int:
    """Steps of the progress bar: concern rows tagged, then every action row tagged, for
    owners and for SMART (texts embedded up front are added by the caller)."""
    return len(concerns) + 3 * len(actions)


def _score(
    concerns: pd.DataFrame,
    actions: pd.DataFrame,
    models: Models,
    bar: Any,
    texts: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every model stage over ``concerns`` and ``actions`` (in this process). The texts
    the models embed (``texts``, default :func:`_texts_to_embed`) are embedded first, in
    one length-sorted pass (:meth:`~actionnlp.loading.Models.prefetch`); stage by stage
    costs about 20 % more."""
    if texts is None:
        texts = _texts_to_embed(concerns, actions, models)
    if texts:
        bar.set_description("embedding texts")
        models.prefetch(texts, progress=bar.update)
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


def _texts_to_embed(concerns: pd.DataFrame, actions: pd.DataFrame, models: Models) -> list[str]:
    """Every distinct text the stages will embed (asked of the models), shortest first."""
    items: list[Any] = []
    if not concerns.empty:
        items += concern_text(concerns)
    if len(actions):
        items += _action_items(actions)
    return models.texts_to_embed(items, actions if len(actions) else None)


def _default_models() -> Models:
    """The shipped models (verified) with the on-disk embedding and result caches."""
    from actionnlp.cache import CachedEmbedder, ResultCache
    from actionnlp.embed import default_embedder
    from actionnlp.loading import load

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

    from actionnlp.workers import parallel_options

    concerns = concerns.reset_index(drop=True).assign(_row=lambda f: range(len(f)))
    actions = actions.reset_index(drop=True).assign(_row=lambda f: range(len(f)))

    def part(frame: pd.DataFrame, group: list[Any]) -> pd.DataFrame:
        if "source" not in frame.columns:
            return frame.iloc[:0]
        return frame[_plan_keys(frame).isin(group).to_numpy()]

    parts = [(part(concerns, g), part(actions, g)) for g in groups]
    done_c, done_a = [], []
    total = len(concerns) + len(actions)
    with (
        parallel_options() as options,  # nothing left in /dev/shm, even when killed
        tqdm(total=total, desc="scoring plans", unit="row", disable=not progress) as bar,
    ):
        jobs = Parallel(n_jobs=n_jobs, return_as="generator", **options)(
            delayed(_score_part)(c, a, models) for c, a in parts
        )
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
