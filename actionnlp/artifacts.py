"""Verified model artifacts: a directory of files plus a checksummed manifest.

An artifact lives in ``actionnlp/models/<name>-v<N>/``. Its ``manifest.json``
records who built it (library versions), the embedding it expects, its
labels, a hash of its training data, its metrics and the SHA-256 of every
other file in the directory. :func:`verify_artifact` checks all of that
before anything is deserialised; scikit-learn objects are stored with skops,
never pickle.

>>> import tempfile
>>> from sklearn.linear_model import LogisticRegression
>>> model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
>>> with tempfile.TemporaryDirectory() as root:
...     art = save_artifact(
...         artifact_path(root, "demo", 1),
...         name="demo", version=1, labels=["no", "yes"], data_hash="abc",
...         metrics={"f1": 1.0},
...         write_files=lambda d: save_sklearn(model, d / "model.skops"),
...     )
...     loaded = load_verified_sklearn(art, "model.skops")
...     verify_artifact(art)["files"].keys()
dict_keys(['model.skops'])
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actionnlp.errors import ArtifactError

if TYPE_CHECKING:
    from actionnlp.embed import Embedder

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "TRUSTED_MODULES",
    "actionnlp_version",
    "artifact_path",
    "check_embedding",
    "file_sha256",
    "library_versions",
    "load_sklearn",
    "load_verified_sklearn",
    "save_artifact",
    "save_sklearn",
    "verify_artifact",
]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TRUSTED_MODULES = ("actionnlp", "sklearn", "numpy", "scipy")
"""Top-level modules whose types :func:`load_sklearn` may trust."""

_CHECKED_LIBRARIES = ("actionnlp", "scikit-learn", "spacy")
_RECORDED_LIBRARIES = ("scikit-learn", "spacy", "sentence-transformers", "skops")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_REQUIRED_KEYS = ("name", "version", "created_by", "labels", "data_hash", "metrics", "files")


def actionnlp_version() -> str:
    """Return the installed actionnlp version, or "0.1.0" when not installed.

    >>> isinstance(actionnlp_version(), str)
    True
    """
    try:
        return metadata.version("actionnlp")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def _installed_version(dist: str) -> str | None:
    if dist == "actionnlp":
        return actionnlp_version()
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def library_versions() -> dict[str, str | None]:
    """Versions recorded in a manifest's ``created_by`` (None when not installed).

    >>> sorted(library_versions())[:2]
    ['actionnlp', 'python']
    """
    versions: dict[str, str | None] = {
        "actionnlp": actionnlp_version(),
        "python": platform.python_version(),
    }
    for dist in _RECORDED_LIBRARIES:
        versions[dist] = _installed_version(dist)
    return versions


def artifact_path(root: str | Path, name: str, version: int) -> Path:
    """Return ``root/<name>-v<version>``.

    >>> artifact_path("models", "themes", 2).as_posix()
    'models/themes-v2'
    """
    _check_name(name)
    _check_version(version)
    return Path(root) / f"{name}-v{version}"


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of a file (never cached).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d, "f")
    ...     _ = p.write_bytes(b"")
    ...     file_sha256(p)[:8]
    'e3b0c442'
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"artifact name must be letters, digits, '_', '.', '-': {name!r}")


def _check_version(version: object) -> None:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"artifact version must be a positive int, got {version!r}")


def _list_files(directory: Path) -> list[str]:
    """Relative POSIX paths of every file under ``directory`` except the manifest."""
    found: list[str] = []
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory).as_posix()
        if path.is_symlink():
            raise ArtifactError(f"symbolic link {rel!r} is not allowed in an artifact", directory)
        if path.is_file() and rel != MANIFEST:
            found.append(rel)
    return found


def _embedding_entry(embedding: Embedder | Mapping[str, str] | None) -> dict[str, str] | None:
    if embedding is None:
        return None
    if isinstance(embedding, Mapping):
        entry = {"name": embedding["name"], "weights_sha256": embedding["weights_sha256"]}
    else:
        entry = {"name": embedding.name, "weights_sha256": embedding.weights_hash}
    if not all(isinstance(v, str) and v for v in entry.values()):
        raise ValueError(f"embedding name and weights_sha256 must be non-empty strings: {entry}")
    return entry


def save_artifact(
    directory: str | Path,
    *,
    name: str,
    version: int,
    labels: Sequence[str],
    data_hash: str,
    metrics: Mapping[str, Any],
    embedding: Embedder | Mapping[str, str] | None = None,
    write_files: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``manifest.json`` for the artifact in ``directory`` and return its path.

    ``directory`` is created if needed. ``write_files(directory)``, when given,
    is called first to write the artifact's files; otherwise they must already
    be there. Every file under ``directory`` (recursively) is checksummed.
    ``embedding`` is an :class:`~actionnlp.embed.Embedder` or a mapping with
    ``name`` and ``weights_sha256``. ``metrics`` must be JSON-serialisable.
    An existing manifest is replaced.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     d = save_artifact(Path(root, "x-v1"), name="x", version=1, labels=[],
    ...                       data_hash="h", metrics={},
    ...                       write_files=lambda d: (d / "a.txt").write_text("hi"))
    ...     sorted(p.name for p in d.iterdir())
    ['a.txt', 'manifest.json']
    """
    _check_name(name)
    _check_version(version)
    if isinstance(labels, str) or not all(isinstance(label, str) for label in labels):
        raise ValueError("labels must be a sequence of strings")
    if not isinstance(data_hash, str):
        raise ValueError("data_hash must be a string")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if write_files is not None:
        write_files(directory)
    files = _list_files(directory)
    if not files:
        raise ValueError(f"{directory}: no files to put in the artifact")
    manifest = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "version": version,
        "created_by": library_versions(),
        "embedding": _embedding_entry(embedding),
        "labels": list(labels),
        "data_hash": data_hash,
        "metrics": dict(metrics),
        "files": {rel: file_sha256(directory / rel) for rel in files},
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, allow_nan=False) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, directory / MANIFEST)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return directory


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not directory.is_dir():
        raise ArtifactError("artifact directory does not exist", directory)
    if not path.is_file():
        raise ArtifactError(f"no {MANIFEST}: not a saved artifact", directory)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"manifest is not valid JSON ({exc})", path) from exc
    if not isinstance(manifest, dict):
        raise ArtifactError("manifest is not a JSON object", path)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(
            f"format_version is {manifest.get('format_version')!r}, "
            f"this actionnlp reads {FORMAT_VERSION}",
            path,
        )
    missing = [key for key in _REQUIRED_KEYS if key not in manifest]
    if missing:
        raise ArtifactError(f"manifest lacks {', '.join(missing)}", path)
    files = manifest["files"]
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise ArtifactError("manifest 'files' must map relative paths to SHA-256 digests", path)
    if not isinstance(manifest["created_by"], dict):
        raise ArtifactError("manifest 'created_by' must be an object", path)
    return manifest


