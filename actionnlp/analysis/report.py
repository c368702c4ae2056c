"""The self-contained HTML report of an :class:`Analysis`.

One file, no network request: styles, scripts, plots (``data:`` URIs) and the data
of the action-level explorer (JSON in a ``<script type="application/json">``) are
inside it, and every text from the plans is escaped. The page is a list of
sections (:data:`SECTIONS`); each is a function of a :class:`ReportContext`
returning HTML, so adding one is adding a function to the list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actionnlp.labels import counts_as_action

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.result import Analysis

__all__ = ["SECTIONS", "ReportContext", "Section", "report_html", "write_report"]

MAX_FIGURE_PRISONS = 20  # above this the static matplotlib figures are left out


@dataclass
class ReportContext:
    """What every section may use: the analysis, the grouping and the comparison."""

    analysis: Analysis
    keys: list[str]
    table: pd.DataFrame
    noise: pd.DataFrame
    models_dir: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A section of the report: its anchor, its heading and the function writing its body."""

    anchor: str
    title: str
    render: Callable[[ReportContext], str]


def _resource(name: str) -> str:
    from importlib.resources import files

    return files("actionnlp.analysis").joinpath("resources", name).read_text(encoding="utf-8")


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


_EXPLORER_HTML = """
<p>Every action row of every plan. Filter, search (all words must occur in the action,
its concern, owners, target or evidence), sort by a column heading, or click a figure of
the comparison or a bar of the charts to list the actions behind it. Highlighted words
are the evidence for a SMART criterion (hover for the criterion); rationale rows and rows
the SMART scorer finds not applicable are listed but not counted in the comparison.</p>
<form id="filters" class="filters" onsubmit="return false">
<label>Search <input type="search" id="f-q" placeholder="words"></label>
<label>Prison <select id="f-prison"></select></label>
<label>Year <select id="f-year"></select></label>
<label>Concern theme <select id="f-theme"></select></label>
<label>Owner category <select id="f-owner"></select></label>
<label>Decision <select id="f-decision"></select></label>
<label>SMART <select id="f-smart"></select></label>
<label>Status <select id="f-status"></select></label>
<button type="button" id="f-clear">Clear filters</button>
</form>
<p class="legend">Evidence highlighted in the action text:
<mark class="ev-S">S specific</mark> <mark class="ev-M">M measurable</mark>
<mark class="ev-A">A achievable</mark> <mark class="ev-R">R relevant</mark>
<mark class="ev-T">T time-bound</mark>; SMART badges: <span class="sm y">✓</span> met,
<span class="sm n">✗</span> not met, <span class="sm u">·</span> not scored.</p>
<p id="x-active" class="active"></p>
<div class="xwrap"><table id="x-table" class="explorer"><thead><tr>
<th data-sort="p">Prison, year</th><th data-sort="c">Concern</th><th data-sort="d">Decision</th>
<th data-sort="t">Action</th><th data-sort="o">Owners</th><th data-sort="td">Target</th>
<th data-sort="th">Themes (p)</th><th data-sort="ss">SMART</th><th data-sort="src">Source</th>
</tr></thead><tbody></tbody></table></div>
<p class="pager"><button type="button" id="x-prev">&larr; Previous</button>
<span id="x-page"></span><button type="button" id="x-next">Next &rarr;</button></p>
<noscript><p class="none">The explorer needs JavaScript; the data are in the
<code>actions</code> table of the analysis.</p></noscript>
"""

# -- sections -----------------------------------------------------------------------------


def _summary(ctx: ReportContext) -> str:
    a = ctx.analysis
    n_actions = int(counts_as_action(a.actions).sum())
    rows = (
        ("Plans read", len(a.plans)),
        ("Concerns", len(a.concerns)),
        ("Actions (rationale rows excluded)", n_actions),
        ("Reconciliation problems", len(a.problems)),
        ("Files that could not be read", len(a.errors)),
    )
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="summary">{cells}</table>'


def _provenance(ctx: ReportContext) -> str:
    from actionnlp.analysis.provenance import provenance_html

    return provenance_html(ctx.models_dir)


def _plans(ctx: ReportContext) -> str:
    plans = ctx.analysis.plans
    frame = plans.drop(columns=["source"]).assign(source=plans["source"])
    # headings wrap at the underscores; the prison column stays in view (CSS)
    return _table_html(frame.rename(columns=lambda c: str(c).replace("_", " ")))


def _comparison(ctx: ReportContext) -> str:
    from actionnlp.analysis.comparison_html import comparison_html

    return comparison_html(ctx.table, ctx.keys, ctx.noise)


def _charts(ctx: ReportContext) -> str:
    return (
        "<p>Bars are the figures of the comparison table, longest first; the whisker is "
        "the 95% interval and <i>n</i> the count. Click a bar to list the actions behind it "
        "in the explorer.</p>"
        '<p><label>Figure <select id="chart-metric"></select></label></p>'
        '<div id="chart" class="chart" role="list"></div>'
    )


def _figures(ctx: ReportContext) -> str:
    from actionnlp.analysis import plots

    prisons = ctx.analysis.plans["prison"].nunique(dropna=False) if len(ctx.analysis.plans) else 0
    if prisons > MAX_FIGURE_PRISONS:
        return (
            f'<p class="none">{prisons} prisons: the static figures are left out above '
            f"{MAX_FIGURE_PRISONS} (use the charts above, or <code>actionnlp.analysis.plots"
            "</code> for a chosen subset).</p>"
        )
    parts = ["<p>Static figures by prison, with 95% intervals (for papers; not clickable).</p>"]
    for name in ("theme_heatmap", "smart_by_prison", "owner_categories", "target_horizon"):
        fig = getattr(plots, name)(ctx.analysis)
        alt = escape(fig.axes[0].get_title() if fig.axes else name)
        parts.append(f'<img alt="{alt}" src="{_png(fig)}">')
    return "\n".join(parts)


