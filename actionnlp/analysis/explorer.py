"""Data of the report's action-level explorer: every action as plain JSON.

The report embeds :func:`explorer_data` in a ``<script type="application/json">``
(written by :func:`script_json`, which escapes ``<``, ``>`` and ``&`` so no text can
close the element) and the explorer's vanilla JavaScript
(``actionnlp/analysis/resources/report.js``) renders, filters, sorts and pages it.

>>> evidence_spans("Audit cells monthly.", {"M": "frequency: 'monthly'"})
[[12, 19, 'M']]
>>> script_json({"t": "</script>"})
'{"t":"\\\\u003c/script\\\\u003e"}'
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from actionnlp.labels import OWNER_CATEGORIES, SMART_KEYS, THEMES

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.result import Analysis

__all__ = ["evidence_spans", "explorer_data", "metric_filter", "script_json"]

_QUOTED = re.compile(r"'([^']{1,200})'|\"([^\"]{1,200})\"")
_LABELLED = re.compile(r"(?:^|;)\s*[\w ]{1,40}:\s*([^;']{2,120})")
_MAX_TEXT = 20_000  # characters of an action searched for evidence


def _quotes(evidence: str) -> list[str]:
    """The words an evidence string cites: its quoted parts, else its ``label: value``s."""
    quoted = [a or b for a, b in _QUOTED.findall(evidence)]
    labelled = [v.strip() for v in _LABELLED.findall(evidence)]
    return [q for q in quoted + labelled if len(q.strip()) >= 2]


def evidence_spans(text: str, evidence: Mapping[str, Any] | None) -> list[list[Any]]:
    """Where each criterion's evidence is quoted in ``text``: ``[start, end, criterion]``.

    Quotes are matched case-insensitively, the first occurrence of each, and a quote
    that stops inside a word (a stem, as R cites) is extended to the end of the word.
    Spans come sorted and do not overlap (an earlier span wins). Evidence naming a field
    rather than words of the text (a target date, say) gives no span.

    >>> evidence_spans("Staff will be trained.", {"S": "step: 'trained'"})
    [[14, 21, 'S']]
    >>> evidence_spans("Health care services.", {"R": "shares 'servic'"})
    [[12, 20, 'R']]
    """
    if not isinstance(text, str) or not evidence:
        return []
    hay = text[:_MAX_TEXT].lower()
    found = []
    for key, value in evidence.items():
        if not isinstance(value, str):
            continue
        for quote in _quotes(value):
            start = hay.find(quote.lower())
            if start < 0:
                continue
            end = start + len(quote)
            while (
                end < len(hay)
                and (hay[end].isalnum() or hay[end] == "_")
                and hay[end - 1].isalnum()
            ):
                end += 1
            found.append([start, end, str(key)])
    found.sort(key=lambda s: (s[0], -s[1]))
    spans: list[list[Any]] = []
    for span in found:
        if not spans or span[0] >= spans[-1][1]:
            spans.append(span)
    return spans


def script_json(data: Any) -> str:
    """``data`` as JSON safe inside a ``<script>`` element (``<``, ``>``, ``&`` escaped)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def metric_filter(column: str) -> dict[str, str]:
    """The explorer filter that selects the actions behind a comparison figure.

    >>> metric_filter("theme_drugs"), metric_filter("smart_S_rate")
    ({'theme': 'drugs'}, {'smart': 'S1', 'counted': '1'})
    """
    for t in THEMES:
        if column in (f"theme_{t}", f"theme_{t}_expected"):
            return {"theme": t}
    for k in SMART_KEYS:
        if column in (f"smart_{k}_rate", f"smart_{k}_expected"):
            return {"smart": f"{k}1", "counted": "1"}
    for c in OWNER_CATEGORIES:
        if column == f"owner_{c}":
            return {"owner": c, "counted": "1"}
    for decision in ("agreed", "partly_agreed", "not_agreed"):
        if column == f"{decision}_rate":
            return {"decision": decision}
    if column == "completed_share":
        return {"status": "completed", "counted": "1"}
    return {"counted": "1"}


