"""One settings object from which every path and tunable is derived.

Values come from (highest first) explicit arguments, environment variables prefixed ``SEGMENTATION_``
(plus ``MALL_DATA_MIRROR``, the fetcher convention shared with CI), and the defaults below.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: ``backend/`` — the package lives in ``backend/src/customer_segmentation``.
BACKEND_DIR = Path(__file__).resolve().parents[2]
PROJECT_ROOT = BACKEND_DIR.parent

DATA_FILENAME = "Mall_Customers.csv"
#: SHA-256 of the canonical 200-row Kaggle file (Kaggle header, LF line endings).
DATA_SHA256 = "194975e1f84d29ee7a99ca72bc14dcd55af355384f35171ef7e9e053ac7f6612"
#: Pinned public copy (a fixed commit), fetched only when neither the default file nor a mirror is
#: available. It uses the ``Genre``/``Annual_Income`` header of some copies: the fetcher rewrites it in
#: the canonical form and accepts it only if the result has exactly DATA_SHA256.
DATA_URL = (
    "https://raw.githubusercontent.com/Ducky-007/MallCustomers/"
    "3c5b11157044452fd5d1430746d4315521e93cf9/Mall_Customers.csv"
)


@dataclass(frozen=True)
class ArtifactPaths:
    """Where a run reads its default input and writes every artifact, all under one root."""

    root: Path

    @property
    def raw_data(self) -> Path:
        return self.root / "data" / "raw" / DATA_FILENAME

    @property
    def processed_dir(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def preprocessed_csv(self) -> Path:
        return self.processed_dir / "preprocessed_data.csv"

    @property
    def clustered_csv(self) -> Path:
        return self.processed_dir / "clustered_data.csv"

    @property
    def clustered_parquet(self) -> Path:
        return self.processed_dir / "clustered_data.parquet"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def model(self) -> Path:
        return self.models_dir / "clustering_model.pkl"

    @property
    def model_card(self) -> Path:
        return self.models_dir / "model_card.json"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def figures_dir(self) -> Path:
        return self.reports_dir / "figures"

    @property
    def summary(self) -> Path:
        return self.reports_dir / "summary.txt"

    @property
    def data_quality(self) -> Path:
        return self.reports_dir / "data_quality.json"

    @property
    def migration(self) -> Path:
        """Who moved where since the parent model, and how the data drifted (see ``lifecycle``)."""
        return self.reports_dir / "migration.json"

    @property
    def lock(self) -> Path:
        return self.models_dir / ".pipeline.lock"


class Settings(BaseSettings):
    """Runtime settings for the pipeline and the API."""

    model_config = SettingsConfigDict(env_prefix="SEGMENTATION_", extra="ignore", populate_by_name=True)

    artifacts_root: Path = Field(
        default=BACKEND_DIR,
        description="Folder holding data/, models/ and reports/ (the repository's backend/ by default).",
    )
    data_mirror: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("MALL_DATA_MIRROR", "SEGMENTATION_DATA_MIRROR"),
        description="Directory holding a copy of Mall_Customers.csv, tried before the download.",
    )
    data_url: str = DATA_URL
    data_sha256: str = DATA_SHA256
    download_timeout_s: float = 30.0
    random_state: int = 42
    model_key: str | None = Field(
        default=None,
        description="HMAC key signing model cards (SEGMENTATION_MODEL_KEY): the API then serves only signed cards.",
        repr=False,
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store of runs, segment names and memberships "
        "(SEGMENTATION_DATABASE_URL); unset: a SQLite file segmentation.db beside the artifacts.",
        repr=False,  # may hold a password
    )

    @property
    def paths(self) -> ArtifactPaths:
        return ArtifactPaths(self.artifacts_root)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached: read the environment once)."""
    return Settings()
