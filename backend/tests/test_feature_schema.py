"""The feature schema: canonical names, matching a header, the rules that build a schema from the
user's declarations, the TOML file and the inferred draft."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.data.clean import CleaningOptions, clean_customers
from customer_segmentation.errors import ConfigError, DataError
from customer_segmentation.feature_schema import (
    MALL_SCHEMA,
    FeatureKind,
    FeatureSchema,
    FeatureSpec,
    Transform,
    match_columns,
    snake_case,
)
from customer_segmentation.features import build_preprocessor, resolve_transforms
from customer_segmentation.schema_builder import SchemaRequest, build_schema, parse_transforms
from customer_segmentation.schema_inference import infer_schema_text
from customer_segmentation.synth_tables import write_marketing_csv

MARKETING_HEADERS = ["ID", "Year_Birth", "Education", "Income", "Recency", "MntWines", "NumWebPurchases"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("MntWines", "mnt_wines"),
        ("Detergents_Paper", "detergents_paper"),
        ("Annual Income (k$)", "annual_income"),
        ("Spending Score (1-100)", "spending_score"),
        ("CustomerID", "customer_id"),
        ("NumWebPurchases", "num_web_purchases"),
        ("\ufeffYear_Birth", "year_birth"),
        ("  Fresh ", "fresh"),
    ],
)
def test_snake_case(header: str, expected: str) -> None:
    assert snake_case(header) == expected


def test_columns_match_by_snake_case_or_as_written() -> None:
    schema = build_schema(MARKETING_HEADERS, SchemaRequest(features=("income", "MntWines", "num_web_purchases")))
    mapping = match_columns(MARKETING_HEADERS, schema)
    assert mapping == {"ID": "id", "Income": "income", "MntWines": "mnt_wines", "NumWebPurchases": "num_web_purchases"}


def test_an_ambiguous_match_names_both_headers() -> None:
    schema = build_schema(["Income", "income_"], SchemaRequest(features=("income", "recency")))
    with pytest.raises(DataError, match=r"duplicate column 'income': headers 'Income' and 'income_' .* \(ambiguous\)"):
        match_columns(["Income", "income_", "Recency"], schema)


def test_a_declared_column_the_table_lacks_is_named() -> None:
    schema = build_schema(MARKETING_HEADERS, SchemaRequest(features=("income", "height")))
    with pytest.raises(DataError, match="unknown feature 'height': no such column"):
        match_columns(MARKETING_HEADERS, schema)


def test_nothing_declared_is_the_mall_schema_and_mall_names_stay_mall() -> None:
    assert build_schema(["a", "b"], SchemaRequest()) == MALL_SCHEMA
    schema = build_schema(["Income", "Score"], SchemaRequest(features=("income", "spending")))
    assert schema.kind == "mall" and schema.feature_names == ("annual_income", "spending_score")
    assert schema.spec("annual_income").valid_range is not None  # the Mall's declared ranges come along


def test_custom_schema_from_flags() -> None:
    request = SchemaRequest(
        features=("Income", "MntWines"),
        categorical=("Education",),
        describe=("Year_Birth",),
        transforms={"MntWines": "log1p"},
    )
    schema = build_schema(MARKETING_HEADERS, request)
    assert schema.kind == "custom"
    assert schema.feature_names == ("income", "mnt_wines", "education")  # a --categorical-only column is a feature
    assert schema.spec("education").kind is FeatureKind.CATEGORICAL
    assert schema.spec("mnt_wines").transform is Transform.LOG1P
    assert [d.name for d in schema.describe] == ["year_birth"]
    assert schema.id_column == "id"  # detected by name


def test_without_an_id_column_customers_are_row_numbers() -> None:
    schema = build_schema(["Fresh", "Milk"], SchemaRequest(features=("fresh", "milk")))
    assert schema.id_column is None and schema.id_name == "row_id"


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (SchemaRequest(features=("a",), transforms={"b": "log1p"}), "--transform 'b' is not one of the features"),
        (SchemaRequest(features=("a",), categorical=("a",), transforms={"a": "log1p"}), "cannot be transformed"),
        (SchemaRequest(categorical=("a",)), "declare the features"),
        (SchemaRequest(features=("a",), id_column="a"), "cannot also be a feature"),
    ],
)
def test_contradictory_declarations_are_config_errors(request_: SchemaRequest, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_schema(["a", "b"], request_)


def test_transform_flags_are_parsed_and_checked() -> None:
    assert parse_transforms(["Income=LOG1P", "age = none"]) == {"Income": "log1p", "age": "none"}
    with pytest.raises(ConfigError, match="COLUMN=TRANSFORM"):
        parse_transforms(["income=sqrt"])


def test_toml_schema_and_flags_overriding_it(tmp_path: Path) -> None:
    path = tmp_path / "schema.toml"
    path.write_text(
        'id_column = "ID"\ndescribe = ["Year_Birth"]\n'
        '[[features]]\nname = "Income"\nunit = "$"\nrange = [0, 500000]\n'
        '[[features]]\nname = "MntWines"\ntransform = "auto"\n'
        '[[features]]\nname = "Education"\nkind = "categorical"\n'
    )
    schema = build_schema(MARKETING_HEADERS, SchemaRequest(schema_file=path))
    assert schema.feature_names == ("income", "mnt_wines", "education")
    assert schema.spec("income").valid_range is not None and schema.spec("income").unit == "$"
    narrowed = build_schema(MARKETING_HEADERS, SchemaRequest(schema_file=path, features=("income", "recency")))
    assert narrowed.feature_names == ("income", "recency")
    assert narrowed.spec("income").unit == "$"  # the file's details survive the flag's list


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("features = [", "not valid TOML"),
        ('colour = "red"\n[[features]]\nname = "a"', "unknown key 'colour'"),
        ('[[features]]\nname = "a"\nkind = "ordinal"', "feature 'a'"),
        ('[[features]]\nname = "a"\nrange = [5]', "range must be"),
    ],
)
def test_bad_schema_files_are_one_line_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        build_schema(["a"], SchemaRequest(schema_file=path))


def test_auto_transform_is_decided_on_the_data_and_recorded() -> None:
    rng = np.random.default_rng(0)
    clean = pd.DataFrame({"skewed": rng.lognormal(3, 1, 500), "even": rng.normal(50, 5, 500)})
    schema = FeatureSchema(
        features=(
            FeatureSpec(name="skewed", transform=Transform.AUTO),
            FeatureSpec(name="even", transform=Transform.AUTO),
        )
    )
    resolved = resolve_transforms(schema, clean)
    assert resolved.spec("skewed").transform is Transform.LOG1P
    assert resolved.spec("even").transform is Transform.NONE
    assert "skewness" in (resolved.spec("skewed").transform_note or "")


def test_log1p_on_values_at_or_below_minus_one_is_refused() -> None:
    schema = FeatureSchema(features=(FeatureSpec(name="x", transform=Transform.LOG1P),))
    with pytest.raises(DataError, match="log1p on 'x' needs values above -1"):
        resolve_transforms(schema, pd.DataFrame({"x": [-3.0, 1.0, 2.0]}))


def _categorical_frame(levels: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(len(levels), dtype=float), "c": levels})


def test_rare_levels_become_other_and_too_many_levels_are_refused() -> None:
    schema = FeatureSchema(features=(FeatureSpec(name="x"), FeatureSpec(name="c", kind=FeatureKind.CATEGORICAL)))
    levels = ["a"] * 150 + ["b"] * 48 + ["rare1", "rare2"]
    clean, report = clean_customers(_categorical_frame(levels), CleaningOptions(schema=schema))
    assert sorted(clean["c"].unique()) == ["a", "b", "other"]
    assert report.count("rare_level_grouped", "c") == 2
    many = [f"level{i % 30}" for i in range(3000)]
    with pytest.raises(DataError, match=r"'c' has 30 levels .* --describe"):
        clean_customers(_categorical_frame(many), CleaningOptions(schema=schema))


def test_categorical_spellings_are_normalised() -> None:
    schema = FeatureSchema(features=(FeatureSpec(name="x"), FeatureSpec(name="c", kind=FeatureKind.CATEGORICAL)))
    clean, report = clean_customers(
        _categorical_frame(["PhD", " phd", "PHD ", "Basic", "basic", "PhD"]), CleaningOptions(schema=schema)
    )
    assert sorted(clean["c"].unique()) == ["Basic", "PhD"]
    assert report.count("category_respelled", "c") == 3


def test_categorical_weight_against_a_numeric_feature() -> None:
    """The documented weights (features.py): a standardised numeric feature adds 2 on average to the
    squared distance between two customers; a binary categorical 2·p·(1−p); an L-level one 2·(1 − Σp²)."""
    rng = np.random.default_rng(1)
    n = 4000
    frame = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "binary": rng.choice(["yes", "no"], size=n, p=[0.3, 0.7]),
            "four": rng.choice(["a", "b", "c", "d"], size=n),
        }
    )
    schema = FeatureSchema(
        features=(
            FeatureSpec(name="num"),
            FeatureSpec(name="binary", kind=FeatureKind.CATEGORICAL),
            FeatureSpec(name="four", kind=FeatureKind.CATEGORICAL),
        )
    )
    preprocessor = build_preprocessor(schema).fit(frame)
    names = list(preprocessor.get_feature_names_out())
    x = preprocessor.transform(frame)
    i, j = rng.integers(0, n, 20_000), rng.integers(0, n, 20_000)

    def mean_sq(columns: list[int]) -> float:
        return float(((x[i][:, columns] - x[j][:, columns]) ** 2).sum(axis=1).mean())

    numeric = mean_sq([names.index("num")])
    binary = mean_sq([k for k, name in enumerate(names) if name.startswith("binary_")])
    four = mean_sq([k for k, name in enumerate(names) if name.startswith("four_")])
    assert sum(name.startswith("binary_") for name in names) == 1  # two levels: one 0/1 column
    assert numeric == pytest.approx(2.0, abs=0.1)
    assert binary == pytest.approx(2 * 0.3 * 0.7, abs=0.05)
    assert four == pytest.approx(2 * (1 - 4 * 0.25**2), abs=0.08)


def test_inferred_draft_runs_unchanged(tmp_path: Path) -> None:
    table = write_marketing_csv(tmp_path / "marketing.tsv", rows=400)
    text = infer_schema_text(table)
    assert 'id_column = "ID"' in text
    assert "Year_Birth" in text and "a year" in text  # a describe column, with the reason
    draft = tmp_path / "draft.toml"
    draft.write_text(text)
    headers = list(pd.read_csv(table, sep="\t", nrows=0).columns)
    schema = build_schema(headers, SchemaRequest(schema_file=draft))
    assert schema.spec("education").kind is FeatureKind.CATEGORICAL
    assert schema.spec("mnt_wines").transform is Transform.LOG1P  # skewed spend: log1p suggested
    assert "income" in schema.feature_names
