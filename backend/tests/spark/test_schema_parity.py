"""The Spark engine on tables that are not the Mall's: the same feature schema, cleaning, encoding,
k and typed card as the default engine (issue 11 §7).

* the wholesale table (``../shared/data/wholesale_customers.csv``, or a synthetic table of its shape
  when absent): same k, ARI ≥ 0.95, the same cleaning counts, the same model matrix, and a card that
  ``ModelCard.model_validate_json`` reads and ``verify()`` accepts;
* a dirty tab-separated marketing table declared by a TOML schema (log1p and ``auto`` transforms, a
  declared range, a categorical feature with respellings, a rare level and levels holding ``'`` and
  ``\\``, describe columns): the same QualityReport, cleaned rows, resolved transforms and warnings.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.artifacts import load_pipeline_trusted
from customer_segmentation.config import ArtifactPaths, Settings
from customer_segmentation.data.clean import CleaningOptions, clean_customers
from customer_segmentation.data.load import read_table
from customer_segmentation.errors import ConfigError, DataError
from customer_segmentation.modeling.card import ModelCard
from customer_segmentation.modeling.serving import ServingModel
from customer_segmentation.pipeline import RunConfig, RunResult, input_schema, run

from .conftest_helpers import assert_same_rows
from .marks import SPARK
from .tables import (
    WHOLESALE_CATEGORICAL,
    WHOLESALE_FEATURES,
    write_many_levels,
    write_marketing_like,
    write_wholesale_like,
)

pytestmark = SPARK
ARI_FLOOR = 0.95  # the acceptance bar


@pytest.fixture(scope="module")
def wholesale_csv(mirror_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    public = mirror_dir / "wholesale_customers.csv"
    if public.is_file():
        return public
    return write_wholesale_like(tmp_path_factory.mktemp("wholesale") / "wholesale_customers.csv")


@pytest.fixture(scope="module")
def marketing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_marketing_like(tmp_path_factory.mktemp("marketing"))


def wholesale_config(path: Path) -> RunConfig:
    return RunConfig(data=path, features=WHOLESALE_FEATURES, categorical=WHOLESALE_CATEGORICAL, bootstrap_resamples=5)


def marketing_config(table: tuple[Path, Path]) -> RunConfig:
    return RunConfig(data=table[0], features=None, schema_file=table[1], bootstrap_resamples=5)


def both_engines(spark: Any, config: RunConfig, root: Path) -> tuple[tuple[ArtifactPaths, RunResult], ...]:
    from customer_segmentation.engines.spark import run_spark

    default_paths, spark_paths = ArtifactPaths(root / "default"), ArtifactPaths(root / "spark")
    default = run(config, Settings(artifacts_root=default_paths.root), paths=default_paths)
    on_spark = run_spark(config, Settings(artifacts_root=spark_paths.root), paths=spark_paths, spark=spark)
    return (default_paths, default), (spark_paths, on_spark)


@pytest.fixture(scope="module")
def wholesale_runs(spark: Any, wholesale_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return both_engines(spark, wholesale_config(wholesale_csv), tmp_path_factory.mktemp("wholesale-runs"))


@pytest.fixture(scope="module")
def marketing_runs(spark: Any, marketing: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    return both_engines(spark, marketing_config(marketing), tmp_path_factory.mktemp("marketing-runs"))


def read_typed_card(paths: ArtifactPaths) -> ModelCard:
    card = ModelCard.model_validate_json(paths.model_card.read_text(encoding="utf-8"))
    card.verify()
    return card


# -- cleaning -------------------------------------------------------------------------------------
@pytest.mark.parametrize("clip", [False, True], ids=["keep-outliers", "clip-outliers"])
def test_dirty_custom_table_is_cleaned_alike(spark: Any, marketing: tuple[Path, Path], clip: bool) -> None:
    from customer_segmentation.engines.spark.clean import clean_spark
    from customer_segmentation.engines.spark.read import ROW, read_spark_table
    from customer_segmentation.engines.spark.train import tidy_pandas

    config = marketing_config(marketing)
    schema = input_schema(marketing[0], config)
    options = CleaningOptions(schema.feature_names, clip, schema=schema)
    expected, expected_report = clean_customers(read_table(marketing[0], "fast", schema=schema).frame, options)
    cleaned = clean_spark(read_spark_table(spark, str(marketing[0]), schema).frame, options)
    actual = tidy_pandas(cleaned.frame.orderBy(ROW).drop(ROW).toPandas(), schema)
    steps = {a.step for a in expected_report.actions}
    assert {
        "blank_row",
        "missing_marker",
        "category_respelled",
        "not_a_number",
        "not_finite",
        "out_of_range",
        "missing_id",
        "duplicate_row",
        "duplicate_id",
        "too_sparse",
        "imputed_median",
        "imputed_mode",
        "rare_level_grouped",
    } <= steps  # every rule fired: the equality below is not vacuous
    assert expected_report.warnings  # > 20 % of incomes imputed
    assert cleaned.report.to_dict() == expected_report.to_dict()
    assert_same_rows(expected, actual)
    assert cleaned.levels["education"] == tuple(sorted(expected["education"].unique()))
    assert {"Master's", "Basic\\2n", "other"} <= set(cleaned.levels["education"])


def test_wholesale_cleaning_counts_are_the_same(wholesale_runs: Any) -> None:
    (_, default), (_, on_spark) = wholesale_runs
    assert on_spark.quality.to_dict() == default.quality.to_dict()
    live_rows = default.quality.rows_in - default.quality.count("blank_row")
    assert on_spark.quality.count("generated_id", "row_id") == live_rows
    assert_same_rows(default.clean, on_spark.clean)
    assert on_spark.clean["row_id"].tolist() == default.clean["row_id"].tolist()  # file order, blank rows count


def test_too_many_levels_is_the_same_one_line_error(spark: Any, tmp_path: Path) -> None:
    from customer_segmentation.engines.spark.clean import clean_spark
    from customer_segmentation.engines.spark.read import read_spark_table

    path = write_many_levels(tmp_path / "stores.csv")
    config = RunConfig(data=path, features=("spend",), categorical=("store",))
    schema = input_schema(path, config)
    options = CleaningOptions(schema.feature_names, schema=schema)
    with pytest.raises(DataError) as expected:
        clean_customers(read_table(path, "fast", schema=schema).frame, options)
    with pytest.raises(DataError) as actual:
        clean_spark(read_spark_table(spark, str(path), schema).frame, options)
    assert str(actual.value) == str(expected.value)
    assert "'store' has 25 levels" in str(actual.value) and "\n" not in str(actual.value)


# -- the whole run --------------------------------------------------------------------------------
def test_wholesale_same_k_and_labels(wholesale_runs: Any) -> None:
    (_, default), (_, on_spark) = wholesale_runs
    assert on_spark.selection.chosen_k == default.selection.chosen_k
    for mine, theirs in zip(on_spark.selection.scores, default.selection.scores, strict=True):
        assert mine.silhouette == pytest.approx(theirs.silhouette, abs=1e-9)
    ari = adjusted_rand_score(default.labels, on_spark.labels)
    assert ari >= ARI_FLOOR, ari
    # The model matrix Spark clustered is the default engine's, one-hot columns included.
    np.testing.assert_allclose(on_spark.x, default.x, rtol=1e-9, atol=1e-9)
    assert on_spark.schema == default.schema


def test_wholesale_card_is_the_typed_card(wholesale_runs: Any) -> None:
    (default_paths, default), (spark_paths, on_spark) = wholesale_runs
    card, reference = read_typed_card(spark_paths), read_typed_card(default_paths)
    assert card.engine == "spark" and reference.engine == "scikit-learn"
    assert card.model_version == on_spark.model_version
    assert card.spark is not None and card.spark["rows_used"] == card.data.rows_used == default.quality.rows_out
    assert card.spark["encoding"]["one_hot"] == {c.name: c.levels for c in reference.serving.categorical}
    assert "--engine spark" in card.reproduce
    assert card.feature_schema == reference.feature_schema
    assert card.data.id_column == "row_id" and card.data.id_generated
    assert card.data_quality == reference.data_quality
    assert card.warnings == reference.warnings
    assert card.outputs == reference.outputs
    serving, expected = card.serving, reference.serving
    assert (serving.features, serving.numeric_features) == (expected.features, expected.numeric_features)
    assert serving.categorical == expected.categorical and serving.numeric_transforms == expected.numeric_transforms
    np.testing.assert_allclose(serving.scaler_mean, expected.scaler_mean, rtol=1e-12)
    np.testing.assert_allclose(serving.scaler_scale, expected.scaler_scale, rtol=1e-12)
    # Spark's K-Means may end in another (here: cheaper) optimum that moves a customer or two.
    moved = sum(abs(s.size - r.size) for s, r in zip(card.segments, reference.segments, strict=True))
    assert moved <= 0.02 * card.data.rows_used
    assert card.spark["kmeans"]["target_met"]  # at least as cheap as the default engine's solution


def test_wholesale_artifacts_score_alike(wholesale_runs: Any) -> None:
    """The pickled Pipeline, the card's pickle-free spec and the written tables agree with each other
    and with the default engine's."""
    (default_paths, _), (spark_paths, on_spark) = wholesale_runs
    pipeline = load_pipeline_trusted(spark_paths)
    clustered = pd.read_csv(spark_paths.clustered_csv)
    assert pipeline.predict(on_spark.clean).tolist() == on_spark.labels.tolist() == clustered["segment"].tolist()
    serving = ServingModel.from_dict(read_typed_card(spark_paths).serving.model_dump())
    clean = on_spark.clean
    index = [np.asarray([c.levels.index(str(v)) for v in clean[c.name]]) for c in serving.categorical]
    x = serving.transform_columns(clean[list(serving.numeric_features)].to_numpy(float), index)
    assert serving.predict(x).tolist() == on_spark.labels.tolist()
    preprocessed = pd.read_csv(spark_paths.preprocessed_csv)
    reference = pd.read_csv(default_paths.preprocessed_csv)
    assert list(preprocessed.columns) == list(reference.columns)
    np.testing.assert_allclose(preprocessed.to_numpy(float), reference.to_numpy(float), rtol=1e-9, atol=1e-9)


