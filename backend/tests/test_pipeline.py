"""End-to-end behaviour of a run on the canonical data: artifacts, determinism, model card."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from customer_segmentation.artifacts import load_pipeline_trusted
from customer_segmentation.config import ArtifactPaths, Settings
from customer_segmentation.pipeline import RunConfig, run
from customer_segmentation.reporting import figures


def test_every_artifact_is_written(trained) -> None:
    paths, _ = trained
    for path in (
        paths.model,
        paths.model_card,
        paths.preprocessed_csv,
        paths.clustered_csv,
        paths.summary,
        paths.data_quality,
    ):
        assert path.is_file() and path.stat().st_size > 0, path
    for name in (
        figures.FIGURE_2D,
        figures.FIGURE_3D,
        figures.FIGURE_SILHOUETTE_BY_K,
        figures.FIGURE_SILHOUETTE_SAMPLES,
        figures.FIGURE_ELBOW,
    ):
        assert (paths.figures_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert not list(paths.root.rglob("*.tmp"))


def test_canonical_data_result(trained) -> None:
    _, result = trained
    sel = result.selection
    assert sel.estimator.method == "exact"
    best = max(sel.scores, key=lambda s: s.silhouette)
    assert sel.chosen_k == best.k  # the data decides; no k is hard-coded
    assert len(result.profiles) == sel.chosen_k
    assert sum(p.size for p in result.profiles) == 200
    assert len({p.name for p in result.profiles}) == sel.chosen_k


def test_clustered_and_preprocessed_tables(trained) -> None:
    paths, result = trained
    clustered = pd.read_csv(paths.clustered_csv)
    assert list(clustered.columns) == [
        "customer_id",
        "gender",
        "age",
        "annual_income",
        "spending_score",
        "segment",
        "segment_name",
    ]
    assert len(clustered) == 200
    names = {p.id: p.name for p in result.profiles}
    assert (clustered["segment_name"] == clustered["segment"].map(names)).all()
    pre = pd.read_csv(paths.preprocessed_csv)
    assert list(pre.columns) == ["customer_id", "gender_male", "age", "annual_income", "spending_score"]
    np.testing.assert_allclose(pre[["age", "annual_income", "spending_score"]].mean(), 0, atol=1e-9)
    np.testing.assert_allclose(pre[["age", "annual_income", "spending_score"]].std(ddof=0), 1, atol=1e-9)
    assert set(pre["gender_male"]) == {0, 1}


def test_segment_ids_follow_centroid_income_order(trained) -> None:
    _, result = trained
    incomes = [p.centroid["annual_income"] for p in result.profiles]
    assert incomes == sorted(incomes)


def test_runs_are_deterministic(tmp_path: Path, mall_csv: Path, mirror_dir: Path, trained) -> None:
    first_paths, first = trained
    paths = ArtifactPaths(tmp_path)
    second = run(RunConfig(data=mall_csv), Settings(artifacts_root=tmp_path, data_mirror=mirror_dir), paths=paths)
    np.testing.assert_array_equal(first.labels, second.labels)
    for attribute in ("preprocessed_csv", "clustered_csv"):
        assert getattr(paths, attribute).read_bytes() == getattr(first_paths, attribute).read_bytes()
    assert [p.name for p in first.profiles] == [p.name for p in second.profiles]


def test_model_card_describes_the_model(trained) -> None:
    paths, result = trained
    card = json.loads(paths.model_card.read_text())
    import hashlib

    assert card["model_sha256"] == hashlib.sha256(paths.model.read_bytes()).hexdigest()
    assert card["k"] == result.selection.chosen_k
    assert card["features"] == ["age", "annual_income", "spending_score"]
    assert [s["k"] for s in card["k_selection"]["scores"]] == list(range(2, 11))
    assert card["data"]["sha256"] == "194975e1f84d29ee7a99ca72bc14dcd55af355384f35171ef7e9e053ac7f6612"
    assert card["data"]["rows_in"] == card["data"]["rows_used"] == 200
    assert card["library_versions"]["scikit-learn"]
    assert card["stability"]["resamples"] >= 20
    assert card["random_state"] == 42
    assert len(card["segments"]) == card["k"]


def test_model_predicts_in_a_fresh_process(trained) -> None:
    paths, result = trained
    code = (
        "import sys, pandas as pd\n"
        "from customer_segmentation.artifacts import load_pipeline_trusted\n"
        "from customer_segmentation.config import ArtifactPaths\n"
        "pipe = load_pipeline_trusted(ArtifactPaths(__import__('pathlib').Path(sys.argv[1])))\n"
        "df = pd.read_csv(sys.argv[2])\n"
        "print(','.join(map(str, pipe.predict(df))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(paths.root), str(paths.clustered_csv)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ",".join(map(str, result.labels))
    assert list(load_pipeline_trusted(paths).predict(result.clean)) == list(result.labels)


def test_summary_explains_the_run(trained) -> None:
    paths, result = trained
    text = paths.summary.read_text()
    assert f"Decision: k={result.selection.chosen_k}" in text
    assert "Stability of k=" in text and "worst refit" in text and "How certain:" in text
    for profile in result.profiles:
        assert f"Segment {profile.id} — {profile.name}" in text
        assert profile.action in text
    assert "python backend/src/main.py" in text
