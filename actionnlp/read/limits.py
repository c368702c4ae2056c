"""Budgets every file is read under: bytes, pages, characters, time and memory.

Each budget is a field of :class:`Limits`. The defaults suit real action plans (a
few hundred KB, tens of pages); each can be overridden by a keyword argument
(``read_plans(paths, limits=Limits(seconds=10))``) or by an environment variable
``ACTIONNLP_READ_<FIELD>`` (e.g. ``ACTIONNLP_READ_SECONDS=10``), which
:func:`current_limits` reads. See ``docs/limits.md``.

>>> Limits(seconds=5).seconds
5.0
>>> current_limits({"ACTIONNLP_READ_MEMORY_MB": "512"}).memory_mb
512
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ENV_PREFIX", "Limits", "current_limits"]

ENV_PREFIX = "ACTIONNLP_READ_"


@dataclass(frozen=True)
class Limits:
    """Per-file reading budgets (a file over any of them becomes an error)."""

    #: Wall-clock seconds a worker may spend on one file (``read_plans``); 0 = no worker.
    seconds: float = 60.0
    #: Address space of the reading worker in MB (``RLIMIT_AS``); 0 = unlimited.
    memory_mb: int = 3072
    #: Bytes read from a text, Markdown or HTML file.
    text_bytes: int = 50_000_000
    #: Bytes read from a PDF file.
    pdf_bytes: int = 100_000_000
    #: Pages of a PDF.
    pdf_pages: int = 300
    #: Characters on one PDF page.
    page_chars: int = 40_000
    #: Characters in a whole PDF.
    pdf_chars: int = 1_500_000
    #: Bytes read from a .docx file.
    docx_bytes: int = 100_000_000
    #: Bytes the parts of a .docx inflate to, counted as they are inflated.
    unzipped_bytes: int = 200_000_000
    #: Compression ratio of a .docx part larger than 1 MB.
    entry_ratio: int = 200
    #: Grid columns of a .docx or HTML table row (spans beyond it are clipped).
    table_columns: int = 64

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            cast = float if f.type in ("float", float) else int
            try:
                value = cast(value)
            except (TypeError, ValueError):
                raise ValueError(f"limit {f.name} must be a number, not {value!r}") from None
            if value < 0:
                raise ValueError(f"limit {f.name} must be >= 0, not {value!r}")
            object.__setattr__(self, f.name, value)

    @property
    def memory_bytes(self) -> int:
        return self.memory_mb * 1024 * 1024


def current_limits(environ: Mapping[str, str] | None = None, **overrides: float) -> Limits:
    """Defaults, then ``ACTIONNLP_READ_*`` environment variables, then ``overrides``."""
    env = os.environ if environ is None else environ
    values: dict[str, float | str] = {}
    for f in dataclasses.fields(Limits):
        key = ENV_PREFIX + f.name.upper()
        if key in env:
            values[f.name] = env[key]
    values.update(overrides)
    return Limits(**values)  # type: ignore[arg-type]
