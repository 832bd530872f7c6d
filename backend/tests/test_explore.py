"""The notebook helpers (customer_segmentation.explore): their tables and figures hold the package's numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from customer_segmentation import explore
from customer_segmentation.config import ArtifactPaths
from customer_segmentation.data.clean import CleaningOptions, clean_customers
from customer_segmentation.data.load import read_table
from customer_segmentation.errors import DataError
from customer_segmentation.pipeline import RunConfig, RunResult, train
from customer_segmentation.schema import (
    AGE,
    ANNUAL_INCOME,
    CUSTOMER_ID,
    DEFAULT_FEATURES,
    GENDER,
    SPENDING_SCORE,
)

OPTIONS = CleaningOptions(DEFAULT_FEATURES)


# -- fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def raw(mall_csv: Path) -> pd.DataFrame:
    return read_table(mall_csv).frame


@pytest.fixture(scope="module")
def clean(raw: pd.DataFrame) -> pd.DataFrame:
    return clean_customers(raw, OPTIONS)[0]


@pytest.fixture(scope="module")
def chosen(raw: pd.DataFrame) -> RunResult:
    return train(raw, RunConfig())


@pytest.fixture(scope="module")
def seed(raw: pd.DataFrame) -> RunResult:
    return explore.train_pinned(raw, 4)


@pytest.fixture
def blobs(blobs_frame: Callable[..., pd.DataFrame]) -> tuple[RunResult, RunResult]:
    """Three tight, well-separated groups: the k=3 run and a k=2 run pinned on the same customers."""
    frame = blobs_frame(3, n_per=40, seed=3)
    return train(frame, RunConfig()), explore.train_pinned(frame, 2)


def _bar_heights(ax) -> float:
    return sum(p.get_height() for p in ax.patches if isinstance(p, Rectangle))


def _points(ax) -> list[np.ndarray]:
    return [c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)]


# -- cleaning made visible ---------------------------------------------------------------------------
def test_dirty_sample_fires_every_rule_exactly_as_planted(clean: pd.DataFrame) -> None:
    sample = explore.make_dirty_sample(clean)
    cleaned, report = clean_customers(sample.frame, OPTIONS)

    table = explore.expected_vs_reported(sample, report)
    assert table["match"].all(), table.loc[~table["match"]]
    never_fired_here = {"generated_id", "clipped_outlier"}  # need a missing id column / --clip-outliers
    assert set(table["step"]) == set(explore.RULE_REASONS) - never_fired_here
    # 16 planted-on rows + the extreme-income row survive; blank, duplicate, repeated id, no id, sparse go.
    assert report.rows_out == len(cleaned) == 17
    assert cleaned[GENDER].isin(["Female", "Male"]).all()
    income = next(o for o in report.outliers if o.column == ANNUAL_INCOME)
    assert income.count >= 1 and income.high_fence < 900 and not income.clipped
    assert 900 in cleaned[ANNUAL_INCOME].to_list()


def test_dirty_sample_works_from_any_clean_table(blobs_frame: Callable[..., pd.DataFrame]) -> None:
    clean_blobs = clean_customers(blobs_frame(4, n_per=10, seed=1), OPTIONS)[0]
    sample = explore.make_dirty_sample(clean_blobs)
    report = clean_customers(sample.frame, OPTIONS)[1]
    assert explore.expected_vs_reported(sample, report)["match"].all()
    table = sample.defects_table()
    assert len(table) == len(sample.defects) and (table["defect"] != "").all()


def test_a_report_that_disagrees_with_the_plan_is_flagged(clean: pd.DataFrame) -> None:
    sample = explore.make_dirty_sample(clean)
    report = clean_customers(sample.frame, OPTIONS)[1]
    report.actions = [a for a in report.actions if a.step != "duplicate_id"]
    table = explore.expected_vs_reported(sample, report).set_index("step")
    assert not table.loc["duplicate_id", "match"]
    assert table.loc["duplicate_id", "reported"] == 0


def test_dirty_sample_needs_a_full_clean_table(clean: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="gender"):
        explore.make_dirty_sample(clean.drop(columns=[GENDER]))
    with pytest.raises(DataError, match="at least 16"):
        explore.make_dirty_sample(clean.head(10))


def test_quality_table_lists_each_action_with_its_reason(clean: pd.DataFrame) -> None:
    report = clean_customers(explore.make_dirty_sample(clean).frame, OPTIONS)[1]
    table = explore.quality_table(report)
    assert table["count"].to_list() == [a.count for a in report.actions]
    assert table["step"].to_list() == [a.step for a in report.actions]
    assert (table["why"].str.len() > 20).all()
    # The canonical file needs no repair: an empty table that still has its columns.
    empty = explore.quality_table(clean_customers(clean.astype("string"), OPTIONS)[1])
    assert empty.empty and list(empty.columns) == list(table.columns)


def test_outlier_table_reports_fences_and_handling(raw: pd.DataFrame) -> None:
    kept = clean_customers(raw, OPTIONS)[1]
    clipped = clean_customers(raw, CleaningOptions(DEFAULT_FEATURES, clip_outliers=True))[1]
    table = explore.outlier_table(kept).set_index("column")
    for outlier in kept.outliers:
        assert table.loc[outlier.column, "outliers"] == outlier.count
        assert table.loc[outlier.column, "high fence"] == pytest.approx(outlier.high_fence)
    assert set(table["handling"]) == {"kept"}
    assert set(explore.outlier_table(clipped)["handling"]) == {"clipped"}


def test_write_preprocessed_matches_the_pipeline_byte_for_byte(
    trained: tuple[ArtifactPaths, RunResult], tmp_path: Path
) -> None:
    paths, result = trained
    target = ArtifactPaths(tmp_path)
    written, table = explore.write_preprocessed(result.clean, result.features, target)
    assert written == target.reports_dir / "notebooks" / "preprocessed_data.csv"
    assert written.read_bytes() == paths.preprocessed_csv.read_bytes()
    assert not target.preprocessed_csv.exists()  # the pipeline's published data is never overwritten
    assert table[list(DEFAULT_FEATURES)].mean().abs().max() < 1e-9
    assert not target.model.exists() and not target.model_card.exists()  # only the processed data


# -- looking at the data -----------------------------------------------------------------------------
def test_distribution_figure_counts_every_customer(clean: pd.DataFrame) -> None:
    fig = explore.distribution_figure(clean)
    assert isinstance(fig, Figure)
    for ax, column in zip(fig.axes[:3], (AGE, ANNUAL_INCOME, SPENDING_SCORE), strict=True):
        assert _bar_heights(ax) == len(clean)
        median_line = next(line for line in ax.lines if line.get_linestyle() == "--")
        assert median_line.get_xdata()[0] == pytest.approx(clean[column].median())
    bars = [p.get_height() for p in fig.axes[3].patches]
    assert bars == clean[GENDER].value_counts().reindex(["Female", "Male"]).to_list()


def test_pair_plot_draws_every_customer_in_every_panel(clean: pd.DataFrame) -> None:
    fig = explore.pair_plot(clean)
    axes = np.array(fig.axes).reshape(3, 3)
    columns = (AGE, ANNUAL_INCOME, SPENDING_SCORE)
    for i, y in enumerate(columns):
        for j, x in enumerate(columns):
            if i == j:
                assert _bar_heights(axes[i, j]) == len(clean)
                continue
            points = np.vstack(_points(axes[i, j]))
            expected = clean[[x, y]].to_numpy(dtype="float64")
            assert sorted(map(tuple, points)) == sorted(map(tuple, expected))


def test_correlation_table_and_figure() -> None:
    income = np.arange(1.0, 41.0)
    frame = pd.DataFrame(
        {
            CUSTOMER_ID: np.arange(40),
            GENDER: np.where(income % 2 == 0, "Male", "Female"),
            AGE: 2 * income + 5,  # perfectly correlated with income
            ANNUAL_INCOME: income,
            SPENDING_SCORE: 100 - income,  # perfectly anti-correlated
        }
    )
    corr = explore.correlation_table(frame)
    assert list(corr.columns) == [AGE, ANNUAL_INCOME, SPENDING_SCORE, "gender_male"]
    assert corr.loc[AGE, ANNUAL_INCOME] == pytest.approx(1.0)
    assert corr.loc[SPENDING_SCORE, ANNUAL_INCOME] == pytest.approx(-1.0)
    assert np.allclose(np.diag(corr), 1.0) and np.allclose(corr, corr.T)
    texts = [t.get_text() for t in explore.correlation_figure(corr).axes[0].texts]
    assert texts == [f"{v:.2f}" for v in corr.to_numpy().ravel()]


def test_gender_mix_table(clean: pd.DataFrame) -> None:
    table = explore.gender_mix_table(clean)
    assert table["customers"].sum() == len(clean)
    assert table["share"].sum() == pytest.approx(1.0)
    women = clean.loc[clean[GENDER] == "Female"]
    assert table.loc["Female", "customers"] == len(women)
    assert table.loc["Female", "median age"] == women[AGE].median()
    with pytest.raises(ValueError, match="gender"):
        explore.gender_mix_table(clean.drop(columns=[GENDER]))


# -- choosing k --------------------------------------------------------------------------------------
def test_score_table_holds_the_sweep(chosen: RunResult, seed: RunResult) -> None:
    table = explore.score_table(chosen.selection)
    assert table.index.to_list() == [s.k for s in chosen.selection.scores]
    assert table["silhouette"].to_list() == [s.silhouette for s in chosen.selection.scores]
    assert table.loc[table["note"] == "chosen"].index.to_list() == [chosen.selection.chosen_k]
    inertia = table["inertia"].to_numpy()
    assert np.isnan(table["inertia drop vs previous k"].iloc[0])
    assert np.allclose(table["inertia drop vs previous k"].iloc[1:], 1 - inertia[1:] / inertia[:-1])
    pinned = explore.score_table(seed.selection)
    assert pinned.loc[4, "note"] == "chosen"
    assert pinned.loc[seed.selection.best_k, "note"] == "best silhouette"


def test_metric_winners_find_the_true_k_on_separated_groups(blobs: tuple[RunResult, RunResult]) -> None:
    three, _ = blobs
    table = explore.metric_winners(three.selection)
    assert table["preferred k"].to_list() == [3, 3, 3]
    assert table["rank of chosen k"].to_list() == [1, 1, 1]


def test_metric_winners_on_the_canonical_data(chosen: RunResult) -> None:
    table = explore.metric_winners(chosen.selection)
    scores = chosen.selection.scores
    assert table.loc["silhouette", "preferred k"] == chosen.selection.chosen_k
    assert table.loc["Davies–Bouldin", "preferred k"] == min(scores, key=lambda s: s.davies_bouldin).k
    assert table.loc["Calinski–Harabasz", "preferred k"] == max(scores, key=lambda s: s.calinski_harabasz).k
    db_rank = (
        sorted(s.davies_bouldin for s in scores).index(
            chosen.selection.score_for(chosen.selection.chosen_k).davies_bouldin
        )
        + 1
    )
    assert table.loc["Davies–Bouldin", "rank of chosen k"] == db_rank


def test_interesting_ks(chosen: RunResult) -> None:
    sel = chosen.selection
    ks = explore.interesting_ks(sel)
    runner_up = sorted((s for s in sel.scores if s.k != sel.chosen_k), key=lambda s: -s.silhouette)[0].k
    assert ks == sorted({sel.chosen_k, 4, runner_up})
    assert 42 not in explore.interesting_ks(sel, seed_k=42)


def test_silhouette_summary_and_panels_use_the_package_scores(chosen: RunResult) -> None:
    sel = chosen.selection
    ks = [4, sel.chosen_k]
    centres_before = {k: m.cluster_centers_.copy() for k, m in sel.fitted.items()}
    summary = explore.silhouette_summary(chosen, ks)
    for k in ks:
        assert summary.loc[k, "mean silhouette"] == pytest.approx(sel.score_for(k).silhouette, abs=1e-12)
    detail = chosen.silhouette_detail
    assert summary.loc[sel.chosen_k, "weakest segment silhouette"] == pytest.approx(min(detail.per_cluster))
    assert summary.loc[sel.chosen_k, "smallest segment"] == min(p.size for p in chosen.profiles)
    assert summary.loc[sel.chosen_k, "customers with negative silhouette"] == pytest.approx(
        float(np.mean(detail.values < 0))
    )

    fig = explore.silhouette_panels(chosen, ks)
    assert len(fig.axes) == len(ks)
    for ax, k in zip(fig.axes, ks, strict=True):
        assert ax.get_title() == f"k={k}"
        assert sum(isinstance(c, PolyCollection) for c in ax.collections) == k
        assert ax.lines[0].get_xdata()[0] == pytest.approx(sel.score_for(k).silhouette)
    for k, model in sel.fitted.items():  # the run's own models are not renumbered behind its back
        assert np.array_equal(model.cluster_centers_, centres_before[k])
    with pytest.raises(ValueError, match="k=42"):
        explore.silhouette_summary(chosen, [42])


# -- segments and the k comparison -------------------------------------------------------------------
def test_profiles_table(chosen: RunResult) -> None:
    table = explore.profiles_table(chosen.profiles)
    assert table.index.to_list() == list(range(chosen.selection.chosen_k))
    assert table["name"].to_list() == [p.name for p in chosen.profiles]
    assert table["customers"].sum() == len(chosen.clean)
    assert table["female share"].to_list() == [p.gender_mix["Female"] for p in chosen.profiles]


def test_train_pinned(seed: RunResult, chosen: RunResult) -> None:
    assert seed.selection.chosen_k == 4 and seed.selection.pinned
    assert seed.selection.best_k == chosen.selection.chosen_k


def test_compare_runs(seed: RunResult, chosen: RunResult) -> None:
    table = explore.compare_runs([seed, chosen])
    assert list(table.columns) == ["k=4", f"k={chosen.selection.chosen_k}"]
    for column, run in zip(table.columns, (seed, chosen), strict=True):
        assert table.loc["mean silhouette", column] == run.silhouette_detail.overall
        assert table.loc["stability: mean ARI", column] == run.stability.mean_ari
        assert table.loc["smallest segment (customers)", column] == min(p.size for p in run.profiles)
    with pytest.raises(ValueError, match="different customers"):
        explore.compare_runs([seed, train(chosen.clean.head(120).astype("string"), RunConfig())])


def test_segment_crosstab_counts_every_customer(seed: RunResult, chosen: RunResult) -> None:
    table = explore.segment_crosstab(seed, chosen)
    assert table.to_numpy().sum() == len(chosen.clean)
    assert table.sum(axis=1).to_list() == [p.size for p in seed.profiles]
    assert table.sum(axis=0).to_list() == [p.size for p in chosen.profiles]


def test_separated_groups_nest_and_the_verdict_says_so(blobs: tuple[RunResult, RunResult]) -> None:
    three, two = blobs
    table = explore.segment_crosstab(two, three)
    assert ((table > 0).sum(axis=0) == 1).all()  # every fine segment sits inside one coarse segment
    lines = explore.compare_verdict(two, three)
    assert lines[0].startswith("k=3 separates customers more clearly")
    assert sum("splits into" in line for line in lines) == 1


def test_compare_verdict_quotes_the_runs(seed: RunResult, chosen: RunResult) -> None:
    lines = explore.compare_verdict(seed, chosen)
    text = "\n".join(lines)
    assert f"{seed.silhouette_detail.overall:.3f}" in text and f"{chosen.silhouette_detail.overall:.3f}" in text
    assert f"{seed.stability.mean_ari:.3f}" in text and f"{chosen.stability.mean_ari:.3f}" in text


def test_side_by_side_scatter(seed: RunResult, chosen: RunResult) -> None:
    fig = explore.side_by_side_scatter([seed, chosen])
    assert len(fig.axes) == 2
    for ax, run in zip(fig.axes, (seed, chosen), strict=True):
        assert ax.get_title().startswith(f"k={run.selection.chosen_k} ")
        *segments, centres = _points(ax)
        assert len(segments) == len(run.profiles)
        assert sum(len(points) for points in segments) == len(run.clean)
        expected = [(p.centroid[ANNUAL_INCOME], p.centroid[SPENDING_SCORE]) for p in run.profiles]
        assert np.allclose(centres, expected)
