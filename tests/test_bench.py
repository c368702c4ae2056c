"""Keep benchmarks/bench.py from rotting: its quick, model-free variant must run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_fake_prints_one_json_line():
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--fake"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert out["cores"] >= 1
    assert out["import_s"] > 0
    assert set(out["read_per_s"]) == {"txt", "docx", "pdf", "html"}
    assert all(v > 0 for v in out["read_per_s"].values())
    assert out["read_peak_rss_mb"] > 0
    for key in ("embed_limit_per_s", "end_to_end_per_s", "ratio", "cached_speedup"):
        assert key in out
