"""Segment names and profiles describe what the model actually used."""

from customer_segmentation.modeling.select_k import SweepSettings
from customer_segmentation.pipeline import RunConfig, train


def test_names_use_only_the_model_features(blobs_frame) -> None:
    data = blobs_frame(4, n_per=30).drop(columns=["true_group"])
    result = train(data, RunConfig(features=("gender", "age"), sweep=SweepSettings(k_max=6), bootstrap_resamples=2))
    for profile in result.profiles:
        assert "income" not in profile.name and "spending" not in profile.name
        assert profile.name.split(" · ")[0] in {"Women", "Men", "Mixed"}
        assert profile.medians["annual_income"] > 0  # still profiled, just not named by it
    assert len({p.name for p in result.profiles}) == len(result.profiles)


def test_default_names_read_age_income_spending(trained) -> None:
    _, result = trained
    for profile in result.profiles:
        age, income, spending = profile.name.split(" · ")
        assert age in {"Young", "Middle-aged", "Older"}
        assert income.endswith(" income") and spending.endswith(" spending")
        assert profile.size > 0 and 0 < profile.share < 1
        assert abs(sum(profile.gender_mix.values()) - 1) < 1e-9
