"""Verified model artifacts: a directory of files plus a checksummed manifest.

An artifact lives in ``actionnlp/models/<name>-v<N>/``. Its ``manifest.json``
records who built it (library versions), the embedding it expects, its
labels, a hash of its training data, its metrics and the SHA-256 of every
other file in the directory. :func:`read_artifact` checks all of that
before anything is deserialised, and the loaders deserialise the bytes it checked;
scikit-learn objects are stored with skops, never pickle (:mod:`actionnlp.skops_io`).
A pin file (``models/pins.json`` style, :func:`read_pin_file`) records the SHA-256 of
each shipped manifest, so one digest pins a whole artifact.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as root:
...     art = save_artifact(
...         artifact_path(root, "demo", 1),
...         name="demo", version=1, labels=["no", "yes"], data_hash="abc",
...         metrics={"f1": 1.0},
...         write_files=lambda d: (d / "thresholds.json").write_text("[0.5]"),
...     )
...     read_artifact(art).files
{'thresholds.json': b'[0.5]'}
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actionnlp.errors import ArtifactError
from actionnlp.filebytes import NotRegularFileError, is_regular, read_regular

if TYPE_CHECKING:
    from actionnlp.embed import Embedder

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "MAX_FILE_BYTES",
    "MAX_MANIFEST_BYTES",
    "VerifiedArtifact",
    "actionnlp_version",
    "artifact_path",
    "check_embedding",
    "embedding_entry",
    "file_sha256",
    "library_versions",
    "manifest_sha256",
    "pins_of",
    "read_artifact",
    "read_file_bytes",
    "read_pin_file",
    "save_artifact",
    "verify_artifact",
    "write_pin_file",
]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 8 << 20
"""Largest ``manifest.json`` (and ``pins.json``) read."""
MAX_FILE_BYTES = 1 << 30
"""Largest single file of an artifact read."""

_CHECKED_LIBRARIES = ("actionnlp", "scikit-learn", "spacy")
_RECORDED_LIBRARIES = ("scikit-learn", "spacy", "sentence-transformers", "skops")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_REQUIRED_KEYS = (
    "name",
    "version",
    "created_by",
    "embedding",
    "labels",
    "data_hash",
    "metrics",
    "files",
)
_EMBEDDING_KEYS = ("name", "weights_sha256")
_HEX64 = re.compile(r"[0-9a-f]{64}")


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
    from actionnlp.embed import sha256_file

    return sha256_file(path, use_cache=False)


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"artifact name must be letters, digits, '_', '.', '-': {name!r}")


def _check_version(version: object) -> None:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"artifact version must be a positive int, got {version!r}")


def _list_files(directory: Path) -> list[str]:
    """Relative POSIX paths of every file under ``directory`` except the manifest."""
    found: list[str] = []
    try:
        paths = sorted(directory.rglob("*"))
    except OSError as exc:
        raise ArtifactError(f"cannot list the artifact ({exc.strerror or exc})", directory) from exc
    for path in paths:
        rel = path.relative_to(directory).as_posix()
        if path.is_symlink():
            raise ArtifactError(f"symbolic link {rel!r} is not allowed in an artifact", directory)
        if path.is_dir():
            continue
        if not is_regular(path):
            raise ArtifactError(f"{rel!r} is not a regular file (FIFO, device, socket)", directory)
        if rel != MANIFEST:
            found.append(rel)
    return found


def embedding_entry(embedding: Embedder | Mapping[str, str] | None) -> dict[str, str] | None:
    """The ``{"name", "weights_sha256"}`` a manifest or model config records for an
    embedder (None for a model that reads no embeddings)."""
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
        "embedding": embedding_entry(embedding),
        "labels": list(labels),
        "data_hash": data_hash,
        "metrics": dict(metrics),
        "files": {rel: file_sha256(directory / rel) for rel in files},
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, allow_nan=False) + "\n"
    _replace_text(directory / MANIFEST, text, prefix=".manifest-")
    return directory


def _replace_text(path: Path, text: str, *, prefix: str) -> None:
    """Write ``text`` to ``path`` atomically: into a temporary file named ``prefix...``
    beside it, then :func:`os.replace` (the temporary file is removed on failure)."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def read_file_bytes(path: Path, limit: int, what: str) -> bytes:
    """The bytes of one regular file of an artifact (at most ``limit``, links refused);
    an ArtifactError naming it and calling it ``what`` otherwise."""
    try:
        return read_regular(path, limit=limit)
    except NotRegularFileError as exc:
        raise ArtifactError(f"{what} is not a regular file of at most {limit} bytes", path) from exc
    except FileNotFoundError as exc:
        raise ArtifactError(f"{what} does not exist", path) from exc
    except PermissionError as exc:
        raise ArtifactError(f"{what} cannot be read: permission denied", path) from exc
    except OSError as exc:
        raise ArtifactError(f"{what} cannot be read ({exc.strerror or exc})", path) from exc


