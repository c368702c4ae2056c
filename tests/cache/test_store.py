"""The publish/index store: atomic batch files, the cache folder, stale temporary files."""

from __future__ import annotations

import contextlib
import os
import time

from actionnlp.cache.store import (
    ENV_VAR,
    STALE_TMP_SECONDS,
    clean_stale_temp_files,
    default_cache_dir,
    publish,
)


def test_publish_writes_a_whole_file_and_leaves_no_temporary(tmp_path):
    path = publish(tmp_path / "new", ".json", lambda handle: handle.write(b"{}"))
    assert path.read_bytes() == b"{}" and path.suffix == ".json"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_failed_write_leaves_nothing(tmp_path):
    def fail(handle):
        handle.write(b"half")
        raise OSError("disk full")

    with contextlib.suppress(OSError):
        publish(tmp_path, ".json", fail)
    assert list(tmp_path.iterdir()) == []


def test_only_old_temporary_files_are_cleaned(tmp_path):
    old, young = tmp_path / ".batch-old.tmp", tmp_path / ".batch-young.tmp"
    old.write_bytes(b"x")
    young.write_bytes(b"y")
    then = time.time() - STALE_TMP_SECONDS - 1
    os.utime(old, (then, then))
    assert clean_stale_temp_files(tmp_path) == 1
    assert not old.exists() and young.exists()


def test_the_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(ENV_VAR)
    assert default_cache_dir().parts[-2:] == ("actionnlp", "embeddings")
