"""Errors the service layer raises; the app turns each into a JSON error with its HTTP status.

They live here (not as HTTPExceptions) so the services stay usable without a web framework.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be served; ``str(exc)`` is the one-line message for the client."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidInput(ServiceError):
    """The request is well-formed but its content cannot be used (422)."""

    status_code = 422


class PayloadTooLarge(ServiceError):
    """Over a size or row limit from the settings (413)."""

    status_code = 413


class TimeBudgetExceeded(ServiceError):
    """The request ran past ``request_time_budget_s`` and was abandoned (408)."""

    status_code = 408


class ModelUnavailable(ServiceError):
    """No model is being served (503); the message says how to train one."""

    status_code = 503


class NotFound(ServiceError):
    status_code = 404
