"""``read_plan``: one document in, a reconciled ActionPlan out, by its file type.

This module only dispatches: a ``.pdf`` goes to :mod:`actionnlp.read.pdf`, a ``.docx``
to :mod:`actionnlp.read.docx`, ``.html`` / ``.htm`` to :mod:`actionnlp.read.html` and
text files to :func:`~actionnlp.read.assemble.plan_from_text`. A failure inside a
reader that is not a library error is named with the file (:func:`as_library_error`).
"""

from __future__ import annotations

import os
from pathlib import Path

from actionnlp.errors import (
    ActionPlanError,
    BudgetExceededError,
    DocumentTooLargeError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)
from actionnlp.plan import ActionPlan
from actionnlp.read.assemble import plan_from_text
from actionnlp.read.files import check_regular, read_bounded
from actionnlp.read.limits import Limits, current_limits

__all__ = ["SUFFIXES", "as_library_error", "decode", "read_plan"]

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


def as_library_error(
    err: Exception, path: str | os.PathLike[str], limits: Limits
) -> ActionPlanError:
    """The library error for a failure inside a reader: memory exhaustion, recursion
    and reader bugs are named with the file, never passed on raw.

    >>> as_library_error(RecursionError(), "plan.pdf", Limits())
    DocumentTooLargeError('plan.pdf: is nested too deeply to read (Python recursion limit)')
    """
    if isinstance(err, ActionPlanError):
        return err
    if isinstance(err, MemoryError):
        budget = f"the {limits.memory_mb} MB memory budget" if limits.memory_mb else "memory"
        return BudgetExceededError(f"ran out of {budget} while being read (memory_mb)", path)
    if isinstance(err, RecursionError):
        return DocumentTooLargeError("is nested too deeply to read (Python recursion limit)", path)
    return UnreadableDocumentError(f"unexpected {type(err).__name__} while reading: {err}", path)


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
    :func:`~actionnlp.read.batch.read_plans`, which reads each file in a worker
    process it can kill.

    >>> from actionnlp.data import sample_paths
    >>> plan = read_plan(sample_paths()[0])
    >>> plan.prison, len(plan.concerns) > 0
    ('HMP Littlehey', True)
    """
    if (path is None) == (text is None):
        raise TypeError("give exactly one of path or text=")
    if text is not None:
        return plan_from_text(text, None)
    limits = current_limits() if limits is None else limits
    p = Path(path)  # type: ignore[arg-type]
    try:
        return _read_file(p, limits)
    except ActionPlanError:
        raise
    except Exception as err:  # RecursionError, MemoryError, a reader bug: named errors
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
    return plan_from_text(decode(raw), str(p))