def verify_artifact(directory: str | Path, *, expected_name: str | None = None) -> dict[str, Any]:
    """Check an artifact and return its manifest; raise ArtifactError if anything is off.

    Refused: a missing, non-JSON or other-format manifest; a name other than
    ``expected_name``; scikit-learn, spacy or actionnlp installed at another
    major.minor than the manifest records (only those it lists); a listed file
    missing; a file present but not listed; any checksum mismatch. Nothing in
    the artifact is deserialised here.

    >>> verify_artifact("/nonexistent")
    Traceback (most recent call last):
    ...
    actionnlp.errors.ArtifactError: /nonexistent: artifact directory does not exist
    """
    directory = Path(directory)
    manifest = _read_manifest(directory)
    where = directory / MANIFEST
    if expected_name is not None and manifest["name"] != expected_name:
        raise ArtifactError(
            f"artifact is named {manifest['name']!r}, expected {expected_name!r}", where
        )
    created_by = manifest["created_by"]
    for dist in _CHECKED_LIBRARIES:
        if dist not in created_by or created_by[dist] is None:
            continue
        built = str(created_by[dist])
        installed = _installed_version(dist)
        if installed is None:
            raise ArtifactError(f"built with {dist} {built}, which is not installed", where)
        if _major_minor(installed) != _major_minor(built):
            raise ArtifactError(
                f"built with {dist} {built} but {installed} is installed "
                "(major.minor must match; retrain or install the same version)",
                where,
            )
    listed: dict[str, str] = manifest["files"]
    for rel in listed:
        if rel.startswith("/") or ".." in Path(rel).parts or rel == MANIFEST:
            raise ArtifactError(f"manifest lists an invalid path {rel!r}", where)
    present = set(_list_files(directory))
    missing = sorted(set(listed) - present)
    if missing:
        raise ArtifactError(f"listed file(s) missing: {', '.join(missing)}", directory)
    extra = sorted(present - set(listed))
    if extra:
        raise ArtifactError(f"file(s) not in the manifest: {', '.join(extra)}", directory)
    for rel in sorted(listed):
        actual = file_sha256(directory / rel)
        if actual != listed[rel].lower():
            raise ArtifactError(
                f"checksum mismatch: manifest says {listed[rel]}, file has {actual}",
                directory / rel,
            )
    return manifest


