"""Agreement between the corpus's SMART labels and a second, independent coder.

    python training/smart_agreement.py            # kappa per criterion, then the disagreements
    python training/smart_agreement.py --apply    # write the adjudicated labels into the corpus

``training/agreement/smart-second-coder.csv`` is a second SMART coding of every action of
the four plans (id ``plan/concern_id/action_index``; S, M, A, R, T and the words that
decided each), made by an annotator who saw neither the corpus labels nor any model output,
following their own written conventions (``smart-second-coder-conventions.md``).
``smart-adjudication.jsonl`` lists every label the adjudication changed: the corpus and
second-coder values, the adjudicated one and the rule (J1, J2, ... in
``docs/annotation.md``) that decided it. Disagreements not listed kept the corpus label.

Inter-annotator Cohen's kappa is computed against the corpus labels *before* adjudication
(``original_labels``): that is the human ceiling the model card reports. Kappa is given on
the actions SMART applies to (rationale rows excluded, as the guideline leaves them out of
SMART averages) and on every row.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actionnlp.labels import SMART_KEYS  # noqa: E402

AGREEMENT = ROOT / "training" / "agreement"
SECOND = AGREEMENT / "smart-second-coder.csv"
ADJUDICATION = AGREEMENT / "smart-adjudication.jsonl"
DATA = ROOT / "training" / "data"


def item_id(record: dict[str, Any]) -> str:
    """``plan/concern_id/action_index`` of an action record."""
    return f"{record['plan']}/{record['concern_id']}/{record['action_index']}"


def corpus_actions(data: Path = DATA) -> dict[str, dict[str, Any]]:
    """Action records of the corpus by id (synthetic anchors are not actions)."""
    out = {}
    for path in sorted(data.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("unit") == "action":
                out[item_id(record)] = record
    return out


def read_second(path: Path = SECOND) -> dict[str, dict[str, int]]:
    """The second coder's labels by id (rows coded so far when the file is partial)."""
    out = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if all(str(row.get(k, "")).strip() in ("0", "1") for k in SMART_KEYS):
                out[row["id"]] = {k: int(row[k]) for k in SMART_KEYS}
    return out


def read_adjudication(path: Path = ADJUDICATION) -> list[dict[str, Any]]:
    """The adjudicated changes, one per line."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def original_labels(
    actions: dict[str, dict[str, Any]], changes: list[dict[str, Any]]
) -> dict[str, dict[str, int]]:
    """The corpus SMART labels as they were before adjudication (changes reverted)."""
    out = {i: dict(r["smart"]) for i, r in actions.items()}
    for change in changes:
        out[change["id"]][change["criterion"]] = int(change["corpus"])
    return out


def kappa_table(
    first: dict[str, dict[str, int]], second: dict[str, dict[str, int]], ids: list[str]
) -> dict[str, Any]:
    """Per criterion: Cohen's kappa (None when both coders are constant), agreement, the
    number of items, each coder's 1s and the disagreements; ``mean_kappa`` over criteria."""
    from sklearn.metrics import cohen_kappa_score

    out: dict[str, Any] = {"n": len(ids)}
    kappas = []
    for k in SMART_KEYS:
        a = [first[i][k] for i in ids]
        b = [second[i][k] for i in ids]
        kappa = None if len(set(a) | set(b)) < 2 else round(float(cohen_kappa_score(a, b)), 4)
        if kappa is not None:
            kappas.append(kappa)
        out[k] = {
            "kappa": kappa,
            "agreement": round(sum(x == y for x, y in zip(a, b, strict=True)) / len(ids), 4)
            if ids
            else None,
            "corpus_pos": sum(a),
            "second_pos": sum(b),
            "disagreements": sum(x != y for x, y in zip(a, b, strict=True)),
        }
    out["mean_kappa"] = round(sum(kappas) / len(kappas), 4) if kappas else None
    return out


def agreement(data: Path = DATA, second: Path = SECOND) -> dict[str, Any]:
    """Inter-annotator kappa of the second coder against the original corpus labels, on the
    actions (rationale rows excluded) and on every row coded so far; plus how many
    labels the adjudication changed and by which rule."""
    actions = corpus_actions(data)
    coded = read_second(second)
    unknown = sorted(set(coded) - set(actions))
    if unknown:
        raise ValueError(f"{second}: ids not in the corpus: {unknown[:5]}")
    changes = read_adjudication()
    original = original_labels(actions, changes)
    ids = [i for i in actions if i in coded]
    acts = [i for i in ids if actions[i].get("kind") != "rationale"]
    rules: dict[str, int] = {}
    for change in changes:
        rules[change["rule"]] = rules.get(change["rule"], 0) + 1
    return {
        "n_items": len(actions),
        "n_coded": len(ids),
        "actions": kappa_table(original, coded, acts),
        "all_rows": kappa_table(original, coded, ids),
        "adjudicated_vs_second": kappa_table({i: actions[i]["smart"] for i in ids}, coded, acts),
        "per_plan": {
            plan: kappa_table(original, coded, [i for i in acts if i.split("/")[0] == plan])
            for plan in sorted({i.split("/")[0] for i in acts})
        },
        "changes": len(changes),
        "changes_by_rule": rules,
    }


def apply(data: Path = DATA) -> int:
    """Write the adjudicated labels (and evidence) into the corpus files; returns the number
    of labels changed (0 when they are already applied)."""
    by_id: dict[str, list[dict[str, Any]]] = {}
    for change in read_adjudication():
        by_id.setdefault(change["id"], []).append(change)
    changed = 0
    for path in sorted(data.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out = []
        for line in lines:
            record = json.loads(line)
            for change in by_id.get(item_id(record), []) if record.get("unit") == "action" else []:
                k = change["criterion"]
                if record["smart"][k] != change["adjudicated"]:
                    record["smart"][k] = int(change["adjudicated"])
                    record["smart_evidence"][k] = change["evidence"]
                    changed += 1
            out.append(json.dumps(record, ensure_ascii=False))
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apply", action="store_true", help="write the adjudicated labels")
    args = parser.parse_args(argv)
    if args.apply:
        print(f"{apply()} label(s) changed")
        return 0
    result = agreement()
    print(f"{result['n_coded']} of {result['n_items']} rows coded by the second coder")
    for scope in ("actions", "all_rows", "adjudicated_vs_second"):
        table = result[scope]
        cells = ", ".join(f"{k} {table[k]['kappa']}" for k in SMART_KEYS)
        print(f"  {scope} (n={table['n']}): {cells}; mean {table['mean_kappa']}")
    print(f"adjudication changed {result['changes']} label(s): {result['changes_by_rule']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
