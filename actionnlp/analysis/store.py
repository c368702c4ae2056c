"""Saving and reloading an :class:`Analysis` (parquet or CSV with a manifest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.result import Analysis
_MANIFEST = "analysis.json"


def _is_nested(series: pd.Series) -> bool:
    return any(isinstance(v, (list, dict, tuple)) for v in series)


def _plain(value: Any) -> Any:
    """Lists, dicts and numpy arrays as plain Python containers (for JSON/equality)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def save_analysis(analysis: Analysis, directory: Path, fmt: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"format": fmt, "tables": {}}
    for name, frame in analysis.tables().items():
        nested = [c for c in frame.columns if frame[c].dtype == object and _is_nested(frame[c])]
        out = frame.copy()
        for col in nested:
            out[col] = [json.dumps(_plain(v), ensure_ascii=False) for v in out[col]]
        path = directory / f"{name}.{fmt}"
        if fmt == "parquet":
            out.to_parquet(path, index=False)
        else:
            out.to_csv(path, index=False)
        manifest["tables"][name] = {
            "columns": list(frame.columns),
            "dtypes": {c: str(frame[c].dtype) for c in frame.columns},
            "json": nested,
        }
    (directory / _MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return directory


_MAX_MANIFEST_BYTES = 10_000_000


def _manifest(directory: Path) -> dict[str, Any]:
    """``analysis.json``, read as a regular file of bounded size and checked for shape."""
    from actionnlp.errors import ActionPlanError, DamagedAnalysisError
    from actionnlp.read.files import read_bounded

    meta_path = directory / _MANIFEST
    if not meta_path.exists():
        raise FileNotFoundError(f"{directory} holds no saved analysis (no {_MANIFEST})")
    try:
        manifest = json.loads(read_bounded(meta_path, _MAX_MANIFEST_BYTES).decode("utf-8"))
    except ActionPlanError as err:
        raise DamagedAnalysisError(err.reason, meta_path) from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise DamagedAnalysisError(f"is not valid JSON: {err}", meta_path) from None
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if not isinstance(tables, dict) or manifest.get("format") not in ("parquet", "csv"):
        raise DamagedAnalysisError(
            "is not a saved-analysis manifest (it needs a 'format' of parquet or csv and "
            "a 'tables' object)",
            meta_path,
        )
    for name, meta in tables.items():
        ok = (
            isinstance(meta, dict)
            and isinstance(meta.get("columns"), list)
            and isinstance(meta.get("dtypes"), dict)
            and isinstance(meta.get("json"), list)
            and all(isinstance(v, str) for v in meta["dtypes"].values())
        )
        if not ok:
            raise DamagedAnalysisError(
                f"table {name!r} needs 'columns' and 'json' lists and a 'dtypes' object of strings",
                meta_path,
            )
    return manifest


def load_analysis(directory: Path) -> Analysis:
    """Reload a saved analysis; a damaged folder raises
    :class:`~actionnlp.errors.DamagedAnalysisError` naming the file and the problem."""
    from actionnlp.analysis.result import TABLES
    from actionnlp.errors import ActionPlanError, DamagedAnalysisError
    from actionnlp.read.files import check_regular

    directory = Path(directory)
    manifest = _manifest(directory)
    fmt = manifest["format"]
    missing = [name for name in TABLES if name not in manifest["tables"]]
    if missing:
        raise DamagedAnalysisError(f"names no {missing} table(s)", directory / _MANIFEST)
    tables = {}
    for name in TABLES:
        path = directory / f"{name}.{fmt}"
        try:
            check_regular(path)
            tables[name] = _load_table(path, fmt, manifest["tables"][name])
        except DamagedAnalysisError:
            raise
        except ActionPlanError as err:
            raise DamagedAnalysisError(err.reason, path) from None
        except (OSError, ValueError, TypeError, KeyError, RecursionError) as err:
            raise DamagedAnalysisError(
                f"cannot be loaded as the {name!r} table: {type(err).__name__}: {err}", path
            ) from None
    from actionnlp.analysis.result import Analysis

    try:
        return Analysis(**tables)
    except (ValueError, TypeError, KeyError) as err:
        raise DamagedAnalysisError(
            f"its tables do not fit together: {type(err).__name__}: {err}", directory
        ) from None


def _load_table(path: Path, fmt: str, meta: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    from actionnlp.errors import DamagedAnalysisError

    if fmt == "parquet":
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)
    missing = [c for c in meta["columns"] if c not in frame.columns]
    if missing:
        raise DamagedAnalysisError(f"lacks the columns {missing} its manifest lists", path)
    for col, dtype in meta["dtypes"].items():
        if col not in frame.columns:
            continue
        if col in meta["json"]:
            frame[col] = [json.loads(v) if isinstance(v, str) else v for v in frame[col]]
        elif dtype.startswith("datetime64"):
            frame[col] = pd.to_datetime(frame[col]).astype(dtype)
        elif dtype == "bool":
            frame[col] = frame[col].map(lambda v: v if isinstance(v, bool) else v == "True")
        elif dtype == "object":
            values = [None if isinstance(v, float) and v != v else v for v in frame[col]]
            frame[col] = pd.Series(values, index=frame.index, dtype=object)
        else:
            frame[col] = frame[col].astype(dtype)
    return frame[meta["columns"]] if meta["columns"] else frame


# -- report -------------------------------------------------------------------------------
