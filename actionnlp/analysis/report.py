"""The self-contained HTML report of an :class:`Analysis`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.result import Analysis

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;
padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right;vertical-align:top}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
td.text{text-align:left}
.scroll{overflow-x:auto}.summary td{text-align:left}
img{max-width:100%;height:auto;display:block;margin:1rem 0}
.none{color:#777}
"""


def _png(fig: Any) -> str:
    """A Figure as a ``data:image/png;base64,...`` URI."""
    import base64
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _table_html(frame: pd.DataFrame) -> str:
    import pandas as pd

    frame = frame.copy()
    for col in frame.columns:  # nullable dtypes print <NA>, which na_rep does not catch
        if pd.api.types.is_extension_array_dtype(frame[col]):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), "–")
    text = frame.to_html(index=False, na_rep="–", float_format=lambda v: f"{v:.2f}", border=0)
    return f'<div class="scroll">{text}</div>'


def report_html(analysis: Analysis, *, by: str | Sequence[str] = "prison") -> str:
    """The self-contained HTML page of :meth:`Analysis.report` (plots as data: URIs)."""
    from html import escape

    from actionnlp.analysis import plots

    a = analysis
    n_actions = int((a.actions["kind"] != "rationale").sum()) if "kind" in a.actions else 0
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>actionnlp report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Action plans: themes, owners and SMART scores</h1>",
        '<table class="summary">',
        *(
            f"<tr><th>{escape(k)}</th><td>{v}</td></tr>"
            for k, v in (
                ("Plans read", len(a.plans)),
                ("Concerns", len(a.concerns)),
                ("Actions (rationale rows excluded)", n_actions),
                ("Reconciliation problems", len(a.problems)),
                ("Files that could not be read", len(a.errors)),
            )
        ),
        "</table>",
        "<h2>Plans</h2>",
        _table_html(a.plans.drop(columns=["source"]).assign(source=a.plans["source"])),
        f"<h2>Comparison by {escape(', '.join([by] if isinstance(by, str) else by))}</h2>",
        "<p>Shares are fractions (0–1); <code>theme_*</code> of concerns, <code>smart_*</code> "
        "of actions, <code>owner_*</code> of named owners, agreement rates of concerns with a "
        "decision. – means not available.</p>",
        _table_html(a.compare(by)),
        "<h2>Plots</h2>",
    ]
    for name in ("theme_heatmap", "smart_by_prison", "owner_categories", "target_horizon"):
        fig = getattr(plots, name)(a)
        alt = escape(fig.axes[0].get_title() if fig.axes else name)
        parts.append(f'<img alt="{alt}" src="{_png(fig)}">')
    from actionnlp.analysis.recurring import timeline_section

    parts.append(timeline_section(a))  # plans over time: concerns raised again
    parts.append("<h2>Reconciliation problems</h2>")
    if a.problems.empty:
        parts.append('<p class="none">None: every plan reconciled cleanly.</p>')
    for source, probs in a.problems.groupby("source", sort=False):
        prison = probs["prison"].dropna()
        title = prison.iloc[0] if len(prison) else source
        parts.append(f"<h3>{escape(str(title))} <small>({escape(str(source))})</small></h3><ul>")
        for p in probs.itertuples():
            cid = p.concern_id
            where = f" (concern {escape(cid)})" if isinstance(cid, str) and cid else ""
            extra = f": <q>{escape(str(p.text))}</q>" if isinstance(p.text, str) else ""
            parts.append(f"<li><b>{escape(p.kind)}</b>{where}: {escape(p.message)}{extra}</li>")
        parts.append("</ul>")
    parts.append("<h2>Files that could not be read</h2>")
    if a.errors.empty:
        parts.append('<p class="none">None.</p>')
    else:
        parts.append(_table_html(a.errors))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(analysis: Analysis, path: Path, *, by: str | Sequence[str] = "prison") -> Path:
    """Write :func:`report_html` to ``path`` (parent folders are created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_html(analysis, by=by), encoding="utf-8")
    return path
