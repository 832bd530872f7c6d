"""The Spark engine end to end on the canonical data: it agrees with the default engine, writes the
same artifacts, and the exported scikit-learn model scores exactly as Spark's own transform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.artifacts import load_pipeline_trusted, read_card
from customer_segmentation.config import ArtifactPaths, Settings
from customer_segmentation.modeling.serving import ServingModel
from customer_segmentation.pipeline import RunConfig, RunResult
from customer_segmentation.profiling import profile_segments
from customer_segmentation.schema import GENDER, NUMERIC_COLUMNS

from .conftest_helpers import random_customers
from .marks import SPARK

pytestmark = SPARK


@pytest.fixture(scope="module")
def spark_run(spark: Any, tmp_path_factory: pytest.TempPathFactory, mall_csv: Path) -> tuple[ArtifactPaths, Any]:
    from customer_segmentation.engines.spark import run_spark

    root = tmp_path_factory.mktemp("spark-run")
    paths = ArtifactPaths(root)
    result = run_spark(RunConfig(data=mall_csv), Settings(artifacts_root=root), paths=paths, spark=spark)
    return paths, result


def test_same_k_and_labels_as_the_default_engine(
    spark_run: tuple[ArtifactPaths, Any], trained: tuple[ArtifactPaths, RunResult]
) -> None:
    _, spark_result = spark_run
    _, default = trained
    assert spark_result.selection.chosen_k == default.selection.chosen_k
    # The sweep is the default engine's estimator on the same rows: the same scores.
    for mine, theirs in zip(spark_result.selection.scores, default.selection.scores, strict=True):
        assert mine.k == theirs.k
        assert mine.silhouette == pytest.approx(theirs.silhouette, abs=1e-9)
    assert spark_result.clean["customer_id"].tolist() == default.clean["customer_id"].tolist()
    assert adjusted_rand_score(default.labels, spark_result.labels) >= 0.95
    assert spark_result.quality.to_dict() == default.quality.to_dict()
    # Same space: the exported scaler is scikit-learn's population-std scaler, not Spark's n-1 one.
    mine = spark_result.pipeline.named_steps["preprocess"].named_transformers_["numeric"]
    theirs = default.pipeline.named_steps["preprocess"].named_transformers_["numeric"]
    np.testing.assert_allclose(mine.mean_, theirs.mean_, rtol=1e-12)
    np.testing.assert_allclose(mine.scale_, theirs.scale_, rtol=1e-12)
    np.testing.assert_allclose(mine.var_, theirs.var_, rtol=1e-12)
    assert list(mine.feature_names_in_) == list(theirs.feature_names_in_)


def test_artifacts_are_the_default_engines_with_engine_spark(spark_run: tuple[ArtifactPaths, Any]) -> None:
    paths, result = spark_run
    for path in (
        paths.model,
        paths.model_card,
        paths.clustered_csv,
        paths.preprocessed_csv,
        paths.summary,
        paths.data_quality,
    ):
        assert path.is_file(), path
    assert len(list(paths.figures_dir.glob("*.png"))) >= 5
    card = read_card(paths).model_dump(mode="json")
    assert card["engine"] == "spark"
    assert card["spark"]["version"] == result.versions["pyspark"]
    assert card["spark"]["rows_used"] == card["data"]["rows_used"] == 200
    assert card["k"] == result.selection.chosen_k
    assert "--engine spark" in card["reproduce"]
    clustered = pd.read_csv(paths.clustered_csv)
    assert clustered["segment"].tolist() == result.labels.tolist()
    assert json.loads(paths.data_quality.read_text())["rows_out"] == 200
    assert "--engine spark" in paths.summary.read_text()


def test_exported_model_scores_like_spark_transform(spark: Any, spark_run: tuple[ArtifactPaths, Any]) -> None:
    """Rebuild the Spark fit, then compare Spark's transform with the exported Pipeline and the
    card's pickle-free serving spec, on every training row and on random customers."""
    from customer_segmentation.data.clean import CleaningOptions
    from customer_segmentation.engines.spark import export, scale, train
    from customer_segmentation.engines.spark.clean import clean_spark
    from customer_segmentation.engines.spark.read import ROW, read_spark_table

    paths, result = spark_run
    features = (GENDER, *NUMERIC_COLUMNS)  # with gender: the unscaled column must line up too
    options = CleaningOptions(features)
    schema = options.resolved_schema()
    cleaned = clean_spark(read_spark_table(spark, result.config.data.as_posix()).frame, options)
    scaled = scale.scale_features(cleaned.frame, schema, cleaned.levels, cleaned.rows)
    assert scaled.width == 4
    rows, x = train.collect_sample(scaled.frame, scaled.width, schema)
    fit = train.fit_spark_kmeans(scaled, 5, 7, restarts=1)
    pipeline, remap = export.build_pipeline(
        rows, schema, scaled, np.asarray(fit.model.clusterCenters()), random_state=7, n_init=1
    )
    spark_labels = fit.model.transform(scaled.frame).orderBy(ROW).toPandas()[train.PREDICTION].to_numpy()
    assert pipeline.predict(rows).tolist() == remap[spark_labels].tolist()
    np.testing.assert_allclose(pipeline.named_steps["preprocess"].transform(rows), x, rtol=1e-12, atol=1e-12)

    new = random_customers(500, seed=3)
    new_spark = spark.createDataFrame(new)
    spark_new = fit.model.transform(scaled.model.transform(new_spark)).toPandas()[train.PREDICTION].to_numpy()
    assert pipeline.predict(new).tolist() == remap[spark_new].tolist()

    # The artifacts of the canonical run: the pickled Pipeline (SHA-verified) and the JSON spec agree.
    loaded = load_pipeline_trusted(paths)
    serving = ServingModel.from_dict(read_card(paths).model_dump(mode="json")["serving"])
    numeric = new[list(serving.numeric_features)].to_numpy(float)
    assert loaded.predict(new).tolist() == serving.predict(serving.transform(numeric)).tolist()
    assert loaded.predict(result.clean).tolist() == result.labels.tolist()