def check_embedding(manifest: Mapping[str, Any], embedder: Embedder) -> None:
    """Raise ArtifactError unless ``embedder`` is the one the artifact was built with.

    >>> from actionnlp.embed import FakeEmbedder
    >>> m = {"name": "x", "embedding": {"name": "fake", "weights_sha256": "fake-32"}}
    >>> check_embedding(m, FakeEmbedder(32))
    >>> check_embedding(m, FakeEmbedder(16))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    actionnlp.errors.ArtifactError: artifact 'x' was built with embedding fake (fake-32), not ...
    """
    wanted = manifest.get("embedding")
    if wanted is None:
        return
    name, digest = embedder.name, embedder.weights_hash
    if wanted.get("name") != name or wanted.get("weights_sha256") != digest:
        raise ArtifactError(
            f"artifact {manifest.get('name')!r} was built with embedding "
            f"{wanted.get('name')} ({wanted.get('weights_sha256')}), not {name} ({digest})"
        )


def save_sklearn(obj: Any, path: str | Path) -> Path:
    """Write a scikit-learn object (or any skops-serialisable object) with skops.

    >>> import tempfile
    >>> from sklearn.preprocessing import StandardScaler
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = save_sklearn(StandardScaler(), Path(d, "s.skops"))
    ...     type(load_sklearn(p)).__name__
    'StandardScaler'
    """
    import skops.io

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    skops.io.dump(obj, path)
    return path


def _trustable(type_name: str) -> bool:
    return type_name.split(".", 1)[0] in TRUSTED_MODULES


def load_sklearn(path: str | Path, *, trusted_types: Sequence[str] | None = None) -> Any:
    """Load a skops file, trusting only actionnlp, sklearn, numpy and scipy types.

    Types skops does not trust by default are trusted when their top-level
    module is one of :data:`TRUSTED_MODULES`; ``trusted_types``, when given,
    narrows that to the listed names. Any other type raises ArtifactError
    before the object is built. This does not check checksums: prefer
    :func:`load_verified_sklearn` for artifacts.
    """
    import skops.io

    path = Path(path)
    if not path.is_file():
        raise ArtifactError("skops file does not exist", path)
    if trusted_types is not None:
        bad = [t for t in trusted_types if not _trustable(t)]
        if bad:
            raise ArtifactError(
                f"refusing to trust {', '.join(bad)}: only {', '.join(TRUSTED_MODULES)} types",
                path,
            )
    try:
        untrusted = skops.io.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises many kinds on a corrupt or foreign file
        raise ArtifactError(f"not a readable skops file ({exc})", path) from exc
    allowed = [t for t in untrusted if _trustable(t)]
    if trusted_types is not None:
        allowed = [t for t in allowed if t in set(trusted_types)]
    refused = sorted(set(untrusted) - set(allowed))
    if refused:
        raise ArtifactError(f"untrusted type(s) in skops file: {', '.join(refused)}", path)
    try:
        return skops.io.load(path, trusted=allowed)
    except Exception as exc:  # any failure to rebuild the object is an artifact problem
        raise ArtifactError(f"could not load skops file ({exc})", path) from exc


def load_verified_sklearn(
    artifact_dir: str | Path,
    relpath: str,
    *,
    expected_name: str | None = None,
    trusted_types: Sequence[str] | None = None,
) -> Any:
    """Verify the artifact, then load ``relpath`` (which must be listed) with skops."""
    manifest = verify_artifact(artifact_dir, expected_name=expected_name)
    if relpath not in manifest["files"]:
        raise ArtifactError(f"{relpath!r} is not one of the artifact's files", artifact_dir)
    return load_sklearn(Path(artifact_dir) / relpath, trusted_types=trusted_types)
