"""Agreement between a researcher's hand coding and the models, with bootstrap intervals.

:func:`agreement` takes a filled coding sheet (:func:`~actionnlp.validation.sheets.read_sheet`)
and returns one row per theme, SMART criterion and owner category, plus a ``macro``
row per group (the mean over its labels):

``group``, ``label``
    ``theme`` / ``smart`` / ``owner_category`` and the label.
``n``, ``researcher_pos``, ``model_pos``
    Items coded for the label, and how many the researcher and the models marked 1.
``agreement``
    Share of items where both say the same.
``kappa``, ``kappa_low``, ``kappa_high``
    Cohen's kappa and its percentile bootstrap interval (NaN when undefined: both
    coders constant, or no item).
``f1``, ``f1_low``, ``f1_high``
    F1 of the models taking the researcher's codes as the reference (NaN when neither
    marks any item).

The bootstrap resamples items (rows of the sheet) with replacement ``n_boot`` times
from a seeded generator; the same resamples serve every label of a group, so the
``macro`` interval accounts for labels sharing items. Owner categories compare the
researcher's category of an action's first owner with the set the owner model found
(the model agrees on category ``c`` when ``c`` is among its categories).

>>> import pandas as pd
>>> sheet = pd.DataFrame({"unit": ["concern"] * 4,
...     "code_theme_drugs": [1, 1, 0, 0], "model_theme_drugs": [1, 1, 0, 1]})
>>> row = agreement(sheet, n_boot=200).iloc[0]
>>> row["label"], int(row["n"]), round(float(row["kappa"]), 2), round(float(row["f1"]), 2)
('drugs', 4, 0.5, 0.8)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.labels import OWNER_CATEGORIES, SMART_KEYS
from actionnlp.validation.sheets import coded_themes, sheet_themes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "agreement", "agreement_html", "kappa_f1", "write_agreement"]

COLUMNS = [
    "group",
    "label",
    "n",
    "researcher_pos",
    "model_pos",
    "agreement",
    "kappa",
    "kappa_low",
    "kappa_high",
    "f1",
    "f1_low",
    "f1_high",
]


def kappa_f1(
    y: np.ndarray, p: np.ndarray, m: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agreement, Cohen's kappa and F1 of 0/1 arrays along their last axis.

    ``m`` masks the items that count (all by default). Undefined values are NaN.

    >>> a, k, f = kappa_f1(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0]))
    >>> float(a), float(k), round(float(f), 3)
    (0.75, 0.5, 0.667)
    """
    y, p = np.asarray(y).astype(bool), np.asarray(p).astype(bool)
    m = np.ones_like(y, dtype=bool) if m is None else np.asarray(m).astype(bool)
    tp = np.sum(m & y & p, axis=-1).astype(float)
    fp = np.sum(m & ~y & p, axis=-1).astype(float)
    fn = np.sum(m & y & ~p, axis=-1).astype(float)
    tn = np.sum(m & ~y & ~p, axis=-1).astype(float)
    n = tp + fp + fn + tn
    with np.errstate(invalid="ignore", divide="ignore"):
        po = (tp + tn) / n
        pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n**2
        kappa = np.where(pe < 1, (po - pe) / (1 - pe), np.nan)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    return po, kappa, f1


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def _group_rows(
    group: str,
    labels: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    idx: np.ndarray,
    level: float,
) -> list[dict[str, Any]]:
    """Rows of one group: ``labels`` maps a label to (researcher, model, mask) arrays
    over the same items; ``idx`` holds the bootstrap resamples of those items."""
    rows, boot_k, boot_f = [], [], []
    for label, (y, p, m) in labels.items():
        a, k, f = kappa_f1(y, p, m)
        bk, bf = kappa_f1(y[idx], p[idx], m[idx])[1:]
        boot_k.append(bk)
        boot_f.append(bf)
        rows.append(
            {
                "group": group,
                "label": label,
                "n": int(m.sum()),
                "researcher_pos": int((y & m).sum()),
                "model_pos": int((p & m).sum()),
                "agreement": float(a),
                "kappa": float(k),
                "kappa_low": _interval(bk, level)[0],
                "kappa_high": _interval(bk, level)[1],
                "f1": float(f),
                "f1_low": _interval(bf, level)[0],
                "f1_high": _interval(bf, level)[1],
            }
        )
    if len(rows) > 1:
        import warnings

        with warnings.catch_warnings():  # a label undefined in every resample
            warnings.simplefilter("ignore", RuntimeWarning)
            mk = np.nanmean(np.vstack(boot_k), axis=0)
            mf = np.nanmean(np.vstack(boot_f), axis=0)
        kappas = [r["kappa"] for r in rows if not np.isnan(r["kappa"])]
        f1s = [r["f1"] for r in rows if not np.isnan(r["f1"])]
        rows.append(
            {
                "group": group,
                "label": "macro",
                "n": max(r["n"] for r in rows),
                "researcher_pos": sum(r["researcher_pos"] for r in rows),
                "model_pos": sum(r["model_pos"] for r in rows),
                "agreement": float(np.mean([r["agreement"] for r in rows if r["n"]] or [np.nan])),
                "kappa": float(np.mean(kappas)) if kappas else float("nan"),
                "kappa_low": _interval(mk, level)[0],
                "kappa_high": _interval(mk, level)[1],
                "f1": float(np.mean(f1s)) if f1s else float("nan"),
                "f1_low": _interval(mf, level)[0],
                "f1_high": _interval(mf, level)[1],
            }
        )
    return rows


