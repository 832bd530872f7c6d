"""The customer table's schema: canonical column names, accepted header variants and valid ranges.

Column names are normalised once, at load time, so that the processed data, the fitted pipeline,
the API schemas and the dashboard all speak the same names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CUSTOMER_ID = "customer_id"
GENDER = "gender"
AGE = "age"
ANNUAL_INCOME = "annual_income"
SPENDING_SCORE = "spending_score"

NUMERIC_COLUMNS: tuple[str, ...] = (AGE, ANNUAL_INCOME, SPENDING_SCORE)
ALL_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, GENDER, *NUMERIC_COLUMNS)
DEFAULT_FEATURES: tuple[str, ...] = NUMERIC_COLUMNS
SELECTABLE_FEATURES: tuple[str, ...] = (GENDER, *NUMERIC_COLUMNS)

#: Original Kaggle header for each canonical column (used when writing user-facing CSVs).
KAGGLE_HEADER: dict[str, str] = {
    CUSTOMER_ID: "CustomerID",
    GENDER: "Gender",
    AGE: "Age",
    ANNUAL_INCOME: "Annual Income (k$)",
    SPENDING_SCORE: "Spending Score (1-100)",
}

#: Human labels, for reports and figures.
LABELS: dict[str, str] = {
    CUSTOMER_ID: "Customer ID",
    GENDER: "Gender",
    AGE: "Age",
    ANNUAL_INCOME: "Annual income (k$)",
    SPENDING_SCORE: "Spending score (1-100)",
}

# Keys are headers squashed to lower-case alphanumerics ("Annual Income (k$)" -> "annualincomek").
_HEADER_ALIASES: dict[str, str] = {
    "customerid": CUSTOMER_ID,
    "customer": CUSTOMER_ID,
    "custid": CUSTOMER_ID,
    "id": CUSTOMER_ID,
    "clientid": CUSTOMER_ID,
    "gender": GENDER,
    "genre": GENDER,
    "sex": GENDER,
    "age": AGE,
    "annualincomek": ANNUAL_INCOME,
    "annualincome": ANNUAL_INCOME,
    "annualincomekusd": ANNUAL_INCOME,
    "annualincomethousands": ANNUAL_INCOME,
    "income": ANNUAL_INCOME,
    "incomek": ANNUAL_INCOME,
    "spendingscore1100": SPENDING_SCORE,
    "spendingscore": SPENDING_SCORE,
    "score": SPENDING_SCORE,
    "spending": SPENDING_SCORE,
}

GENDER_CATEGORIES: tuple[str, ...] = ("Female", "Male")
_GENDER_SPELLINGS: dict[str, str] = {
    "female": "Female",
    "f": "Female",
    "woman": "Female",
    "w": "Female",
    "male": "Male",
    "m": "Male",
    "man": "Male",
}

#: Strings read as "missing", compared after stripping and lower-casing.
MISSING_MARKERS: frozenset[str] = frozenset({"", "na", "n/a", "null", "none", "nan", "?", "-", "--", "#n/a", "missing"})


@dataclass(frozen=True)
class ValidRange:
    """Closed interval of plausible values; anything outside is treated as missing."""

    low: float
    high: float

    def describe(self) -> str:
        return f"{self.low:g}–{self.high:g}"


VALID_RANGES: dict[str, ValidRange] = {
    AGE: ValidRange(0, 120),
    ANNUAL_INCOME: ValidRange(0, 1_000_000),
    SPENDING_SCORE: ValidRange(1, 100),
}


def squash_header(name: str) -> str:
    """Reduce a header to lower-case letters and digits, so spacing, case and units don't matter."""
    return re.sub(r"[^0-9a-z]", "", str(name).strip().lower().lstrip("\ufeff"))


def canonical_column(name: str) -> str | None:
    """Map a header as found in a file to its canonical name, or ``None`` when it is not ours."""
    return _HEADER_ALIASES.get(squash_header(name))


def normalise_gender(value: object) -> str | None:
    """Return ``"Female"``/``"Male"`` for any accepted spelling (case, spaces, M/F), else ``None``."""
    if value is None:
        return None
    return _GENDER_SPELLINGS.get(str(value).strip().lower())


def gender_spellings() -> dict[str, str]:
    """All accepted lower-case spellings and the category each maps to."""
    return dict(_GENDER_SPELLINGS)
