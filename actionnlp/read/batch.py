"""``read_plans``: many files (or folders) in, plans and an errors table out.

Each file is read by :func:`~actionnlp.read.api.read_plan` in a worker process of
:mod:`actionnlp.read.worker` under the budgets of :class:`~actionnlp.read.limits.Limits`;
a file that cannot be read becomes a row of ``errors`` and the batch goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from actionnlp.read.api import SUFFIXES
from actionnlp.read.limits import Limits, current_limits

__all__ = ["expand_paths", "read_plans"]


def expand_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files to read: folders are searched (recursively) for supported suffixes."""
    return _expand(paths)[0]


def _expand(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> tuple[list[Path], list[str]]:
    """``(files, notes)``: the files to read and what the caller should be told about
    the rest (empty folders, skipped files, names that exist nowhere)."""
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    out: list[Path] = []
    notes: list[str] = []
    missing: list[str] = []
    if not items:
        notes.append("no paths were given")
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if not f.is_dir())  # FIFOs too: an error row
            kept = [f for f in found if f.suffix.lower() in SUFFIXES]
            skipped = [f for f in found if f.suffix.lower() not in SUFFIXES]
            out.extend(kept)
            if skipped:
                names = ", ".join(f.name for f in skipped[:5])
                more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
                notes.append(
                    f"{p}: skipped {len(skipped)} file(s) of types not read "
                    f"({names}{more}); plans are {', '.join(SUFFIXES)}"
                )
            if not kept:
                notes.append(f"{p}: the folder holds no plan files")
        else:
            out.append(p)
            if not p.exists():
                missing.append(str(item))
    if missing:
        sentence = any(len(m.split()) > 3 for m in missing)
        shown = ", ".join(repr(m[:60]) for m in missing[:3])
        notes.append(
            f"{len(missing)} path(s) do not exist ({shown}"
            + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            + ")"
            + ("; to read text, use read_plan(text=...)" if sentence else "")
        )
    return out, notes


def _read_isolated(files: list[Path], limits: Limits, n_jobs: int, bar) -> list:
    """Each file read by one of ``n_jobs`` long-lived workers (killed on a budget)."""
    from actionnlp.read.worker import Worker

    n = max(1, min(n_jobs if n_jobs > 0 else (os.cpu_count() or 1), len(files)))
    workers = [Worker(limits) for _ in range(n)]
    try:
        if n == 1:
            results = []
            for f in files:
                results.append(workers[0].read(str(f)))
                bar.update()
            return results
        import queue
        from concurrent.futures import ThreadPoolExecutor

        idle: queue.Queue = queue.Queue()
        for w in workers:
            idle.put(w)

        def one(f: Path):
            w = idle.get()
            try:
                return w.read(str(f))
            finally:
                idle.put(w)
                bar.update()

        with ThreadPoolExecutor(max_workers=n) as pool:
            return list(pool.map(one, files))
    finally:
        for w in workers:
            w.close()


def read_plans(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    n_jobs: int = 1,
    progress: bool = True,
    limits: Limits | None = None,
):
    """Read many plans; one bad file becomes a row of ``errors`` and the rest go on.

    Returns ``(plans, errors)``: a list of :class:`ActionPlan` and a DataFrame with
    columns ``source``, ``error``, ``message``. Each file is read in a worker process
    under the budgets of ``limits`` (default :func:`~actionnlp.read.limits.current_limits`):
    a file that takes longer than ``limits.seconds`` or more memory than
    ``limits.memory_mb`` is stopped and becomes a ``BudgetExceededError`` row.
    ``n_jobs`` workers read in parallel (``-1``: one per CPU). ``limits.seconds == 0``
    reads in this process instead (no time or memory budget), through joblib when
    ``n_jobs`` is not 1. Warns (:class:`UserWarning`) about empty folders, files of other
    types skipped in a folder, and paths that do not exist (e.g. sentences passed as paths).

    >>> from actionnlp.data import sample_paths
    >>> plans, errors = read_plans(sample_paths(), progress=False)
    >>> len(plans), len(errors)
    (4, 0)
    """
    import warnings

    import pandas as pd
    from tqdm.auto import tqdm

    from actionnlp.read.worker import read_guarded

    files, notes = _expand(paths)
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    limits = current_limits() if limits is None else limits
    with tqdm(total=len(files), desc="reading plans", unit="plan", disable=not progress) as bar:
        if not files:
            results = []
        elif limits.seconds:
            results = _read_isolated(files, limits, n_jobs, bar)
        elif n_jobs == 1:
            results = []
            for f in files:
                results.append(read_guarded(str(f), limits))
                bar.update()
        else:
            from joblib import Parallel, delayed

            from actionnlp.workers import parallel_options

            with parallel_options() as options:
                results = Parallel(n_jobs=n_jobs, **options)(
                    delayed(read_guarded)(str(f), limits) for f in files
                )
            bar.update(len(files))
    plans = [p for p, _ in results if p is not None]
    errors = pd.DataFrame(
        [e for _, e in results if e is not None], columns=["source", "error", "message"]
    )
    return plans, errors