def test_large_path_through_the_cli(
    spark: Any, tmp_path: Path, mall_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the CSV size the table stays in Spark: Parquet output, profiles aggregated by Spark."""
    from customer_segmentation import artifact_layout, cli

    monkeypatch.setattr(artifact_layout, "CSV_MAX_ROWS", 100)
    code = cli.main(
        [
            "--engine",
            "spark",
            "--spark-master",
            "local[2]",
            "--data",
            str(mall_csv),
            "--output-root",
            str(tmp_path),
            "--quiet",
            "--bootstrap",
            "2",
        ]
    )
    assert code == 0
    paths = ArtifactPaths(tmp_path)
    assert paths.clustered_parquet.is_file() and not paths.clustered_csv.exists()
    clustered = pd.read_parquet(paths.clustered_parquet)
    assert len(clustered) == 200
    assert clustered["customer_id"].tolist() == list(range(1, 201))  # file order kept
    loaded = load_pipeline_trusted(paths)
    assert loaded.predict(clustered).tolist() == clustered["segment"].tolist()
    preprocessed = pd.read_parquet(paths.processed_dir / "preprocessed_data.parquet")
    assert list(preprocessed.columns) == ["customer_id", "gender_male", *NUMERIC_COLUMNS]
    expected_x = loaded.named_steps["preprocess"].transform(clustered)
    np.testing.assert_allclose(preprocessed[list(NUMERIC_COLUMNS)].to_numpy(), expected_x, rtol=1e-12, atol=1e-12)
    card = read_card(paths).model_dump(mode="json")
    assert card["outputs"]["clustered_data"] == "data/processed/clustered_data.parquet"
    assert card["engine"] == "spark" and card["spark"]["collected_all_rows"] is False
    # Spark's aggregates give exactly the default engine's profiles of the same labelled rows.
    centroids = pd.DataFrame([s["centroid"] for s in card["segments"]])
    expected = profile_segments(
        clustered[["customer_id", "gender", *NUMERIC_COLUMNS]],
        clustered["segment"].to_numpy(),
        centroids,
        silhouettes=card["silhouette"]["per_segment"],
        overall_silhouette=card["silhouette"]["overall"],
    )
    stability = ("jaccard", "jaccard_reading")  # from the bootstrap, not from the aggregates
    profiles = [{k: v for k, v in json.loads(json.dumps(p.to_dict())).items() if k not in stability} for p in expected]
    assert [{key: s[key] for key in p} for s, p in zip(card["segments"], profiles, strict=True)] == profiles
    assert all(s["jaccard"] is not None for s in card["segments"])
    names = {s["id"]: s["name"] for s in card["segments"]}
    assert (clustered["segment_name"] == clustered["segment"].map(names)).all()


def test_sweep_sample_is_deterministic_and_about_the_requested_size(spark: Any, spark_run: Any) -> None:
    from customer_segmentation.engines.spark import scale, train
    from customer_segmentation.feature_schema import mall_schema
    from customer_segmentation.modeling.select_k import SweepSettings

    _, result = spark_run
    frame = spark.createDataFrame(result.clean.astype({"customer_id": "int64", "gender": str}))
    scaled = scale.scale_features(frame, mall_schema(NUMERIC_COLUMNS), {}, len(result.clean))
    settings = SweepSettings(sweep_rows=100)
    first = sorted(r[0] for r in train.sweep_sample(scaled, settings).select("customer_id").collect())
    again = sorted(r[0] for r in train.sweep_sample(scaled, settings).repartition(3).select("customer_id").collect())
    assert first == again
    assert 60 <= len(first) <= 140
    assert train.sweep_sample(scaled, SweepSettings(sweep_rows=500)) is scaled.frame


def test_the_api_serves_a_spark_trained_model(spark_run: tuple[ArtifactPaths, Any], tmp_path: Path) -> None:
    """The API loads the Spark run's artifacts like any other: health, segments, predictions."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from customer_segmentation.api.app import create_app
    from customer_segmentation.api.settings import ApiSettings

    paths, result = spark_run
    settings = ApiSettings(artifacts_root=paths.root, frontend_dir=tmp_path / "no-frontend")
    with TestClient(create_app(settings)) as client:
        health = client.get("/health")
        assert health.status_code == 200, health.text
        assert health.json()["model_loaded"] is True
        clusters = client.get("/clusters").json()
        assert clusters["k"] == result.selection.chosen_k
        customer = {"gender": "Female", "age": 23, "annual_income": 80, "spending_score": 90}
        predicted = client.post("/predict", json=customer)
        assert predicted.status_code == 200, predicted.text
        expected = result.pipeline.predict(pd.DataFrame([customer]))[0]
        assert predicted.json()["segment"] == expected
        first = result.clean.iloc[0]
        looked_up = client.get(f"/customers/{first['customer_id']}")
        assert looked_up.status_code == 200, looked_up.text
        assert looked_up.json()["segment"] == result.labels[0]
