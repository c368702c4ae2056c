"""The report's comparison: one narrow table per family of figures, with intervals.

Each cell shows a figure, its 95% interval below it and its count on hover; a last
row says whether the highest and lowest groups differ beyond noise (see
:func:`~actionnlp.analysis.compare.noise_summary`). Cells carry ``data-g`` (the row)
and ``data-m`` (the figure) so the report's script can filter the explorer to the
actions behind them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.compare import Metric

__all__ = ["comparison_html", "format_value"]

NOISE_NOTE = (
    "<p>Each figure has its count (hover) and a 95% interval below it: Wilson score "
    "interval for shares, percentile bootstrap (2000 resamples, seed 0) for the mean "
    "SMART score and the median months. The last row of each table compares the highest "
    "and the lowest group: <b>within noise</b> when their intervals overlap (these data "
    "do not show a difference), <b>beyond noise</b> when they do not. Figures over fewer "
    "than 10 items are greyed. Shares of themes are of "
    "concerns; SMART and targets of actions (rationale and not-applicable rows left "
    "out); owners of the owners named; decisions of the concerns with a decision.</p>"
)


def format_value(value: float, kind: str) -> str:
    """A figure as shown in the report: shares as %, means with one decimal.

    >>> format_value(0.4231, "share"), format_value(4.25, "mean")
    ('42%', '4.2')
    >>> format_value(float("nan"), "share")
    '–'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.0%}" if kind == "share" else f"{value:.1f}"


def _cell(row: Any, i: int, m: Metric) -> str:
    value, n = row[m.column], int(row[f"{m.column}_n"])
    lo, hi = row[f"{m.column}_lo"], row[f"{m.column}_hi"]
    shown = format_value(value, m.kind)
    if shown == "–":
        return f'<td class="na" title="nothing to count">{shown}</td>'
    interval = f"{format_value(lo, m.kind)}–{format_value(hi, m.kind)}"
    few = " few" if n < 10 else ""
    title = escape(f"{m.label}: {shown} of {n} {m.of}; 95% interval {interval}")
    return (
        f'<td class="hit{few}" data-g="{i}" data-m="{escape(m.column)}" title="{title}">'
        f"{shown}<small>{interval}</small></td>"
    )


def _noise_row(ms: Sequence[Metric], noise: pd.DataFrame) -> str:
    by = noise.set_index("metric") if len(noise) else None
    cells = []
    for m in ms:
        if by is None or m.column not in by.index or by.at[m.column, "within_noise"] is None:
            cells.append('<td class="na">–</td>')
            continue
        hi, lo = by.at[m.column, "highest"], by.at[m.column, "lowest"]
        within = bool(by.at[m.column, "within_noise"])
        word = "within noise" if within else "beyond noise"
        title = escape(f"highest {hi}, lowest {lo}: intervals {'overlap' if within else 'apart'}")
        cells.append(f'<td class="{"within" if within else "beyond"}" title="{title}">{word}</td>')
    return f'<tr class="noise"><th>highest vs lowest</th><td></td>{"".join(cells)}</tr>'


def comparison_html(table: pd.DataFrame, keys: Sequence[str], noise: pd.DataFrame) -> str:
    """The comparison tables of the report (one per family of figures)."""
    from actionnlp.analysis.compare import metrics

    families: dict[str, list[Metric]] = {}
    for m in metrics(expected=False):
        if m.column in table.columns:
            families.setdefault(m.family, []).append(m)
    labels = [
        ", ".join("–" if _missing(v) else str(v) for v in vals)
        for vals in table[list(keys)].itertuples(index=False, name=None)
    ]
    key_name = escape(", ".join(keys))
    parts = [NOISE_NOTE]
    for family, ms in families.items():
        head = "".join(f"<th>{escape(m.label.replace('_', ' '))}</th>" for m in ms)
        parts.append(f"<h3>{escape(family)}</h3>")
        parts.append('<div class="cmp"><table class="compare">')
        parts.append(
            f"<thead><tr><th>{key_name}</th><th>n {escape(ms[0].of)}</th>{head}</tr></thead><tbody>"
        )
        for i, row in enumerate(table.to_dict("records")):
            n = int(row[f"{ms[0].column}_n"])
            group = (
                f'<th class="hit" data-g="{i}" data-m="n_actions" '
                f'title="list this group\'s actions">{escape(labels[i])}</th>'
            )
            cells = "".join(_cell(row, i, m) for m in ms)
            parts.append(f"<tr>{group}<td>{n}</td>{cells}</tr>")
        parts.append(f"</tbody><tfoot>{_noise_row(ms, noise)}</tfoot></table></div>")
    return "\n".join(parts)


def _missing(value: Any) -> bool:
    try:
        return bool(value != value) or value is None
    except (TypeError, ValueError):
        return value is None
