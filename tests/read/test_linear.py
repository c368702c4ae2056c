"""Long runs of tabs, spaces, punctuation and digits, and huge span attributes, are
read in linear time (issue 16). Time is measured in benchmarks/hostile.py; these
tests check that such input is read correctly and keep hypothesis's deadline off,
so a quadratic pattern shows up as a hung test, not as a flaky timing."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[1] / "hostile"))
import make_hostile as hostile

from actionnlp.errors import ActionPlanError
from actionnlp.read import read_plan
from actionnlp.read.cells import column_roles
from actionnlp.read.html import read_html
from actionnlp.read.meta import read_meta

RUNS = st.sampled_from(["\t", " ", ".", "-", "|", "#", "7", "(", "\u00a0"])


def run_of(char: str, n: int) -> str:
    return char * n


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(char=RUNS, n=st.integers(1_000, 30_000), where=st.sampled_from(["line", "prefix"]))
def test_a_long_run_before_a_plan_still_reads_it(char, n, where):
    run = run_of(char, n)
    text = (run + "\n" if where == "line" else run) + hostile.PLAN_TEXT
    try:
        plan = read_plan(text=text)
    except ActionPlanError:
        return  # a run glued to the first line may hide the plan: an error is fine, a hang is not
    if where == "line" and char not in "|":
        assert [c.id for c in plan.concerns] == ["1", "2"]


@settings(max_examples=25, deadline=None)
@given(char=RUNS, n=st.integers(1_000, 50_000))
def test_a_long_run_in_the_opening_is_no_inspection_date(char, n):
    meta = read_meta(run_of(char, n) + "HMIP Inspection dates x\nAction Plan: HMP Example")
    assert meta.prison == "HMP Example" and meta.inspection_dates is None


def test_a_header_row_of_many_cells_is_refused_at_once():
    cells = [""] * 40_000 + ["No", "Concern", "Response", "Owner", "Target date"]
    assert column_roles(cells) is None  # bounded: too many cells for a header
    assert column_roles(["." * 50_000, "Concern", "Response", "Owner"]) is None


@settings(max_examples=10, deadline=None)
@given(span=st.integers(2, 10_000_000), where=st.sampled_from(["colspan", "rowspan"]))
def test_huge_html_spans_are_clipped(span, where):
    page = (
        hostile.html_plan("svg")
        .replace("<svg>x", "")
        .replace("<td>1</td>", f'<td {where}="{span}">1</td>', 1)
    )
    plan = read_html(page)  # a rowspan shifts cells; the last row's text is still kept
    texts = [c.concern_text for c in plan.concerns] + [p.text or "" for p in plan.problems]
    texts += [a.text for c in plan.concerns for a in c.actions]
    assert any("Concern 11." in t or "Action 11" in t for t in texts)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(span=st.integers(2, 10_000_000), where=st.sampled_from(["gridSpan", "gridBefore"]))
def test_huge_docx_spans_are_clipped(tmp_path, span, where):
    from actionnlp.read.docx import _table_matrix

    rows = [hostile.plain_row(i) for i in range(1, 4)]
    attr = f'<w:{where} w:val="{span}"/>'.encode()
    if where == "gridSpan":
        rows[1] = rows[1].replace(b"<w:tcPr></w:tcPr>", b"<w:tcPr>" + attr + b"</w:tcPr>", 1)
    else:
        rows[1] = rows[1].replace(b"<w:tr>", b"<w:tr><w:trPr>" + attr + b"</w:trPr>", 1)
    path = hostile.write_docx(tmp_path / f"{where}-{span}.docx", hostile.document_xml(rows))
    import docx

    matrix = _table_matrix(docx.Document(str(path)).tables[0])
    assert max(len(r) for r in matrix) <= 10  # 5 grid columns: clipped, not `span` cells
    try:
        plan = read_plan(path)
    except ActionPlanError:
        return
    assert "1" in [c.id for c in plan.concerns]
