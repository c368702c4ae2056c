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

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from actionnlp.artifacts import MAX_FILE_BYTES, read_artifact, read_file_bytes
from actionnlp.errors import ArtifactError

__all__ = [
    "TRUSTED_TYPES",
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
    skops.io.dump(obj, path)
    return path


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
