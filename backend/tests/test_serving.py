"""The fast serving twin must label exactly as the persisted Pipeline does."""

import numpy as np
import pandas as pd

from customer_segmentation.artifacts import load_pipeline_trusted, read_card
from customer_segmentation.modeling.serving import ServingModel


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "gender": rng.choice(["Female", "Male"], n),
            "age": rng.uniform(0, 120, n),
            "annual_income": rng.uniform(0, 300, n),
            "spending_score": rng.uniform(1, 100, n),
        }
    )


def test_serving_spec_matches_pipeline_on_training_and_random_rows(trained) -> None:
    paths, result = trained
    pipeline = load_pipeline_trusted(paths)
    serving = ServingModel.from_dict(read_card(paths).model_dump(mode="json")["serving"])
    for frame in (result.clean, _frame(5_000, 0)):
        numeric = frame[list(serving.numeric_features)].to_numpy(dtype="float64")
        x = serving.transform(numeric, serving.encode_gender(frame["gender"].to_numpy()))
        np.testing.assert_array_equal(serving.predict(x), pipeline.predict(frame))


def test_scores_explain_the_assignment(trained) -> None:
    _, result = trained
    scored = result.serving.score(result.x)
    assert np.all(scored.distance <= scored.runner_up_distance)
    assert np.all((scored.margin >= 0) & (scored.margin <= 1))
    assert np.all(scored.labels != scored.runner_up)
    # training customers are, by construction, almost never out of distribution
    assert scored.out_of_distribution.mean() < 0.02
    far = result.serving.transform(np.array([[119.0, 5000.0, 100.0]]))
    assert bool(result.serving.score(far).out_of_distribution[0])
