"""Settings of the HTTP API, read from ``SEGMENTATION_*`` environment variables.

They extend the pipeline's :class:`~customer_segmentation.config.Settings` (same prefix, same
``artifacts_root``), so ``SEGMENTATION_ARTIFACTS_ROOT=/srv/run`` points both the CLI and the API at
one trained folder. Every limit the API enforces lives here, so an operator can tune it without
touching code.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from ..config import PROJECT_ROOT, Settings
from .schemas.predictions import DEFAULT_MAX_BATCH

MIB = 1024 * 1024


class VersionPolicy(StrEnum):
    """What to do with a model card written under another scikit-learn version."""

    WARN = "warn"
    REFUSE = "refuse"


class ApiSettings(Settings):
    """Runtime settings of the API (the pipeline's settings plus serving limits)."""

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["http://localhost:3000", "http://127.0.0.1:3000"],
        description="Origins allowed by CORS (comma-separated in the environment); the Next dev server by default.",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="Key required in the X-API-Key header by state-changing endpoints "
        "(POST /model/reload, PATCH /clusters/{id}). Unset: those endpoints are disabled.",
    )
    api_key_max_failures: int = Field(
        default=10,
        ge=1,
        description="Wrong API keys a client may send within SEGMENTATION_API_KEY_FAILURE_WINDOW_S before "
        "every attempt from it gets 429 (Retry-After) until the window has passed.",
    )
    api_key_failure_window_s: float = Field(
        default=60.0, gt=0, description="Window, in seconds, over which failed API-key attempts are counted."
    )
    max_batch_size: int = Field(default=DEFAULT_MAX_BATCH, ge=1, description="Most customers per /predict/batch.")
    max_body_bytes: int = Field(default=4 * MIB, ge=1024, description="Largest JSON request body.")
    max_upload_bytes: int = Field(default=10 * MIB, ge=1, description="Largest CSV upload.")
    max_upload_rows: int = Field(default=200_000, ge=1, description="Most data rows in a CSV upload.")
    max_upload_columns: int = Field(
        default=1000, ge=1, description="Most columns in a CSV upload (counted on the header line before parsing)."
    )
    request_time_budget_s: float = Field(
        default=10.0,
        gt=0,
        description="Time the server may spend on a scoring request — parsing, validating, scoring and "
        "building the answer, counted from the body's last byte — before it is abandoned (408).",
    )
    upload_workers: int = Field(
        default=1,
        ge=0,
        le=16,
        description="Worker processes that parse, validate and score CSV uploads (/predict/csv, "
        "/predict/transactions, /schema/infer) so they never stall other requests; 0 runs them in the "
        "server's threads.",
    )
    body_read_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="Time a client may take to send its request body (a slow upload) before a 408; separate "
        "from the processing budget.",
    )
    sklearn_version_policy: VersionPolicy = Field(
        default=VersionPolicy.WARN,
        description="Model card from another scikit-learn version: 'warn' (serve, flag in /health) or "
        "'refuse' (503 until retrained).",
    )
    frontend_dir: Path = Field(
        default=PROJECT_ROOT / "frontend" / "out",
        description="Static export of the dashboard; served at / when it holds index.html.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Accept ``a,b`` (environment style) as well as a list."""
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("api_key", mode="after")
    @classmethod
    def _blank_key_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        """An empty SEGMENTATION_API_KEY means "no key", i.e. reload disabled, never "any key"."""
        if value is not None and not value.get_secret_value().strip():
            return None
        return value


@lru_cache(maxsize=1)
def get_api_settings() -> ApiSettings:
    """The process-wide API settings (read the environment once)."""
    return ApiSettings()
