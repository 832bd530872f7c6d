"""Segment names and profiles describe what the model actually used."""

import pandas as pd

from customer_segmentation.modeling.select_k import SweepSettings
from customer_segmentation.pipeline import RunConfig, train


def test_names_use_only_the_model_features(blobs_frame) -> None:
    data = blobs_frame(4, n_per=30).drop(columns=["true_group"])
    result = train(data, RunConfig(features=("gender", "age"), sweep=SweepSettings(k_max=6), bootstrap_resamples=2))
    for profile in result.profiles:
        assert "income" not in profile.name and "spending" not in profile.name
        assert profile.name.split(" · ")[0] in {"Women", "Men", "Mixed", "Mostly women", "Mostly men"}
        assert profile.medians["annual_income"] > 0  # still profiled, just not named by it
    assert len({p.name for p in result.profiles}) == len(result.profiles)


def test_default_names_read_age_income_spending(trained) -> None:
    _, result = trained
    for profile in result.profiles:
        terms = [t.removeprefix("mostly ").removeprefix("Mostly ") for t in profile.name.split(" · ")]
        assert all(
            t.lower() in {"young", "middle-aged", "older"} or t.endswith((" income", " spending")) for t in terms
        ), profile.name
        assert any(t.endswith(" income") for t in terms) and any(t.endswith(" spending") for t in terms)
        assert profile.size > 0 and 0 < profile.share < 1
        assert abs(sum(profile.gender_mix.values()) - 1) < 1e-9


def test_every_name_term_holds_for_most_members(trained) -> None:
    """Issue 13: a term in a name holds for at least 80 % of the segment's members, 60 % when it says
    "mostly" — checked against the published clustered data, not the profile's own numbers."""
    paths, result = trained
    clustered = pd.read_csv(paths.clustered_csv)
    cuts = {c: clustered[c].quantile([1 / 3, 2 / 3]).to_list() for c in ("annual_income", "spending_score")}
    for profile in result.profiles:
        members = clustered[clustered["segment"] == profile.id]
        for term in profile.name.split(" · "):
            qualified = term.lower().startswith("mostly ")
            word = term.lower().removeprefix("mostly ")
            if word == "young":
                holds = members["age"] < 35
            elif word == "middle-aged":
                holds = members["age"].between(35, 49.999)
            elif word == "older":
                holds = members["age"] >= 50
            else:
                level, feature = word.split(" ")
                column = {"income": "annual_income", "spending": "spending_score"}[feature]
                low, high = cuts[column]
                values = members[column]
                holds = {"low": values < low, "mid": values.between(low, high), "high": values > high}[level]
            assert holds.mean() >= (0.6 if qualified else 0.8), (profile.name, term, holds.mean())
