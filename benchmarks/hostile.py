"""Benchmark reading safety (issue 16): linear growth, worker overhead, hostile batch.

Prints ONE JSON line on stdout (progress goes to stderr)::

    python benchmarks/hostile.py            # everything (a few minutes on 2 cores)
    python benchmarks/hostile.py --quick    # smaller sizes, no hostile batch
    python benchmarks/hostile.py --no-batch # growth and worker overhead only

Keys:

- ``growth``: for each hostile run (a line of tabs, spaces before an inspection
  line, a run of punctuation, digits, a DOCX ``gridSpan``/``gridBefore``, a DOCX
  vertical-merge chain) the seconds to read it at sizes n, 2n, 4n, 8n and
  ``ratio`` = time(8n) / time(n) (best of 3 runs each): about 8 is linear, about
  64 quadratic; a case answered in milliseconds at every size is noise-bound.
- ``worker``: seconds to read the four samples in this process
  (``Limits(seconds=0)``) and through ``read_plans`` with the worker (start-up
  included), the worker's start-up alone, and the per-file overhead.
- ``batch``: wall seconds and peak RSS (parent and worker) of ``read_plans`` on the
  four samples plus every hostile file of ``tests/hostile/make_hostile.py``, with
  the budgets named, and the number of plans and error rows.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tests" / "hostile"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import make_hostile as hostile  # noqa: E402

from actionnlp.data import sample_paths  # noqa: E402
from actionnlp.errors import ActionPlanError  # noqa: E402
from actionnlp.read import read_plan, read_plans  # noqa: E402
from actionnlp.read.limits import Limits  # noqa: E402
from actionnlp.read.worker import Worker  # noqa: E402


def _log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


def _time(fn) -> float:
    start = time.perf_counter()
    with contextlib.suppress(ActionPlanError):  # an error is an answer: its time counts
        fn()
    return time.perf_counter() - start


_calls = iter(range(1 << 30))


def _plan() -> str:
    """The small plan with a unique last line, so no cache of a repeated text helps."""
    return hostile.PLAN_TEXT + f"Upload: {next(_calls)}\n"


def _text_cases(tmp: Path) -> dict:
    return {
        "tab_line": lambda n: read_plan(text="\t" * n + "\n" + _plan()),
        "spaces_before_inspection": lambda n: read_plan(
            text=" " * n + "HMIP Inspection dates x\n" + _plan()
        ),
        "punctuation_line": lambda n: read_plan(text=".-" * (n // 2) + "\n" + _plan()),
        "digits_line": lambda n: read_plan(text="7" * n + "\n" + _plan()),
        "docx_grid_span_rows": lambda n: read_plan(
            hostile.make_gridspan_docx(tmp / f"span{n}.docx", span=1_000_000, rows=n // 100)
        ),
        "docx_vmerge_chain": lambda n: read_plan(
            hostile.make_vmerge_docx(tmp / f"vmerge{n}.docx", rows=n // 20)
        ),
    }


def growth(base: int) -> dict:
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for name, fn in _text_cases(Path(d)).items():
            sizes = [base, 2 * base, 4 * base, 8 * base]
            _time(lambda fn=fn: fn(base // 2))  # warm imports
            # the best of 3 (each a new text): a shared machine adds noise, never removes work
            secs = [round(min(_time(lambda n=n, fn=fn: fn(n)) for _ in range(3)), 4) for n in sizes]
            ratio = round(secs[-1] / max(secs[0], 1e-6), 1)
            out[name] = {"n": sizes, "seconds": secs, "ratio": ratio}
            _log(name, out[name])
    return out


def worker_overhead() -> dict:
    paths = [str(p) for p in sample_paths()]
    in_process = _time(lambda: read_plans(paths, progress=False, limits=Limits(seconds=0)))
    with_worker = _time(lambda: read_plans(paths, progress=False))
    w = Worker(Limits())
    start = time.perf_counter()
    w.read(paths[0])
    first = time.perf_counter() - start
    again = _time(lambda: [w.read(p) for p in paths])
    w.close()
    alone = _time(lambda: [read_plan(p) for p in paths])
    out = {
        "files": len(paths),
        "in_process_s": round(in_process, 3),
        "read_plans_with_worker_s": round(with_worker, 3),
        "worker_start_and_first_file_s": round(first, 3),
        "warm_worker_s": round(again, 3),
        "in_process_again_s": round(alone, 3),
        "per_file_overhead_warm_s": round((again - alone) / len(paths), 4),
    }
    _log("worker", out)
    return out


def batch(seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        for name, (make, _) in hostile.CASES.items():
            make(folder / name)
        for s in sample_paths():
            shutil.copy(s, folder)
        code = (
            "import json, resource, sys, time\n"
            "from actionnlp.read import read_plans\n"
            "from actionnlp.read.limits import current_limits\n"
            "t = time.perf_counter()\n"
            "plans, errors = read_plans(sys.argv[1], progress=False)\n"
            "wall = time.perf_counter() - t\n"
            "me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
            "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n"
            "print(json.dumps({'files': len(plans) + len(errors), 'plans': len(plans),"
            " 'error_rows': len(errors), 'wall_s': round(wall, 1), 'peak_rss_parent_mb': me,"
            " 'peak_rss_worker_mb': kids, 'limits': current_limits().__dict__,"
            " 'errors': sorted(errors['error'].tolist())}))\n"
        )
        env = {"ACTIONNLP_READ_SECONDS": str(seconds), "PYTHONPATH": str(ROOT)}
        import os

        done = subprocess.run(
            [sys.executable, "-c", code, str(folder)],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            check=True,
        )
        out = json.loads(done.stdout.strip().splitlines()[-1])
    _log("batch", out)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, no hostile batch")
    parser.add_argument("--seconds", type=float, default=20.0, help="time budget in the batch")
    parser.add_argument("--no-batch", action="store_true", help="skip the hostile batch")
    args = parser.parse_args()
    result = {"growth": growth(2_500 if args.quick else 20_000), "worker": worker_overhead()}
    if not (args.quick or args.no_batch):
        result["batch"] = batch(args.seconds)
    result["bench_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
