"""The development draw of the held-out generator (``tests/fixtures/layouts-dev2``).

Rendered by ``training/layouts/heldout.py --seed 7 --prefix d`` (``make layouts-dev2``):
the held-out set's generator with another seed, which readers may be tuned on. These
tests check that the files are what that seed draws and that every form is there.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYOUTS = ROOT / "training" / "layouts"
DEV2 = ROOT / "tests" / "fixtures" / "layouts-dev2"


def _load(name: str, module: str):
    spec = importlib.util.spec_from_file_location(module, LAYOUTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[module] = mod
    spec.loader.exec_module(mod)
    return mod


render = _load("render", "render")  # heldout.py imports it by this name
heldout = _load("heldout", "layouts_heldout")
MANIFEST = json.loads((DEV2 / "manifest.json").read_text())


def test_settings_are_the_seeds_draw_and_not_the_held_out_one():
    recorded = json.loads((DEV2 / "settings.json").read_text())
    assert recorded["seed"] != heldout.SEED
    drawn = [asdict(h) for h in heldout.draw(recorded["seed"], prefix="d")]
    assert json.loads(json.dumps(drawn)) == recorded["templates"]
    held = [asdict(h) for h in heldout.draw()]
    assert [{**h, "name": ""} for h in drawn] != [{**h, "name": ""} for h in held]
    by_name = {h["name"]: h for h in recorded["templates"]}
    for e in MANIFEST:
        assert e["variant"] == by_name[e["template"]], e["file"]


def test_every_plan_is_in_every_form():
    plans = {e["plan"] for e in MANIFEST}
    assert plans == set(render.PLANS)
    for e in MANIFEST:
        assert (DEV2 / e["file"]).is_file() and (DEV2 / e["truth"]).is_file(), e["file"]
    forms = {e["form"] for e in MANIFEST}
    assert {"docx", "pdf", "web-pdf", "web-html", "web-w3m", "web-bs4"} <= forms
    for form in forms:
        assert {e["plan"] for e in MANIFEST if e["form"] == form} == plans, form
