"""The package's shape: no private name crosses a module, and no module grows past the
size a reader can hold in mind. The layers themselves are import-linter's contract in
``pyproject.toml`` (``lint-imports``, run by ``make test``); ``read/`` has its own finer
layers in ``tests/test_read_layering.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import actionnlp

ROOT = Path(actionnlp.__file__).parent
#: "Modules under about 600 lines": the limit allows that "about", no more.
MAX_LINES = 650


def private_imports(source: str, module: str) -> list[str]:
    """Each ``from actionnlp... import _name`` in ``source`` (a module of ``module``'s
    package), at module level or inside a function; dunders such as ``__version__`` pass.

    >>> private_imports("from actionnlp.embed import _check", "actionnlp.cache.vectors")
    ['actionnlp.cache.vectors imports _check from actionnlp.embed']
    >>> private_imports("from actionnlp.embed import check", "actionnlp.cache.vectors")
    []
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("actionnlp"):
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                    found.append(f"{module} imports {name} from {node.module}")
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = ("actionnlp", *path.relative_to(ROOT).with_suffix("").parts)
        out.append((".".join(parts), path))
    return out


def test_the_checker_finds_a_private_import_inside_a_function():
    source = "def f():\n    from actionnlp.read.api import _read_text\n"
    assert private_imports(source, "actionnlp.read.pdf") == [
        "actionnlp.read.pdf imports _read_text from actionnlp.read.api"
    ]


def test_no_private_name_is_imported_across_modules():
    found = [
        hit for module, path in _modules() for hit in private_imports(path.read_text(), module)
    ]
    assert found == []


def test_every_module_is_about_600_lines_or_fewer():
    assert len(_modules()) > 50  # the walk found the package
    long = {m: n for m, p in _modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}
