"""Validate the models against a researcher's hand coding, and retrain on it.

``coding_sheet`` -> ``write_sheet`` (XLSX + CSV for the researcher to fill) ->
``read_sheet`` -> ``agreement`` (kappa and F1 per theme, SMART criterion and owner
category, with bootstrap intervals) -> ``train_on_labels`` (verified artifacts that
:func:`actionnlp.load` reads). See ``docs/validation.md``.
"""

from __future__ import annotations

from actionnlp.validation.agreement import agreement, agreement_html, write_agreement
from actionnlp.validation.retrain import SHIPPED_CORPUS, labelled_frames, train_on_labels
from actionnlp.validation.sheets import coded_themes, coding_sheet, read_sheet, write_sheet

__all__ = [
    "SHIPPED_CORPUS",
    "agreement",
    "agreement_html",
    "coded_themes",
    "coding_sheet",
    "labelled_frames",
    "read_sheet",
    "train_on_labels",
    "write_agreement",
    "write_sheet",
]
