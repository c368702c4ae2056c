"""Check that a change leaves every output table identical, column by column.

A refactor must not change what actionnlp says. Take a snapshot before the change and one
after, then compare them::

    .venv/bin/python benchmarks/output_identity.py snapshot /tmp/before
    # ... change the code ...
    .venv/bin/python benchmarks/output_identity.py snapshot /tmp/after
    .venv/bin/python benchmarks/output_identity.py compare /tmp/before /tmp/after

A snapshot holds:

- ``analysis/``: every table of :func:`actionnlp.analyze` with the shipped models (and an empty
  cache, so nothing is recalled from an earlier run) on the
  bundled sample plans and the test fixtures (DOCX, PDF and HTML renderings);
- ``read/``: the reader's tables (:func:`~actionnlp.analysis.tables.frames_from_plans`) of
  every file of the layout matrix (``tests/fixtures/layouts``), plus its error rows.

``compare`` lists each table whose shape, columns or values differ and exits non-zero
when anything does. Retrained models change ``analysis/`` by design; ``read/`` must stay
identical unless the reader itself changed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def _analysis_sources() -> list[Path]:
    from actionnlp import sample_paths

    fixtures = sorted(p for p in FIXTURES.glob("*-20*.*") if p.suffix in {".docx", ".pdf", ".html"})
    return [Path(p) for p in sample_paths()] + fixtures


def _layout_sources() -> list[Path]:
    return sorted(
        p for p in (FIXTURES / "layouts").iterdir() if p.is_file() and p.suffix != ".json"
    )


def _storable(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every non-numeric cell as its ``repr`` (missing values as None), so
    lists and dicts compare exactly and a column stored as object or as string compares equal."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype(object).map(_cell)
    return out.reset_index(drop=True)


def _cell(value: object) -> str | None:
    """One text form per value, whatever the column's storage type (object or string)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return repr(value)


def snapshot(directory: Path) -> None:
    """Write the ``analysis/`` and ``read/`` tables of this checkout under ``directory``."""
    from actionnlp import analyze, read_plans
    from actionnlp.analysis.tables import frames_from_plans

    for sub in ("analysis", "read"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    result = analyze([str(p) for p in _analysis_sources()], progress=False)
    for name, frame in result.tables().items():
        _storable(frame).to_pickle(directory / "analysis" / f"{name}.pkl")
    plans, errors = read_plans([str(p) for p in _layout_sources()], progress=False)
    names = ("plans", "concerns", "actions", "problems")
    for name, frame in zip(names, frames_from_plans(plans), strict=True):
        _storable(frame).to_pickle(directory / "read" / f"{name}.pkl")
    _storable(errors).to_pickle(directory / "read" / "errors.pkl")
    print(f"snapshot written to {directory}")


def _differences(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    if list(before.columns) != list(after.columns):
        gone = [c for c in before.columns if c not in after.columns]
        new = [c for c in after.columns if c not in before.columns]
        return [f"columns differ (removed {gone}, added {new}, or reordered)"]
    if len(before) != len(after):
        return [f"{len(before)} rows before, {len(after)} after"]
    found = []
    for column in before.columns:
        left, right = before[column], after[column]
        same = (left == right) | (left.isna() & right.isna())
        if not bool(same.all()):
            rows = list(same.index[~same])
            found.append(f"column {column!r}: {len(rows)} row(s) differ, first at row {rows[0]}")
    return found


def compare(first: Path, second: Path) -> int:
    """Print every difference between two snapshots; 0 when they are identical."""
    status = 0
    for sub in ("analysis", "read"):
        names = sorted(
            {p.name for p in (first / sub).glob("*.pkl")}
            | {p.name for p in (second / sub).glob("*.pkl")}
        )
        for name in names:
            a, b = first / sub / name, second / sub / name
            if not (a.exists() and b.exists()):
                print(f"{sub}/{name}: only in one snapshot")
                status = 1
                continue
            problems = _differences(pd.read_pickle(a), pd.read_pickle(b))
            for problem in problems:
                print(f"{sub}/{name}: {problem}")
            status |= bool(problems)
            if not problems:
                print(f"{sub}/{name}: identical")
    print("IDENTICAL" if status == 0 else "DIFFERENT")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="write this checkout's tables")
    snap.add_argument("directory", type=Path)
    comp = sub.add_parser("compare", help="compare two snapshots column by column")
    comp.add_argument("first", type=Path)
    comp.add_argument("second", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.command == "snapshot":
        # A fresh cache, so the snapshot is computed by this checkout's code, not recalled.
        with tempfile.TemporaryDirectory() as cache:
            os.environ["ACTIONNLP_CACHE_DIR"] = cache
            snapshot(args.directory)
        return 0
    return compare(args.first, args.second)


if __name__ == "__main__":
    sys.exit(main())