def _explorer(ctx: ReportContext) -> str:
    from actionnlp.analysis.explorer import explorer_data, metric_filter, script_json

    data = explorer_data(ctx.analysis, ctx.keys)
    data["compare"] = _chart_data(ctx)
    data["filters"] = {c: metric_filter(c) for c in data["compare"]["columns"]}
    return _EXPLORER_HTML + (
        f'<script type="application/json" id="explorer-data">{script_json(data)}</script>'
    )


def _chart_data(ctx: ReportContext) -> dict[str, Any]:
    """The comparison as ``[value, lo, hi, n]`` per metric per group, for the charts."""
    from actionnlp.analysis.compare import metrics

    ms = [m for m in metrics(expected=True) if m.column in ctx.table.columns]
    rows = []
    for r in ctx.table.to_dict("records"):
        rows.append(
            [
                [
                    _num(r[m.column]),
                    _num(r[f"{m.column}_lo"]),
                    _num(r[f"{m.column}_hi"]),
                    int(r[f"{m.column}_n"]),
                ]
                for m in ms
            ]
        )
    return {
        "columns": [m.column for m in ms],
        "metrics": [
            {"column": m.column, "family": m.family, "label": m.label, "kind": m.kind, "of": m.of}
            for m in ms
        ],
        "rows": rows,
    }


def _num(value: Any) -> float | None:
    import math

    v = float(value)
    return round(v, 4) if math.isfinite(v) else None


def _problems(ctx: ReportContext) -> str:
    a = ctx.analysis
    if a.problems.empty:
        return '<p class="none">None: every plan reconciled cleanly.</p>'
    parts = []
    for source, probs in a.problems.groupby("source", sort=False):
        prison = probs["prison"].dropna()
        title = prison.iloc[0] if len(prison) else source
        parts.append(f"<h3>{escape(str(title))} <small>({escape(str(source))})</small></h3><ul>")
        for p in probs.itertuples():
            cid = p.concern_id
            where = f" (concern {escape(cid)})" if isinstance(cid, str) and cid else ""
            extra = f": <q>{escape(str(p.text))}</q>" if isinstance(p.text, str) else ""
            parts.append(
                f"<li><b>{escape(str(p.kind))}</b>{where}: {escape(str(p.message))}{extra}</li>"
            )
        parts.append("</ul>")
    return "\n".join(parts)


def _timeline(ctx: ReportContext) -> str:
    from actionnlp.analysis.recurring import timeline_section  # concerns raised again

    return timeline_section(ctx.analysis, heading=False)


def _errors(ctx: ReportContext) -> str:
    if ctx.analysis.errors.empty:
        return '<p class="none">None.</p>'
    return _table_html(ctx.analysis.errors)


SECTIONS: list[Section] = [
    Section("summary", "Summary", _summary),
    Section("basis", "What the figures rest on", _provenance),
    Section("plans", "Plans", _plans),
    Section("comparison", "Comparison", _comparison),
    Section("charts", "Charts", _charts),
    Section("figures", "Figures", _figures),
    Section("explorer", "Actions", _explorer),
    Section("timeline", "Plans over time", _timeline),
    Section("problems", "Reconciliation problems", _problems),
    Section("errors", "Files that could not be read", _errors),
]


def report_html(
    analysis: Analysis,
    *,
    by: str | Sequence[str] = "prison",
    models_dir: str | Path | None = None,
    sections: Sequence[Section] | None = None,
) -> str:
    """The self-contained HTML page of :meth:`Analysis.report`.

    ``models_dir`` is the artifact folder whose manifests the page cites (the shipped
    models by default); ``sections`` replaces :data:`SECTIONS`.
    """
    from actionnlp.analysis.compare import compare, group_keys, noise_summary

    keys = group_keys(analysis, by)
    table = compare(analysis, keys, expected=True)
    ctx = ReportContext(
        analysis=analysis,
        keys=keys,
        table=table,
        noise=noise_summary(table, keys),
        models_dir=Path(models_dir) if models_dir is not None else None,
    )
    chosen = list(SECTIONS if sections is None else sections)
    nav = " · ".join(f'<a href="#{s.anchor}">{escape(s.title)}</a>' for s in chosen)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>actionnlp report</title>",
        f"<style>{_resource('report.css')}</style></head><body>",
        "<h1>Action plans: themes, owners and SMART scores</h1>",
        f'<nav class="toc">{nav}</nav>',
    ]
    for s in chosen:
        parts.append(f'<section id="{escape(s.anchor)}"><h2>{escape(s.title)}</h2>')
        parts.append(s.render(ctx))
        parts.append("</section>")
    parts.append(f"<script>{_resource('report.js')}</script>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    analysis: Analysis,
    path: Path,
    *,
    by: str | Sequence[str] = "prison",
    models_dir: str | Path | None = None,
) -> Path:
    """Write :func:`report_html` to ``path`` (parent folders are created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_html(analysis, by=by, models_dir=models_dir), encoding="utf-8")
    return path
