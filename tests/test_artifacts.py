from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from actionnlp.artifacts import (
    MANIFEST,
    actionnlp_version,
    artifact_path,
    check_embedding,
    file_sha256,
    manifest_sha256,
    read_artifact,
    read_pin_file,
    save_artifact,
    verify_artifact,
    write_pin_file,
)
from actionnlp.embed import FakeEmbedder
from actionnlp.errors import ArtifactError
from actionnlp.skops_io import load_sklearn_bytes, load_verified_sklearn, save_sklearn


@pytest.fixture(scope="module")
def fitted() -> tuple[Any, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    y = np.array(["a", "b", "c"])[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)]
    return LogisticRegression(max_iter=500).fit(x, y), x


def _save(root: Path, model: Any, extra: dict[str, Any] | None = None) -> Path:
    def write(directory: Path) -> None:
        save_sklearn(model, directory / "model.skops")
        (directory / "sub").mkdir()
        (directory / "sub" / "notes.txt").write_text("thresholds: 0.5\n")

    return save_artifact(
        artifact_path(root, "themes", 1),
        name="themes",
        version=1,
        labels=["a", "b", "c"],
        data_hash="d" * 64,
        metrics={"macro_f1": 0.5, **(extra or {})},
        embedding=FakeEmbedder(32),
        write_files=write,
    )


def _edit_manifest(directory: Path, **changes: Any) -> None:
    path = directory / MANIFEST
    manifest = json.loads(path.read_text())
    for key, value in changes.items():
        if key == "created_by":
            manifest["created_by"].update(value)
        else:
            manifest[key] = value
    path.write_text(json.dumps(manifest))


def test_round_trip_gives_identical_probabilities(tmp_path: Path, fitted: Any) -> None:
    model, x = fitted
    directory = _save(tmp_path, model)
    assert directory.name == "themes-v1"
    loaded = load_verified_sklearn(directory, "model.skops", expected_name="themes")
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))
    assert list(loaded.classes_) == ["a", "b", "c"]


def test_manifest_contents(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    manifest = verify_artifact(directory, expected_name="themes")
    assert manifest["format_version"] == 1
    assert (manifest["name"], manifest["version"]) == ("themes", 1)
    assert set(manifest["files"]) == {"model.skops", "sub/notes.txt"}
    assert manifest["embedding"] == {"name": "fake", "weights_sha256": "fake-32"}
    assert manifest["labels"] == ["a", "b", "c"]
    assert manifest["metrics"] == {"macro_f1": 0.5}
    created = manifest["created_by"]
    assert set(created) == {
        "actionnlp",
        "python",
        "scikit-learn",
        "spacy",
        "sentence-transformers",
        "skops",
    }
    assert created["actionnlp"] == actionnlp_version()
    check_embedding(manifest, FakeEmbedder(32))
    with pytest.raises(ArtifactError, match="embedding"):
        check_embedding(manifest, FakeEmbedder(16))


def test_tampered_byte_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    target = directory / "model.skops"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="checksum mismatch") as info:
        load_verified_sklearn(directory, "model.skops")
    assert "model.skops" in str(info.value)


def test_tampered_nested_file_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    (directory / "sub" / "notes.txt").write_text("thresholds: 0.9\n")
    with pytest.raises(ArtifactError, match=r"sub/notes\.txt"):
        verify_artifact(directory)


def test_extra_file_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    (directory / "sub" / "evil.skops").write_bytes(b"x")
    with pytest.raises(ArtifactError, match=r"not in the manifest: sub/evil\.skops"):
        verify_artifact(directory)


def test_missing_listed_file_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    (directory / "sub" / "notes.txt").unlink()
    with pytest.raises(ArtifactError, match=r"missing: sub/notes\.txt"):
        verify_artifact(directory)


def test_missing_manifest_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    (directory / MANIFEST).unlink()
    with pytest.raises(ArtifactError, match=r"no manifest\.json") as info:
        load_verified_sklearn(directory, "model.skops")
    assert str(directory) in str(info.value)
    with pytest.raises(ArtifactError, match="does not exist"):
        verify_artifact(tmp_path / "nowhere")


