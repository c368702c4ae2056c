"""Four plots of an :class:`~actionnlp.analysis.Analysis`, as matplotlib ``Figure`` objects.

No pyplot and no global state: each function builds a ``Figure`` you can save
(``fig.savefig("themes.png")``) or show in a notebook. Prisons are compared across
all their plans; rationale rows are left out of SMART and target-horizon plots.

>>> from actionnlp.analysis import Analysis
>>> fig = theme_heatmap(Analysis.read("results"))  # doctest: +SKIP
>>> fig.savefig("themes.png")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from actionnlp.labels import OWNER_CATEGORIES, SMART_KEYS, THEMES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from actionnlp.analysis import Analysis

__all__ = [
    "configure_matplotlib",
    "owner_categories",
    "smart_by_prison",
    "target_horizon",
    "theme_heatmap",
]


def configure_matplotlib() -> None:
    """Point ``MPLCONFIGDIR`` at ``<actionnlp cache folder>/matplotlib`` unless it is set
    or matplotlib is already imported; if that folder cannot be made, matplotlib's own
    fallback (a temporary folder) applies."""
    import sys

    if "MPLCONFIGDIR" in os.environ or "matplotlib" in sys.modules:
        return
    from actionnlp.cache.store import default_cache_dir

    folder = default_cache_dir() / "matplotlib"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    if os.access(folder, os.W_OK):
        os.environ["MPLCONFIGDIR"] = str(folder)


SMART_NAMES = {
    "S": "Specific",
    "M": "Measurable",
    "A": "Achievable",
    "R": "Relevant",
    "T": "Time-bound",
}
_COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#8C8C8C")


def plain(text: object) -> str:
    r"""``text`` safe as a matplotlib label: dollar signs escaped, so never read as mathtext.

    >>> plain(r"HMP Dollar $\frac{1}{$ Test")
    'HMP Dollar \\$\\frac{1}{\\$ Test'
    """
    return str(text).replace("$", r"\$")


def _label(name: str) -> str:
    """Readable label: ``hmpps_national`` -> ``HMPPS national``."""
    return plain(
        name.replace("_", " ").capitalize().replace("Hmpps", "HMPPS").replace("Nhs", "NHS")
    )


def _prisons(analysis: Analysis) -> list[str]:
    names = analysis.plans["prison"].fillna("(unknown prison)")
    return sorted(set(names))


def _empty(fig: Figure, title: str, why: str) -> Figure:
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_axis_off()
    return fig


def _by_prison(analysis: Analysis):
    from actionnlp.analysis.compare import compare

    table = compare(analysis, "prison")
    table["prison"] = table["prison"].fillna("(unknown prison)")
    return table.sort_values("prison").reset_index(drop=True)


def _errors(table, column: str):
    """Distances from each value down to ``_lo`` and up to ``_hi`` (0 where unknown)."""
    import numpy as np

    v = table[column].to_numpy(dtype=float)
    lo = np.nan_to_num(v - table[f"{column}_lo"].to_numpy(dtype=float), nan=0.0)
    hi = np.nan_to_num(table[f"{column}_hi"].to_numpy(dtype=float) - v, nan=0.0)
    return np.vstack([np.clip(lo, 0, None), np.clip(hi, 0, None)])


def theme_heatmap(analysis: Analysis) -> Figure:
    """Heatmap of the share of each prison's concerns tagged with each theme.

    Each cell shows the share and, below it, its 95% Wilson interval.

    >>> fig = theme_heatmap(analysis)  # doctest: +SKIP
    """
    configure_matplotlib()  # its font cache under actionnlp's cache, not $HOME
    from matplotlib.figure import Figure

    table = _by_prison(analysis)
    prisons = table["prison"].tolist()
    fig = Figure(
        figsize=(max(7.5, 0.9 * len(THEMES) + 3), 1.2 + 0.5 * max(len(prisons), 2)),
        layout="constrained",
    )
    title = "Themes of the inspectorate's concerns, by prison"
    if not prisons:
        return _empty(fig, title, "no plans")
    values = table[[f"theme_{t}" for t in THEMES]].to_numpy(dtype=float)
    lows = table[[f"theme_{t}_lo" for t in THEMES]].to_numpy(dtype=float)
    highs = table[[f"theme_{t}_hi" for t in THEMES]].to_numpy(dtype=float)
    ax = fig.add_subplot()
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(THEMES)), [_label(t) for t in THEMES], rotation=35, ha="right")
    labels = [f"{plain(p)} (n={n})" for p, n in zip(prisons, table["n_concerns"], strict=True)]
    ax.set_yticks(range(len(prisons)), labels)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            text = "–" if v != v else f"{v:.0%}\n{lows[i, j]:.0%}–{highs[i, j]:.0%}"
            colour = "white" if v == v and v > 0.55 else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_title(title)
    ax.set_xlabel("share of concerns; below it, its 95% interval")
    bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
    bar.set_label("share of concerns")
    bar.ax.yaxis.set_major_formatter(_percent())
    return fig


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1, decimals=0)


def smart_by_prison(analysis: Analysis) -> Figure:
    """Grouped bars: share of each prison's actions meeting each SMART criterion.

    Error bars are 95% Wilson intervals.

    >>> fig = smart_by_prison(analysis)  # doctest: +SKIP
    """
    configure_matplotlib()  # its font cache under actionnlp's cache, not $HOME
    import numpy as np
    from matplotlib.figure import Figure

    table = _by_prison(analysis)
    prisons = table["prison"].tolist()
    fig = Figure(figsize=(max(8.0, 1.6 * len(prisons) + 2), 4.8), layout="constrained")
    title = "SMART criteria met by actions, by prison"
    if not prisons or table["smart_mean"].isna().all():
        return _empty(fig, title, "no scored actions")
    ax = fig.add_subplot()
    x = np.arange(len(prisons))
    width = 0.8 / len(SMART_KEYS)
    for i, k in enumerate(SMART_KEYS):
        ax.bar(
            x + (i - (len(SMART_KEYS) - 1) / 2) * width,
            table[f"smart_{k}_rate"].fillna(0).to_numpy(),
            width,
            label=f"{k}: {SMART_NAMES[k]}",
            color=_COLOURS[i],
            yerr=_errors(table, f"smart_{k}_rate"),
            error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#333"},
        )
    labels = [
        f"{plain(_wrap(p))}\nn={n}, mean {m:.1f}/5" if m == m else f"{plain(_wrap(p))}\nn={n}"
        for p, n, m in zip(prisons, table["n_actions"], table["smart_mean"], strict=True)
    ]
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 1.06)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.yaxis.set_major_formatter(_percent())
    ax.set_ylabel("share of actions meeting the criterion (95% interval)")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="Criterion")
    return fig


def _wrap(text: str, width: int = 16) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def owner_categories(analysis: Analysis) -> Figure:
    """Grouped horizontal bars: the categories of owners named in each prison's actions.

    Each bar is a share of the prison's named owners, with its 95% Wilson interval.

    >>> fig = owner_categories(analysis)  # doctest: +SKIP
    """
    configure_matplotlib()  # its font cache under actionnlp's cache, not $HOME
    import numpy as np
    from matplotlib.figure import Figure

    table = _by_prison(analysis)
    cols = [f"owner_{c}" for c in OWNER_CATEGORIES]
    table = table[table[cols].notna().any(axis=1)].reset_index(drop=True)
    prisons = table["prison"].tolist()
    k = len(OWNER_CATEGORIES)
    fig = Figure(figsize=(9.5, 1.8 + 0.16 * k * max(len(prisons), 2)), layout="constrained")
    title = "Who owns the actions: categories of named owners, by prison"
    if not prisons:
        return _empty(fig, title, "no owners found")
    ax = fig.add_subplot()
    y = np.arange(len(prisons))
    height = 0.84 / k
    for i, (cat, col) in enumerate(zip(OWNER_CATEGORIES, cols, strict=True)):
        ax.barh(
            y + (i - (k - 1) / 2) * height,
            table[col].fillna(0).to_numpy(),
            height,
            color=_COLOURS[i],
            label=_label(cat),
            xerr=_errors(table, col),
            error_kw={"elinewidth": 0.7, "capsize": 1.5, "ecolor": "#333"},
        )
    labels = [
        f"{plain(_wrap(p, 24))}\n(n={n} owners)"
        for p, n in zip(prisons, table[f"{cols[0]}_n"], strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_percent())
    ax.set_xlabel("share of named owners (95% interval)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="Category")
    return fig


def target_horizon(analysis: Analysis) -> Figure:
    """Box plots (with each action as a dot) of months from plan submission to target date.

    Prisons whose plans carry no submission date, or no dated targets, are listed
    under the plot rather than silently dropped. The red band on each box is the 95%
    bootstrap interval of the median (as in :func:`~actionnlp.analysis.compare.compare`).

    >>> fig = target_horizon(analysis)  # doctest: +SKIP
    """
    configure_matplotlib()  # its font cache under actionnlp's cache, not $HOME
    import numpy as np
    from matplotlib.figure import Figure

    from actionnlp.analysis.compare import bootstrap_interval, scored_actions

    actions = scored_actions(analysis.actions)
    prisons = _prisons(analysis)
    data, names, missing = [], [], []
    for p in prisons:
        if actions.empty or "months_to_target" not in actions.columns:
            months = np.array([])
        else:
            rows = actions["prison"].fillna("(unknown prison)") == p
            months = actions.loc[rows, "months_to_target"].dropna().to_numpy(dtype=float)
        if len(months):
            data.append(months)
            names.append(p)
        else:
            missing.append(p)
    rows = names + missing
    fig = Figure(figsize=(9.0, 1.6 + 0.65 * max(len(rows), 2)), layout="constrained")
    title = "How far ahead are targets set? Months from plan submission to target date"
    if not data:
        return _empty(fig, title, "no actions with both a submission and a target date")
    ax = fig.add_subplot()
    ax.boxplot(
        data,
        positions=range(1, len(data) + 1),
        orientation="horizontal",
        widths=0.55,
        showfliers=False,
        medianprops={"color": "#C44E52", "linewidth": 2},
    )
    for i, months in enumerate(data, 1):
        lo, hi = bootstrap_interval(months, "median")
        ax.hlines(i, lo, hi, color="#C44E52", linewidth=6, alpha=0.35, zorder=4)
    rng = np.random.default_rng(0)
    for i, months in enumerate(data, 1):
        jitter = rng.uniform(-0.18, 0.18, len(months))
        ax.scatter(months, i + jitter, s=12, alpha=0.5, color="#4C72B0", zorder=3)
    for i, _ in enumerate(missing, len(data) + 1):
        ax.text(
            0.5,
            i,
            "not shown: no plan submission date or no dated targets",
            transform=ax.get_yaxis_transform(),
            ha="center",
            va="center",
            color="grey",
            fontsize=9,
        )
    labels = [
        f"{plain(n)}\n(n={len(d)}, median {np.median(d):.1f})"
        for n, d in zip(names, data, strict=True)
    ]
    ax.set_yticks(range(1, len(rows) + 1), labels + [plain(m) for m in missing])
    ax.set_ylim(len(rows) + 0.5, 0.5)
    ax.axvline(0, color="grey", linewidth=1, linestyle="--")
    ax.set_xlabel(
        "months after plan submission (negative: target before submission)\n"
        "red band: 95% bootstrap interval of the median"
    )
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return fig
