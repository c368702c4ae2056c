"""The label vocabularies every model and table shares, in one place.

Runtime code (the models, the analysis tables, the coding sheets) imports its label lists
from here; :mod:`actionnlp.corpus` (the training-data module) checks labelled files
against them. The themes' one-line descriptions are data (``resources/themes.json``).

>>> REQUIRED_THEMES[0] in THEMES, SMART_KEYS
(True, ('S', 'M', 'A', 'R', 'T'))
>>> list(theme_descriptions()) == list(THEMES)
True
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

__all__ = [
    "ERAS",
    "KINDS",
    "MENTION_LABELS",
    "OWNER_CATEGORIES",
    "RATIONALE",
    "REQUIRED_THEMES",
    "SMART_KEYS",
    "THEMES",
    "counts_as_action",
    "era_of",
    "is_action_row",
    "theme_descriptions",
]

THEMES: tuple[str, ...] = (
    "healthcare",
    "drugs",
    "regime",
    "education",
    "equality",
    "safety",
    "offender_management",
    "living_conditions",
    "staffing",
)
"""The nine themes of the annotation guidelines."""

REQUIRED_THEMES: tuple[str, ...] = ("healthcare", "drugs", "regime", "education", "equality")
"""The five themes the headline theme figures are reported on."""

SMART_KEYS: tuple[str, ...] = ("S", "M", "A", "R", "T")
"""The SMART criteria, in column order."""

OWNER_CATEGORIES: tuple[str, ...] = (
    "prison_leadership",
    "prison_department",
    "health_provider",
    "education_provider",
    "estates_contractor",
    "hmpps_national",
    "other",
)
"""The categories of an action's owner."""

MENTION_LABELS: tuple[str, ...] = ("ROLE", "ORG")
"""The span labels of an owner mentioned in an action's text."""

KINDS: tuple[str, ...] = ("action", "rationale")
"""What a response row is: an action, or a paragraph explaining a decision."""
RATIONALE = "rationale"

ERAS: tuple[str, ...] = ("concerns", "recommendations")
"""Plan templates: HMIP's concerns (from May 2022) or, before, recommendations that
HMPPS answered with a decision (Agreed / Partly Agreed / Not Agreed)."""


def era_of(has_decisions: bool) -> str:
    """The one era rule: a plan that records HMPPS's decision on each item (a decision
    column or decision values) is of the recommendations era, else the concerns era.

    >>> era_of(True), era_of(False)
    ('recommendations', 'concerns')
    """
    return ERAS[1] if has_decisions else ERAS[0]


def is_action_row(kind: object) -> bool:
    """The one rule of what counts as an action: every response row except a paragraph
    that explains a Partly / Not Agreed decision (kind ``"rationale"``); a row of unknown
    kind (a researcher's table without the column) counts.

    >>> is_action_row("action"), is_action_row("rationale"), is_action_row(None)
    (True, False, True)
    """
    return kind != RATIONALE


def counts_as_action(frame):
    """:func:`is_action_row` over a frame: a boolean Series, all True without ``kind``.

    >>> import pandas as pd
    >>> counts_as_action(pd.DataFrame({"kind": ["action", "rationale", None]})).tolist()
    [True, False, True]
    """
    import pandas as pd

    if "kind" not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame["kind"].astype(object).map(is_action_row).astype(bool)


@cache
def theme_descriptions() -> dict[str, str]:
    """The nine themes of the guidelines with their descriptions (for zero-shot)."""
    text = resources.files("actionnlp.resources").joinpath("themes.json").read_text("utf-8")
    return dict(json.loads(text))
