"""Reading action plans: PDF, DOCX, HTML and text in, :class:`~actionnlp.plan.ActionPlan` out.

The package is layered; every import points down:

* primitives: :mod:`~actionnlp.read.limits`, :mod:`~actionnlp.read.files`,
  :mod:`~actionnlp.read.cells`, :mod:`~actionnlp.read.dates`,
  :mod:`~actionnlp.read.owners_cell`, :mod:`~actionnlp.read.shapes`,
  :mod:`~actionnlp.read.meta`, :mod:`~actionnlp.read.unzip`;
* rows: :mod:`~actionnlp.read.segment` (rows -> concerns and actions),
  :mod:`~actionnlp.read.reconcile`, :mod:`~actionnlp.read.table` (cells, header roles,
  the one header search) and the text layouts (:mod:`~actionnlp.read.columns`,
  :mod:`~actionnlp.read.stream`, :mod:`~actionnlp.read.text`);
* assembly: :mod:`~actionnlp.read.assemble` (:func:`plan_from_rows`,
  :func:`plan_from_table`, :func:`plan_from_text`);
* format readers: :mod:`~actionnlp.read.docx`, :mod:`~actionnlp.read.pdf`,
  :mod:`~actionnlp.read.html`;
* dispatch: :mod:`~actionnlp.read.api` (:func:`read_plan`, by file type);
* batches: :mod:`~actionnlp.read.worker` (budgeted worker processes) and
  :mod:`~actionnlp.read.batch` (:func:`read_plans`).

>>> from actionnlp.read import read_plan
>>> read_plan(text="No\\tConcern\\tResponse\\tOwner\\n1\\tDirty.\\tCleaned.\\tGovernor").layout
'tabular'
"""

from __future__ import annotations

from actionnlp.read.api import SUFFIXES, decode, read_plan
from actionnlp.read.assemble import plan_from_rows, plan_from_table, plan_from_text
from actionnlp.read.batch import expand_paths, read_plans
from actionnlp.read.limits import Limits, current_limits
from actionnlp.read.segment import RawRow

__all__ = [
    "SUFFIXES",
    "Limits",
    "RawRow",
    "current_limits",
    "decode",
    "expand_paths",
    "plan_from_rows",
    "plan_from_table",
    "plan_from_text",
    "read_plan",
    "read_plans",
]