def _ints(series: pd.Series) -> np.ndarray:
    import pandas as pd

    return pd.to_numeric(series, errors="coerce").fillna(0).astype(int).to_numpy() == 1


def _labels(sheet: pd.DataFrame) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Per group, per label: researcher codes, model outputs and the coded mask."""
    out: dict[str, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    coded = coded_themes(sheet)
    theme_mask = coded.notna().to_numpy()
    themes = {}
    for t in sheet_themes(sheet):
        if f"model_theme_{t}" not in sheet:
            continue  # a theme of the researcher's own the models do not know
        y = np.array([bool(c) and t in c for c in coded])
        themes[t] = (y, _ints(sheet[f"model_theme_{t}"]), theme_mask)
    out["theme"] = themes
    smart = {}
    for k in SMART_KEYS:
        code, model = f"code_smart_{k}", f"model_smart_{k}"
        if code in sheet and model in sheet:
            smart[k] = (_ints(sheet[code]), _ints(sheet[model]), sheet[code].notna().to_numpy())
    out["smart"] = smart
    owners = {}
    if "code_owner_category" in sheet and "model_owner_categories" in sheet:
        cat = sheet["code_owner_category"]
        mask = cat.notna().to_numpy()
        found = [
            set(str(v).split("; ")) if isinstance(v, str) and v else set()
            for v in sheet["model_owner_categories"]
        ]
        for c in OWNER_CATEGORIES:
            y = (cat == c).to_numpy()
            if (y & mask).any():
                owners[c] = (y, np.array([c in f for f in found]), mask)
    out["owner_category"] = owners
    return out


def agreement(
    sheet: pd.DataFrame,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    by: str | None = None,
) -> pd.DataFrame:
    """Researcher-model agreement per theme, SMART criterion and owner category.

    ``sheet`` is a filled coding sheet (see the module docstring for the columns). With
    ``by`` (a column of the sheet, e.g. ``unit`` or ``prison``) the table is computed
    for each of its values and gets that column first. Rows not coded are skipped.
    """
    import pandas as pd

    if by is not None:
        if by not in sheet:
            raise KeyError(f"the sheet has no column {by!r}")
        parts = [
            agreement(part, n_boot=n_boot, seed=seed, level=level).assign(**{by: key})
            for key, part in sheet.groupby(by, sort=True)
        ]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
        return frame[[by, *COLUMNS]]
    sheet = sheet.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, max(len(sheet), 1), size=(n_boot, len(sheet)))
    rows: list[dict[str, Any]] = []
    for group, labels in _labels(sheet).items():
        rows += _group_rows(group, labels, idx, level)
    return pd.DataFrame(rows, columns=COLUMNS)


def agreement_html(
    table: pd.DataFrame, *, title: str = "Agreement with the models", about: dict | None = None
) -> str:
    """A small self-contained HTML page of an :func:`agreement` table (all text escaped).

    >>> import pandas as pd
    >>> "<table" in agreement_html(agreement(pd.DataFrame(
    ...     {"code_theme_a": [1, 0], "model_theme_a": [1, 0]}), n_boot=10))
    True
    """
    from html import escape

    shown = table.copy()
    for col in shown.columns:
        if col in ("n", "researcher_pos", "model_pos"):
            continue
        if shown[col].dtype.kind == "f":
            shown[col] = shown[col].map(lambda v: "–" if v != v else f"{v:.2f}")
    body = shown.to_html(index=False, border=0, escape=True)
    facts = "".join(
        f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
        for k, v in (about or {}).items()
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{escape(title)}</title>",
            "<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1000px;"
            "padding:0 1rem}table{border-collapse:collapse;font-size:.9rem}th,td{border:1px "
            "solid #ddd;padding:.25rem .5rem;text-align:right}th{background:#f4f4f4}"
            "td:first-child,td:nth-child(2){text-align:left}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            f"<table>{facts}</table>" if facts else "",
            "<p>Cohen's kappa and F1 (the researcher's codes as the reference) with "
            "percentile bootstrap intervals over items; <code>macro</code> is the mean over "
            "a group's labels. – means undefined (a coder constant, or no item coded).</p>",
            body,
            "</body></html>",
        ]
    )


def write_agreement(
    table: pd.DataFrame, out: str | Path, *, about: dict | None = None
) -> tuple[Path, Path]:
    """Write ``agreement.csv`` and ``agreement.html`` into the folder ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    csv, html = out / "agreement.csv", out / "agreement.html"
    table.to_csv(csv, index=False)
    html.write_text(agreement_html(table, about=about), encoding="utf-8")
    return csv, html
