"""Process pools that leave nothing behind, and matplotlib's config folder.

joblib's loky backend puts two kinds of state in shared memory (``/dev/shm``): memory
mapped arrays (``joblib_memmapping_folder_<pid>_*``) and named semaphores
(``sem.loky-<pid>-*``). Its resource tracker removes them when a run ends, even when
only the main process is killed; a run whose whole process group is killed (tracker
included) leaves them there for good. So a parallel run of actionnlp:

* marks itself with a folder ``actionnlp-run-<pid>-*`` in the temporary directory for
  as long as the process lives (removed at exit), and gives joblib that folder as its
  ``temp_folder``, so memory maps go there and not to ``/dev/shm``;
* at the start of every parallel run, removes what runs that were killed left: each
  marker of a process that no longer exists, with that process's ``sem.loky-<pid>-*``
  and ``joblib_memmapping_folder_<pid>_*`` entries in ``/dev/shm``. Only entries of
  processes that were actionnlp runs (they left a marker), are dead and belonged to the
  current user are touched.

>>> with parallel_options() as options:
...     sorted(options)
['temp_folder']
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["SHM_DIR", "clean_killed_runs", "parallel_options"]

SHM_DIR = Path("/dev/shm")
"""Where loky and joblib put their shared-memory state on Linux."""

_PREFIX = "actionnlp-run-"
_MARKER = re.compile(rf"{re.escape(_PREFIX)}(\d+)-")
_LOCK = threading.Lock()
_RUN: dict[int, Path] = {}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _mine(path: Path) -> bool:
    try:
        return path.lstat().st_uid == os.getuid()
    except OSError:
        return False


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def clean_killed_runs(temp_dir: str | os.PathLike[str] | None = None) -> list[int]:
    """Remove the leftovers of killed actionnlp runs (see the module docstring) and
    return the process ids they belonged to.

    >>> clean_killed_runs("/nonexistent")
    []
    """
    base = Path(temp_dir if temp_dir is not None else tempfile.gettempdir())
    try:
        names = os.listdir(base)
    except OSError:
        return []
    dead: list[int] = []
    for name in names:
        match = _MARKER.match(name)
        if match is None:
            continue
        pid = int(match.group(1))
        marker = base / name
        if pid == os.getpid() or _alive(pid) or not _mine(marker):
            continue
        dead.append(pid)
        if SHM_DIR.is_dir():
            for entry in SHM_DIR.iterdir():
                if entry.name.startswith(
                    (f"sem.loky-{pid}-", f"joblib_memmapping_folder_{pid}_")
                ) and _mine(entry):
                    _remove(entry)
        _remove(marker)
    return sorted(dead)


def _run_folder() -> Path:
    """This process's marker folder (created once, removed at exit)."""
    pid = os.getpid()
    with _LOCK:
        folder = _RUN.get(pid)
        if folder is None or not folder.is_dir():
            folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{pid}-"))
            _RUN[pid] = folder
            atexit.register(shutil.rmtree, folder, True)
        return folder


@contextlib.contextmanager
def parallel_options() -> Iterator[dict[str, Any]]:
    """Keyword arguments for ``joblib.Parallel`` in one parallel run: a ``temp_folder``
    inside this process's marker folder. Leftovers of killed runs are removed first;
    the run's memory maps are removed when the block ends."""
    clean_killed_runs()
    folder = Path(tempfile.mkdtemp(prefix="joblib-", dir=_run_folder()))
    try:
        yield {"temp_folder": str(folder)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
