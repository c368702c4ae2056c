"""Plots: intervals drawn, and labels never parsed as mathtext (issue 16 item 8)."""

from __future__ import annotations

import pytest

from actionnlp.analysis import plots
from tests.renamed_plans import renamed_copies

DOLLAR = r"HMP Dollar $\frac{1}{$ Test"
NAMES = ["theme_heatmap", "smart_by_prison", "owner_categories", "target_horizon"]


@pytest.fixture(scope="module")
def dollar(samples):
    a = renamed_copies(samples, 4)
    a.plans.loc[0, "prison"] = DOLLAR
    for frame in (a.concerns, a.actions, a.problems):
        frame.loc[frame.source == a.plans.source[0], "prison"] = DOLLAR
    return a


@pytest.mark.parametrize("name", NAMES)
def test_dollar_prison_name_renders_literally(dollar, name, tmp_path):
    fig = getattr(plots, name)(dollar)
    fig.savefig(tmp_path / "plot.png")  # mathtext would raise ValueError while drawing
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
    shown = [t for t in labels if "Dollar" in t]
    assert shown, labels
    assert all(r"\$\frac{1}{\$" in t for t in shown)  # dollars escaped, shown as typed


def test_the_unescaped_name_would_crash(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    fig.text(0.1, 0.5, DOLLAR)
    with pytest.raises(ValueError):
        fig.savefig(tmp_path / "crash.png")
    fig = Figure()
    fig.text(0.1, 0.5, plots.plain(DOLLAR))
    fig.savefig(tmp_path / "fine.png")


def test_plain_escapes_every_dollar():
    assert plots.plain("a $x$ b $") == r"a \$x\$ b \$"
    assert plots.plain("no dollars") == "no dollars"


def test_intervals_are_drawn(samples):
    from matplotlib.collections import LineCollection
    from matplotlib.container import ErrorbarContainer

    table = samples.compare()
    fig = plots.smart_by_prison(samples)
    errors = [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert len(errors) == 5  # one error-bar set per criterion
    fig = plots.owner_categories(samples)
    errors = [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert len(errors) == 7  # one per owner category
    fig = plots.theme_heatmap(samples)
    row = table.sort_values("prison").iloc[0]
    cell = f"{row.theme_education:.0%}\n{row.theme_education_lo:.0%}–{row.theme_education_hi:.0%}"
    assert cell in [t.get_text() for t in fig.axes[0].texts]
    fig = plots.target_horizon(samples)
    bands = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]
    assert bands  # the median's interval
