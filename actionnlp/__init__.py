"""actionnlp: UK prison action plans as data researchers can trust.

Importing the package is cheap: heavy libraries (torch, sentence-transformers,
spaCy, scikit-learn) load only when a function that needs them is first called.

>>> import actionnlp
>>> plan = actionnlp.read_plan(text=open(actionnlp.sample_paths()[1]).read())
>>> plan.prison
'HMP Peterborough (Men)'
"""

from __future__ import annotations

from actionnlp.data import sample_paths
from actionnlp.errors import ActionPlanError, ArtifactError
from actionnlp.plan import Action, ActionPlan, Concern, Problem
from actionnlp.read import read_plan, read_plans

__version__ = "0.1.0"

_LAZY = {
    "analyze": "actionnlp.analysis",
    "Analysis": "actionnlp.analysis",
    "load": "actionnlp.loading",
    "Models": "actionnlp.loading",
    "ThemeTagger": "actionnlp.themes",
    "ZeroShotTagger": "actionnlp.themes",
    "mine_themes": "actionnlp.mining",
    "similar": "actionnlp.mining",
    "find_boilerplate": "actionnlp.mining",
    "find_recurring": "actionnlp.analysis.recurring",
    "coding_sheet": "actionnlp.validation",
    "agreement": "actionnlp.validation",
    "train_on_labels": "actionnlp.validation",
}


def __getattr__(name: str):
    """Load the model-backed API on first use, so importing stays cheap."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'actionnlp' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Every public name, the lazily loaded ones included (``dir(actionnlp)``)."""
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Action",
    "ActionPlan",
    "ActionPlanError",
    "Analysis",
    "ArtifactError",
    "Concern",
    "Models",
    "Problem",
    "ThemeTagger",
    "ZeroShotTagger",
    "agreement",
    "analyze",
    "coding_sheet",
    "find_boilerplate",
    "find_recurring",
    "load",
    "mine_themes",
    "read_plan",
    "read_plans",
    "sample_paths",
    "similar",
    "train_on_labels",
]
