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


def load_analysis(directory: Path) -> Analysis:
    import pandas as pd

    from actionnlp.analysis.result import TABLES, Analysis

    meta_path = directory / _MANIFEST
    if not meta_path.is_file():
        raise FileNotFoundError(f"{directory} holds no saved analysis (no {_MANIFEST})")
    manifest = json.loads(meta_path.read_text(encoding="utf-8"))
    fmt = manifest["format"]
    tables = {}
    for name in TABLES:
        meta = manifest["tables"][name]
        path = directory / f"{name}.{fmt}"
        if fmt == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)
        for col, dtype in meta["dtypes"].items():
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
        tables[name] = frame[meta["columns"]] if meta["columns"] else frame
    return Analysis(**tables)


# -- report -------------------------------------------------------------------------------
