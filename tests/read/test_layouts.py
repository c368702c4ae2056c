"""Hypothesis: any generated table, in any text layout, reads back as drawn."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import actionnlp
from actionnlp.read.cells import agreement_of
from tests.layout_tables import RENDERERS, Row, Table, tables

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(table: Table, form: str) -> actionnlp.ActionPlan:
    return actionnlp.read_plan(text=RENDERERS[form](table))


@pytest.mark.parametrize("form", sorted(RENDERERS))
@SETTINGS
@given(table=tables())
def test_ids_and_decisions_read_back(form, table):
    plan = read(table, form)
    assert [c.id for c in plan.concerns] == [r.id for r in table.rows]
    assert [c.agreement for c in plan.concerns] == [agreement_of(r.decision) for r in table.rows]
    assert plan.era == table.era


@pytest.mark.parametrize("form", sorted(RENDERERS))
@SETTINGS
@given(table=tables())
def test_texts_and_pairs_read_back(form, table):
    plan = read(table, form)
    for c, r in zip(plan.concerns, table.rows, strict=True):
        assert c.concern_text == r.concern
        steps = [a for a in c.actions if a.kind == "action"]
        assert [a.text for a in steps] == r.paras, c.id
        assert [(a.owner_raw, a.target_raw) for a in steps] == list(
            zip(r.owners, r.targets, strict=True)
        ), c.id


FIXED_TABLE = Table(
    "recommendations",
    [
        Row("S1", "Cells were dirty.", "Partly Agreed", ["A rota is set.", "Checks weekly."],
            ["Governor", "Head of Safety"], ["March 2024", "Completed"]),
        Row("S2", "Staff were absent.", "Agreed", ["Rotas reviewed."], ["Director"], ["Ongoing"]),
    ],
)  # fmt: skip


@pytest.mark.parametrize("form", ["tabs", "fixed", "blocks"])
def test_layout_is_named(form):
    plan = read(FIXED_TABLE, form)
    assert [c.id for c in plan.concerns] == ["S1", "S2"]
    want = {"tabs": "tabular", "fixed": "fixed-width", "blocks": "column-blocks"}[form]
    assert plan.layout == want
