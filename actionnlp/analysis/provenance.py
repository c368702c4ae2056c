"""What a report's figures rest on: versions, date, and the models' held-out figures.

Figures are read from the artifact manifests (the shipped ones by default), the same
files ``docs/model-card.md`` is generated from, and the card itself is embedded in
the report so the link to it works offline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["headline_figures", "provenance_html", "read_manifests"]

ARTIFACTS = {"themes": "themes-v1", "owners": "owners-v1", "smart": "smart-v1"}


def read_manifests(models_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """The manifests of the three artifacts (name -> manifest); missing ones are skipped."""
    from actionnlp.loading import MODELS_DIR

    base = Path(models_dir) if models_dir is not None else Path(MODELS_DIR)
    out = {}
    for name, folder in ARTIFACTS.items():
        path = base / folder / "manifest.json"
        try:
            out[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return out


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def headline_figures(name: str, metrics: Mapping[str, Any]) -> list[tuple[str, float]]:
    """The leave-one-prison-out figures a reader needs first, from a manifest's metrics.

    Figures the manifest does not record are left out (never invented).

    >>> headline_figures("smart", {"trained": {"mean_kappa": 0.68}})
    [('mean Cohen kappa over S, M, A, R, T (trained scorer)', 0.68)]
    """
    wanted: list[tuple[str, Any]] = []
    if name == "themes":
        models = _dig(metrics, "models") or {}
        first = next(iter(models), None)
        wanted.append(
            (
                "macro-F1 over the five named themes",
                _dig(models, first, "macro_f1_required") if first else None,
            )
        )
        wanted.append(
            (
                "macro-F1 over all nine themes",
                _dig(models, first, "macro_f1_all") if first else None,
            )
        )
    elif name == "owners":
        chosen = _dig(metrics, "mentions", "chosen")
        if isinstance(chosen, str):
            wanted.append(
                (
                    "owner mentions, micro-F1",
                    _dig(metrics, "mentions", chosen, "pooled", "micro", "f1"),
                )
            )
            wanted.append(
                (
                    "owner mentions, micro-F1 with the held-out plan's gazetteer entries removed",
                    _dig(metrics, "mentions_unseen_gazetteer", chosen, "pooled", "micro", "f1"),
                )
            )
        wanted.append(
            ("owner cells, accuracy (not held out)", _dig(metrics, "owner_cells", "accuracy"))
        )
    elif name == "smart":
        wanted.append(
            (
                "mean Cohen kappa over S, M, A, R, T (trained scorer)",
                _dig(metrics, "trained", "mean_kappa"),
            )
        )
    return [(k, float(v)) for k, v in wanted if isinstance(v, (int, float))]


def _model_card(manifests: Mapping[str, Any]) -> str:
    from actionnlp.model_card import render_model_card

    try:
        return render_model_card(manifests)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return f"(the model card could not be rendered from these manifests: {exc})"


def provenance_html(models_dir: Path | None = None, now: datetime | None = None) -> str:
    """The report's "what the figures rest on" section."""
    from actionnlp.artifacts import actionnlp_version, library_versions

    now = now or datetime.now(timezone.utc)
    manifests = read_manifests(models_dir)
    versions = ", ".join(f"{k} {v}" for k, v in library_versions().items() if v)
    items = [
        f"<li>Written {escape(now.strftime('%Y-%m-%d %H:%M UTC'))} by actionnlp "
        f"{escape(actionnlp_version())} ({escape(versions)}).</li>"
    ]
    for name, manifest in manifests.items():
        figures = headline_figures(name, manifest.get("metrics", {}))
        shown = "; ".join(f"{escape(k)} <b>{v:.2f}</b>" for k, v in figures) or "not recorded"
        version = escape(f"{manifest.get('name', name)} v{manifest.get('version', '?')}")
        items.append(f"<li>Model <code>{version}</code>: {shown}.</li>")
    if not manifests:
        items.append("<li>No model manifests found: the model figures are unknown.</li>")
    card = escape(_model_card(manifests)) if manifests else ""
    return (
        "<p>The themes, owners and SMART scores are model outputs, not hand coding. The "
        "models were trained on <b>four</b> labelled plans; the figures below are "
        "leave-one-prison-out (each plan scored by models trained on the other three), "
        'the best available guess of their quality on an unseen prison (<a href="#model-card">'
        "model card</a>, also <code>docs/model-card.md</code> in the repository). Check a "
        "sample of actions in the explorer before relying on a figure.</p>"
        f"<ul>{''.join(items)}</ul>"
        '<details id="model-card"><summary>Model card (from the artifact manifests)</summary>'
        f'<pre class="card">{card}</pre></details>'
    )
