"""Errors a user can fix. The CLI prints them as one line and exits 2; the API maps them to 4xx."""


class SegmentationError(Exception):
    """Base class: the message is a complete, one-line explanation meant for the user."""


class DataError(SegmentationError):
    """The input data cannot be used (missing file or column, unreadable content, nothing left)."""


class ConfigError(SegmentationError):
    """The options do not make sense together (e.g. k outside the range, unknown feature)."""
