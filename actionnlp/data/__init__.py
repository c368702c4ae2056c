"""Bundled sample plans (Open Government Licence v3.0; see README.md beside this file)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["SAMPLES_DIR", "sample_paths"]

SAMPLES_DIR = Path(__file__).parent / "samples"


def sample_paths() -> list[Path]:
    """Paths of the bundled sample plans, sorted by name.

    >>> [p.name for p in sample_paths()][:2]
    ['littlehey-2024.txt', 'peterborough-2024.txt']
    """
    return sorted(
        p for p in SAMPLES_DIR.iterdir() if p.suffix in {".txt", ".docx", ".pdf", ".html"}
    )
