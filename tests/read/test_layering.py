"""The layering of ``actionnlp/read/``: every import points down, no private name crosses
a module, and only the modules above the dispatcher import ``actionnlp.read.api``.

The check parses the source with :mod:`ast` (imports inside functions count too), so
it needs no import-linter. :func:`violations` is tested on sources written to break
each rule, so a checker that found nothing could not pass.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import actionnlp.read

READ = Path(actionnlp.read.__file__).parent
PACKAGE = "actionnlp.read"

#: The layers of ``read/``, bottom first. A module may import only from the layers
#: below its own: peers (the three format readers) do not borrow from each other. A
#: module added later is checked for cycles and private names, and must be given a layer.
LAYERS = [
    {"limits", "files", "dates", "cells", "owners_cell"},  # primitives
    {"shapes", "meta", "unzip"},
    {"segment"},  # rows -> concerns and actions
    {"reconcile", "table", "columns"},  # cells and header roles; column blocks
    {"stream", "interleave_lines"},  # row streams; two columns printed in turn taken apart
    {"blockitems", "boxes"},  # block-ordered text, page by page: items, paragraph placement
    {"blocks"},  # block-ordered text: rows (pdftotext default, pdfminer)
    {"linecut"},  # one printed line cut into its cells' pieces
    {"interleaved"},  # line-interleaved cells
    {"text"},  # the text layouts
    {"assemble"},  # plan_from_rows / plan_from_table / plan_from_text
    {"docx", "html", "pdf"},  # format readers
    {"api"},  # dispatch by file type
    {"worker"},
    {"batch"},
    {"__init__"},
]
#: Modules allowed to import the dispatcher ``api``: those that run it.
ABOVE_API = {"worker", "batch", "__init__"}
#: What ``read/`` may import from the rest of actionnlp: the shared base, nothing above.
OUTSIDE_ALLOWED = {
    "actionnlp.plan",
    "actionnlp.labels",
    "actionnlp.errors",
    "actionnlp.filebytes",
    "actionnlp.workers",
}


def _imports(name: str, source: str) -> list[tuple[str, list[str], int]]:
    """``(module, names, line)`` of every import in ``source`` (module ``read/name.py``)."""
    out: list[tuple[str, list[str], int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((a.name, [], node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: from .x import y (read/), from ..x import y (actionnlp/)
                base = PACKAGE.rsplit(".", node.level - 1)[0] if node.level > 1 else PACKAGE
                module = f"{base}.{module}" if module else base
            out.append((module, [a.name for a in node.names], node.lineno))
    return out


def _target(module: str) -> str | None:
    """The ``read/`` module an import names (``__init__`` for the package itself)."""
    if module == PACKAGE:
        return "__init__"
    if module.startswith(PACKAGE + "."):
        return module[len(PACKAGE) + 1 :].split(".")[0]
    return None


def _graph(sources: dict[str, str]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in sources}
    for name, source in sources.items():
        for module, _, _ in _imports(name, source):
            target = _target(module)
            if target is not None and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules that import each other."""
    found: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    found.append([*path, start])
                    done.update(path)  # the cycle is reported once, not from each member
                    stack = []
                    break
                if nxt not in path and nxt in graph:
                    stack.append((nxt, [*path, nxt]))
        done.add(start)
    return found


def violations(sources: dict[str, str]) -> list[str]:
    """Every breach of the layering in ``sources`` (``read/`` module name -> source)."""
    out: list[str] = []
    rank = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    for name, source in sorted(sources.items()):
        for module, names, line in _imports(name, source):
            where = f"read/{name}.py:{line}"
            target = _target(module)
            if target is None:
                if module.startswith("actionnlp") and module not in OUTSIDE_ALLOWED:
                    out.append(f"{where}: imports {module}, above read/ in the pipeline")
                continue
            if target == name:
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                out.append(f"{where}: imports private {', '.join(private)} from {module}")
            if target == "api" and name not in ABOVE_API:
                out.append(f"{where}: imports the dispatcher actionnlp.read.api")
            if name in rank and target in rank and rank[target] >= rank[name]:
                out.append(f"{where}: imports {module}, which is not below {name}")
    for cycle in _cycles(_graph(sources)):
        out.append("import cycle: " + " -> ".join(cycle))
    return out


def _read_sources() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(READ.glob("*.py"))}


