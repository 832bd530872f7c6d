"""The segments and the evidence for k, as recorded in the model card."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_PROFILE_EXAMPLE: dict[str, Any] = {
    "id": 4,
    "name": "Young · high income · high spending",
    "description": "39 customers (19.5%), median age 32, median income 79 k$, median spending score 83; 54% female.",
    "action": "Reward and retain: VIP/loyalty programme, early access to premium launches, personal service.",
    "size": 39,
    "share": 0.195,
    "centroid": {"age": 32.7, "annual_income": 86.5, "spending_score": 82.1},
    "medians": {"age": 32.0, "annual_income": 79.0, "spending_score": 83.0},
    "means": {"age": 32.7, "annual_income": 86.5, "spending_score": 82.1},
    "levels": {"age": "low", "annual_income": "high", "spending_score": "high"},
    "gender_mix": {"Female": 0.54, "Male": 0.46},
    "silhouette": 0.505,
    "below_mean_silhouette": False,
}


class ClusterProfile(BaseModel):
    """One segment in business terms; numbers in original units (years, k$, score 1–100)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PROFILE_EXAMPLE]})

    id: int = Field(
        ge=0,
        description="Stable segment id: kept by retraining while the segment is matched; a new segment gets an id "
        "never used before, so ids may have gaps (0, 1, 2, 4).",
    )
    name: str = Field(
        description="Your team's name if set, else derived from the data, e.g. 'Young · high income · high spending'."
    )
    description: str
    action: str | None = Field(
        description="Suggested marketing action; null where the meaning of the features is not known (no invented "
        "advice)."
    )
    size: int = Field(ge=0, description="Training customers in the segment.")
    share: float = Field(ge=0, le=1, description="size / all training customers.")
    centroid: dict[str, float] = Field(description="Centroid in original units, per feature.")
    medians: dict[str, float]
    means: dict[str, float] = Field(default_factory=dict)
    levels: dict[str, str] = Field(default_factory=dict, description="low/mid/high per feature.")
    gender_mix: dict[str, float] = Field(default_factory=dict, description="Share of each gender.")
    silhouette: float | None = Field(default=None, description="Mean silhouette of the segment's customers.")
    below_mean_silhouette: bool | None = None
    level_shares: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="Per categorical column: the share of each level in the segment."
    )
    name_terms: list[dict[str, Any]] = Field(
        default_factory=list, description="The terms of the name and the share of members each is true of."
    )
    jaccard: float | None = Field(
        default=None, description="Clusterwise bootstrap Jaccard (Hennig 2007): how reliably the segment reappears."
    )
    jaccard_reading: str | None = Field(
        default=None, description="Hennig's reading: highly stable, stable, a pattern or dissolved."
    )
    revenue_share: float | None = Field(default=None, description="RFM models: the segment's share of revenue.")
    generated_name: str | None = Field(default=None, description="The name derived from the data.")
    generated_action: str | None = Field(default=None, description="The action derived from the data.")
    user_name: str | None = Field(
        default=None, description="Your team's name (PATCH /clusters/{id}); kept across retraining while matched."
    )
    user_action: str | None = Field(default=None, description="Your team's action (PATCH /clusters/{id}).")


class KScore(BaseModel):
    """Scores of one candidate k."""

    k: int
    silhouette: float = Field(description="Mean silhouette (higher is better); decides k.")
    silhouette_std: float = Field(default=0.0, description="Spread of a sampled estimate (0 when exact).")
    calinski_harabasz: float = Field(description="Higher is better.")
    davies_bouldin: float = Field(description="Lower is better.")
    inertia: float = Field(description="Within-cluster sum of squares (the elbow chart).")


class SilhouetteEstimator(BaseModel):
    method: str = Field(description="'exact' (all rows) or 'sampled'.")
    description: str
    sweep_rows: int | None = None
    scored_rows: int | None = None
    seeds: int | None = None


class KSelection(BaseModel):
    """How k was chosen: every candidate's scores and the decision."""

    scores: list[KScore]
    best_k: int
    chosen_k: int
    pinned: bool = Field(description="True when k was fixed by the user (--k).")
    reason: str
    estimator: SilhouetteEstimator | None = None
    n_init: int | None = None
    random_state: int | None = None


class SilhouetteSummary(BaseModel):
    overall: float
    per_segment: list[float]
    rows: int | None = None


class Stability(BaseModel):
    """Bootstrap stability of the chosen k: adjusted Rand index between refits."""

    k: int | None = None
    resamples: int
    rows: int | None = None
    mean_ari: float
    std_ari: float
    min_ari: float
    verdict: str


class ClusterSummary(BaseModel):
    """k, the evidence for it, and every segment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "model_version": "69541e38-2026-11-26",
                    "k": 6,
                    "features": ["age", "annual_income", "spending_score"],
                    "rows_used": 200,
                    "k_selection": {
                        "scores": [
                            {
                                "k": 5,
                                "silhouette": 0.4166,
                                "silhouette_std": 0.0,
                                "calinski_harabasz": 125.1,
                                "davies_bouldin": 0.8746,
                                "inertia": 168.25,
                            },
                            {
                                "k": 6,
                                "silhouette": 0.4284,
                                "silhouette_std": 0.0,
                                "calinski_harabasz": 135.1,
                                "davies_bouldin": 0.8254,
                                "inertia": 133.87,
                            },
                        ],
                        "best_k": 6,
                        "chosen_k": 6,
                        "pinned": False,
                        "reason": "k=6 has the highest mean silhouette (0.428) of k=2..10",
                        "estimator": {
                            "method": "exact",
                            "description": "exact mean silhouette on all 200 rows",
                            "sweep_rows": 200,
                            "scored_rows": 200,
                            "seeds": 1,
                        },
                        "n_init": 10,
                        "random_state": 42,
                    },
                    "silhouette": {"overall": 0.4284, "per_segment": [0.51, 0.29], "rows": 200},
                    "stability": {
                        "k": 6,
                        "resamples": 20,
                        "rows": 200,
                        "mean_ari": 0.92,
                        "std_ari": 0.07,
                        "min_ari": 0.64,
                        "verdict": "very stable",
                    },
                    "segments": [_PROFILE_EXAMPLE],
                }
            ]
        }
    )

    model_version: str
    lineage_id: str | None = Field(default=None, description="The lineage whose ids and names the segments use.")
    k: int = Field(ge=1)
    features: list[str]
    rows_used: int | None = Field(default=None, description="Training customers after cleaning.")
    k_selection: KSelection
    silhouette: SilhouetteSummary | None = None
    stability: Stability | None = None
    segments: list[ClusterProfile]
