"""scikit-learn objects in skops files: saved without pickle, loaded with an allowlist.

A model's fitted scikit-learn and NumPy parts are written with skops
(:func:`save_sklearn`) and read back by :func:`load_sklearn_bytes`, which builds only
types skops audits or :data:`TRUSTED_TYPES` names, from bytes already read (for an
artifact, the very bytes :func:`~actionnlp.artifacts.read_artifact` checked:
:func:`load_verified_sklearn`).

>>> import tempfile
>>> from sklearn.linear_model import LogisticRegression
>>> from actionnlp.artifacts import artifact_path, save_artifact
>>> model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
>>> with tempfile.TemporaryDirectory() as root:
...     art = save_artifact(
...         artifact_path(root, "demo", 1),
...         name="demo", version=1, labels=["no", "yes"], data_hash="abc",
...         metrics={"f1": 1.0},
...         write_files=lambda d: save_sklearn(model, d / "model.skops"),
...     )
...     load_verified_sklearn(art, "model.skops").predict([[1.0]])
array([1])
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from actionnlp.artifacts import MAX_FILE_BYTES, read_artifact, read_file_bytes
from actionnlp.errors import ArtifactError

__all__ = [
    "TRUSTED_TYPES",
    "canonical_skops",
    "load_sklearn",
    "load_sklearn_bytes",
    "load_verified_sklearn",
    "save_sklearn",
]

TRUSTED_TYPES: frozenset[str] = frozenset()
"""Types a skops file may hold beyond skops's own trusted defaults, by exact name.

Empty: a saved model keeps its configuration in ``config.json`` and only its fitted
scikit-learn and NumPy parts in skops (:mod:`actionnlp.pretrained`), so no actionnlp
class is ever rebuilt from a skops file. Add a class here (never a function, never a
module) only when a fitted part needs it; :func:`load_sklearn_bytes` refuses the rest."""


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
    path.write_bytes(canonical_skops(skops.io.dumps(obj), path))
    return path


ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""The time stamp of every member of a saved skops file (the earliest a zip can hold)."""


def canonical_skops(data: bytes, source: str | Path | None = None) -> bytes:
    """skops bytes made reproducible: skops names each saved object by its ``id()`` (the
    ``__id__`` of each schema node and the names of the array files) and stamps the zip
    members with the time of saving, so the same fitted object saved twice gave different
    bytes. Here the ids are numbered 1, 2, ... in order of first use in the schema, the
    files in order of first reference, and every member is stamped :data:`ZIP_TIME` and
    marked as made on Unix (the bytes do not depend on the saving machine's system);
    objects shared under one id stay shared.

    Bytes that are not a skops zip, or whose schema does not name exactly the archive's
    other members, raise :class:`~actionnlp.errors.ArtifactError` (naming ``source``).

    >>> import skops.io
    >>> from sklearn.preprocessing import StandardScaler
    >>> scaler = StandardScaler().fit([[0.0], [2.0]])
    >>> canonical_skops(skops.io.dumps(scaler)) == canonical_skops(skops.io.dumps(scaler))
    True
    >>> canonical_skops(b"not a zip", "m.skops")
    Traceback (most recent call last):
    ...
    actionnlp.errors.ArtifactError: m.skops: not a readable skops file (File is not a zip file)
    """
    try:
        return _canonical(data, source)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:  # ValueError: JSON, UTF-8
        raise ArtifactError(f"not a readable skops file ({exc})", source) from exc


