"""The package's shape: no private name crosses a module, and no module grows past the
size a reader can hold in mind. The layers themselves are import-linter's contract in
``pyproject.toml`` (``lint-imports``, run by ``make test``); ``read/`` has its own finer
layers in ``tests/read/test_layering.py``. The tests themselves mirror the package (the rule
is in ``tests/conftest.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import actionnlp

ROOT = Path(actionnlp.__file__).parent
TESTS = Path(__file__).parent
#: Folders of tests/ that are not mirrors of a package: a suite of its own and test data.
OWN_SUITES = ("hostile", "fixtures")
#: "Modules under about 600 lines": every module fits, so 600 is the limit.
MAX_LINES = 600


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


def unmirrored_test_folders(tests: Path, package: Path, own: tuple[str, ...] = ()) -> list[str]:
    """Each folder of ``tests`` (outside the ``own`` suites) holding test modules that is
    not a package folder of ``package`` at the same path, or is not a package itself (an
    ``__init__.py``, so two folders may each have a ``test_store.py``).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp)
    ...     for name in ("pkg/read/__init__.py", "tests/read/__init__.py",
    ...                  "tests/read/test_table.py", "tests/reading/test_pdf.py"):
    ...         (root / name).parent.mkdir(parents=True, exist_ok=True)
    ...         (root / name).touch()
    ...     unmirrored_test_folders(root / "tests", root / "pkg")
    ['reading has no package actionnlp/reading', 'reading has no __init__.py']
    """
    found = []
    folders = {path.parent for path in tests.rglob("test_*.py")} - {tests}
    for folder in sorted(folders):
        relative = folder.relative_to(tests)
        if relative.parts[0] in own:
            continue
        if not (package / relative / "__init__.py").is_file():
            found.append(f"{relative.as_posix()} has no package actionnlp/{relative.as_posix()}")
        if not (folder / "__init__.py").is_file():
            found.append(f"{relative.as_posix()} has no __init__.py")
    return found


def test_test_folders_mirror_the_packages():
    assert any(TESTS.glob("read/test_*.py"))  # the walk sees the layout
    assert unmirrored_test_folders(TESTS, ROOT, OWN_SUITES) == []
