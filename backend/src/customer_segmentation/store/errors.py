"""What can go wrong when recording or reading, as types the API can map to status codes."""

from __future__ import annotations


class StoreError(Exception):
    """Base class; the message is one line meant for the operator."""


class InvalidRecordError(StoreError, ValueError):
    """The records contradict themselves (e.g. k differs from the number of segments)."""


class RunExistsError(StoreError):
    """A run with this model version is already recorded (runs are immutable)."""


class LineageError(StoreError):
    """The run breaks a lineage rule: one schema per lineage, same schema continues the parent's, ids never reused."""


class UnknownRunError(StoreError, LookupError):
    """No run with this model version."""


class UnknownSegmentError(StoreError, LookupError):
    """No such segment in the lineage's latest run."""
