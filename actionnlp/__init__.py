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
from actionnlp.read.api import read_plan, read_plans

__version__ = "0.1.0"

_LAZY = {"analyze": "actionnlp.analysis", "Analysis": "actionnlp.analysis"}


def __getattr__(name: str):
    """Load ``analyze`` and ``Analysis`` on first use, so importing stays cheap."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'actionnlp' has no attribute {name!r}")


__all__ = [
    "Action",
    "ActionPlan",
    "ActionPlanError",
    "Analysis",
    "ArtifactError",
    "Concern",
    "Problem",
    "analyze",
    "read_plan",
    "read_plans",
    "sample_paths",
]