def test_read_modules_import_only_down_and_no_private_names():
    assert violations(_read_sources()) == []


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (  # what docx.py did on main: a private name, back up from the dispatcher
            {"docx": "def f():\n    from actionnlp.read.api import _read_text\n", "api": ""},
            [
                "read/docx.py:2: imports private _read_text from actionnlp.read.api",
                "read/docx.py:2: imports the dispatcher actionnlp.read.api",
                "read/docx.py:2: imports actionnlp.read.api, which is not below docx",
            ],
        ),
        (  # pdf.py borrowing table helpers from docx.py: sideways, not down
            {"pdf": "from actionnlp.read.docx import Cell\n", "docx": ""},
            ["read/pdf.py:1: imports actionnlp.read.docx, which is not below pdf"],
        ),
        (  # the text layouts reaching up to the assembly
            {"text": "from actionnlp.read.assemble import plan_from_rows\n", "assemble": ""},
            ["read/text.py:1: imports actionnlp.read.assemble, which is not below text"],
        ),
        (  # a relative import of a private helper
            {"table": "from .cells import _WS_RE\n", "cells": ""},
            ["read/table.py:1: imports private _WS_RE from actionnlp.read.cells"],
        ),
        (  # the reader reaching up the pipeline
            {"segment": "from actionnlp.analysis.tables import frames_from_plans\n"},
            ["read/segment.py:1: imports actionnlp.analysis.tables, above read/ in the pipeline"],
        ),
        (  # two new modules importing each other
            {
                "new_a": "import actionnlp.read.new_b\n",
                "new_b": "from actionnlp.read.new_a import f\n",
            },
            ["import cycle: new_a -> new_b -> new_a"],
        ),
        (  # allowed: down, public, the worker running the dispatcher, a public name as _alias
            {
                "text": "from actionnlp.read.shapes import plausible_next as _plausible_next\n",
                "worker": "def f():\n    from actionnlp.read.api import read_plan\n",
                "shapes": "",
                "api": "",
            },
            [],
        ),
    ],
)
def test_the_checker_finds_each_breach(sources, expected):
    assert violations(sources) == expected


def test_main_before_the_layering_fails_the_check():
    """The shape of read/ on main before issue 20: docx, pdf and html imported
    ``_read_text`` back from api, pdf and html took table helpers from docx, and api
    imported the readers: a cycle."""
    main = {
        "api": "def f():\n    from actionnlp.read.docx import read_docx\n"
        "    from actionnlp.read.pdf import read_pdf\n",
        "docx": "def f():\n    from actionnlp.read.api import _read_text, plan_from_rows\n",
        "pdf": "from actionnlp.read.docx import Cell, header_roles, table_rows\n"
        "def f():\n    from actionnlp.read.api import _read_text, plan_from_rows\n",
    }
    found = violations(main)
    assert any("private _read_text" in v for v in found)
    assert any(v.startswith("import cycle") for v in found)
    assert any("read/pdf.py:1: imports actionnlp.read.docx" in v for v in found)


def test_the_package_exports_the_public_api():
    from actionnlp.read import assemble, batch

    assert actionnlp.read.read_plan is actionnlp.read.api.read_plan
    assert actionnlp.read.read_plans is batch.read_plans
    assert actionnlp.read.plan_from_rows is assemble.plan_from_rows
    assert actionnlp.read.plan_from_text is assemble.plan_from_text
    for name in actionnlp.read.__all__:
        assert not name.startswith("_") and hasattr(actionnlp.read, name)


def test_one_header_search():
    """The table header search is defined once (``table.find_header``); the readers of
    cells call it instead of keeping a copy."""
    defined = [
        (name, node.name)
        for name, source in _read_sources().items()
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name in ("_find_header", "header_roles")
    ]
    assert defined == [("table", "header_roles")]
    users = [n for n, s in _read_sources().items() if "find_header(" in s and n != "table"]
    assert {"docx", "html", "pdf"} <= set(users)
    # the text reader names a line's cells by the same rule of a header row
    assert "header_roles(" in _read_sources()["text"]
    callers = {n for n, s in _read_sources().items() if "column_roles(" in s}
    assert callers == {"cells", "table", "columns"}  # columns: fixed-width titles


def test_every_read_module_has_a_layer():
    """A new module of read/ is given its place in :data:`LAYERS`."""
    names = [name for layer in LAYERS for name in layer]
    assert len(names) == len(set(names))
    missing = sorted(set(_read_sources()) - set(names))
    assert missing == [], f"give read/{missing[0]}.py a layer in LAYERS" if missing else ""
