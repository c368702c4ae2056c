"""The held-out layouts: complete, as drawn, readable, and their page current.

The held-out set (``tests/fixtures/layouts-heldout``, rendered by
``training/layouts/heldout.py``) measures how the readers do on layouts they were not
built from (docs/reading-heldout.md). Nobody tunes a reader on it, so these tests assert
no threshold: only that the set is what its seed drew, that every file reads (a plan or
the library's own error, never another exception) and that the docs page shows what
the evaluator prints now.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from actionnlp import read_plan
from actionnlp.errors import ActionPlanError
from tests.layout_scripts import layout_script

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "fixtures" / "layouts-heldout"
ev = layout_script("evaluate")
render = layout_script("render")
heldout = layout_script("heldout")
MANIFEST = ev.load_manifest(HELDOUT)


def test_manifest_is_complete():
    """Every file and truth is there; every plan is in every form."""
    plans = {e["plan"] for e in MANIFEST}
    assert plans == set(render.PLANS)
    for e in MANIFEST:
        assert (HELDOUT / e["file"]).is_file(), e["file"]
        truth = json.loads((HELDOUT / e["truth"]).read_text())
        assert truth["plan"] == e["plan"] and truth["concerns"]
    forms = {e["form"] for e in MANIFEST}
    assert {"docx", "pdf", "web-pdf", "web-html"} <= forms
    for form in forms:
        assert {e["plan"] for e in MANIFEST if e["form"] == form} == plans, form


def test_settings_are_the_seeds_draw():
    """settings.json and the manifest hold what the fixed seed draws, nothing chosen later."""
    drawn = [asdict(h) for h in heldout.draw()]
    recorded = json.loads((HELDOUT / "settings.json").read_text())
    assert recorded["seed"] == heldout.SEED
    assert json.loads(json.dumps(drawn)) == recorded["templates"]
    by_name = {h["name"]: h for h in recorded["templates"]}
    for e in MANIFEST:
        assert e["variant"] == by_name[e["template"]], e["file"]


def test_settings_differ_from_the_development_matrix():
    """No held-out document uses the development matrix's page, font or column widths."""
    dev_widths = set(render.WIDTHS.values())
    settings = heldout.draw()
    for h in settings:
        assert h.font != "Liberation Sans" and h.size_pt != 9, h.name
        assert h.margin_cm != 1.5 and h.widths_cm not in dev_widths, h.name
        assert h.space_after_pt != 6 and h.pad_cm != 0.19, h.name
    assert {h.page for h in settings} == {"A4", "Letter"}
    assert {h.era for h in settings} == {"concerns", "recommendations"}


def test_ids_follow_their_shape():
    """The held-out id shapes print the drawn numbers (the truth uses the same function)."""
    h = heldout.draw()[0]
    cases = {"dotted": (3, "key", "4.1"), "zero": (4, None, "4.03"), "S": (31, None, "S33")}
    for style, (base, section, want) in cases.items():
        x = type(h)(**{**asdict(h), "ids": style, "id_base": base})
        assert heldout.new_id(x, 2, section, {}) == want


def _read(entry: dict) -> str:
    """A plan's layout, or the name of the library's error; any other exception raises."""
    try:
        return read_plan(HELDOUT / entry["file"]).layout or ""
    except ActionPlanError as err:
        return type(err).__name__


def test_one_document_in_every_form_reads():
    """One held-out document, in each of its forms, gives a plan or the library's error."""
    first = MANIFEST[0]["template"]
    entries = [e for e in MANIFEST if e["template"] == first]
    got = {e["form"]: _read(e) for e in entries}  # raises on any other exception
    assert set(got) == {e["form"] for e in MANIFEST}


@pytest.mark.slow
def test_every_file_reads_and_the_page_is_current():
    """Every held-out file reads (score_file lets only ActionPlanError through), and
    docs/reading-heldout.md shows what `make matrix-heldout` prints now."""
    held = [ev.score_file(e, HELDOUT) for e in MANIFEST]
    dev = [ev.score_file(e) for e in ev.load_manifest()]
    page = (ROOT / "docs" / "reading-heldout.md").read_text()
    for marker, text in (("heldout", ev.tables(held)), ("heldout-vs-dev", ev.compare(dev, held))):
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        shown = page[page.index(start) + len(start) : page.index(end)]
        assert shown.strip() == text.strip(), f"re-run `make matrix-heldout` ({marker})"