def test_marketing_run_matches(marketing_runs: Any) -> None:
    (default_paths, default), (spark_paths, on_spark) = marketing_runs
    assert on_spark.selection.chosen_k == default.selection.chosen_k
    assert adjusted_rand_score(default.labels, on_spark.labels) >= ARI_FLOOR
    assert on_spark.schema == default.schema  # auto resolved alike, with the same note
    assert on_spark.schema.spec("mnt_wines").transform_note == default.schema.spec("mnt_wines").transform_note
    assert on_spark.warnings == default.warnings and on_spark.warnings
    assert on_spark.quality.to_dict() == default.quality.to_dict()
    card, reference = read_typed_card(spark_paths), read_typed_card(default_paths)
    assert card.serving.numeric_transforms == reference.serving.numeric_transforms
    assert "log1p" in card.serving.numeric_transforms
    assert card.serving.categorical == reference.serving.categorical
    assert card.spark is not None and card.spark["encoding"]["log1p"] == ["income", "mnt_wines"]
    np.testing.assert_allclose(on_spark.x, default.x, rtol=1e-9, atol=1e-9)  # log1p in Spark SQL, too
    pipeline = load_pipeline_trusted(spark_paths)
    assert pipeline.predict(on_spark.clean).tolist() == on_spark.labels.tolist()


