"""The layout scripts of ``training/layouts`` (``render``, ``heldout``, ``evaluate``),
loaded for the tests that check the fixtures they wrote.

They are scripts, not a package (``heldout.py`` imports ``render`` by that name), so
each is loaded from its file once per session, under a name of its own
(``layouts_<name>``), and taken out of ``sys.modules`` again: no test sees a stray
top-level ``render`` module, and what was there before is put back.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

LAYOUTS = Path(__file__).resolve().parents[1] / "training" / "layouts"


@contextmanager
def _registered(entries: dict[str, ModuleType]) -> Iterator[None]:
    """``entries`` in ``sys.modules`` for the block only (while a script runs its
    imports and dataclasses look their module up), the old entries back after it."""
    old = {name: sys.modules.get(name) for name in entries}
    sys.modules.update(entries)
    try:
        yield
    finally:
        for name, module in old.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


@cache
def layout_script(name: str) -> ModuleType:
    """``training/layouts/<name>.py`` as a module, loaded once per session."""
    spec = importlib.util.spec_from_file_location(f"layouts_{name}", LAYOUTS / f"{name}.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(LAYOUTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    needs = {"render": layout_script("render")} if name == "heldout" else {}
    with _registered({spec.name: module, **needs}):
        spec.loader.exec_module(module)
    return module
