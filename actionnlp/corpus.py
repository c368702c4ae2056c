"""The labelled corpus: loading and validating ``training/data/*.jsonl``.

Each line is one labelled item keyed to the reader's output: a ``concern`` record
(``plan``, ``concern_id``, ``text``, ``themes``) or an ``action`` record (plus
``action_index``, ``kind``, ``owner_raw``, ``target_raw``, ``owners``, ``mentions``,
``smart``, ``smart_evidence``). The label vocabularies live in :mod:`actionnlp.labels`;
the validator checks the files against them and against
what :func:`actionnlp.read_plan` reads from the bundled samples.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actionnlp.labels import KINDS, MENTION_LABELS, OWNER_CATEGORIES, SMART_KEYS, THEMES

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["corpus_hash", "load_anchors", "load_corpus", "validate_corpus"]


def _records(path: Path, *, synthetic: bool = False) -> Iterable[tuple[Path, int, dict[str, Any]]]:
    """Records of the real (default) or the synthetic (``*.synthetic.jsonl``) files."""
    for file in sorted(path.glob("*.jsonl")):
        if file.name.endswith(".synthetic.jsonl") != synthetic:
            continue
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                yield file, n, json.loads(line)


def load_anchors(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """Synthetic theme anchors (flagged, used for training only, never evaluated on)."""
    rows = [r for _, _, r in _records(Path(path), synthetic=True)]
    return [r["text"] for r in rows], [list(r["themes"]) for r in rows]


def corpus_hash(path: str | Path) -> str:
    """SHA-256 over the corpus files (names and bytes), for model cards and manifests."""
    h = hashlib.sha256()
    for file in sorted(Path(path).glob("*.jsonl")):
        h.update(file.name.encode())
        h.update(file.read_bytes())
    return h.hexdigest()


def load_corpus(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load ``(concerns, actions)`` frames from a folder of labelled ``*.jsonl``.

    Actions carry the text of their concern in ``concern_text`` so SMART relevance
    can be judged; synthetic files (``*.synthetic.jsonl``) are not loaded.
    """
    import pandas as pd

    rows = [r for _, _, r in _records(Path(path))]
    concerns = pd.DataFrame([r for r in rows if r["unit"] == "concern"])
    actions = pd.DataFrame([r for r in rows if r["unit"] == "action"])
    if not actions.empty:
        lookup = {(r.plan, r.concern_id): r.text for r in concerns.itertuples()}
        actions["concern_text"] = [
            lookup.get((p, c), "")
            for p, c in zip(actions["plan"], actions["concern_id"], strict=False)
        ]
        actions = actions.rename(columns={"text": "action_text"})
    return concerns, actions


def _check_record(r: dict[str, Any], where: str) -> list[str]:
    errs: list[str] = []
    unit = r.get("unit")
    need = {"unit", "plan", "prison", "concern_id", "text", "themes"}
    if unit == "action":
        need |= {"action_index", "kind", "owner_raw", "target_raw", "owners", "mentions"}
        need |= {"smart", "smart_evidence"}
    elif unit != "concern":
        return [f"{where}: unit must be 'concern' or 'action', got {unit!r}"]
    missing = need - set(r)
    if missing:
        return [f"{where}: missing fields {sorted(missing)}"]
    themes = r["themes"]
    if not isinstance(themes, list) or any(t not in THEMES for t in themes):
        errs.append(f"{where}: themes must be a list of {THEMES}, got {themes!r}")
    if unit == "concern":
        return errs
    if r["kind"] not in KINDS:
        errs.append(f"{where}: kind must be {' or '.join(KINDS)}, got {r['kind']!r}")
    owners = r["owners"]
    if not isinstance(owners, list):
        errs.append(f"{where}: owners must be a list")
    else:
        for o in owners:
            if set(o) != {"text", "canonical", "category"} or o["category"] not in OWNER_CATEGORIES:
                errs.append(f"{where}: bad owner {o!r}")
        if r["owner_raw"] and not owners:
            errs.append(f"{where}: owner cell {r['owner_raw']!r} has no labelled owners")
    text = r["text"]
    for m in r["mentions"] if isinstance(r["mentions"], list) else [None]:
        if not isinstance(m, dict) or m.get("label") not in MENTION_LABELS:
            errs.append(f"{where}: bad mention {m!r}")
            continue
        s, e = m.get("start"), m.get("end")
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
            errs.append(f"{where}: mention offsets out of range {m!r}")
        elif text[s:e] != m.get("text"):
            errs.append(f"{where}: mention text {m.get('text')!r} != text[{s}:{e}] {text[s:e]!r}")
    smart, evidence = r["smart"], r["smart_evidence"]
    if not isinstance(smart, dict) or set(smart) != set(SMART_KEYS):
        errs.append(f"{where}: smart must have keys {SMART_KEYS}, got {smart!r}")
    elif any(v not in (0, 1) for v in smart.values()):
        errs.append(f"{where}: smart values must be 0 or 1, got {smart!r}")
    if not isinstance(evidence, dict) or set(evidence) != set(SMART_KEYS):
        errs.append(f"{where}: smart_evidence must have keys {SMART_KEYS}")
    elif any(not str(v).strip() for v in evidence.values()):
        errs.append(f"{where}: empty smart evidence")
    return errs


def validate_corpus(path: str | Path, *, samples: Iterable[str | Path] | None = None) -> list[str]:
    """Every problem with the labelled corpus; an empty list means it is valid.

    Checks the schema and label vocabularies, that spans are real substrings, and
    (when ``samples`` are given) that every concern and action the reader finds in
    each sample plan is labelled, with the same text.
    """
    errs: list[str] = []
    seen: dict[tuple[Any, ...], str] = {}
    for file, n, r in _records(Path(path)):
        where = f"{file.name}:{n}"
        errs.extend(_check_record(r, where))
        key = (r.get("plan"), r.get("unit"), r.get("concern_id"), r.get("action_index"))
        if key in seen:
            errs.append(f"{where}: duplicate item {key}")
        seen[key] = r.get("text", "")
    for file, n, r in _records(Path(path), synthetic=True):
        themes = r.get("themes")
        if r.get("synthetic") is not True or r.get("unit") != "anchor":
            errs.append(f"{file.name}:{n}: synthetic records need unit 'anchor', synthetic true")
        if not isinstance(themes, list) or any(t not in THEMES for t in themes):
            errs.append(f"{file.name}:{n}: bad themes {themes!r}")
    if samples is not None:
        from actionnlp.read import read_plan

        for sample in samples:
            plan = read_plan(sample)
            name = Path(sample).stem
            for c in plan.concerns:
                key = (name, "concern", c.id, None)
                if seen.get(key) != c.full_text:
                    errs.append(f"{name}: concern {c.id} not labelled (or its text differs)")
                for i, a in enumerate(c.actions):
                    if seen.get((name, "action", c.id, i)) != a.text:
                        errs.append(f"{name}: action {c.id}/{i} not labelled (or its text differs)")
    return errs
