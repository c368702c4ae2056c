"""``analyze`` on a local ``dask.distributed`` cluster: the scale-out docs/performance.md
documents, run. The test executes the page's example block itself, so the documented
code is the tested code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip(
    "distributed", reason="dask[distributed] is not installed (pip install -e '.[dask]')"
)

PAGE = Path(__file__).resolve().parents[2] / "docs" / "performance.md"
MARK = "<!-- tests/analysis/test_run_dask.py runs this block -->"


def _example() -> str:
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(re.escape(MARK) + r"\s*```python\n(.*?)```", text, re.S)
    assert found, f"{PAGE.name} has no block after {MARK!r}"
    return found.group(1)


def test_the_documented_dask_example_gives_the_local_tables(fast_models):
    import pandas as pd

    import actionnlp

    paths = actionnlp.sample_paths()
    local = actionnlp.analyze(paths, models=fast_models, progress=False)
    namespace = {"paths": paths, "models": fast_models}
    exec(compile(_example(), str(PAGE), "exec"), namespace)
    result = namespace["result"]
    assert len(result.plans) == 4 and result.plans["source"].nunique() == 4
    for name in ("plans", "concerns", "actions", "problems", "errors"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(local, name), obj=name)
