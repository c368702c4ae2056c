"""Errors raised by actionnlp.

Every failure a user can cause with bad input is a subclass of
:class:`ActionPlanError`; its message names the file (when there is one) and
what is wrong with it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ActionPlanError",
    "ArtifactError",
    "CacheWarning",
    "DocumentTooLargeError",
    "EmptyDocumentError",
    "MissingFileError",
    "NeedsOCRError",
    "NotAnActionPlanError",
    "ResourceError",
    "TableError",
    "UnreadableDocumentError",
    "UnsupportedFormatError",
]


class ActionPlanError(Exception):
    """Base class of every error actionnlp raises for bad input or artifacts."""

    def __init__(self, message: str, source: str | Path | None = None) -> None:
        self.source = str(source) if source is not None else None
        self.reason = message
        text = f"{self.source}: {message}" if self.source else message
        super().__init__(text)


class EmptyDocumentError(ActionPlanError):
    """The document is empty or holds only white space."""


class NotAnActionPlanError(ActionPlanError):
    """The document has text but no action-plan table (a recipe, a report...)."""


class UnreadableDocumentError(ActionPlanError):
    """The file is corrupt, truncated or not what its extension says."""


class NeedsOCRError(UnreadableDocumentError):
    """A PDF with no text layer: it must be OCR'd before it can be read."""


class UnsupportedFormatError(ActionPlanError):
    """The file extension is not one actionnlp reads."""


class MissingFileError(ActionPlanError):
    """The path does not exist, or names a folder where a file was expected."""


class ResourceError(ActionPlanError, ValueError):
    """A resource file a user supplies (an owner gazetteer) is malformed; the source
    names the file and line."""


class TableError(ActionPlanError, ValueError):
    """A researcher's own table lacks a required column or holds values that cannot be
    read (an unknown decision); the message names the columns or values."""


class DocumentTooLargeError(UnreadableDocumentError):
    """The document would expand beyond the reader's memory or time bounds."""


class ArtifactError(ActionPlanError):
    """A model artifact is missing, tampered with, or built for other versions."""


class CacheWarning(UserWarning):
    """A cache file or entry was ignored (unreadable, not a regular file, or holding
    values the model could not have written); what it held is computed again. Caches
    never raise for what they read: a poisoned cache costs time, not results."""
