"""The one writer of ``parse`` and ``score``, and its reader (:meth:`Analysis.read`).

Formats (``fmt``):

``parquet``
    ``<table>.parquet`` with real types: Arrow lists and structs for list and record
    columns, dates as dates, ids as strings, nullable integers. Raw values.
``csv``
    ``<table>.csv`` that plain ``pandas.read_csv``, R ``readr`` and Stata
    ``import delimited`` read right without options: ids are written with a leading
    ``#`` (``#5.10``) so no tool turns them into numbers; dates are ISO
    (``2024-05-22``); booleans ``true``/``false``; list columns are ``" | "``-joined
    and also written one item per row in long tables (:data:`SIDE_TABLES`); record
    columns are only in the long tables.
``xlsx``
    ``analysis.xlsx``: one sheet per table and long table, plus a ``codebook`` sheet;
    cells hold typed values, so ids stay text without ``#``.
``dta``
    ``<table>.dta`` (Stata 118) per table and long table, with variable labels;
    booleans as 0/1, missing text as empty strings.

Every format writes ``codebook.csv`` (:mod:`actionnlp.analysis.codebook`) and
``analysis.json`` (the manifest :meth:`Analysis.read` uses). In CSV and XLSX a text cell
that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return; the OWASP rule) is prefixed with ``'``; the reader removes it,
and parquet keeps the raw value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actionnlp.analysis.codebook import SIDE_TABLES, codebook, describe

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.result import Analysis

__all__ = ["FORMATS", "load_analysis", "neutralise", "restore", "save_analysis"]

FORMATS = ("parquet", "csv", "xlsx", "dta")
MANIFEST = "analysis.json"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ID_PREFIX = "#"
_ID_COLUMNS = ("concern_id", "ref")
_JOIN = " | "
#: RFC 4180 line ends: a cell holding a carriage return is quoted, so no tool splits it.
_CSV: dict[str, Any] = {"lineterminator": "\r\n", "encoding": "utf-8"}
_KEYS = ("source", "concern_index", "action_index", "concern_id")
#: Mention fields renamed in the long table (``end`` is a reserved word in Stata).
_MENTION_COLUMNS = {"start": "start_char", "end": "end_char"}


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, prefixed with ``'``.

    Text already starting with quotes before such a character gets one more, so
    :func:`restore` is exact.

    >>> neutralise("=HYPERLINK(1)"), neutralise("- item"), neutralise("Governor")
    ("'=HYPERLINK(1)", "'- item", 'Governor')
    >>> restore(neutralise("'=x")) == "'=x"
    True
    """
    if not isinstance(value, str):
        return value
    if value.lstrip("'").startswith(_FORMULA_START):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """The raw text of a cell written by :func:`neutralise`.

    >>> restore("'=1+1"), restore("'quoted")
    ('=1+1', "'quoted")
    """
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value.lstrip("'").startswith(_FORMULA_START)
    ):
        return value[1:]
    return value


def _plain(value: Any) -> Any:
    """Lists, dicts and numpy arrays as plain Python containers."""
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


def _is_nested(series: pd.Series) -> bool:
    return series.dtype == object and any(
        isinstance(v, (list, dict, tuple)) or hasattr(v, "tolist") for v in series
    )


def _keys(frame: pd.DataFrame) -> list[str]:
    return [k for k in _KEYS if k in frame.columns]


def side_tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """The long tables: one row per item of each list column (see :data:`SIDE_TABLES`)."""
    import pandas as pd

    out = {}
    for name, (table, cols) in SIDE_TABLES.items():
        frame = getattr(analysis, table)
        if cols[0] not in frame.columns:
            continue
        keys = _keys(frame)
        rows: list[dict[str, Any]] = []
        key_rows = frame[keys].to_dict("records")
        values = [[_plain(v) for v in frame[c]] if c in frame.columns else None for c in cols]
        for i, key in enumerate(key_rows):
            first = values[0][i]  # type: ignore[index]
            if isinstance(first, dict):  # smart_evidence: criterion -> text
                rows += [{**key, "criterion": k, "evidence": v} for k, v in first.items()]
            elif name == "action_owners":
                cats, evid = (v[i] if v is not None else None for v in values[1:3])
                for j, owner in enumerate(first or []):
                    cat = cats[j] if isinstance(cats, list) and j < len(cats) else None
                    ev = evid[j] if isinstance(evid, list) and j < len(evid) else None
                    rows.append(
                        {
                            **key,
                            "position": j,
                            "owner": owner,
                            "owner_category": cat,
                            "owner_category_evidence": ev,
                        }
                    )
            elif name == "owner_mentions":
                rows += [
                    {**key, "position": j, **{_MENTION_COLUMNS.get(k, k): v for k, v in m.items()}}
                    for j, m in enumerate(first or [])
                ]
            else:
                rows += [{**key, "theme": t} for t in first or []]
        documented = [e.column for e in _side_entries(name)]
        out[name] = pd.DataFrame(rows, columns=documented)
    return out


