"""read_plans reads each file in a worker it can kill (read/worker.py): a file that
loops forever or exhausts memory becomes an error row and the batch goes on."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "hostile"))
import make_hostile as hostile

from actionnlp.data import sample_paths
from actionnlp.errors import BudgetExceededError
from actionnlp.read import read_plans
from actionnlp.read.limits import Limits
from actionnlp.read.worker import Worker, read_guarded


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_looping_pdf_and_a_fifo_do_not_stop_the_batch(tmp_path, n_jobs):
    shutil.copy(sample_paths()[0], tmp_path)
    hostile.make_loop_pdf(tmp_path / "loop.pdf")
    hostile.make_fifo(tmp_path / "fifo.txt")
    plans, errors = read_plans(tmp_path, n_jobs=n_jobs, progress=False, limits=Limits(seconds=3))
    assert [p.prison for p in plans] == ["HMP Littlehey"]
    rows = {Path(s).name: (e, m) for s, e, m in errors.itertuples(index=False)}
    assert rows["loop.pdf"][0] == "BudgetExceededError"
    assert "longer than the 3 s time budget" in rows["loop.pdf"][1]
    assert rows["loop.pdf"][1].startswith(str(tmp_path / "loop.pdf"))
    assert rows["fifo.txt"][0] == "NotARegularFileError"
    assert len(errors) == 2


def test_the_worker_is_reused_and_restarted_only_after_a_kill(tmp_path):
    loop = hostile.make_loop_pdf(tmp_path / "loop.pdf")
    good = str(sample_paths()[1])
    with Worker(Limits(seconds=3)) as w:
        assert w.read(good)[1] is None
        first = w.pid
        assert w.read(good)[1] is None and w.pid == first  # one process for the batch
        plan, error = w.read(str(loop))
        assert plan is None and error["error"] == "BudgetExceededError"
        assert w.pid is None and w.restarts == 1
        assert w.read(good)[0].prison == "HMP Peterborough (Men)"  # a fresh child
        assert w.pid != first


def test_the_memory_budget_becomes_an_error_row(tmp_path):
    # a plan of 30 MB of text: decoding and splitting it needs far more than the
    # 50 MB left above the worker's start-up footprint
    big = tmp_path / "big.txt"
    with big.open("w") as fh:
        fh.write(hostile.PLAN_TEXT)
        for _ in range(300):
            fh.write("x " * 50_000 + "\n")
    with Worker(Limits(seconds=120)) as w:
        w.read(str(sample_paths()[0]))  # start the child to measure its footprint
        footprint_mb = (
            int(Path(f"/proc/{w.pid}/status").read_text().split("VmSize:")[1].split()[0]) // 1024
        )
    limits = Limits(seconds=120, memory_mb=footprint_mb + 50)
    with Worker(limits) as w:
        plan, error = w.read(str(big))
    assert plan is None
    assert error["error"] == "BudgetExceededError"
    assert f"{limits.memory_mb} MB memory budget" in error["message"]


def test_unexpected_failures_become_library_errors(tmp_path, monkeypatch):
    path = tmp_path / "plan.txt"
    path.write_text(hostile.PLAN_TEXT)

    def deep(text, source):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("actionnlp.read.api.plan_from_text", deep)
    _, error = read_guarded(str(path), Limits())
    assert error["error"] == "DocumentTooLargeError"
    assert error["message"].startswith(f"{path}: is nested too deeply")

    def greedy(text, source):
        raise MemoryError

    monkeypatch.setattr("actionnlp.read.api.plan_from_text", greedy)
    _, error = read_guarded(str(path), Limits(memory_mb=100))
    assert error["error"] == BudgetExceededError.__name__
    assert "ran out of the 100 MB memory budget" in error["message"]
