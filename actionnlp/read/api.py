"""``read_plan`` and ``read_plans``: documents in, reconciled ActionPlans out."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from actionnlp.errors import (
    ActionPlanError,
    EmptyDocumentError,
    NotAnActionPlanError,
    UnsupportedFormatError,
)
from actionnlp.plan import ActionPlan, Problem
from actionnlp.read.files import check_regular, read_bounded
from actionnlp.read.limits import Limits, current_limits
from actionnlp.read.meta import (
    PlanMeta,
    cover_meta,
    looks_like_action_plan,
    read_meta,
    read_stated_totals,
)
from actionnlp.read.reconcile import reconcile
from actionnlp.read.segment import RawRow, build_concerns
from actionnlp.read.text import split_text, table_rows

__all__ = ["SUFFIXES", "decode", "plan_from_rows", "read_plan", "read_plans"]

SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".txt", ".md", ".text", ".tsv")


def decode(data: bytes) -> str:
    """Decode leniently: UTF-8 (with or without BOM), UTF-16 by BOM, else cp1252.

    >>> decode("Governor’s".encode("utf-8")), decode(b"caf\\xe9")
    ('Governor’s', 'café')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def plan_from_rows(
    opening: str,
    rows: list[RawRow],
    *,
    tail: str = "",
    source: str | None = None,
    layout: str | None = None,
    era: str | None = None,
) -> ActionPlan:
    """Assemble, reconcile and return a plan from a reader's rows."""
    meta = read_meta(opening)
    concerns, problems = build_concerns(rows)
    if era is None:
        era = "recommendations" if any(c.agreement for c in concerns) else "concerns"
    plan = ActionPlan(
        prison=meta.prison,
        plan_submitted=meta.plan_submitted,
        report_published=meta.report_published,
        inspection_dates=meta.inspection_dates,
        era=era,  # type: ignore[arg-type]
        stated_totals=read_stated_totals(tail) or read_stated_totals(opening),
        concerns=concerns,
        problems=problems,
        source=source,
        layout=layout,
    )
    plan.problems.extend(reconcile(plan))
    return plan


def _read_text(text: str, source: str | None) -> ActionPlan:
    if not text.strip():
        raise EmptyDocumentError("the document is empty or holds only white space", source)
    split = split_text(text)
    if split is None:
        if (cover := cover_meta(text)) is not None:  # a cover whose table is missing
            why = (
                "the cover of an action plan, but no plan table (no header row naming "
                "concerns, responses, owners and target dates): the table is missing or cut off"
            )
            return _partial(cover, "no_table", why, source)
        why = (
            "no action-plan table found (no header row naming concerns, responses, owners "
            "and target dates)"
        )
        if not looks_like_action_plan(text):
            why = "this does not look like an action plan: " + why
        raise NotAnActionPlanError(why, source)
    rows, layout = table_rows(split), split.layout
    era = "recommendations" if split.columns and "agreement" in split.columns.roles else None
    plan = plan_from_rows(
        split.opening, rows, tail=split.tail, source=source, layout=layout, era=era
    )
    if not plan.concerns:
        if (cover := cover_meta(split.opening or text)) is not None:
            why = "the plan table stops after its header, before the first concern: cut off"
            return _partial(cover, "truncated", why, source)
        raise NotAnActionPlanError("a table header was found but no numbered concerns", source)
    return plan


def _partial(meta: PlanMeta, kind: str, why: str, source: str | None) -> ActionPlan:
    """A plan with its cover's metadata, no concerns, and the problem saying why."""
    return ActionPlan(
        prison=meta.prison,
        plan_submitted=meta.plan_submitted,
        report_published=meta.report_published,
        inspection_dates=meta.inspection_dates,
        problems=[Problem(kind, None, why)],
        source=source,
        layout="cover",
    )


def read_plan(
    path: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    limits: Limits | None = None,
) -> ActionPlan:
    """Read one action plan from a file (.pdf .docx .html .htm .txt .md) or from text.

    Raises a subclass of :class:`~actionnlp.errors.ActionPlanError` naming the file
    and what is wrong with it. Only regular files are read, within the byte, page and
    character budgets of ``limits`` (default :func:`~actionnlp.read.limits.current_limits`).
    This reads in the calling process: the time and memory budgets are enforced by
    :func:`read_plans`, which reads each file in a worker process it can kill.

    >>> from actionnlp.data import sample_paths
    >>> plan = read_plan(sample_paths()[0])
    >>> plan.prison, len(plan.concerns) > 0
    ('HMP Littlehey', True)
    """
    if (path is None) == (text is None):
        raise TypeError("give exactly one of path or text=")
    if text is not None:
        return _read_text(text, None)
    limits = current_limits() if limits is None else limits
    p = Path(path)  # type: ignore[arg-type]
    try:
        return _read_file(p, limits)
    except ActionPlanError:
        raise
    except Exception as err:  # RecursionError, MemoryError, a reader bug: named errors
        from actionnlp.read.worker import as_library_error

        raise as_library_error(err, p, limits) from err


def _read_file(p: Path, limits: Limits) -> ActionPlan:
    check_regular(p)
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFormatError(
            f"unsupported file type {suffix or '(none)'!r}; expected one of {', '.join(SUFFIXES)}",
            p,
        )
    if suffix == ".pdf":
        from actionnlp.read.pdf import read_pdf

        return read_pdf(p, limits=limits)
    if suffix == ".docx":
        from actionnlp.read.docx import read_docx

        return read_docx(p, limits=limits)
    raw = read_bounded(p, limits.text_bytes)
    if suffix in (".html", ".htm"):
        from actionnlp.read.html import read_html

        return read_html(decode(raw), source=str(p))
    return _read_text(decode(raw), str(p))


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
