"""The HTML report without a browser: structure, escaping, no external URL, embedded data."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from actionnlp.analysis.report import SECTIONS, Section, report_html
from tests.renamed_plans import renamed_copies

HOSTILE = '</script><img src=x onerror="alert(1)"> & <b>bold</b>'


class _Collect(HTMLParser):
    """Tags, attributes and the text of script elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def _parse(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    return parser


def _data(page: _Collect) -> dict:
    (island,) = [t for a, t in page.scripts if a.get("type") == "application/json"]
    return json.loads(island)


@pytest.fixture(scope="module")
def report(samples):
    return report_html(samples)


def test_report_sections_and_data(samples, report):
    page = _parse(report)
    ids = [a.get("id") for t, a in page.tags if t == "section"]
    assert ids == [s.anchor for s in SECTIONS]
    data = _data(page)
    assert len(data["actions"]) == len(samples.actions)
    assert [a["t"] for a in data["actions"]] == samples.actions.action_text.tolist()
    assert len(data["concerns"]) == len(samples.concerns)
    prisons = sorted(samples.plans.prison)
    assert data["groups"] == prisons
    # every action points at its group and its concern
    by_prison = dict(zip(samples.actions.index, samples.actions.prison, strict=True))
    for i, a in zip(samples.actions.index, data["actions"], strict=True):
        assert data["groups"][a["g"]] == by_prison[i] == a["p"]
        assert a["c"] is not None and data["concerns"][a["c"]][0] is not None
    assert sum(a["n"] for a in data["actions"]) == samples.compare().n_actions.sum()
    # each comparison figure knows the filter that lists the actions behind it
    assert set(data["filters"]) == set(data["compare"]["columns"])
    assert data["filters"]["theme_drugs"] == {"theme": "drugs"}
    assert len(data["compare"]["rows"]) == len(prisons)


def test_report_is_self_contained(report):
    page = _parse(report)
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "srcset", "poster"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("#", "data:image/png;base64,")), (tag, name, value)
        assert tag not in ("link", "iframe", "object", "embed", "base")
    assert not re.search(r"https?://", report)
    assert "url(" not in report and "@import" not in report
    js = "".join(t for a, t in page.scripts if "type" not in a)
    for call in ("fetch(", "XMLHttpRequest", "WebSocket", "import(", "innerHTML", "eval("):
        assert call not in js


def test_report_states_what_the_figures_rest_on(report):
    basis = report.split('id="basis"')[1].split("</section>")[0]
    assert "actionnlp 0.1.0" in basis and "scikit-learn" in basis
    assert re.search(r"Written \d{4}-\d\d-\d\d \d\d:\d\d UTC", basis)
    for name in ("themes", "owners", "smart"):
        assert f"<code>{name} v1</code>" in basis
    assert "macro-F1 over the five named themes <b>0." in basis
    assert 'href="#model-card"' in basis and '<details id="model-card">' in basis
    assert "leave-one-prison-out" in basis and "four" in basis


def test_comparison_cells_carry_counts_intervals_and_noise(samples, report):
    cmp = report.split('id="comparison"')[1].split("</section>")[0]
    table = samples.compare()
    row = table.iloc[0]
    n, lo, hi = int(row.theme_education_n), row.theme_education_lo, row.theme_education_hi
    assert f"of {n} concerns; 95% interval {lo:.0%}–{hi:.0%}" in cmp
    assert cmp.count('data-m="theme_education"') == len(table)
    assert cmp.count('class="noise"') == 5  # one per family table
    assert "within noise" in cmp or "beyond noise" in cmp
    assert "overflow" not in cmp  # narrow tables, no sideways scroll wrapper


def test_hostile_text_is_escaped_everywhere(samples):
    bad = renamed_copies(samples, 2)
    bad.plans.loc[0, "prison"] = HOSTILE
    bad.actions.loc[bad.actions.source == bad.plans.source[0], "prison"] = HOSTILE
    bad.actions.loc[bad.actions.index[0], "action_text"] = HOSTILE
    bad.concerns.loc[bad.concerns.index[0], "concern_text"] = HOSTILE
    html = report_html(bad)
    assert "<img src=x" not in html and "<b>bold</b>" not in html
    assert html.count("</script>") == html.count("<script")
    page = _parse(html)
    data = _data(page)
    assert data["actions"][0]["t"] == HOSTILE
    assert data["concerns"][0][1] == HOSTILE
    assert HOSTILE in data["groups"]
    assert "&lt;/script&gt;&lt;img src=x" in html  # escaped in the comparison tables


def test_report_with_mathtext_prison_name(samples, tmp_path):
    dollar = renamed_copies(samples, 2)
    name = r"HMP Dollar $\frac{1}{$ Test"
    dollar.plans.loc[0, "prison"] = name
    dollar.actions.loc[dollar.actions.source == dollar.plans.source[0], "prison"] = name
    path = dollar.report(tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 4
    assert name.replace("$", "$") in html


def test_sections_are_pluggable(samples):
    extra = Section("timeline", "Timeline", lambda ctx: f"<p>{len(ctx.table)} groups</p>")
    html = report_html(samples, sections=[*SECTIONS[:2], extra])
    assert '<section id="timeline"><h2>Timeline</h2>' in html
    assert f"<p>{len(samples.plans)} groups</p>" in html
    assert 'id="explorer-data"' not in html


def test_many_plans_leave_out_static_figures(samples):
    html = report_html(renamed_copies(samples, 24))
    assert "data:image/png" not in html and "static figures are left out" in html
    assert len(_data(_parse(html))["groups"]) == 24


def test_explorer_source_names_the_file_and_the_pdf_page(fast_models):
    """The explorer's source column: the file for every plan, and the page for a PDF."""
    from pathlib import Path

    from actionnlp.analysis import analyze

    fixtures = Path(__file__).parents[1] / "fixtures"
    result = analyze(
        [fixtures / "stafford-2020.pdf", fixtures / "stafford-2020.docx"],
        models=fast_models,
        progress=False,
    )
    data = _data(_parse(report_html(result)))
    by_file: dict[str, list] = {}
    for a in data["actions"]:
        by_file.setdefault(a["src"], []).append(a["pg"])
    assert set(by_file) == {"stafford-2020.pdf", "stafford-2020.docx"}
    assert set(by_file["stafford-2020.docx"]) == {None}
    pdf_pages = by_file["stafford-2020.pdf"]
    actions = result.actions[result.actions.source.str.endswith(".pdf")]
    assert pdf_pages == actions["page"].tolist()
    assert pdf_pages == sorted(pdf_pages) and pdf_pages[0] == 1 and pdf_pages[-1] > 1