def _plain(value: Any) -> Any:
    """A JSON-ready value: NA, NaN and NaT as None, numpy scalars as Python ones."""
    import numpy as np
    import pandas as pd

    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def _get(row: Mapping[str, Any], name: str) -> Any:
    return _plain(row.get(name))


def _concern_rows(concerns: pd.DataFrame) -> tuple[list[list[Any]], dict[tuple, int]]:
    """Concerns as ``[id, text, recommendation, themes, decision]`` and their index."""
    rows, index = [], {}
    for r in concerns.to_dict("records"):
        index[(r.get("source"), r.get("concern_index"))] = len(rows)
        themes = r.get("themes")
        rows.append(
            [
                _get(r, "concern_id"),
                _get(r, "concern_text"),
                _get(r, "recommendation_text"),
                [str(t) for t in themes] if themes is not None else [],
                _get(r, "agreement"),
            ]
        )
    return rows, index


def _action_row(r: Mapping[str, Any], group: int, concern: int | None, counted: bool) -> dict:
    probs = {t: r.get(f"p_action_{t}") for t in THEMES}
    tagged = r.get("action_themes")
    tagged = [str(t) for t in tagged] if tagged is not None else []
    theme_p = [[t, round(float(p), 2)] for t, p in probs.items() if _plain(p) is not None]
    theme_p.sort(key=lambda tp: -tp[1])
    evidence = r.get("smart_evidence") if isinstance(r.get("smart_evidence"), dict) else {}
    source = r.get("source")
    return {
        "g": group,
        "c": concern,
        "p": _get(r, "prison"),
        "y": _get(r, "year"),
        "src": PurePath(str(source)).name if isinstance(source, str) else None,
        "pg": _get(r, "page"),
        "k": _get(r, "kind"),
        "t": _get(r, "action_text"),
        "o": _plain(r.get("owners")) or [],
        "oc": _plain(r.get("owner_categories")) or [],
        "tr": _get(r, "target_raw"),
        "td": _get(r, "target_date"),
        "st": _get(r, "status"),
        "th": tagged,
        "tp": [tp for tp in theme_p if tp[1] >= 0.05][:5],
        "sm": [_get(r, f"smart_{k}") for k in SMART_KEYS],
        "ss": _get(r, "smart_score"),
        "ev": {str(k): str(v) for k, v in evidence.items() if v},
        "hl": evidence_spans(r.get("action_text"), evidence),
        "n": counted,
    }


def explorer_data(analysis: Analysis, keys: Sequence[str]) -> dict[str, Any]:
    """Every action of ``analysis`` with its concern, group and highlights, JSON-ready.

    ``g`` of each action is its row in ``compare(analysis, keys)``; ``n`` says whether
    :func:`~actionnlp.analysis.compare.compare` counts it (not a rationale row, and
    SMART-applicable).
    """
    from actionnlp.analysis.compare import plan_groups, scored_actions

    groups = plan_groups(analysis, keys)
    group_of = {s: i for i, (_, sources) in enumerate(groups) for s in sources}
    concerns, concern_index = _concern_rows(analysis.concerns)
    actions = analysis.actions
    counted_index = set(scored_actions(actions).index) if not actions.empty else set()
    rows = []
    for idx, r in zip(actions.index, actions.to_dict("records"), strict=True):
        key = (r.get("source"), r.get("concern_index"))
        rows.append(
            _action_row(
                r, group_of.get(r.get("source"), -1), concern_index.get(key), idx in counted_index
            )
        )
    return {
        "keys": list(keys),
        "groups": [", ".join("–" if _plain(v) is None else str(v) for v in g) for g, _ in groups],
        "themes": list(THEMES),
        "smart": list(SMART_KEYS),
        "owner_categories": list(OWNER_CATEGORIES),
        "concerns": concerns,
        "actions": rows,
    }
