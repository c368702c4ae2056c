"""Agreement between the corpus's theme labels and a second, blind labelling pass.

    python training/agreement.py

``training/agreement/themes-second-pass.jsonl`` holds a second set of theme labels for
every labelled item (in the order of ``theme_items``, with its text so a mismatch is
caught), made from the written rules alone (the guidelines and ``docs/annotation.md``)
without seeing the corpus labels or any model output. This prints, per theme, the F1
of one labelling against the other and Cohen's kappa, and the five-theme and nine-theme
macro-F1: how consistently the rules can be applied, beside the tagger's figures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actionnlp.corpus import load_corpus  # noqa: E402
from actionnlp.labels import REQUIRED_THEMES, THEMES  # noqa: E402
from actionnlp.themes.training import _indicator, _macro, _per_label, theme_items  # noqa: E402

SECOND_PASS = ROOT / "training" / "agreement" / "themes-second-pass.jsonl"


def agreement(data: Path = ROOT / "training" / "data", second: Path = SECOND_PASS) -> dict:
    """Per-theme F1 and kappa of the second pass against the corpus labels."""
    from sklearn.metrics import cohen_kappa_score

    items = theme_items(*load_corpus(data))
    rows = [json.loads(line) for line in second.read_text(encoding="utf-8").splitlines()]
    if len(rows) != len(items):
        raise ValueError(f"{second}: {len(rows)} rows, expected one per item ({len(items)})")
    for i, (row, text) in enumerate(zip(rows, items["text"], strict=True)):
        if row["text"] != text:
            raise ValueError(f"{second}: row {i + 1} is not the item it should label")
    gold = _indicator(items["themes"].tolist())
    other = _indicator([row["themes"] for row in rows])
    f1 = _per_label(gold, other)
    return {
        "n_items": len(items),
        "macro_f1_required": _macro(gold, other, REQUIRED_THEMES),
        "macro_f1_all": _macro(gold, other, THEMES),
        "per_label": {
            t: {
                "f1": f1[t]["f1"],
                "kappa": float(cohen_kappa_score(gold[:, j], other[:, j])),
                "corpus": int(gold[:, j].sum()),
                "second_pass": int(other[:, j].sum()),
            }
            for j, t in enumerate(THEMES)
        },
    }


def main() -> int:
    result = agreement()
    print(
        f"{result['n_items']} items; macro-F1 5 named themes "
        f"{result['macro_f1_required']:.3f}, all 9 {result['macro_f1_all']:.3f}"
    )
    for theme, x in result["per_label"].items():
        print(
            f"  {theme}: F1 {x['f1']:.2f}, kappa {x['kappa']:.2f} "
            f"({x['corpus']} / {x['second_pass']} positives)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
