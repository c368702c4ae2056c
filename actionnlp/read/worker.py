"""Read files in a worker process that is killed when a file runs out of its budget.

A reader can loop forever inside a C extension or a library (pdfminer on a PDF
whose objects reference each other in a loop) or grow without bound; no check in
the reading code can stop that. So :func:`~actionnlp.read.batch.read_plans` hands
each file to a :class:`Worker`: a long-lived child process (a fresh interpreter,
``python -m actionnlp.read.worker``, holding none of the caller's threads or
models) whose address space is capped with ``RLIMIT_AS``
(:attr:`Limits.memory_mb`). The parent waits :attr:`Limits.seconds` for each
file's answer and kills the child when the time runs out; the file becomes a
:class:`~actionnlp.errors.BudgetExceededError` row naming the budget and the next
file gets a fresh child. One worker serves a whole batch, so the cost of starting
it is paid once, not per file. Messages are pickles framed by their length on the
child's stdin and a private copy of its stdout (what a library prints goes to
stderr).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from actionnlp.errors import ActionPlanError, BudgetExceededError
from actionnlp.read.limits import Limits

__all__ = ["Worker", "error_row", "read_guarded"]

_START_SECONDS = 120.0  # importing the readers in a fresh process on a busy machine


def error_row(path: str, err: BaseException) -> dict[str, str]:
    """The ``errors`` row of a file that could not be read."""
    message = str(err) if isinstance(err, ActionPlanError) else f"{path}: {err}"
    return {"source": path, "error": type(err).__name__, "message": message}


def read_guarded(path: str, limits: Limits) -> tuple[Any, dict[str, str] | None]:
    """``read_plan`` in this process; every failure comes back as an error row."""
    from actionnlp.read.api import as_library_error, read_plan

    try:
        return read_plan(path, limits=limits), None
    except Exception as err:  # a reader bug on one file must not stop the batch
        return None, error_row(path, as_library_error(err, path, limits))


def _send(fd: int, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(struct.pack("<Q", len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _recv_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    """``n`` bytes from ``fd``; None when the deadline passes first. EOFError at EOF."""
    chunks: list[bytes] = []
    while n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _recv(fd: int, seconds: float | None = None) -> Any:
    """One pickled message; ``_TIMEOUT`` when ``seconds`` pass first."""
    deadline = None if seconds is None else time.monotonic() + seconds
    head = _recv_exact(fd, 8, deadline)
    if head is None:
        return _TIMEOUT
    body = _recv_exact(fd, struct.unpack("<Q", head)[0], deadline)
    return _TIMEOUT if body is None else pickle.loads(body)


_TIMEOUT = object()


def serve(memory_bytes: int) -> None:  # pragma: no cover - runs in the child
    """The child's loop: read paths from stdin, answer on the original stdout."""
    out = os.dup(1)
    os.dup2(2, 1)  # anything a library prints goes to stderr, not into the answers
    import actionnlp.read.api
    import actionnlp.read.docx
    import actionnlp.read.html
    import actionnlp.read.pdf  # noqa: F401  (import the readers before the cap)

    if memory_bytes:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    _send(out, "ready")
    while True:
        try:
            task = _recv(0)
        except (EOFError, OSError):
            return
        if task is None:
            return
        path, limits = task
        plan, error = read_guarded(path, limits)
        try:
            _send(out, (plan, error))
        except MemoryError:
            _send(out, (None, error_row(path, BudgetExceededError("result too large", path))))


class Worker:
    """One child process reading one file at a time under ``limits``.

    The child is a fresh interpreter (``python -m actionnlp.read.worker``), so the
    caller's script needs no ``if __name__ == "__main__"`` guard and the child
    inherits none of the caller's threads or loaded models.

    >>> from actionnlp.data import sample_paths
    >>> with Worker(Limits()) as w:
    ...     plan, error = w.read(str(sample_paths()[0]))
    >>> plan.prison, error
    ('HMP Littlehey', None)
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The child's process id, or None when none is running."""
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> subprocess.Popen[bytes]:
        cmd = [sys.executable, "-m", "actionnlp.read.worker", str(self.limits.memory_bytes)]
        # the child imports this very package, installed or not
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        try:
            ready = _recv(proc.stdout.fileno(), _START_SECONDS)  # type: ignore[union-attr]
        except (EOFError, OSError):
            ready = None
        if ready != "ready":
            proc.kill()
            proc.wait()
            raise RuntimeError("the reading worker process did not start")
        self._proc = proc
        return proc

    def _kill(self) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        proc.kill()
        code = proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]
        self.restarts += 1
        return code

    def read(self, path: str) -> tuple[Any, dict[str, str] | None]:
        """Read one file: ``(plan, None)`` or ``(None, error row)``."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            self._proc = None
            proc = self._start()
        seconds = self.limits.seconds
        try:
            _send(proc.stdin.fileno(), (path, self.limits))  # type: ignore[union-attr]
            answer = _recv(proc.stdout.fileno(), seconds)  # type: ignore[union-attr]
        except (EOFError, OSError):
            code = self._kill()
            return None, error_row(
                path,
                BudgetExceededError(
                    f"the reading process died (exit code {code}); it probably ran out of the "
                    f"{self.limits.memory_mb} MB memory budget (memory_mb)",
                    path,
                ),
            )
        if answer is not _TIMEOUT:
            return answer
        self._kill()
        return None, error_row(
            path,
            BudgetExceededError(
                f"reading took longer than the {seconds:g} s time budget and was stopped "
                "(seconds; raise ACTIONNLP_READ_SECONDS for a very large plan)",
                path,
            ),
        )

    def close(self) -> None:
        """Stop the child (politely, then by force)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            _send(proc.stdin.fileno(), None)  # type: ignore[union-attr]
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]


if __name__ == "__main__":  # pragma: no cover
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