def _canonical(data: bytes, source: str | Path | None) -> bytes:
    """:func:`canonical_skops` on bytes that may be bad (zip and JSON errors raised)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        schema = json.loads(src.read("schema.json"))
        ids: dict[int, int] = {}
        files: dict[str, str] = {}
        _renumber(schema, ids, files)
        members = {info.filename for info in src.infolist()} - {"schema.json"}
        if set(files) != members:
            raise ArtifactError(_mismatch(set(files), members), source)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                if info.filename == "schema.json":
                    body = json.dumps(schema, indent=2).encode("utf-8")  # as skops writes it
                else:
                    body = src.read(info)
                member = zipfile.ZipInfo(files.get(info.filename, info.filename), ZIP_TIME)
                member.compress_type = info.compress_type
                member.create_system = 3  # Unix, whatever system saved it
                member.external_attr = info.external_attr
                dst.writestr(member, body)
    return out.getvalue()


def _mismatch(named: set[str], members: set[str]) -> str:
    """The problem when a skops schema's files and the archive's members differ."""
    parts = []
    if named - members:
        parts.append(f"schema names missing file(s) {', '.join(sorted(named - members))}")
    if members - named:
        parts.append(f"archive holds unnamed file(s) {', '.join(sorted(members - named))}")
    return "skops file's schema does not match its archive: " + "; ".join(parts)


def _renumber(node: Any, ids: dict[int, int], files: dict[str, str]) -> None:
    """Give the schema nodes under ``node`` (dicts with a ``__loader__``) ids and file
    names by order of first use, in place (``ids`` and ``files`` map old to new)."""
    if isinstance(node, list):
        for item in node:
            _renumber(item, ids, files)
        return
    if not isinstance(node, dict):
        return
    is_node = "__loader__" in node
    for key, value in node.items():
        if is_node and key == "__id__" and isinstance(value, int):
            node[key] = ids.setdefault(value, len(ids) + 1)  # 0 would turn memoizing off
        elif is_node and key == "file" and isinstance(value, str):
            node[key] = files.setdefault(value, f"{len(files) + 1}{Path(value).suffix}")
        else:
            _renumber(value, ids, files)


def load_sklearn(path: str | Path, *, trusted_types: Sequence[str] | None = None) -> Any:
    """Load a skops file (read once, bounded, regular files only); see
    :func:`load_sklearn_bytes` for the types it trusts. This does not check checksums:
    prefer :func:`load_verified_sklearn` for artifacts."""
    path = Path(path)
    if not os.path.lexists(path):
        raise ArtifactError("skops file does not exist", path)
    data = read_file_bytes(path, MAX_FILE_BYTES, "skops file")
    return load_sklearn_bytes(data, path, trusted_types=trusted_types)


def load_sklearn_bytes(
    data: bytes, source: str | Path, *, trusted_types: Sequence[str] | None = None
) -> Any:
    """Deserialise skops ``data`` (read from ``source``, named in errors).

    skops's own audited defaults (scikit-learn estimators, NumPy arrays and ufuncs,
    builtin containers) are trusted; any other type must be named exactly in
    :data:`TRUSTED_TYPES`, never by its module: ``numpy.load``, ``builtins.eval``,
    ``os.system`` and the like are refused before anything is built.
    ``trusted_types``, when given, narrows :data:`TRUSTED_TYPES` to the listed names.
    """
    import skops.io

    allowed_names = TRUSTED_TYPES
    if trusted_types is not None:
        bad = sorted(set(trusted_types) - TRUSTED_TYPES)
        if bad:
            raise ArtifactError(
                f"refusing to trust {', '.join(bad)}: not in actionnlp's skops allowlist",
                source,
            )
        allowed_names = frozenset(trusted_types)
    try:
        untrusted = skops.io.get_untrusted_types(data=data)
    except Exception as exc:  # skops raises many kinds on a corrupt or foreign file
        raise ArtifactError(f"not a readable skops file ({exc})", source) from exc
    refused = sorted(set(untrusted) - allowed_names)
    if refused:
        raise ArtifactError(f"untrusted type(s) in skops file: {', '.join(refused)}", source)
    try:
        return skops.io.loads(data, trusted=list(untrusted))
    except Exception as exc:  # any failure to rebuild the object is an artifact problem
        raise ArtifactError(f"could not load skops file ({exc})", source) from exc


def load_verified_sklearn(
    artifact_dir: str | Path,
    relpath: str,
    *,
    expected_name: str | None = None,
    trusted_types: Sequence[str] | None = None,
    pin: str | None = None,
) -> Any:
    """Verify the artifact, then load ``relpath`` (which must be listed) from the very
    bytes that were checked."""
    artifact = read_artifact(artifact_dir, expected_name=expected_name, pin=pin)
    if relpath not in artifact.files:
        raise ArtifactError(f"{relpath!r} is not one of the artifact's files", artifact_dir)
    return load_sklearn_bytes(
        artifact.files[relpath], Path(artifact_dir) / relpath, trusted_types=trusted_types
    )
