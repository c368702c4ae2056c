"""Only regular files are read, and no more bytes than the budget (read/files.py, limits.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "hostile"))
import make_hostile as hostile

from actionnlp.data import sample_paths
from actionnlp.errors import (
    ActionPlanError,
    DocumentTooLargeError,
    MissingFileError,
    NotARegularFileError,
    PermissionDeniedError,
)
from actionnlp.read import read_plan
from actionnlp.read.files import check_regular, read_bounded
from actionnlp.read.limits import Limits, current_limits


def test_limits_come_from_defaults_environment_and_keywords():
    assert current_limits({}) == Limits()
    env = {"ACTIONNLP_READ_SECONDS": "7.5", "ACTIONNLP_READ_PDF_PAGES": "12"}
    limits = current_limits(env, pdf_pages=20)
    assert (limits.seconds, limits.pdf_pages) == (7.5, 20)
    with pytest.raises(ValueError, match="limit seconds must be a number"):
        Limits(seconds="soon")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit memory_mb must be >= 0"):
        Limits(memory_mb=-1)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = hostile.make_fifo(tmp_path / "plan.txt")
    with pytest.raises(NotARegularFileError, match=r"plan\.txt: is a named pipe \(FIFO\)"):
        read_plan(fifo)


def test_a_symlink_to_a_device_is_refused(tmp_path):
    link = hostile.make_zero_link(tmp_path / "zero.txt")
    with pytest.raises(NotARegularFileError, match=r"zero\.txt: is a character device"):
        read_plan(link)


def test_a_symlink_loop_is_reported_as_a_loop(tmp_path):
    link = hostile.make_symlink_loop(tmp_path / "loop-a.txt")
    with pytest.raises(NotARegularFileError, match=r"loop-a\.txt: is a symlink loop"):
        read_plan(link)


def test_a_dangling_symlink_and_a_folder_are_named(tmp_path):
    (tmp_path / "gone.txt").symlink_to("nowhere.txt")
    with pytest.raises(MissingFileError, match=r"gone\.txt: is a symlink to a missing file"):
        check_regular(tmp_path / "gone.txt")
    with pytest.raises(MissingFileError, match="is a folder"):
        check_regular(tmp_path)


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    (tmp_path / "plan.txt").symlink_to(sample_paths()[0])
    assert read_plan(tmp_path / "plan.txt").prison == "HMP Littlehey"


def test_bytes_are_counted_as_read_not_taken_from_stat():
    # /proc files are regular files whose stat size is 0
    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(DocumentTooLargeError, match="counted while reading"):
        read_bounded("/proc/self/maps", 10)


def test_the_text_budget_refuses_a_large_file(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(hostile.PLAN_TEXT)
    with pytest.raises(DocumentTooLargeError, match=r"big\.txt: \d+ bytes is more than the 50"):
        read_plan(path, limits=Limits(text_bytes=50))


def test_permission_denied_has_its_own_error(tmp_path, monkeypatch):
    # root may read any file, so the refusal the kernel gives another user is simulated
    path = tmp_path / "secret.txt"
    path.write_text(hostile.PLAN_TEXT)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("actionnlp.read.files.os.open", denied)
    with pytest.raises(PermissionDeniedError, match=r"secret\.txt: permission denied") as err:
        read_plan(path)
    assert isinstance(err.value, ActionPlanError)


def test_read_plan_names_the_file_for_any_failure(tmp_path, monkeypatch):
    from actionnlp.errors import DocumentTooLargeError, UnreadableDocumentError

    path = tmp_path / "plan.txt"
    path.write_text(hostile.PLAN_TEXT)
    for raised, kind, words in [
        (RecursionError("deep"), DocumentTooLargeError, "nested too deeply"),
        (MemoryError(), DocumentTooLargeError, "ran out of"),
        (KeyError("x"), UnreadableDocumentError, "unexpected KeyError while reading"),
    ]:

        def boom(text, source, raised=raised):
            raise raised

        monkeypatch.setattr("actionnlp.read.api.plan_from_text", boom)
        with pytest.raises(kind, match=rf"plan\.txt: .*{words}"):
            read_plan(path)