def test_schema_of_a_folder_comes_from_the_header_spark_reads(
    spark: Any, marketing: tuple[Path, Path], tmp_path: Path
) -> None:
    """A folder (or a URI) has no local header to read first: Spark reads it, the same rules apply."""
    from customer_segmentation.engines.spark.read import read_spark_raw, select_columns
    from customer_segmentation.pipeline import schema_for_headers

    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "part-0.tsv").write_bytes(marketing[0].read_bytes())
    config = marketing_config(marketing)
    raw = read_spark_raw(spark, folder.as_uri())
    schema = schema_for_headers(raw.headers, config)
    assert schema == input_schema(marketing[0], config)
    assert select_columns(raw, schema).frame.columns[:3] == ["id", "year_birth", "education"]
    missing = dataclasses.replace(config, features=("income", "loyalty"), schema_file=None)
    with pytest.raises(DataError, match="unknown feature 'loyalty'"):
        schema_for_headers(raw.headers, missing)


def test_a_schema_without_numeric_features_is_refused_before_spark(wholesale_csv: Path) -> None:
    from customer_segmentation.engines.spark import run_spark

    config = RunConfig(data=wholesale_csv, features=WHOLESALE_CATEGORICAL, categorical=WHOLESALE_CATEGORICAL)
    with pytest.raises(ConfigError, match="at least one numeric feature"):
        run_spark(config, master="bogus-never-started")