def _parse_manifest(data: bytes, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
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
    created_by = manifest["created_by"]
    if not isinstance(created_by, dict):
        raise ArtifactError("manifest 'created_by' must be an object", path)
    unrecorded = [d for d in _CHECKED_LIBRARIES if not isinstance(created_by.get(d), str)]
    if unrecorded:
        raise ArtifactError(
            f"manifest 'created_by' does not record the {', '.join(unrecorded)} version", path
        )
    embedding = manifest["embedding"]
    if embedding is not None and not (
        isinstance(embedding, dict)
        and all(isinstance(embedding.get(k), str) and embedding[k] for k in _EMBEDDING_KEYS)
    ):
        raise ArtifactError(
            "manifest 'embedding' must be null or have a name and a weights_sha256", path
        )
    return manifest


def _check_versions(created_by: Mapping[str, str], where: Path) -> None:
    for dist in _CHECKED_LIBRARIES:
        built = created_by[dist]
        installed = _installed_version(dist)
        if installed is None:
            raise ArtifactError(f"built with {dist} {built}, which is not installed", where)
        if _major_minor(installed) != _major_minor(built):
            raise ArtifactError(
                f"built with {dist} {built} but {installed} is installed "
                "(major.minor must match; retrain or install the same version)",
                where,
            )


def manifest_sha256(directory: str | Path) -> str:
    """SHA-256 of an artifact's ``manifest.json`` bytes: the value a pin records.

    The manifest lists the SHA-256 of every other file, so this one digest pins the
    whole artifact.
    """
    path = Path(directory) / MANIFEST
    return hashlib.sha256(read_file_bytes(path, MAX_MANIFEST_BYTES, MANIFEST)).hexdigest()


@dataclass(frozen=True)
class VerifiedArtifact:
    """An artifact whose bytes were read once and checked: its manifest (against the pin,
    when one was given) and every file against the manifest. Loaders deserialise these
    bytes (:attr:`files`), never the files on disk, which may change after the check."""

    directory: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    files: Mapping[str, bytes] = field(repr=False)

    @contextmanager
    def materialised(self) -> Iterator[Path]:
        """A private temporary folder holding the verified bytes, for loaders that read
        a folder (spaCy); deleted on exit."""
        with tempfile.TemporaryDirectory(prefix="actionnlp-artifact-") as tmp:
            root = Path(tmp)
            for rel, data in self.files.items():
                target = root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            yield root


def read_artifact(
    directory: str | Path, *, expected_name: str | None = None, pin: str | None = None
) -> VerifiedArtifact:
    """Read an artifact's bytes once and check them; raise ArtifactError if anything is off.

    Refused: a missing, oversized, non-JSON or other-format manifest; a manifest without
    ``created_by`` versions of actionnlp, scikit-learn and spaCy or without an
    ``embedding`` entry (``null`` for a model that uses none); a manifest whose SHA-256
    is not ``pin`` (when given); a name other than ``expected_name``; those libraries
    installed at another major.minor than recorded; a listed file missing; a file present
    but not listed; anything but a regular file (links, FIFOs, devices); any checksum
    mismatch. Nothing is deserialised here.
    """
    directory = Path(directory)
    where = directory / MANIFEST
    if not directory.is_dir():
        raise ArtifactError("artifact directory does not exist", directory)
    if not os.path.lexists(where):
        raise ArtifactError(f"no {MANIFEST}: not a saved artifact", directory)
    raw = read_file_bytes(where, MAX_MANIFEST_BYTES, MANIFEST)
    digest = hashlib.sha256(raw).hexdigest()
    manifest = _parse_manifest(raw, where)
    if expected_name is not None and manifest["name"] != expected_name:
        raise ArtifactError(
            f"artifact is named {manifest['name']!r}, expected {expected_name!r}", where
        )
    _check_versions(manifest["created_by"], where)
    if pin is not None and digest != pin.lower():
        raise ArtifactError(
            f"manifest SHA-256 is {digest}, but {pin} is pinned: the artifact changed "
            "after it was pinned (after retraining, re-pin with `make pin`)",
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
    files: dict[str, bytes] = {}
    for rel in sorted(listed):
        data = read_file_bytes(directory / rel, MAX_FILE_BYTES, "artifact file")
        actual = hashlib.sha256(data).hexdigest()
        if actual != listed[rel].lower():
            raise ArtifactError(
                f"checksum mismatch: manifest says {listed[rel]}, file has {actual}",
                directory / rel,
            )
        files[rel] = data
    return VerifiedArtifact(directory, manifest, digest, files)


def verify_artifact(
    directory: str | Path, *, expected_name: str | None = None, pin: str | None = None
) -> dict[str, Any]:
    """Check an artifact (see :func:`read_artifact`) and return its manifest.

    >>> verify_artifact("/nonexistent")
    Traceback (most recent call last):
    ...
    actionnlp.errors.ArtifactError: /nonexistent: artifact directory does not exist
    """
    return read_artifact(directory, expected_name=expected_name, pin=pin).manifest


def check_embedding(manifest: Mapping[str, Any], embedder: Embedder) -> None:
    """Raise ArtifactError unless ``embedder`` is the one the artifact was built with.

    A manifest that records no embedding is refused too: call this only for
    artifacts that read embeddings.

    >>> from actionnlp.embed import FakeEmbedder
    >>> m = {"name": "x", "embedding": {"name": "fake", "weights_sha256": "fake-32"}}
    >>> check_embedding(m, FakeEmbedder(32))
    >>> check_embedding(m, FakeEmbedder(16))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    actionnlp.errors.ArtifactError: artifact 'x' was built with embedding fake (fake-32), not ...
    """
    wanted = manifest.get("embedding")
    if not isinstance(wanted, Mapping) or not all(wanted.get(k) for k in _EMBEDDING_KEYS):
        raise ArtifactError(
            f"artifact {manifest.get('name')!r} uses embeddings but its manifest records "
            "no embedding name and weights_sha256"
        )
    name, digest = embedder.name, embedder.weights_hash
    if wanted.get("name") != name or wanted.get("weights_sha256") != digest:
        raise ArtifactError(
            f"artifact {manifest.get('name')!r} was built with embedding "
            f"{wanted.get('name')} ({wanted.get('weights_sha256')}), not {name} ({digest})"
        )


def read_pin_file(path: str | Path) -> dict[str, str]:
    """The pins in a ``pins.json`` (artifact folder name -> manifest SHA-256).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_pin_file(Path(d, "pins.json"), {"themes-v1": "ab" * 32})
    ...     read_pin_file(p) == {"themes-v1": "ab" * 32}
    True
    """
    path = Path(path)
    raw = read_file_bytes(path, MAX_MANIFEST_BYTES, "pin file")
    try:
        pins = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ArtifactError(f"pin file is not valid JSON ({exc})", path) from exc
    if not isinstance(pins, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and _HEX64.fullmatch(v) for k, v in pins.items()
    ):
        raise ArtifactError("pin file must map artifact names to SHA-256 hex digests", path)
    return pins


def write_pin_file(path: str | Path, pins: Mapping[str, str]) -> Path:
    """Write ``pins`` as JSON to ``path`` (atomically) and return it."""
    path = Path(path)
    text = json.dumps(dict(sorted(pins.items())), indent=2) + "\n"
    _replace_text(path, text, prefix=".pins-")
    return path


def pins_of(root: str | Path, names: Sequence[str]) -> dict[str, str]:
    """The pins of the artifacts ``names`` in ``root``: their manifests' SHA-256.

    >>> pins_of("/nonexistent", [])
    {}
    """
    return {name: manifest_sha256(Path(root) / name) for name in names}
