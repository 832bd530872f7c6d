"""The model card: what the model is, how it was chosen, on what data, and how to verify it.

It is JSON beside the model. The API reads the card (not the pickle): it carries the pickle-free
serving spec, and the pickle's SHA-256 lets anyone check that the pickle is the one described.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

CARD_SCHEMA_VERSION = 1
_LIBRARIES = ("scikit-learn", "numpy", "pandas", "scipy", "joblib")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - all are hard requirements
            versions[name] = "unknown"
    return versions


def model_version(model_sha256: str, created_at: str) -> str:
    """Short, human-readable model version: first 8 hex digits of the model hash + the date."""
    return f"{model_sha256[:8]}-{created_at[:10]}"


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def dumps(card: dict[str, Any]) -> str:
    """Stable JSON text (sorted keys, fixed indentation) so equal cards are equal bytes."""
    return json.dumps(card, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
