"""SMART scoring of response actions: signals, rules from positive evidence, a scorer.

Each action is judged with its concern text, its Responsible Owner cell and its Target
Date cell against the five criteria of the annotation guidelines (section 3): Specific,
Measurable, Achievable, Relevant, Time-bound, each 0 or 1, and each 1 rests on evidence
found for it (:mod:`actionnlp.smart.rules`). Rows SMART does not apply to (a paragraph
explaining a Partly/Not Agreed decision, a refusal) get NA, not a number, so a plain
``groupby("prison").smart_score.mean()`` leaves them out.

* :mod:`~actionnlp.smart.signals`: :func:`extract_signals`, the evidence (patterns kept
  as data in ``resources/smart_patterns.json``);
* :mod:`~actionnlp.smart.rules`: the guideline's definitions, :class:`RuleSmartScorer`
  and :func:`applicability` (the plan's ``kind`` and ``agreement`` columns, or decision
  and refusal language in the text);
* :mod:`~actionnlp.smart.scorer`: :class:`SmartScorer`, the shipped scorer;
* :mod:`~actionnlp.smart.training`: leave-one-prison-out evaluation and the final fit.

>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "action_text": ["Completed.", "A lock will be fitted to the medicines room door.",
...                     "This recommendation is not agreed as we cannot fund it."],
...     "concern_text": ["The medicines room was not secure."] * 3,
...     "owner_raw": ["Governor", "Head of Healthcare", ""],
...     "target_raw": ["Completed", "June 2024", ""]})
>>> out = RuleSmartScorer().fit(frame).annotate(frame)
>>> out["smart_score"].tolist()
[2, 5, <NA>]
>>> out.loc[0, "smart_evidence"]["S"]
'non-answer: no step named'
"""

from actionnlp.smart.rules import RuleSmartScorer, applicability
from actionnlp.smart.scorer import SmartScorer
from actionnlp.smart.signals import (
    FRAME_COLUMNS,
    SIGNAL_GROUPS,
    Signals,
    extract_signals,
    signals_for_frame,
)

__all__ = [
    "FRAME_COLUMNS",
    "SIGNAL_GROUPS",
    "RuleSmartScorer",
    "Signals",
    "SmartScorer",
    "applicability",
    "extract_signals",
    "signals_for_frame",
]
