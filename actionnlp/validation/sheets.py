"""Coding sheets: a sample of concerns and actions for a researcher to hand code.

:func:`coding_sheet` draws the sample from an :class:`~actionnlp.analysis.Analysis`
and returns it as a frame: one row per item (``unit`` is ``concern`` or ``action``),
the text to read, empty columns for the researcher's codes and, beside them, the
models' outputs. :func:`write_sheet` writes it as XLSX (drop-down lists on every code
cell; the model columns hidden unless asked) and as CSV; :func:`read_sheet` reads a
filled sheet back (either format) and checks it.

Code columns (blank means "not coded"):

``code_theme_<theme>``
    1 when the theme applies, 0 when it does not. A row is theme-coded when at least
    one of its theme cells is filled; its blank theme cells then count as 0.
``code_owner_category``
    The category of the action's (first) owner, one of
    :data:`~actionnlp.labels.OWNER_CATEGORIES`; ``code_owner_name`` the owner's name
    as the plan writes it (used to extend the owner gazetteer when retraining).
``code_smart_S`` .. ``code_smart_T``
    1 or 0 per SMART criterion (actions only).

Model columns: ``model_theme_<t>`` (0/1), ``model_p_theme_<t>``,
``model_owner_categories``, ``model_smart_<K>`` and ``model_p_smart_<K>``.

>>> import pandas as pd
>>> sheet = coding_sheet(_demo_analysis(), n=4, seed=1)
>>> sheet["unit"].value_counts().sort_index().to_dict()
{'action': 2, 'concern': 2}
>>> [c for c in sheet.columns if c.startswith("code_smart")]
['code_smart_S', 'code_smart_M', 'code_smart_A', 'code_smart_R', 'code_smart_T']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.analysis.store import neutralise, restore
from actionnlp.errors import CodingSheetError
from actionnlp.labels import OWNER_CATEGORIES, SMART_KEYS, THEMES, counts_as_action

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.result import Analysis

__all__ = [
    "ITEM_COLUMNS",
    "STRATEGIES",
    "coded_themes",
    "coding_sheet",
    "read_sheet",
    "sheet_themes",
    "write_sheet",
]

STRATEGIES = ("random", "uncertain")
ITEM_COLUMNS = [
    "item",
    "unit",
    "source",
    "prison",
    "year",
    "concern_id",
    "action_index",
    "text",
    "context",
    "owner_raw",
    "target_raw",
    "status",
]
"""The columns that say which item a row is and what the researcher reads."""

SHEET = "coding"
_CODE_VALUES = (1, 0)


def _concern_items(concerns: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    from actionnlp.analysis.tables import concern_text

    out = pd.DataFrame(
        {
            "unit": "concern",
            "source": concerns["source"],
            "prison": concerns.get("prison"),
            "year": concerns.get("year"),
            "concern_id": concerns["concern_id"],
            "action_index": pd.NA,
            "text": concern_text(concerns),
            "context": "",
            "owner_raw": "",
            "target_raw": "",
            "status": "",
        }
    )
    for t in THEMES:
        if f"p_{t}" in concerns:
            out[f"model_theme_{t}"] = [int(t in (x or [])) for x in concerns["themes"]]
            out[f"model_p_theme_{t}"] = concerns[f"p_{t}"].to_numpy()
    return out


def _action_items(actions: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    from actionnlp.analysis.tables import concern_text

    actions = actions[counts_as_action(actions)]
    actions = actions.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "unit": "action",
            "source": actions["source"],
            "prison": actions.get("prison"),
            "year": actions.get("year"),
            "concern_id": actions["concern_id"],
            "action_index": actions["action_index"],
            "text": actions["action_text"],
            "context": concern_text(actions),
            "owner_raw": actions.get("owner_raw"),
            "target_raw": actions.get("target_raw"),
            "status": actions.get("status"),
        }
    )
    for t in THEMES:
        if f"p_action_{t}" in actions:
            out[f"model_theme_{t}"] = [int(t in (x or [])) for x in actions["action_themes"]]
            out[f"model_p_theme_{t}"] = actions[f"p_action_{t}"].to_numpy()
    if "owner_categories" in actions:
        out["model_owner_categories"] = ["; ".join(x or []) for x in actions["owner_categories"]]
    for k in SMART_KEYS:
        if f"smart_{k}" in actions:
            out[f"model_smart_{k}"] = actions[f"smart_{k}"].to_numpy()
            out[f"model_p_smart_{k}"] = actions[f"p_smart_{k}"].to_numpy()
    return out


def _margin(items: pd.DataFrame, thresholds: dict[str, float]) -> np.ndarray:
    """How sure the models are of each item: the smallest distance of any of its
    probabilities to that label's threshold (themes: the tagger's; SMART: 0.5)."""
    dist = []
    for t in THEMES:
        col = f"model_p_theme_{t}"
        if col in items:
            dist.append((items[col].astype(float) - thresholds.get(t, 0.5)).abs().to_numpy())
    for k in SMART_KEYS:
        col = f"model_p_smart_{k}"
        if col in items:
            dist.append((items[col].astype(float) - 0.5).abs().to_numpy())
    if not dist:
        raise CodingSheetError("strategy 'uncertain' needs a scored analysis (no probabilities)")
    return np.nanmin(np.column_stack(dist), axis=1)


def _allocate(sizes: dict[Any, int], n: int) -> dict[Any, int]:
    """``n`` split across strata in proportion to their sizes (largest remainder), each
    non-empty stratum getting at least one item while ``n`` allows, none more than it has.

    >>> _allocate({"a": 30, "b": 10, "c": 1}, 8)
    {'a': 5, 'b': 2, 'c': 1}
    """
    total = sum(sizes.values())
    n = min(n, total)
    if n <= 0:
        return {k: 0 for k in sizes}
    share = {k: n * v / total for k, v in sizes.items()}
    out = {k: min(v, max(1, math.floor(share[k]))) if v else 0 for k, v in sizes.items()}
    while sum(out.values()) > n:  # more strata than items: drop from the smallest shares
        k = min((k for k in out if out[k]), key=lambda k: (share[k], str(k)))
        out[k] -= 1
    while sum(out.values()) < n:
        k = max(
            (k for k in out if out[k] < sizes[k]),
            key=lambda k: (share[k] - out[k], -len(str(k)), str(k)),
        )
        out[k] += 1
    return out


def _pick(
    items: pd.DataFrame, n: int, by: Sequence[str], strategy: str, rng: np.random.Generator
) -> pd.DataFrame:
    keys = [items[b].astype(str).fillna("") for b in by] if by else []
    groups = items.groupby(keys, sort=True, dropna=False) if keys else [("all", items)]
    parts = {k: g for k, g in groups}
    counts = _allocate({k: len(g) for k, g in parts.items()}, n)
    picked = []
    for k, g in parts.items():
        if strategy == "random":
            picked.append(g.iloc[rng.permutation(len(g))[: counts[k]]])
        else:  # least sure first; ties broken at random
            order = np.lexsort((rng.random(len(g)), g["_margin"].to_numpy()))
            picked.append(g.iloc[order[: counts[k]]])
    import pandas as pd

    return pd.concat(picked) if picked else items.iloc[:0]


def coding_sheet(
    analysis: Analysis,
    *,
    n: int = 60,
    by: str | Sequence[str] | None = "prison",
    strategy: str = "random",
    seed: int = 0,
    units: Sequence[str] = ("concern", "action"),
    thresholds: dict[str, float] | None = None,
    themes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A sample of ``n`` items of ``analysis`` to hand code, as a frame.

    ``n`` is split equally between ``units`` (concerns and actions; rationale rows are
    never sampled), then within each unit across the strata of ``by`` (plan columns
    such as ``prison`` or ``year``) in proportion to their sizes, every stratum getting
    at least one item while ``n`` allows. ``strategy`` ``"random"`` draws at random
    within each stratum (seeded); ``"uncertain"`` takes the items whose model
    probabilities lie nearest a decision threshold (``thresholds``: the theme tagger's
    per theme, e.g. ``dict(zip(tagger.classes_, tagger.thresholds_))``; 0.5 otherwise).
    ``themes`` names the code columns (default: the nine shipped themes; another list
    codes a taxonomy of your own). Rows come out in a random order (seeded), so the
    coder does not see the strata or the models' certainty.

    >>> coding_sheet(_demo_analysis(), n=2, by=None, units=["concern"])["unit"].tolist()
    ['concern', 'concern']
    """
    import pandas as pd

    if strategy not in STRATEGIES:
        raise CodingSheetError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise CodingSheetError(f"n must be a positive integer, got {n!r}")
    bad = [u for u in units if u not in ("concern", "action")]
    if bad or not units:
        raise CodingSheetError(f"units must be 'concern' and/or 'action', got {list(units)!r}")
    by = [by] if isinstance(by, str) else list(by or [])
    missing = [b for b in by if b not in analysis.concerns.columns]
    if missing:
        raise CodingSheetError(f"cannot stratify by {missing}: not a column of the tables")
    rng = np.random.default_rng(seed)
    pools = {
        "concern": _concern_items(analysis.concerns),
        "action": _action_items(analysis.actions),
    }
    for u, frame in (("concern", analysis.concerns), ("action", analysis.actions)):
        if u == "action":
            frame = frame[counts_as_action(frame)]
        for b in by:  # strata columns the sheet does not carry (era, layout...)
            if b not in pools[u] and b in frame:
                pools[u][b] = frame[b].to_numpy()
    pools = {u: pools[u] for u in units if len(pools[u])}
    if not pools:
        raise CodingSheetError("nothing to sample: the analysis has no concerns or actions")
    even = {u: n // len(pools) + (i < n % len(pools)) for i, u in enumerate(pools)}
    quota = {u: min(len(pools[u]), even[u]) for u in pools}
    spare = n - sum(quota.values())  # a unit short of items leaves its share to the other
    for u in pools:
        extra = min(spare, len(pools[u]) - quota[u])
        quota[u] += extra
        spare -= extra
    picked = []
    for u, pool in pools.items():
        if strategy == "uncertain":
            pool = pool.assign(_margin=_margin(pool, thresholds or {}))
        picked.append(
            _pick(pool, quota[u], by, strategy, rng).drop(columns="_margin", errors="ignore")
        )
    sheet = pd.concat(picked, ignore_index=True) if picked else pd.DataFrame(columns=ITEM_COLUMNS)
    sheet = sheet.iloc[rng.permutation(len(sheet))].reset_index(drop=True)
    sheet.insert(0, "item", range(1, len(sheet) + 1))
    codes = {f"code_theme_{t}": pd.NA for t in (themes or THEMES)}
    codes |= {"code_owner_category": pd.NA, "code_owner_name": pd.NA}
    codes |= {f"code_smart_{k}": pd.NA for k in SMART_KEYS}
    codes["code_note"] = pd.NA
    model_cols = [c for c in sheet.columns if c.startswith("model_")]
    for c, v in codes.items():
        sheet[c] = v
    return sheet[[*ITEM_COLUMNS, *codes, *model_cols]]  # strata columns not in the sheet


def sheet_themes(sheet: pd.DataFrame) -> list[str]:
    """The themes a sheet codes (its ``code_theme_<t>`` columns), in order.

    >>> import pandas as pd
    >>> sheet_themes(pd.DataFrame(columns=["item", "code_theme_food", "code_theme_work"]))
    ['food', 'work']
    """
    return [c[len("code_theme_") :] for c in sheet.columns if c.startswith("code_theme_")]


def coded_themes(sheet: pd.DataFrame) -> pd.Series:
    """Per row, the list of themes the researcher marked 1, or None when the row has
    no theme coded at all (every theme cell blank).

    >>> import pandas as pd
    >>> s = pd.DataFrame({"code_theme_a": [1, None, 0], "code_theme_b": [None, None, 1]})
    >>> coded_themes(s).tolist()
    [['a'], None, ['b']]
    """
    import pandas as pd

    themes = sheet_themes(sheet)
    cols = sheet[[f"code_theme_{t}" for t in themes]]
    out = []
    for row in cols.itertuples(index=False):
        filled = [(t, v) for t, v in zip(themes, row, strict=True) if not pd.isna(v)]
        out.append([t for t, v in filled if int(v) == 1] if filled else None)
    return pd.Series(out, index=sheet.index, dtype=object)


# -- files ------------------------------------------------------------------------------

_README = [
    "How to code this sheet",
    "One row per item: a concern of a plan (its text with the recommendation) or an "
    "action (its text; 'context' is the concern it answers).",
    "code_theme_<theme>: 1 if the theme applies, 0 if not. Leave every theme cell of a "
    "row blank to skip it; once one is filled, blank theme cells count as 0.",
    "code_owner_category: the category of the action's (first) owner; code_owner_name: "
    "that owner as the plan names it (it extends the owner gazetteer when you retrain).",
    "code_smart_S .. code_smart_T: 1 or 0 per SMART criterion, actions only "
    "(see docs/annotation-guidelines.md).",
    "Columns model_* hold the models' outputs; they are hidden so you code blind. Do "
    "not edit or delete them: `actionnlp agreement` compares them with your codes.",
]


def write_sheet(
    sheet: pd.DataFrame,
    path: str | Path,
    *,
    show_models: bool = False,
    about: dict[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write ``sheet`` as ``<path>.xlsx`` and ``<path>.csv``; return both paths.

    The XLSX has the sheet ``coding`` (a drop-down list on every code cell, model
    columns hidden unless ``show_models``), ``README`` (how to code) and ``about``
    (``about``: how the sample was drawn). The CSV holds every column; text cells a
    spreadsheet would read as a formula are prefixed with ``'`` (:func:`read_sheet`
    removes it).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    base = Path(path)
    if base.suffix.lower() in (".xlsx", ".csv"):
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    xlsx, csv = base.with_suffix(".xlsx"), base.with_suffix(".csv")
    sheet.map(neutralise).to_csv(csv, index=False)

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    columns = list(sheet.columns)
    ws.append(columns)
    for row in sheet.itertuples(index=False):
        ws.append([None if _blank(v) else _plain(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    for row in ws.iter_rows(min_row=2):  # text that looks like a formula stays text
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    last = len(sheet) + 1
    yes_no = DataValidation(type="list", formula1='"1,0"', allow_blank=True)
    category = DataValidation(
        type="list", formula1='"' + ",".join(OWNER_CATEGORIES) + '"', allow_blank=True
    )
    for dv in (yes_no, category):
        dv.error, dv.errorTitle, dv.showErrorMessage = "Pick a value from the list", "Code", True
        ws.add_data_validation(dv)
    fill = PatternFill("solid", fgColor="FFF7D6")
    for j, col in enumerate(columns, 1):
        letter = get_column_letter(j)
        width = {"text": 70, "context": 45}.get(col, 14)
        ws.column_dimensions[letter].width = width
        if col in ("text", "context"):
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if col.startswith("code_"):
            for cell in ws[letter][1:]:
                cell.fill = fill
            rng = f"{letter}2:{letter}{max(last, 2)}"
            if col.startswith(("code_theme_", "code_smart_")):
                yes_no.add(rng)
            elif col == "code_owner_category":
                category.add(rng)
        if col.startswith("model_") and not show_models:
            ws.column_dimensions[letter].hidden = True
    ws.freeze_panes = "I2"
    readme = wb.create_sheet("README")
    for line in _README:
        readme.append([line])
    readme.column_dimensions["A"].width = 120
    info = wb.create_sheet("about")
    for k, v in (about or {}).items():
        info.append([str(k), _plain(v)])
    wb.save(xlsx)
    return xlsx, csv


def _blank(v: Any) -> bool:
    import pandas as pd

    return v is None or (not isinstance(v, (list, tuple, dict)) and bool(pd.isna(v)))


def _plain(v: Any) -> Any:
    """A value openpyxl can store (numpy scalars as Python ones, others as text)."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


#: Columns read as text (a spreadsheet reader would turn a concern id "8" into 8.0).
_TEXT_COLUMNS = ("source", "prison", "concern_id", "text", "context", "owner_raw", "target_raw")
_TEXT = {c: str for c in (*_TEXT_COLUMNS, "status", "code_owner_name", "code_owner_category")}


def read_sheet(path: str | Path) -> pd.DataFrame:
    """Read a coding sheet written by :func:`write_sheet` (XLSX or CSV), filled or not.

    Raises :class:`~actionnlp.errors.CodingSheetError` naming the file when it is not
    a coding sheet or holds a code outside its drop-down values.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CodingSheetError("no such file", path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            sheet = pd.read_excel(path, sheet_name=SHEET, engine="openpyxl", dtype=_TEXT)
        elif suffix == ".csv":
            sheet = pd.read_csv(path, dtype=_TEXT).map(restore)
        else:
            raise CodingSheetError("a coding sheet is an .xlsx or .csv file", path)
    except CodingSheetError:
        raise
    except (ValueError, KeyError, OSError) as err:
        raise CodingSheetError(f"not a readable coding sheet ({err})", path) from err
    missing = [c for c in ("item", "unit", "source", "text") if c not in sheet.columns]
    if missing or not sheet_themes(sheet):
        what = missing or ["code_theme_<theme>"]
        raise CodingSheetError(f"not a coding sheet: no column(s) {', '.join(what)}", path)
    if "concern_id" in sheet:
        sheet["concern_id"] = [None if _blank(v) else str(v) for v in sheet["concern_id"]]
    for text_col in ("text", "context", "owner_raw", "target_raw", "code_owner_name"):
        if text_col in sheet:
            sheet[text_col] = [None if _blank(v) else str(v) for v in sheet[text_col]]
    for col in [c for c in sheet.columns if c.startswith(("code_theme_", "code_smart_"))]:
        values = pd.to_numeric(sheet[col], errors="coerce")
        bad = sheet[col].notna() & ~values.isin(_CODE_VALUES)
        if bad.any():
            row = int(sheet.loc[bad, "item"].iloc[0])
            value = sheet.loc[bad, col].iloc[0]
            raise CodingSheetError(f"item {row}: {col} is {value!r}, expected 1, 0 or blank", path)
        sheet[col] = values.astype("Int64")
    if "code_owner_category" in sheet:
        cats = sheet["code_owner_category"]
        bad = cats.notna() & ~cats.isin(OWNER_CATEGORIES)
        if bad.any():
            row = int(sheet.loc[bad, "item"].iloc[0])
            raise CodingSheetError(
                f"item {row}: owner category {cats[bad].iloc[0]!r} is not one of "
                f"{', '.join(OWNER_CATEGORIES)}",
                path,
            )
        sheet["code_owner_category"] = [None if _blank(v) else v for v in cats]
    return sheet


def _demo_analysis() -> Any:
    """A tiny scored analysis for the examples (two plans, no models run)."""
    import pandas as pd

    from actionnlp.analysis.result import Analysis

    concerns, actions = [], []
    for i, prison in enumerate(["HMP A", "HMP B"]):
        for c in range(3):
            concerns.append(
                {"source": f"p{i}", "prison": prison, "year": 2024, "concern_id": str(c),
                 "concern_text": f"Concern {c} about drugs", "recommendation_text": None,
                 "themes": ["drugs"], **{f"p_{t}": 0.1 + 0.1 * c for t in THEMES}}
            )  # fmt: skip
            actions.append(
                {"source": f"p{i}", "prison": prison, "year": 2024, "concern_id": str(c),
                 "concern_text": f"Concern {c} about drugs", "recommendation_text": None,
                 "action_index": 0, "kind": "action", "action_text": f"Test {c} monthly.",
                 "owner_raw": "Governor", "target_raw": "March 2025", "status": "planned",
                 "action_themes": ["drugs"], "owner_categories": ["prison_leadership"],
                 **{f"p_action_{t}": 0.2 for t in THEMES},
                 **{f"smart_{k}": 1 for k in SMART_KEYS},
                 **{f"p_smart_{k}": 0.8 for k in SMART_KEYS}}
            )  # fmt: skip
    return Analysis(pd.DataFrame(), pd.DataFrame(concerns), pd.DataFrame(actions), pd.DataFrame())
