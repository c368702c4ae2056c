"""Themes: the tagger, its training and its zero-shot baseline.

* :mod:`~actionnlp.themes.tagger`: :class:`ThemeTagger` (a SetFit-shaped head over
  sentence embeddings, saved with :meth:`~ThemeTagger.save_pretrained` and read back
  with :meth:`~ThemeTagger.from_pretrained`) and :func:`tags_frame`;
* :mod:`~actionnlp.themes.zeroshot`: :class:`ZeroShotTagger`, the baseline that needs
  no labels;
* :mod:`~actionnlp.themes.training`: leave-one-prison-out evaluation against baselines,
  and the shipped configuration (:func:`~actionnlp.themes.training.shipped_tagger`).

The label list is :data:`actionnlp.labels.THEMES`, the descriptions
``resources/themes.json`` (:func:`actionnlp.labels.theme_descriptions`).

>>> from actionnlp.themes import ThemeTagger
>>> ThemeTagger().get_params()["features"]
'embedding'
"""

from actionnlp.themes.tagger import FEATURES, MIN_CALIBRATION_POSITIVES, ThemeTagger, tags_frame
from actionnlp.themes.zeroshot import ZERO_SHOT_THRESHOLD, ZeroShotTagger

__all__ = [
    "FEATURES",
    "MIN_CALIBRATION_POSITIVES",
    "ZERO_SHOT_THRESHOLD",
    "ThemeTagger",
    "ZeroShotTagger",
    "tags_frame",
]
