"""actionnlp.pretrained: the config.json every saved model has, and its checks."""

from __future__ import annotations

import json
import os

import pytest

from actionnlp.embed import FakeEmbedder
from actionnlp.errors import ArtifactError
from actionnlp.pretrained import CONFIG, read_config, write_config


def test_written_config_reads_back_with_its_extra_keys(tmp_path):
    write_config(tmp_path, "demo.Model", {"C": 2.0}, embedding=None, labels=["a", "b"])
    config = read_config(tmp_path, "demo.Model", embedder=FakeEmbedder(8))
    assert config["params"] == {"C": 2.0} and config["labels"] == ["a", "b"]
    assert config["embedding"] is None  # a model that reads no embeddings accepts any
    with pytest.raises(ValueError, match="set by write_config"):
        write_config(tmp_path, "demo.Model", {}, embedding=None, format=2)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"format": 2, "model": "demo.Model", "params": {}}', "format is 2"),
        (b'{"format": 1, "model": "other.Model", "params": {}}', "saved by 'other.Model'"),
        (b'{"format": 1, "model": "demo.Model", "params": []}', "no 'params' object"),
        (b'{"format": 1, "model": "demo.Model", "params": {}, "embedding": "x"}', "'embedding'"),
    ],
)
def test_bad_configs_are_artifact_errors_naming_the_file(tmp_path, content, message):
    (tmp_path / CONFIG).write_bytes(content)
    with pytest.raises(ArtifactError, match=message) as info:
        read_config(tmp_path, "demo.Model")
    assert str(tmp_path / CONFIG) in str(info.value)


def test_a_linked_config_or_another_embedding_is_refused(tmp_path):
    write_config(tmp_path / "real", "demo.Model", {}, embedding=FakeEmbedder(8))
    with pytest.raises(ArtifactError, match=r"built with embedding fake \(fake-8\)"):
        read_config(tmp_path / "real", "demo.Model", embedder=FakeEmbedder(16))
    (tmp_path / "linked").mkdir()
    os.symlink(tmp_path / "real" / CONFIG, tmp_path / "linked" / CONFIG)
    with pytest.raises(ArtifactError, match="not a regular file"):
        read_config(tmp_path / "linked", "demo.Model")
    assert json.loads((tmp_path / "real" / CONFIG).read_text())["format"] == 1
