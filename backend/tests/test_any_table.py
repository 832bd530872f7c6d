"""Any customer table, end to end through the CLI (issue 11's acceptance): the wholesale table with
no id column, an inferred draft schema, a tab-separated marketing table with blanks, the Mall table
without a column — and the Mall data exactly as before."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from test_cli import cli

from customer_segmentation.modeling.card import ModelCard
from customer_segmentation.reporting import figures
from customer_segmentation.synth_tables import write_marketing_csv

SPEND = "fresh,milk,grocery,frozen,detergents_paper,delicassen"


def _card(root: Path) -> ModelCard:
    return ModelCard.model_validate_json((root / "models" / "model_card.json").read_text())


def test_wholesale_table_is_segmented_by_its_own_features(wholesale_csv: Path, tmp_path: Path) -> None:
    root = tmp_path / "out"
    done = cli(
        "--data",
        str(wholesale_csv),
        "--features",
        SPEND,
        "--categorical",
        "channel,region",
        "--output-root",
        str(root),
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    assert "numbered row_id" in done.stdout
    card = _card(root)
    card.verify()
    assert card.data.id_generated and card.data.id_column == "row_id"
    assert card.feature_schema.feature_names == (*SPEND.split(","), "channel", "region")
    clustered = pd.read_csv(root / "data" / "processed" / "clustered_data.csv")
    assert list(clustered["row_id"]) == list(range(1, 441))  # customers numbered in file order
    assert set(clustered["segment"]) == set(range(card.k))
    # names come from those features (labels as in the file's header), never from the Mall's vocabulary
    spend_labels = {"Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen", "Channel", "Region"}
    for segment in card.segments:
        assert "income" not in segment.name and "Young" not in segment.name
        assert segment.action is None
        assert all(term["feature"] in card.feature_schema.feature_names for term in segment.name_terms)
        assert segment.name == "Typical customers" or any(label in segment.name for label in spend_labels)
    for name in (figures.FIGURE_HEATMAP, figures.FIGURE_2D, figures.FIGURE_SILHOUETTE_BY_K):
        assert (root / "reports" / "figures" / name).stat().st_size > 5_000
    summary = (root / "reports" / "summary.txt").read_text()
    assert "numbered row_id 1..n" in summary and "Suggested action: none" in summary


def test_inferred_draft_schema_runs_unchanged(wholesale_csv: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.toml"
    done = cli("--data", str(wholesale_csv), "--infer-schema", str(draft), "--output-root", str(tmp_path / "no"))
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "no").exists()  # nothing trained, nothing written
    text = draft.read_text()
    assert 'kind = "categorical"' in text and "No id column found" in text
    done = cli("--data", str(wholesale_csv), "--schema", str(draft), "--output-root", str(tmp_path / "out"), "-q")
    assert done.returncode == 0, done.stderr
    card = _card(tmp_path / "out")
    assert {s.name for s in card.feature_schema.categorical_features} == {"channel", "region"}
    assert all(s.transform.value == "log1p" for s in card.feature_schema.numeric_features)


def test_marketing_table_with_blank_incomes(tmp_path: Path) -> None:
    table = write_marketing_csv(tmp_path / "marketing.tsv", rows=800, blank_income_share=0.25)
    root = tmp_path / "out"
    args = [
        "--data",
        str(table),
        "--features",
        "income,recency,mnt_wines,num_web_purchases",
        "--categorical",
        "education",
        "--describe",
        "year_birth",
        "--output-root",
        str(root),
        "-q",
    ]
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    blanks = int((pd.read_csv(table, sep="\t", keep_default_na=False)["Income"] == "").sum())
    quality = json.loads((root / "reports" / "data_quality.json").read_text())
    imputed = [a for a in quality["actions"] if a["step"] == "imputed_median" and a["column"] == "income"]
    assert imputed and imputed[0]["count"] == blanks
    assert any("'income'" in w and "imputed" in w for w in quality["warnings"])
    assert "Warning:" in done.stdout
    clustered = pd.read_csv(root / "data" / "processed" / "clustered_data.csv")
    assert "year_birth" in clustered.columns and "id" in clustered.columns  # described, and the detected id
    assert "year_birth" not in _card(root).features
    strict = cli(*args[:-3], "--output-root", str(tmp_path / "strict"), "-q", "--strict")
    assert strict.returncode == 2 and strict.stderr.count("\n") == 1 and "--strict" in strict.stderr
    assert not (tmp_path / "strict" / "models" / "model_card.json").exists()


@pytest.fixture
def mall_without_age(mall_csv: Path, tmp_path: Path) -> Path:
    path = tmp_path / "no_age.csv"
    pd.read_csv(mall_csv).drop(columns=["Age"]).to_csv(path, index=False)
    return path


def test_mall_without_age_names_the_column_and_writes_nothing(
    mall_without_age: Path, previous_run: Path, snapshot: Callable[[Path], dict[str, str]]
) -> None:
    before = snapshot(previous_run)
    done = cli("--data", str(mall_without_age), "--output-root", str(previous_run), "-q")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "'age'" in done.stderr
    assert snapshot(previous_run) == before


def test_mall_without_age_on_income_and_spending(mall_without_age: Path, tmp_path: Path) -> None:
    root = tmp_path / "out"
    done = cli(
        "--data", str(mall_without_age), "--features", "annual_income,spending_score", "--output-root", str(root), "-q"
    )
    assert done.returncode == 0, done.stderr
    card = _card(root)
    assert card.k == 5
    assert card.silhouette.overall == pytest.approx(0.55, abs=0.01)
    assert (root / "reports" / "figures" / figures.FIGURE_2D).is_file()
    assert not (root / "reports" / "figures" / figures.FIGURE_3D).exists()  # no third axis: no 3D figure


@pytest.fixture(scope="module")
def wholesale_root(wholesale_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wholesale")
    done = cli(
        "--data",
        str(wholesale_csv),
        "--features",
        SPEND,
        "--categorical",
        "channel,region",
        "--output-root",
        str(root),
        "-q",
    )
    assert done.returncode == 0, done.stderr
    return root


def test_the_api_follows_the_served_wholesale_model(wholesale_root: Path) -> None:
    from fastapi.testclient import TestClient

    from customer_segmentation.api.app import create_app
    from customer_segmentation.api.settings import ApiSettings

    settings = ApiSettings(artifacts_root=wholesale_root, frontend_dir=wholesale_root / "no-dashboard")
    customer = {
        "fresh": 12669,
        "milk": 9656,
        "grocery": 7561,
        "frozen": 214,
        "detergents_paper": 2674,
        "delicassen": 1338,
        "channel": "2",
        "region": "3",
    }
    with TestClient(create_app(settings)) as client:
        schema = client.get("/model/schema").json()
        assert [f["name"] for f in schema["features"]] == [*SPEND.split(","), "channel", "region"]
        assert {f["name"]: f["levels"] for f in schema["features"]}["region"] == ["1", "2", "3"]
        assert schema["id_column"] == "row_id" and schema["id_generated"] is True
        assert client.post("/predict", json=customer).status_code == 200
        as_headers = {
            "Fresh": 12669,
            "Milk": 9656,
            "Grocery": 7561,
            "Frozen": 214,
            "Detergents_Paper": 2674,
            "Delicassen": 1338,
            "Channel": 2,
            "Region": 3,
        }
        assert client.post("/predict", json=as_headers).status_code == 200  # headers as written, codes as numbers
        mall = client.post("/predict", json={"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82})
        assert mall.status_code == 422
        fields = {e["field"]: e["message"] for e in mall.json()["errors"]}
        assert all(fields.get(name) == "Field required" for name in SPEND.split(","))
        assert "Extra inputs" in fields["age"]
        unseen = client.post("/predict", json={**customer, "region": "9"})
        assert unseen.status_code == 422
        assert "unknown level '9' of region; known levels: 1, 2, 3" in unseen.json()["detail"]


def test_serving_twin_labels_the_wholesale_model_like_its_pipeline(wholesale_root: Path) -> None:
    """One-hot levels (two- and three-level features) and log1p in the pickle-free path equal the Pipeline."""
    import numpy as np

    from customer_segmentation.api.services.model_store import serving_from_card
    from customer_segmentation.artifacts import load_pipeline_trusted, read_card
    from customer_segmentation.config import ArtifactPaths

    paths = ArtifactPaths(wholesale_root)
    pipeline = load_pipeline_trusted(paths)
    serving = serving_from_card(read_card(paths))
    clean = pd.read_csv(paths.clustered_csv, dtype={"channel": str, "region": str})
    numeric = clean[list(serving.numeric_features)].to_numpy(dtype="float64")
    levels = [clean[c.name].map({level: i for i, level in enumerate(c.levels)}).to_numpy() for c in serving.categorical]
    x = serving.transform_columns(numeric, levels)
    np.testing.assert_allclose(x, pipeline.named_steps["preprocess"].transform(clean), atol=1e-12)
    np.testing.assert_array_equal(serving.predict(x), pipeline.predict(clean))
