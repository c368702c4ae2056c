"""The .docx reader: the committed fixtures against their seed text, and bad input."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest

import actionnlp
from actionnlp.data import SAMPLES_DIR
from actionnlp.errors import (
    DocumentTooLargeError,
    EmptyDocumentError,
    NotAnActionPlanError,
    UnreadableDocumentError,
)
from actionnlp.read.docx import read_docx
from tests.same_plan import assert_same_plan

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEEDS = ["peterborough-2024", "stafford-2020"]


@pytest.fixture(scope="module")
def seeds() -> dict[str, actionnlp.ActionPlan]:
    return {name: actionnlp.read_plan(SAMPLES_DIR / f"{name}.txt") for name in SEEDS}


@pytest.mark.parametrize("name", SEEDS)
def test_fixture_matches_seed(name, seeds):
    plan = actionnlp.read_plan(FIXTURES / f"{name}.docx")
    assert plan.layout == "docx"
    assert plan.source == str(FIXTURES / f"{name}.docx")
    assert_same_plan(plan, seeds[name])


def test_stafford_keeps_its_gap_and_totals():
    plan = read_docx(FIXTURES / "stafford-2020.docx")
    ids = [c.id for c in plan.concerns]
    assert "5.18" not in ids and "5.19" not in ids
    assert plan.stated_totals == {"agreed": 16, "partly_agreed": 7, "not_agreed": 0, "total": 23}
    kinds = {p.kind for p in plan.problems}
    assert {"numbering_gap", "stated_totals"} <= kinds
    c = plan.concerns[0]
    assert c.agreement == "partly_agreed" and c.actions[0].kind == "rationale"


# -- hand-made documents --------------------------------------------------------------
HEADER = ["No", "Concern", "Response action taken/planned", "Responsible owner", "Target date"]


def _doc_with_table(path: Path, rows: list[list[object]], *, split_after: int | None = None):
    import docx

    d = docx.Document()
    d.add_paragraph("Action Plan: HMP Example")
    d.add_paragraph("Action Plan Submitted: 3 March 2024")

    def new_table():
        t = d.add_table(rows=1, cols=len(HEADER))
        for i, h in enumerate(HEADER):
            t.rows[0].cells[i].text = h
        return t

    table = new_table()
    for k, row in enumerate(rows):
        if split_after is not None and k == split_after:
            d.add_paragraph("")
            table = new_table()
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            paras = value if isinstance(value, list) else [value]
            cell.text = ""
            first = True
            for p in paras:
                style = None
                if isinstance(p, tuple):
                    p, style = p
                para = cell.paragraphs[0] if first else cell.add_paragraph()
                para.text = p
                if style:
                    para.style = d.styles[style]
                first = False
    d.add_paragraph("Agreed 2")
    d.save(str(path))
    return d


def test_merged_cells_lists_and_split_tables(tmp_path):
    import docx

    path = tmp_path / "example.docx"
    rows = [
        ["", "Priority concerns", "", "", ""],
        [
            "1",
            "Cells were dirty.",
            [
                "A cleaning rota has been set, as below:",
                ("Landings daily.", "List Bullet"),
                ("Showers weekly.", "List Bullet"),
                "",
                "Audits will check it.",
            ],
            ["Head of Residence", "Governor"],
            ["Completed", "June 2024"],
        ],
        ["2", "Too few staff.", ["Recruitment is under way."], "Governor", "July 2024"],
        ["", "", ["More staff will be trained."], "Governor", "August 2024"],
        ["3", "Poor food.", ["The menu was changed."], "Catering Manager", "Completed"],
    ]
    _doc_with_table(path, rows, split_after=3)
    d = docx.Document(str(path))
    first = d.tables[0]
    first.cell(1, 1).merge(first.cell(1, 4))  # heading row merged across the table
    d.save(str(path))
    plan = actionnlp.read_plan(path)
    assert plan.prison == "HMP Example"
    assert [c.id for c in plan.concerns] == ["1", "2", "3"]
    c1 = plan.concerns[0]
    assert c1.section == "priority"
    assert [a.text for a in c1.actions] == [
        "A cleaning rota has been set, as below: Landings daily. Showers weekly.",
        "Audits will check it.",
    ]
    assert [(a.owner_raw, a.target_raw) for a in c1.actions] == [
        ("Head of Residence", "Completed"),
        ("Governor", "June 2024"),
    ]
    c2 = plan.concerns[1]  # its second row is in the second table
    assert [(a.text, a.target_raw) for a in c2.actions] == [
        ("Recruitment is under way.", "July 2024"),
        ("More staff will be trained.", "August 2024"),
    ]
    assert [a.target_raw for a in plan.concerns[2].actions] == ["Completed"]
    assert plan.stated_totals == {"agreed": 2}


def test_vertically_merged_cells_are_read_once(tmp_path):
    import docx

    path = tmp_path / "merged.docx"
    rows = [
        ["1", "Cells were dirty.", ["A cleaning rota has been set."], "Governor", "Completed"],
        ["", "", ["Audits will check it."], "", "June 2024"],
    ]
    _doc_with_table(path, rows)
    d = docx.Document(str(path))
    t = d.tables[0]
    t.cell(1, 0).merge(t.cell(2, 0))  # the number spans both rows
    t.cell(1, 1).merge(t.cell(2, 1))  # so does the concern
    t.cell(1, 3).merge(t.cell(2, 3))  # one owner for both actions
    d.save(str(path))
    d2 = docx.Document(str(path))
    assert (
        d2.tables[0].rows[2].cells[1]._tc is d2.tables[0].rows[1].cells[1]._tc
    )  # python-docx repeats
    plan = read_docx(path)
    [c] = plan.concerns
    assert c.concern_text == "Cells were dirty."  # not "Cells were dirty. Cells were dirty."
    assert [a.text for a in c.actions] == ["A cleaning rota has been set.", "Audits will check it."]
    assert [a.target_raw for a in c.actions] == ["Completed", "June 2024"]
    assert c.actions[0].owner_raw == "Governor"


# -- bad input ------------------------------------------------------------------------
def test_not_a_zip(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_text("this is not a word document")
    with pytest.raises(
        UnreadableDocumentError, match=r"plan\.docx.*not a valid \.docx \(not a zip file\)"
    ):
        actionnlp.read_plan(path)


def test_truncated_docx(tmp_path):
    path = tmp_path / "truncated.docx"
    path.write_bytes((FIXTURES / "peterborough-2024.docx").read_bytes()[:1024])
    with pytest.raises(UnreadableDocumentError, match=r"truncated\.docx"):
        read_docx(path)


def test_zip_without_word_parts(tmp_path):
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hello")
    with pytest.raises(UnreadableDocumentError, match=r"other\.docx"):
        read_docx(path)


def _bomb(path: Path, size: int) -> None:
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    _bomb(path, 300 << 20)  # 300 MB of zeros, about 300 KB on disk
    return path


def test_zip_bomb_is_refused_without_inflating_it(bomb):
    assert bomb.stat().st_size < 2_000_000
    tracemalloc.start()
    try:
        with pytest.raises(DocumentTooLargeError, match=r"bomb\.docx.*zip bomb"):
            actionnlp.read_plan(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20  # refused from the declared size: the 300 MB are never read


def test_highly_compressed_part_is_refused(tmp_path):
    path = tmp_path / "ratio.docx"
    _bomb(path, 20 << 20)  # under the size bound, but compressed ~1000:1
    with pytest.raises(DocumentTooLargeError, match=r"ratio\.docx.*compressed"):
        read_docx(path)


def test_entity_expansion_is_refused(tmp_path):
    path = tmp_path / "laughs.docx"
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    xml = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY lol0 "lol">' + lol + "]>"
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    with (
        zipfile.ZipFile(FIXTURES / "peterborough-2024.docx") as src,
        zipfile.ZipFile(path, "w") as dst,
    ):
        for info in src.infolist():
            data = xml.encode() if info.filename == "word/document.xml" else src.read(info)
            dst.writestr(info, data)
    with pytest.raises(UnreadableDocumentError, match=r"laughs\.docx.*ENTITY"):
        read_docx(path)


def test_empty_document(tmp_path):
    import docx

    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    with pytest.raises(EmptyDocumentError, match=r"empty\.docx"):
        actionnlp.read_plan(path)


def test_document_without_a_plan_table(tmp_path):
    import docx

    path = tmp_path / "recipe.docx"
    d = docx.Document()
    d.add_paragraph("Victoria sponge")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Ingredient", "Amount"
    t.cell(1, 0).text, t.cell(1, 1).text = "Flour", "200 g"
    d.save(str(path))
    with pytest.raises(NotAnActionPlanError, match=r"recipe\.docx"):
        actionnlp.read_plan(path)