def _side_entries(name: str) -> list[Any]:
    from actionnlp.analysis.codebook import ENTRIES

    return [e for e in ENTRIES if e.table == name]


def _flat(frame: pd.DataFrame, *, csv: bool) -> pd.DataFrame:
    """A main table for CSV/XLSX/DTA: lists joined, records dropped, text neutralised
    (CSV/XLSX), ids prefixed (CSV)."""
    out = frame.copy()
    for col in list(out.columns):
        if not _is_nested(out[col]):
            continue
        values = [_plain(v) for v in out[col]]
        if all(
            v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v))
            for v in values
        ):
            out[col] = [None if v is None else _JOIN.join(v) for v in values]
        else:
            out = out.drop(columns=col)
    if csv:
        for col in _ID_COLUMNS:
            if col in out.columns:
                out[col] = [None if v is None or v != v else _ID_PREFIX + str(v) for v in out[col]]
    return out


def _is_text(series: pd.Series) -> bool:
    import pandas as pd

    return series.dtype == object or pd.api.types.is_string_dtype(series)


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if _is_text(out[col]):
            out[col] = pd.Series([neutralise(v) for v in out[col]], index=out.index, dtype=object)
    return out


def _for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    out = _neutralised(frame)
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: "true", False: "false"})
        elif str(out[col].dtype) == "boolean" or (
            out[col].dtype == object and out[col].map(lambda v: isinstance(v, bool)).any()
        ):
            out[col] = out[col].map(lambda v: {True: "true", False: "false"}.get(v, v))
    return out


def _for_stata(frame: pd.DataFrame, table: str) -> tuple[pd.DataFrame, dict[str, str]]:
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == bool or str(s.dtype) == "boolean":
            out[col] = s.astype("float64").astype("Int8") if s.isna().any() else s.astype("int8")
        elif pd.api.types.is_datetime64_any_dtype(s):
            continue
        elif str(s.dtype) in ("Int64", "Int32", "Int8"):
            out[col] = s.astype("float64")
        elif s.dtype == object or str(s.dtype).startswith("string"):
            out[col] = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in s]
    if any(str(out[c].dtype) == "Int8" for c in out.columns):
        out = out.astype({c: "float64" for c in out.columns if str(out[c].dtype) == "Int8"})
    labels = {c: describe(table, c).meaning[:80] for c in out.columns}
    return out, labels


def save_analysis(analysis: Analysis, directory: Path, fmt: str) -> Path:
    """Write ``analysis`` into ``directory`` in ``fmt`` (see the module docstring)."""
    import pandas as pd

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    directory.mkdir(parents=True, exist_ok=True)
    main = analysis.tables()
    long = side_tables(analysis)
    manifest: dict[str, Any] = {"format": fmt, "tables": {}, "side_tables": {}}
    for name, frame in main.items():
        manifest["tables"][name] = {
            "columns": list(frame.columns),
            "dtypes": {c: str(frame[c].dtype) for c in frame.columns},
            "nested": [c for c in frame.columns if _is_nested(frame[c])],
        }
    for name in long:
        manifest["side_tables"][name] = list(SIDE_TABLES[name][1])
    written = {n: list(f.columns) for n, f in {**main, **long}.items()}
    book = codebook(written)
    book.to_csv(directory / "codebook.csv", index=False, **_CSV)
    if fmt == "parquet":
        for name, frame in {**main, **long}.items():
            _to_parquet(frame, directory / f"{name}.parquet")
    elif fmt == "csv":
        for name, frame in main.items():
            _for_csv(_flat(frame, csv=True)).to_csv(
                directory / f"{name}.csv", index=False, date_format="%Y-%m-%d", **_CSV
            )
        for name, frame in long.items():
            _for_csv(_flat(frame, csv=True)).to_csv(directory / f"{name}.csv", index=False, **_CSV)
    elif fmt == "xlsx":
        with pd.ExcelWriter(directory / "analysis.xlsx", engine="openpyxl") as xl:
            for name, frame in {**main, **long}.items():
                _neutralised(_flat(frame, csv=False)).to_excel(xl, sheet_name=name, index=False)
            _neutralised(book).to_excel(xl, sheet_name="codebook", index=False)
    else:
        for name, frame in {**main, **long}.items():
            flat, labels = _for_stata(_flat(frame, csv=False), name)
            dates = {c: "td" for c in flat.columns if str(flat[c].dtype).startswith("datetime")}
            strl = [
                c
                for c in flat.columns
                if flat[c].dtype == object and flat[c].map(len).max(initial=0) > 2000
            ]
            flat.to_stata(
                directory / f"{name}.dta",
                write_index=False,
                version=118,
                convert_dates=dates,
                variable_labels=labels,
                convert_strl=strl,
            )
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return directory