def test_bad_manifest_json_and_format(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    (directory / MANIFEST).write_text("{not json")
    with pytest.raises(ArtifactError, match="not valid JSON"):
        verify_artifact(directory)
    directory = _save(tmp_path / "again", fitted[0])
    _edit_manifest(directory, format_version=2)
    with pytest.raises(ArtifactError, match="format_version is 2"):
        verify_artifact(directory)


def test_other_sklearn_version_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    _edit_manifest(directory, created_by={"scikit-learn": "0.24.2"})
    with pytest.raises(ArtifactError, match=r"scikit-learn 0\.24\.2"):
        load_verified_sklearn(directory, "model.skops")


def test_patch_level_differences_and_unchecked_libraries_pass(tmp_path: Path, fitted: Any) -> None:
    import sklearn

    major, minor = sklearn.__version__.split(".")[:2]
    directory = _save(tmp_path, fitted[0])
    _edit_manifest(directory, created_by={"scikit-learn": f"{major}.{minor}.999", "skops": None})
    manifest = verify_artifact(directory, expected_name="themes")
    assert manifest["created_by"]["scikit-learn"] == f"{major}.{minor}.999"
    assert manifest["created_by"]["skops"] is None
    assert (manifest["name"], manifest["version"]) == ("themes", 1)
    assert set(manifest["files"]) == {"model.skops", "sub/notes.txt"}
    model, x = fitted
    loaded = load_verified_sklearn(directory, "model.skops", expected_name="themes")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_other_actionnlp_version_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    _edit_manifest(directory, created_by={"actionnlp": "99.0.0"})
    with pytest.raises(ArtifactError, match=r"actionnlp 99\.0\.0"):
        verify_artifact(directory)


def test_name_mismatch_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    with pytest.raises(ArtifactError, match="expected 'owners'"):
        verify_artifact(directory, expected_name="owners")


def test_path_escaping_manifest_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    manifest = json.loads((directory / MANIFEST).read_text())
    manifest["files"]["../outside.txt"] = "0" * 64
    (directory / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="invalid path"):
        verify_artifact(directory)


def test_missing_created_by_or_embedding_is_an_error(tmp_path: Path, fitted: Any) -> None:
    for key in ("created_by", "embedding"):
        directory = _save(tmp_path / key, fitted[0])
        manifest = json.loads((directory / MANIFEST).read_text())
        del manifest[key]
        (directory / MANIFEST).write_text(json.dumps(manifest))
        with pytest.raises(ArtifactError, match=f"manifest lacks {key}"):
            verify_artifact(directory)
    for dist in ("actionnlp", "scikit-learn", "spacy"):
        directory = _save(tmp_path / dist, fitted[0])
        _edit_manifest(directory, created_by={dist: None})
        with pytest.raises(ArtifactError, match=f"does not record the {dist} version"):
            verify_artifact(directory)
    directory = _save(tmp_path / "bad-embedding", fitted[0])
    _edit_manifest(directory, embedding={"name": "fake"})
    with pytest.raises(ArtifactError, match="'embedding' must be null or have"):
        verify_artifact(directory)


def test_null_embedding_is_refused_where_embeddings_are_read() -> None:
    manifest = {"name": "themes", "embedding": None}
    with pytest.raises(ArtifactError, match="records no embedding"):
        check_embedding(manifest, FakeEmbedder(32))


def test_pin_refuses_a_file_edited_together_with_its_manifest(tmp_path: Path, fitted: Any) -> None:
    from sklearn.linear_model import LogisticRegression

    directory = _save(tmp_path, fitted[0])
    pin = manifest_sha256(directory)
    assert verify_artifact(directory, pin=pin)["name"] == "themes"
    other = LogisticRegression().fit([[0.0], [1.0]], ["a", "b"])
    save_sklearn(other, directory / "model.skops")
    manifest = json.loads((directory / MANIFEST).read_text())
    manifest["files"]["model.skops"] = file_sha256(directory / "model.skops")
    (directory / MANIFEST).write_text(json.dumps(manifest))
    verify_artifact(directory)  # the manifest alone vouches for the edit...
    with pytest.raises(ArtifactError, match="is pinned") as info:  # ...the pin does not
        load_verified_sklearn(directory, "model.skops", pin=pin)
    assert str(directory / MANIFEST) in str(info.value)


def test_the_verified_bytes_are_the_ones_deserialised(
    tmp_path: Path, fitted: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file swapped after the check is never read: loading uses the checked bytes."""
    import actionnlp.artifacts as artifacts

    model, x = fitted
    directory = _save(tmp_path, model)
    artifact = read_artifact(directory)
    evil = save_sklearn({"f": np.load}, tmp_path / "evil.skops").read_bytes()
    (directory / "model.skops").write_bytes(evil)  # swapped after verification
    opened: list[str] = []
    real = artifacts.read_regular
    monkeypatch.setattr(
        artifacts, "read_regular", lambda p, **k: opened.append(str(p)) or real(p, **k)
    )
    loaded = load_sklearn_bytes(artifact.files["model.skops"], directory / "model.skops")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert opened == []
    with artifact.materialised() as folder:
        assert (folder / "model.skops").read_bytes() == artifact.files["model.skops"]
        assert (folder / "sub" / "notes.txt").read_text() == "thresholds: 0.5\n"
    assert not folder.exists()


def test_non_regular_files_in_an_artifact_are_refused(tmp_path: Path, fitted: Any) -> None:
    import os

    directory = _save(tmp_path, fitted[0])
    os.mkfifo(directory / "sub" / "pipe")
    with pytest.raises(ArtifactError, match="'sub/pipe' is not a regular file"):
        verify_artifact(directory)
    os.unlink(directory / "sub" / "pipe")
    (directory / "model.skops").unlink()
    os.symlink("/dev/zero", directory / "model.skops")
    with pytest.raises(ArtifactError, match=r"symbolic link 'model\.skops'"):
        verify_artifact(directory)
    os.unlink(directory / "model.skops")
    (directory / MANIFEST).unlink()
    os.mkfifo(directory / MANIFEST)  # opening it for reading would block forever
    with pytest.raises(ArtifactError, match="not a regular file"):
        verify_artifact(directory)


def test_oversized_or_deep_manifest_is_an_artifact_error(tmp_path: Path, fitted: Any) -> None:
    import actionnlp.artifacts as artifacts

    directory = _save(tmp_path, fitted[0])
    (directory / MANIFEST).write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ArtifactError, match="not valid JSON"):
        verify_artifact(directory)
    (directory / MANIFEST).write_bytes(b" " * (artifacts.MAX_MANIFEST_BYTES + 1))
    with pytest.raises(ArtifactError, match="not a regular file of at most"):
        verify_artifact(directory)


def test_pin_file_round_trip_and_bad_pin_files(tmp_path: Path) -> None:
    path = write_pin_file(tmp_path / "pins.json", {"themes-v1": "a" * 64})
    assert read_pin_file(path) == {"themes-v1": "a" * 64}
    path.write_text('{"themes-v1": "not a digest"}')
    with pytest.raises(ArtifactError, match="SHA-256 hex digests"):
        read_pin_file(path)
    path.write_text("{")
    with pytest.raises(ArtifactError, match="not valid JSON"):
        read_pin_file(path)


def test_unlisted_relpath_is_refused(tmp_path: Path, fitted: Any) -> None:
    directory = _save(tmp_path, fitted[0])
    with pytest.raises(ArtifactError, match="not one of the artifact's files"):
        load_verified_sklearn(directory, "other.skops")


def test_save_artifact_input_checks(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no files"):
        save_artifact(tmp_path / "e-v1", name="e", version=1, labels=[], data_hash="", metrics={})
    with pytest.raises(ValueError, match="version"):
        artifact_path(tmp_path, "e", 0)
    with pytest.raises(ValueError, match="name"):
        artifact_path(tmp_path, "../e", 1)


def test_files_already_written_and_resave(tmp_path: Path) -> None:
    directory = tmp_path / "pre-v2"
    directory.mkdir()
    (directory / "a.txt").write_text("a")
    save_artifact(directory, name="pre", version=2, labels=["x"], data_hash="h", metrics={})
    (directory / "b.txt").write_text("b")
    save_artifact(directory, name="pre", version=2, labels=["x"], data_hash="h", metrics={})
    assert set(verify_artifact(directory)["files"]) == {"a.txt", "b.txt"}
