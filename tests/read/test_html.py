"""The HTML reader: the committed fixtures against their seed text, and odd input."""

from __future__ import annotations

from pathlib import Path

import pytest

import actionnlp
from actionnlp.data import SAMPLES_DIR
from actionnlp.errors import EmptyDocumentError, NotAnActionPlanError, UnreadableDocumentError
from actionnlp.read.html import read_html
from tests.same_plan import assert_same_plan

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEEDS = ["peterborough-2024", "stafford-2020"]


@pytest.mark.parametrize("name", SEEDS)
def test_fixture_matches_seed(name):
    got = actionnlp.read_plan(FIXTURES / f"{name}.html")
    want = actionnlp.read_plan(SAMPLES_DIR / f"{name}.txt")
    assert got.layout == "html" and got.source == str(FIXTURES / f"{name}.html")
    assert_same_plan(got, want)


def test_stafford_keeps_its_gap_and_totals():
    plan = actionnlp.read_plan(FIXTURES / "stafford-2020.html")
    ids = [c.id for c in plan.concerns]
    assert "5.18" not in ids and "5.19" not in ids
    assert plan.stated_totals == {"agreed": 16, "partly_agreed": 7, "not_agreed": 0, "total": 23}
    assert {"numbering_gap", "stated_totals"} <= {p.kind for p in plan.problems}


PAGE = """<html><head><title>Plan</title><style>p {{ color: red }}</style></head><body>
<h1>Action Plan: HMP Example</h1><p>Action Plan Submitted: 3rd March 2024</p>
<table>
<tr><th>Concern No</th><th>Concern</th><th>Response</th><th>Responsible owner</th><th>Target date</th></tr>
{rows}
</table>
<table><tr><td>Agreed</td><td>2</td></tr></table>
</body></html>"""


def test_cells_colspan_rowspan_and_lists():
    rows = """
<tr><td></td><td colspan="4"><b>Key concerns</b></td></tr>
<tr><td rowspan="2">1</td><td rowspan="2">Cells were dirty &amp; cold.</td>
    <td><p>A rota is set, as below:</p><ul><li>Landings daily.</li><li>Showers weekly.</li></ul>
        <p>Audits will check it.</p></td>
    <td><ul><li>Head of Residence</li><li>Governor</li></ul></td><td>Completed<br>June 2024</td></tr>
<tr><td>Heating was repaired.</td><td>Works Manager</td><td>May 2024</td></tr>
<tr><td>2</td><td>Too few staff.</td><td>Recruitment is under way.</td><td>Governor</td><td>July 2024</td></tr>
"""
    plan = read_html(PAGE.format(rows=rows), source="example.html")
    assert plan.prison == "HMP Example" and str(plan.plan_submitted) == "2024-03-03"
    assert [c.id for c in plan.concerns] == ["1", "2"]
    c1 = plan.concerns[0]
    assert c1.section == "key" and c1.concern_text == "Cells were dirty & cold."
    assert [(a.text, a.owner_raw, a.target_raw) for a in c1.actions] == [
        (
            "A rota is set, as below: Landings daily. Showers weekly.",
            "Head of Residence",
            "Completed",
        ),
        ("Audits will check it.", "Governor", "June 2024"),
        ("Heating was repaired.", "Works Manager", "May 2024"),
    ]
    assert plan.stated_totals == {"agreed": 2}
    assert plan.source == "example.html"


def test_entity_declarations_are_refused(tmp_path):
    path = tmp_path / "laughs.html"
    path.write_text('<!DOCTYPE html [<!ENTITY lol "lol">]><html><body>&lol;</body></html>')
    with pytest.raises(UnreadableDocumentError, match=r"laughs\.html.*ENTITY"):
        actionnlp.read_plan(path)


def test_page_without_a_table_is_read_as_text(tmp_path):
    path = tmp_path / "recipe.html"
    path.write_text(
        "<html><body><h1>Victoria sponge</h1><p>Mix the flour and sugar.</p></body></html>"
    )
    with pytest.raises(NotAnActionPlanError, match=r"recipe\.html"):
        actionnlp.read_plan(path)
    tsv = "Concern No\tConcern\tResponse\tOwner\tTarget date\n1\tCells were dirty.\tRota set.\tGovernor\tMay 2024"
    plan = read_html(f"<html><body><p>Action Plan: HMP Example</p><pre>{tsv}</pre></body></html>")
    assert plan.layout == "html-text"
    assert [(c.id, c.actions[0].owner_raw) for c in plan.concerns] == [("1", "Governor")]


def test_empty_page(tmp_path):
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><script>var x = 1;</script></head><body> </body></html>")
    with pytest.raises(EmptyDocumentError, match=r"empty\.htm"):
        actionnlp.read_plan(path)
