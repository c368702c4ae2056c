"""Leftovers: killed parallel runs leave nothing in /dev/shm for good; matplotlib's
font cache goes to actionnlp's cache folder, not $HOME."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from actionnlp.workers import SHM_DIR, clean_killed_runs, parallel_options

RUN = textwrap.dedent(
    """
    import time
    from joblib import Parallel, delayed
    from actionnlp.workers import parallel_options
    with parallel_options() as options:
        print(options["temp_folder"], flush=True)
        Parallel(n_jobs=2, **options)(delayed(time.sleep)(120) for _ in range(2))
    """
)


def _shm(pid: int) -> list[str]:
    return sorted(
        n
        for n in os.listdir(SHM_DIR)
        if n.startswith((f"sem.loky-{pid}-", f"joblib_memmapping_folder_{pid}_"))
    )


@pytest.mark.skipif(not SHM_DIR.is_dir(), reason="no /dev/shm on this system")
def test_a_killed_parallel_run_is_cleaned_by_the_next_one(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, killed whole below
    )
    try:
        temp_folder = Path(proc.stdout.readline().strip())
        deadline = time.monotonic() + 120
        while not _shm(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _shm(proc.pid), "loky made no semaphores: nothing to test"
        assert temp_folder.parent.parent == tmp_path  # memory maps: not in /dev/shm
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # main, workers and resource tracker
        proc.wait()
    time.sleep(1)
    left = _shm(proc.pid)
    assert left and all(n.startswith("sem.loky-") for n in left)  # the leak being fixed
    marker = temp_folder.parent
    assert marker.name.startswith(f"actionnlp-run-{proc.pid}-")
    assert clean_killed_runs(tmp_path) == [proc.pid]
    assert _shm(proc.pid) == [] and not marker.exists()
    assert clean_killed_runs(tmp_path) == []


def test_live_runs_and_other_programs_are_left_alone(tmp_path):
    live = tmp_path / f"actionnlp-run-{os.getpid()}-x"
    live.mkdir()
    other = tmp_path / "joblib-something-1"
    other.mkdir()
    assert clean_killed_runs(tmp_path) == []
    assert live.exists() and other.exists()


def test_parallel_options_folder_is_removed_after_the_run():
    with parallel_options() as options:
        folder = Path(options["temp_folder"])
        assert folder.is_dir() and folder.parent.name.startswith("actionnlp-run-")
    assert not folder.exists()


MPL = textwrap.dedent(
    """
    import os, sys
    import actionnlp, actionnlp.analysis, actionnlp.analysis.plots
    assert "MPLCONFIGDIR" not in os.environ and "matplotlib" not in sys.modules
    from actionnlp.analysis.plots import configure_matplotlib
    configure_matplotlib()
    from matplotlib.figure import Figure
    fig = Figure()
    fig.text(0.5, 0.5, "font cache")
    fig.savefig(os.devnull, format="png")
    print(os.environ["MPLCONFIGDIR"])
    """
)


def test_matplotlib_writes_under_the_cache_folder_not_home(tmp_path):
    home, cache = tmp_path / "home", tmp_path / "cache"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "XDG_"))}
    env.update(HOME=str(home), ACTIONNLP_CACHE_DIR=str(cache), MPLBACKEND="Agg")
    out = subprocess.run(
        [sys.executable, "-c", MPL], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str(cache / "matplotlib")
    assert list((cache / "matplotlib").glob("fontlist-*.json"))
    assert list(home.rglob("*")) == []
