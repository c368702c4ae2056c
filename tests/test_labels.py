"""actionnlp.labels: the one home of the label lists, consistent with the data files."""

from __future__ import annotations

import ast
import json
from importlib import resources
from pathlib import Path

from actionnlp.labels import (
    KINDS,
    OWNER_CATEGORIES,
    REQUIRED_THEMES,
    SMART_KEYS,
    THEMES,
    theme_descriptions,
)

PACKAGE = Path(__file__).resolve().parents[1] / "actionnlp"
# owners/components.py is being split on another branch (model-quality): its one
# MENTION_LABELS import moves to actionnlp.labels when that work is merged.
EXEMPT = {"corpus.py", "labels.py", "owners/components.py"}
NAMES = {"THEMES", "REQUIRED_THEMES", "SMART_KEYS", "OWNER_CATEGORIES", "MENTION_LABELS", "KINDS"}


def test_lists_agree_with_the_resources_and_the_corpus():
    assert list(theme_descriptions()) == list(THEMES)
    assert set(REQUIRED_THEMES) <= set(THEMES) and len(set(THEMES)) == len(THEMES)
    rules = json.loads(
        resources.files("actionnlp.owners")
        .joinpath("resources", "owner_categories.json")
        .read_text()
    )["rules"]
    assert {rule["category"] for rule in rules} <= set(OWNER_CATEGORIES)
    rows = [
        json.loads(line)
        for path in sorted((PACKAGE / "data" / "corpus").glob("*.jsonl"))
        if not path.name.endswith(".synthetic.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    actions = [r for r in rows if r["unit"] == "action"]
    assert {r["kind"] for r in actions} == set(KINDS)
    assert {k for r in actions for k in r["smart"]} == set(SMART_KEYS)


def test_runtime_code_takes_label_lists_from_labels_not_the_corpus_module():
    """corpus.py is the training-data module: no other module imports a label list
    from it (the owner components, being split on another branch, are the exception
    left for the merge)."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).as_posix() in EXEMPT:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "actionnlp.corpus":
                taken = {alias.name for alias in node.names} & NAMES
                if taken:
                    offenders.append(f"{path.relative_to(PACKAGE)}: {sorted(taken)}")
    assert offenders == []
