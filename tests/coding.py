"""Fill a coding sheet programmatically from the labelled corpus (a stand-in researcher).

The corpus labels are human labels of the four sample plans, so a sheet sampled from
the samples can be coded with them exactly as a researcher would code it by hand.
"""

from __future__ import annotations

from pathlib import Path

from actionnlp.corpus import load_corpus
from actionnlp.labels import SMART_KEYS, THEMES

ROOT = Path(__file__).resolve().parents[1]


def fill_from_corpus(sheet, corpus=ROOT / "training" / "data", *, themes=THEMES):
    """A copy of ``sheet`` with every code column filled from the corpus labels."""
    concerns, actions = load_corpus(corpus)
    c_lab = {(r.plan, r.concern_id): r for r in concerns.itertuples()}
    a_lab = {(r.plan, r.concern_id, r.action_index): r for r in actions.itertuples()}
    out = sheet.copy()
    for i, row in out.iterrows():
        plan = Path(str(row["source"])).stem
        if row["unit"] == "concern":
            rec = c_lab[(plan, row["concern_id"])]
        else:
            rec = a_lab[(plan, row["concern_id"], int(row["action_index"]))]
            for k in SMART_KEYS:
                out.at[i, f"code_smart_{k}"] = int(rec.smart[k])
            if rec.owners:
                out.at[i, "code_owner_category"] = rec.owners[0]["category"]
                out.at[i, "code_owner_name"] = rec.owners[0]["text"]
        for t in themes:
            out.at[i, f"code_theme_{t}"] = int(t in rec.themes)
    return out