def _to_parquet(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for col in out.columns:
        if _is_nested(out[col]):
            out[col] = [_plain(v) for v in out[col]]
    out.to_parquet(path, index=False)


# -- reading back ---------------------------------------------------------------------------


def _read_flat(directory: Path, fmt: str, name: str) -> pd.DataFrame:
    import pandas as pd

    from actionnlp.read.files import check_regular

    path = _table_path(directory, fmt, name)
    check_regular(path)  # a FIFO or device would block or never end
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    elif fmt == "xlsx":
        frame = pd.read_excel(path, sheet_name=name, dtype=object)
    else:
        frame = pd.read_stata(path, convert_categoricals=False)
    for col in frame.columns:
        if _is_text(frame[col]):
            cells = [None if v is None or v is pd.NA or v == "" else v for v in frame[col]]
            if fmt != "dta":  # CSV and XLSX cells were neutralised
                cells = [restore(v) for v in cells]
            frame[col] = pd.Series(
                [None if isinstance(v, float) and v != v else v for v in cells],
                index=frame.index,
                dtype=object,
            )
    if fmt == "csv":
        for col in _ID_COLUMNS:
            if col in frame.columns:
                frame[col] = frame[col].map(
                    lambda v: v[len(_ID_PREFIX) :] if isinstance(v, str) else v
                )
    return frame


def _cast(frame: pd.DataFrame, dtypes: dict[str, str], fmt_text: bool = False) -> pd.DataFrame:
    """``frame`` with the dtypes the manifest recorded; ``fmt_text``: read from CSV, where
    an object column of booleans was written ``true``/``false``."""
    import pandas as pd

    for col, dtype in dtypes.items():
        if col not in frame.columns:
            continue
        values = frame[col]
        if dtype.startswith("datetime64"):
            frame[col] = pd.to_datetime(values).astype(dtype)
        elif dtype == "bool":
            frame[col] = values.map(lambda v: v in (True, 1, "true", "True", "1")).astype(bool)
        elif dtype == "object":
            cells = [None if v is None or (isinstance(v, float) and v != v) else v for v in values]
            if fmt_text and all(v in ("true", "false", None) for v in cells) and any(cells):
                cells = [{"true": True, "false": False}.get(v) for v in cells]  # type: ignore[arg-type]
            frame[col] = pd.Series(cells, index=frame.index, dtype=object)
        elif dtype.startswith(("int", "Int", "float")):
            frame[col] = pd.to_numeric(values).astype(dtype)
        else:
            frame[col] = values.astype(dtype)
    return frame


def _nest(frame: pd.DataFrame, side: pd.DataFrame, name: str, cols: list[str]) -> pd.DataFrame:
    """Put the long table ``side`` back into ``frame``'s list/record columns ``cols``."""
    keys = [k for k in _keys(frame) if k != "concern_id"]

    def key_of(rec: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(rec[k] if k == "source" else int(rec[k]) for k in keys)

    index = {key_of(r): i for i, r in enumerate(frame[keys].to_dict("records"))}
    bucket: list[list[dict[str, Any]]] = [[] for _ in range(len(frame))]
    for rec in side.to_dict("records"):
        bucket[index[key_of(rec)]].append(rec)
    if name == "smart_evidence":
        frame["smart_evidence"] = [{r["criterion"]: r["evidence"] for r in b} for b in bucket]
    elif name == "action_owners":
        frame["owners"] = [[r["owner"] for r in b] for b in bucket]
        if "owner_categories" in cols:
            frame["owner_categories"] = [[r["owner_category"] for r in b] for b in bucket]
        if "owner_category_evidence" in cols:
            evidence = [[r.get("owner_category_evidence") for r in b] for b in bucket]
            frame["owner_category_evidence"] = evidence
    elif name == "owner_mentions":
        fields = ("start", "end", "text", "label", "canonical", "category")
        frame["owner_mentions"] = [
            [{f: _mention_value(r, f) for f in fields} for r in b] for b in bucket
        ]
    else:
        frame[cols[0]] = [[r["theme"] for r in b] for b in bucket]
    return frame


def _mention_value(rec: dict[str, Any], field: str) -> Any:
    value = rec[_MENTION_COLUMNS.get(field, field)]
    return int(value) if field in _MENTION_COLUMNS else value


_MAX_MANIFEST_BYTES = 10_000_000
_FORMATS = ("parquet", "csv", "xlsx", "dta")


def _manifest(directory: Path) -> dict[str, Any]:
    """``analysis.json``, read as a regular file of bounded size and checked for shape."""
    from actionnlp.errors import ActionPlanError, DamagedAnalysisError
    from actionnlp.read.files import read_bounded

    meta_path = directory / MANIFEST
    if not meta_path.exists():
        raise FileNotFoundError(f"{directory} holds no saved analysis (no {MANIFEST})")
    try:
        manifest = json.loads(read_bounded(meta_path, _MAX_MANIFEST_BYTES).decode("utf-8"))
    except ActionPlanError as err:
        raise DamagedAnalysisError(err.reason, meta_path) from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise DamagedAnalysisError(f"is not valid JSON: {err}", meta_path) from None
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if not isinstance(tables, dict) or manifest.get("format") not in _FORMATS:
        raise DamagedAnalysisError(
            f"is not a saved-analysis manifest (it needs a 'format' of {', '.join(_FORMATS)} "
            "and a 'tables' object)",
            meta_path,
        )
    if not isinstance(manifest.get("side_tables", {}), dict):
        raise DamagedAnalysisError("its 'side_tables' is not an object", meta_path)
    for name, meta in tables.items():
        ok = (
            isinstance(meta, dict)
            and isinstance(meta.get("columns"), list)
            and isinstance(meta.get("dtypes"), dict)
            and isinstance(meta.get("nested"), list)
            and all(isinstance(v, str) for v in meta["dtypes"].values())
        )
        if not ok:
            raise DamagedAnalysisError(
                f"table {name!r} needs 'columns' and 'nested' lists and a 'dtypes' object "
                "of strings",
                meta_path,
            )
    return manifest


def load_analysis(directory: Path) -> Analysis:
    """Reload what :func:`save_analysis` wrote (any format); a damaged folder raises
    :class:`~actionnlp.errors.DamagedAnalysisError` naming the file and the problem."""
    from actionnlp.analysis.result import TABLES, Analysis
    from actionnlp.errors import ActionPlanError, DamagedAnalysisError

    directory = Path(directory)
    manifest = _manifest(directory)
    fmt = manifest["format"]
    missing = [name for name in TABLES if name not in manifest["tables"]]
    if missing:
        raise DamagedAnalysisError(f"names no {missing} table(s)", directory / MANIFEST)
    tables = {}
    for name in TABLES:
        try:
            tables[name] = _load_table(directory, fmt, name, manifest)
        except DamagedAnalysisError:
            raise
        except ActionPlanError as err:
            raise DamagedAnalysisError(err.reason, _table_path(directory, fmt, name)) from None
        except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError) as err:
            raise DamagedAnalysisError(
                f"cannot be loaded as the {name!r} table: {type(err).__name__}: {err}",
                _table_path(directory, fmt, name),
            ) from None
    try:
        return Analysis(**tables)
    except (ValueError, TypeError, KeyError) as err:
        raise DamagedAnalysisError(
            f"its tables do not fit together: {type(err).__name__}: {err}", directory
        ) from None


def _table_path(directory: Path, fmt: str, name: str) -> Path:
    """The file holding table ``name`` (an XLSX workbook holds every table)."""
    return directory / ("analysis.xlsx" if fmt == "xlsx" else f"{name}.{fmt}")


def _load_table(directory: Path, fmt: str, name: str, manifest: dict[str, Any]) -> pd.DataFrame:
    from actionnlp.errors import DamagedAnalysisError

    meta = manifest["tables"][name]
    frame = _read_flat(directory, fmt, name)
    lacking = [c for c in meta["columns"] if c not in frame.columns]
    nested = set(meta["nested"])
    if fmt == "parquet":
        for col in nested:
            if col not in frame.columns:
                continue
            frame[col] = [_plain(v) for v in frame[col]]
            if col == "smart_evidence":
                frame[col] = [
                    {k: v for k, v in d.items() if v is not None} if isinstance(d, dict) else d
                    for d in frame[col]
                ]
    else:
        for side, (table, _cols) in SIDE_TABLES.items():
            if table == name and side in manifest.get("side_tables", {}):
                long = _cast(_read_flat(directory, fmt, side), {"source": "object"})
                frame = _nest(frame, long, side, list(manifest["side_tables"][side]))
        lacking = [c for c in meta["columns"] if c not in frame.columns]
    if lacking:
        raise DamagedAnalysisError(
            f"lacks the columns {lacking} its manifest lists", _table_path(directory, fmt, name)
        )
    dtypes = {c: d for c, d in meta["dtypes"].items() if c not in nested}
    frame = _cast(frame, dtypes, fmt_text=fmt == "csv")
    return frame[meta["columns"]] if meta["columns"] else frame
