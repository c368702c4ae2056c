"""Hostile .docx structure: huge spans, long merge chains, entity references in runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "hostile"))
import make_hostile as hostile

from actionnlp.errors import ActionPlanError
from actionnlp.read import read_plan
from actionnlp.read.docx import _table_matrix, resolve_entities


def _table(path: Path):
    import docx

    return docx.Document(str(path)).tables[0]


def test_spans_are_bounded_by_the_real_table_width(tmp_path):
    path = hostile.make_gridspan_docx(tmp_path / "span.docx", span=1_000_000, rows=50)
    matrix = _table_matrix(_table(path))
    # a 5-column grid: a row holds at most its 5 tc's plus 5 columns of gridBefore/span
    assert max(len(row) for row in matrix) <= 10
    with pytest.raises(ActionPlanError, match=r"span\.docx"):
        read_plan(path)  # no plan in it, but an answer in linear time


def test_a_huge_span_in_a_real_plan_keeps_the_columns(tmp_path):
    body = [hostile.plain_row(1), hostile.plain_row(2)]
    body[1] = body[1].replace(
        b"<w:tcPr></w:tcPr>", b'<w:tcPr><w:gridSpan w:val="999999"/></w:tcPr>', 1
    )
    path = hostile.write_docx(tmp_path / "plan.docx", hostile.document_xml(body))
    plan = read_plan(path)
    # the span is clipped to the 5-column grid: row 2's later cells join its last column
    assert [c.id for c in plan.concerns] == ["1", "2"]
    assert plan.concerns[0].actions[0].owner_raw == "Governor"
    assert "Concern 2." in " ".join(p.text or "" for p in plan.problems) + str(plan.concerns[1])


def test_a_long_vertical_merge_chain_needs_no_recursion(tmp_path):
    path = hostile.make_vmerge_docx(tmp_path / "vmerge.docx", rows=3000)
    plan = read_plan(path)
    assert [c.id for c in plan.concerns] == ["1"]
    assert plan.concerns[0].actions[0].owner_raw == "Governor"


def test_entity_references_in_a_run_are_resolved_or_reported(tmp_path):
    plan = read_plan(hostile.make_entity_docx(tmp_path / "entity.docx"))
    # &nbsp; resolved (the reader then folds the no-break space like any space)
    assert plan.concerns[0].actions[0].text == "A rota was set and checked weekly."
    assert not [p for p in plan.problems if p.kind == "entity"]

    row = hostile.plain_row(1).replace(b"Action 1.", b"Rota set &zork; and audited.")
    path = hostile.write_docx(tmp_path / "unknown.docx", hostile.document_xml([row]))
    plan = read_plan(path)
    assert plan.concerns[0].actions[0].text == "Rota set &zork; and audited."
    [problem] = [p for p in plan.problems if p.kind == "entity"]
    assert problem.text == "&zork;"


def test_resolve_entities_leaves_xml_escapes_and_numbers_alone():
    xml = b"<t>a &lt; b &amp;&#160;&#xA0; &quot;x&quot; &apos;</t>"
    assert resolve_entities(xml) == (xml, [])
    assert resolve_entities(b"<t>&eacute;&nbsp;</t>")[0] == "<t>é\xa0</t>".encode()
