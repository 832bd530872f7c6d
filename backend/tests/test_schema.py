"""Header and value normalisation: the names every later stage relies on."""

import pytest

from customer_segmentation.schema import canonical_column, normalise_gender


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("CustomerID", "customer_id"),
        ("customer_id", "customer_id"),
        (" Customer ID ", "customer_id"),
        ("Gender", "gender"),
        ("Genre", "gender"),
        ("SEX", "gender"),
        ("Age", "age"),
        ("Annual Income (k$)", "annual_income"),
        ("annual_income", "annual_income"),
        ("ANNUAL INCOME", "annual_income"),
        ("Spending Score (1-100)", "spending_score"),
        ("spending_score", "spending_score"),
        ("\ufeffCustomerID", "customer_id"),
        ("Favourite colour", None),
    ],
)
def test_header_variants_map_to_canonical_names(header: str, expected: str | None) -> None:
    assert canonical_column(header) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Male", "Male"),
        (" male ", "Male"),
        ("M", "Male"),
        ("f", "Female"),
        ("FEMALE", "Female"),
        ("x", None),
        ("", None),
        (None, None),
    ],
)
def test_gender_spellings(raw: object, expected: str | None) -> None:
    assert normalise_gender(raw) == expected
