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


def test_one_row_transform_equals_the_column_transform() -> None:
    """``transform_row`` (the API's one-customer path) builds exactly the row ``transform_columns``
    builds: log1p where declared, scaling, a two-level feature as one column and a multi-level one
    as one column per level."""
    from customer_segmentation.modeling.serving import CategoricalEncoding

    model = ServingModel(
        features=("channel", "region", "fresh", "milk"),
        gender_in_model=False,
        numeric_features=("fresh", "milk"),
        mean=np.array([8.0, 3.0]),
        scale=np.array([1.5, 0.5]),
        centers=np.zeros((2, 6)),
        ood_threshold=np.ones(2),
        categorical=(
            CategoricalEncoding("channel", ("horeca", "retail"), drop_first=True),
            CategoricalEncoding("region", ("lisbon", "oporto", "other"), drop_first=False),
        ),
        log1p=(True, False),
    )
    rng = np.random.default_rng(3)
    numeric = rng.uniform(0, 50_000, size=(200, 2))
    levels = [rng.integers(0, 2, 200), rng.integers(0, 3, 200)]
    matrix = model.transform_columns(numeric, levels)
    assert set(np.unique(matrix[:, :4])) == {0.0, 1.0}  # every one-hot column is used
    for i in range(len(numeric)):
        np.testing.assert_array_equal(model.transform_row(numeric[i], [int(lv[i]) for lv in levels]), matrix[i])


def test_level_indices_send_unseen_values_to_other_or_to_no_column() -> None:
    from customer_segmentation.modeling.serving import CategoricalEncoding

    with_other = CategoricalEncoding("region", ("lisbon", "oporto", "other"), drop_first=False)
    without = CategoricalEncoding("channel", ("horeca", "retail"), drop_first=True)
    values = pd.Series(["oporto", "lisbon", "faro", "other", "oporto"])
    assert with_other.indices(values).tolist() == [1, 0, 2, 2, 1]
    assert without.indices(pd.Series(["retail", "hotel", "horeca"])).tolist() == [1, -1, 0]
    rows = ServingModel(
        features=("channel", "fresh"),
        gender_in_model=False,
        numeric_features=("fresh",),
        mean=np.zeros(1),
        scale=np.ones(1),
        centers=np.zeros((2, 2)),
        ood_threshold=np.ones(2),
        categorical=(without,),
    ).transform_columns(np.array([[1.0], [2.0], [3.0]]), [without.indices(pd.Series(["retail", "hotel", "horeca"]))])
    assert rows[:, 0].tolist() == [1.0, 0.0, 0.0]  # an unseen level sets no one-hot column
