"""Rebuild every shipped artifact from training/data, evaluated leave-one-prison-out.

    python training/train.py                 # full: real embeddings, writes actionnlp/models
    python training/train.py --fast --out D  # CI: fake embedder, small slice, writes to D
    python training/train.py --pin           # re-pin the artifacts in actionnlp/models
    python training/train.py --render-card   # rewrite docs/model-card.md from its JSON

Every run pins what it wrote: the SHA-256 of each manifest goes into the package
code (``actionnlp/models/pins.py``) for the shipped folder, or into ``pins.json`` beside
the artifacts for any other ``--out`` folder; ``actionnlp.load`` refuses an artifact
whose manifest no longer has its pinned hash.

The model card is written to ``docs`` (or ``--cards DIR``); with ``--fast`` it is
written only to an explicit ``--cards DIR``, so the CI variant never overwrites the
shipped card with fake-embedder figures.

For each model it evaluates leave-one-prison-out (train on three plans, test on
the fourth, all four ways) beside its baselines, fits the final model on all plans
with fixed seeds, writes it with its ``save_pretrained`` (``config.json`` plus its
fitted parts, :mod:`actionnlp.pretrained`) and a checksummed manifest, and writes the
model card (``docs/model-card.md`` plus one JSON per artifact).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actionnlp.artifacts import (  # noqa: E402
    library_versions,
    pins_of,
    save_artifact,
    write_pin_file,
)
from actionnlp.corpus import corpus_hash, load_anchors, load_corpus, validate_corpus  # noqa: E402
from actionnlp.data import sample_paths  # noqa: E402
from actionnlp.labels import OWNER_CATEGORIES, SMART_KEYS, THEMES  # noqa: E402
from actionnlp.loading import ARTIFACTS, MODELS_DIR, PIN_FILE  # noqa: E402
from actionnlp.model_card import render_model_card  # noqa: E402

SEED = 0


def _slice(concerns, actions, per_plan: int):
    """A small slice for the CI variant: the first concerns of every plan."""
    keep = concerns.groupby("plan").head(per_plan)
    keys = set(zip(keep["plan"], keep["concern_id"], strict=False))
    mask = [k in keys for k in zip(actions["plan"], actions["concern_id"], strict=False)]
    return keep.reset_index(drop=True), actions[mask].reset_index(drop=True)


def train_all(
    data: Path, out: Path, cards: Path | None, *, fast: bool, keep_themes: bool = False
) -> dict[str, Any]:
    """Train, evaluate and write every artifact; return the metrics of each.

    ``keep_themes`` keeps the theme artifact already in ``out`` (its manifest must have been
    built from the same data) and retrains the owner and SMART models only: theme training
    is by far the slowest step, and an owner or SMART change does not touch it."""
    random.seed(SEED)
    np.random.seed(SEED)
    errors = validate_corpus(data, samples=None if fast else sample_paths())
    if errors:
        raise SystemExit("training data is invalid:\n" + "\n".join(errors[:20]))
    concerns, actions = load_corpus(data)
    anchors = load_anchors(data)
    if fast:
        from actionnlp.embed import FakeEmbedder

        concerns, actions = _slice(concerns, actions, per_plan=2)
        anchors = (anchors[0][::3], anchors[1][::3])
        embedder = FakeEmbedder(dim=64)
    else:
        from actionnlp.cache.vectors import PrefetchedEmbedder
        from actionnlp.embed import default_embedder

        # every fold embeds the same texts: hold each vector once it is computed
        embedder = PrefetchedEmbedder(default_embedder(), keep=True)
    data_hash = corpus_hash(data)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}

    # Themes -------------------------------------------------------------------
    if keep_themes:
        card = None if cards is None else cards / "model-cards" / "themes.json"
        results["themes"] = _kept_themes(out / "themes-v1", data_hash, card)
    else:
        from actionnlp.themes.training import train_and_evaluate as train_themes

        tagger, theme_metrics = train_themes(
            concerns, actions, embedder=embedder, anchors=anchors, seed=SEED
        )
        results["themes"] = _write(
            out / "themes-v1",
            "themes",
            labels=list(THEMES),
            data_hash=data_hash,
            metrics=theme_metrics,
            embedding=embedder,
            write=tagger.save_pretrained,
        )

    # Owners ---------------------------------------------------------------------
    from actionnlp.owners.training import train_and_evaluate as train_owners

    owner_dir = out / "owners-v1"
    _fresh(owner_dir)
    fast_iter = {"n_iter": 3} if fast else {}
    owner_metrics = train_owners(
        actions, seed=SEED, out_dir=owner_dir, embedder=embedder, **fast_iter
    )
    results["owners"] = _write(
        owner_dir,
        "owners",
        labels=["ROLE", "ORG", *OWNER_CATEGORIES],
        data_hash=data_hash,
        metrics=owner_metrics,
        embedding=embedder,  # the embedding fallback of owner categories uses it
        write=None,
    )

    # SMART ----------------------------------------------------------------------
    from actionnlp.smart.training import train_and_evaluate as train_smart

    smart_dir = out / "smart-v1"
    _fresh(smart_dir)
    agree = _training_module("smart_agreement")
    original = _original_smart(actions, agree.read_adjudication())
    smart_metrics = train_smart(
        actions,
        embedder=embedder,
        seed=SEED,
        out_dir=smart_dir,
        other_labels=None if original is None else {"original": original},
    )
    if not fast and agree.SECOND.is_file():
        smart_metrics["human_agreement"] = agree.agreement(data)
    results["smart"] = _write(
        smart_dir,
        "smart",
        labels=list(SMART_KEYS),
        data_hash=data_hash,
        metrics=smart_metrics,
        embedding=embedder,
        write=None,
    )
    if cards is not None:
        cards.mkdir(parents=True, exist_ok=True)
        for name, manifest in results.items():
            (cards / "model-cards").mkdir(exist_ok=True)
            (cards / "model-cards" / f"{name}.json").write_text(
                json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
        (cards / "model-card.md").write_text(render_model_card(results), encoding="utf-8")
    pin(out)
    return results


def _training_module(name: str) -> Any:
    """A script module of ``training/`` (loaded by path: ``training`` is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        f"_training_{name}", ROOT / "training" / f"{name}.py"
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load training/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _original_smart(actions, changes: list[dict[str, Any]]) -> list[dict[str, int]] | None:
    """The SMART labels of ``actions`` before adjudication (``changes`` reverted), or None
    when no label was changed."""
    if not changes:
        return None
    ids = [
        f"{p}/{c}/{i}"
        for p, c, i in zip(
            actions["plan"], actions["concern_id"], actions["action_index"], strict=True
        )
    ]
    out = [dict(s) for s in actions["smart"]]
    row = {item: j for j, item in enumerate(ids)}
    for change in changes:
        if change["id"] in row:
            out[row[change["id"]]][change["criterion"]] = int(change["corpus"])
    return out


PINS_MODULE = ROOT / "actionnlp" / "models" / "pins.py"


def pin(out: Path) -> dict[str, str]:
    """Pin the artifacts in ``out``: the package code's ``PINS`` for the shipped folder,
    ``out/pins.json`` for any other; returns the pins."""
    pins = pins_of(out, ARTIFACTS)
    if out.resolve() == MODELS_DIR.resolve():
        write_pins_module(PINS_MODULE, pins)
    else:
        write_pin_file(out / PIN_FILE, pins)
    return pins


def write_pins_module(path: Path, pins: dict[str, str]) -> None:
    """Write the generated module holding the shipped pins."""
    lines = [
        '"""SHA-256 of the shipped artifacts\' manifests: generated by training/train.py.',
        "",
        "Do not edit: `make train` rewrites it, `make pin` re-pins the artifacts as they are.",
        '"""',
        "",
        "PINS: dict[str, str] = {",
        *(f'    "{name}": "{digest}",' for name, digest in sorted(pins.items())),
        "}",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _kept_themes(directory: Path, data_hash: str, card: Path | None) -> dict[str, Any]:
    """The manifest of the theme artifact kept by ``--keep-themes``, with the library
    versions it was trained with from its model card (``card``) when that card is of the
    same artifact."""
    path = directory / "manifest.json"
    if not path.is_file():
        raise SystemExit(f"--keep-themes: no theme artifact at {directory}")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("data_hash") != data_hash:
        raise SystemExit(f"--keep-themes: {path} was built from other training data")
    if card is not None and card.is_file():
        previous = json.loads(card.read_text(encoding="utf-8"))
        if previous.get("files") == manifest.get("files") and "files" in manifest:
            versions = previous.get("library_versions_at_training")
            if versions:
                manifest["library_versions_at_training"] = versions
    return manifest


def _fresh(directory: Path) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


def _portable(metrics: Any) -> Any:
    """Metrics without machine-specific paths, so a rebuild gives the same manifest."""
    if isinstance(metrics, dict):
        drop = ("saved_to", "seconds", "train_seconds")
        return {k: _portable(v) for k, v in metrics.items() if k not in drop}
    if isinstance(metrics, list):
        return [_portable(v) for v in metrics]
    return metrics


def _write(directory: Path, name: str, *, labels, data_hash, metrics, embedding, write):
    metrics = _portable(metrics)
    if write is not None:
        _fresh(directory)
    save_artifact(
        directory,
        name=name,
        version=1,
        labels=labels,
        data_hash=data_hash,
        metrics=metrics,
        embedding=embedding,
        write_files=write,
    )
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["library_versions_at_training"] = library_versions()
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "training" / "data"))
    parser.add_argument("--out", help="artifact folder (default: actionnlp/models)")
    parser.add_argument(
        "--cards", help="model card folder (default: docs; with --fast: none unless given)"
    )
    parser.add_argument("--no-cards", action="store_true")
    parser.add_argument("--fast", action="store_true", help="CI variant: fake embedder, slice")
    parser.add_argument(
        "--pin", action="store_true", help="only re-pin the artifacts already in --out"
    )
    parser.add_argument(
        "--keep-themes",
        action="store_true",
        help="keep the theme artifact in --out and retrain owners and SMART only",
    )
    parser.add_argument(
        "--render-card",
        action="store_true",
        help="only rewrite model-card.md from the manifests already in CARDS/model-cards",
    )
    args = parser.parse_args(argv)
    if args.render_card:
        folder = Path(args.cards) if args.cards is not None else ROOT / "docs"
        results = {
            name: json.loads((folder / "model-cards" / f"{name}.json").read_text("utf-8"))
            for name in ("themes", "owners", "smart")
        }
        (folder / "model-card.md").write_text(render_model_card(results), encoding="utf-8")
        return 0
    out = Path(args.out) if args.out is not None else MODELS_DIR
    if args.pin:
        for name, digest in pin(out).items():
            print(f"{name}: {digest}")
        return 0
    if args.fast and args.out is None:
        parser.error("--fast trains fake-embedder models: give --out DIR, not the shipped folder")
    cards = cards_dir(args)
    results = train_all(Path(args.data), out, cards, fast=args.fast, keep_themes=args.keep_themes)
    for name, manifest in results.items():
        print(f"{name}: {json.dumps(_headline(name, manifest['metrics']))}")
    return 0


def cards_dir(args: argparse.Namespace) -> Path | None:
    """Where to write the model card: ``docs`` by default, nowhere with ``--no-cards``;
    with ``--fast`` only an explicit ``--cards DIR`` (fake-embedder figures)."""
    if args.no_cards:
        return None
    if args.cards is not None:
        return Path(args.cards)
    return None if args.fast else ROOT / "docs"


def _headline(name: str, m: dict[str, Any]) -> dict[str, Any]:
    if name == "themes":
        return {k: round(v["macro_f1_required"], 3) for k, v in m["models"].items()}
    return {k: v for k, v in m.items() if isinstance(v, (int, float, str))}


if __name__ == "__main__":
    raise SystemExit(main())
