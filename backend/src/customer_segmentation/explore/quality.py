"""The cleaning rules made visible: what each rule did and why, and a dirty sample that fires them all.

The canonical data is clean, so its quality report is nearly empty — which tells a reader little
about what the cleaning *would* do. :func:`make_dirty_sample` copies a few clean rows and breaks
them on purpose, one defect per row, recording which rule each defect should trigger; a notebook
(and a test) then runs the package's own ``clean_customers`` on it and compares the counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import atomic
from ..artifacts import csv_bytes
from ..config import ArtifactPaths
from ..data.clean import QualityReport
from ..errors import DataError
from ..features import build_preprocessor, preprocessed_table, validate_features
from ..schema import AGE, ALL_COLUMNS, ANNUAL_INCOME, CUSTOMER_ID, GENDER, SPENDING_SCORE

WHOLE_ROW = "(whole row)"

#: Why each cleaning step exists, in plain words (keys are ``QualityAction.step``).
RULE_REASONS: dict[str, str] = {
    "blank_row": "An empty line describes no customer.",
    "missing_marker": "Exports write 'unknown' in many ways (empty, NA, N/A, null, ?); all of them mean "
    "'we don't know', so none is mistaken for a real value.",
    "not_a_number": "Text in a number column (e.g. 'forty') cannot be measured; it is treated as unknown, not guessed.",
    "not_finite": "Infinite values are export errors, not customers.",
    "gender_respelled": "'M', ' male' and 'FEMALE' mean the same thing; one spelling per category keeps "
    "the counts right.",
    "gender_unknown": "A value that is neither Female nor Male in any accepted spelling is treated as "
    "unknown rather than as a new category.",
    "out_of_range": "Impossible values (negative income, spending outside 1–100, age above 120) are "
    "entry errors; left in, they would drag a segment's centre.",
    "generated_id": "Without an id column customers are numbered 1..n so each can still be traced.",
    "missing_id": "A customer without an id cannot be looked up or acted on.",
    "duplicate_row": "The same customer twice would count double in segment sizes and pull centroids.",
    "duplicate_id": "Two different rows for one customer id: the first one is kept.",
    "too_sparse": "When more than half of a customer's features are unknown, filling them in would "
    "invent the customer; the row is dropped instead.",
    "imputed_median": "A few gaps are filled with the typical (median) value so the customer is kept; the "
    "median is not pulled by extreme values.",
    "imputed_mode": "A missing gender is filled with the most common one.",
    "clipped_outlier": "On request, extreme values are pulled in to the outlier fences.",
}

Key = tuple[str, str | None]


@dataclass(frozen=True)
class Defect:
    """One deliberate problem in the dirty sample and the cleaning actions it should cause."""

    row: int
    column: str | None
    value: str | None  # the text planted in ``column``; None when the whole row is the defect
    what: str
    expects: tuple[Key, ...] = ()


@dataclass
class DirtySample:
    """A small raw-looking table (all text, canonical columns) and the defects planted in it."""

    frame: pd.DataFrame
    defects: list[Defect] = field(default_factory=list)

    def expected_counts(self) -> dict[Key, int]:
        """How many times each (step, column) should be reported by ``clean_customers``."""
        return dict(Counter(key for defect in self.defects for key in defect.expects))

    def defects_table(self) -> pd.DataFrame:
        """One row per defect: where it is, the value planted, and the rules it should trigger."""
        return pd.DataFrame(
            {
                "row": [d.row for d in self.defects],
                "column": [d.column or WHOLE_ROW for d in self.defects],
                "value": ["—" if d.value is None else f'"{d.value}"' for d in self.defects],
                "defect": [d.what for d in self.defects],
                "expected actions": [", ".join(step for step, _ in d.expects) or "none" for d in self.defects],
            }
        )


def _fresh_ids(ids: pd.Series, count: int) -> list[str]:
    numeric = pd.to_numeric(ids, errors="coerce")
    if numeric.notna().all() and (numeric % 1 == 0).all():
        start = int(numeric.max()) + 1
        return [str(start + i) for i in range(count)]
    return [f"dirty-{i + 1}" for i in range(count)]


def make_dirty_sample(clean: pd.DataFrame, rows: int = 16) -> DirtySample:
    """Copy the first ``rows`` rows of a CLEAN table and plant one defect per cleaning rule.

    Starting from clean rows makes the expected counts exact: every action ``clean_customers``
    reports on the result comes from a planted defect (counts assume the default features, age,
    income and spending, as in ``CleaningOptions(DEFAULT_FEATURES)``). The frame is text, as
    ``read_table`` returns it.
    """
    missing = [c for c in ALL_COLUMNS if c not in clean.columns]
    if missing:
        raise DataError(f"make_dirty_sample needs column {missing[0]!r} (columns found: {', '.join(clean.columns)})")
    if len(clean) < rows or rows < 16:
        raise DataError(f"make_dirty_sample needs at least 16 clean rows (got {min(len(clean), rows)})")
    frame = clean.loc[:, list(ALL_COLUMNS)].head(rows).astype("string").reset_index(drop=True)
    sample = DirtySample(frame)

    def plant(row: int, column: str, value: str, what: str, *expects: Key) -> None:
        frame.loc[row, column] = value
        sample.defects.append(Defect(row, column, value, what, expects))

    plant(0, AGE, "", "empty cell", ("missing_marker", AGE), ("imputed_median", AGE))
    plant(
        1,
        ANNUAL_INCOME,
        "N/A",
        "missing marker",
        ("missing_marker", ANNUAL_INCOME),
        ("imputed_median", ANNUAL_INCOME),
    )
    plant(
        2,
        SPENDING_SCORE,
        "?",
        "missing marker",
        ("missing_marker", SPENDING_SCORE),
        ("imputed_median", SPENDING_SCORE),
    )
    plant(3, AGE, "forty", "text in a number column", ("not_a_number", AGE), ("imputed_median", AGE))
    plant(
        4,
        ANNUAL_INCOME,
        "inf",
        "infinite number",
        ("not_finite", ANNUAL_INCOME),
        ("imputed_median", ANNUAL_INCOME),
    )
    plant(
        5,
        ANNUAL_INCOME,
        "-5",
        "negative income",
        ("out_of_range", ANNUAL_INCOME),
        ("imputed_median", ANNUAL_INCOME),
    )
    plant(
        6,
        SPENDING_SCORE,
        "150",
        "spending above 100",
        ("out_of_range", SPENDING_SCORE),
        ("imputed_median", SPENDING_SCORE),
    )
    plant(7, AGE, "300", "impossible age", ("out_of_range", AGE), ("imputed_median", AGE))
    plant(8, GENDER, " male ", "odd spelling", ("gender_respelled", GENDER))
    plant(9, GENDER, "F", "abbreviation", ("gender_respelled", GENDER))
    plant(10, GENDER, "X", "unknown gender", ("gender_unknown", GENDER), ("imputed_mode", GENDER))
    plant(11, GENDER, "null", "missing marker", ("missing_marker", GENDER), ("imputed_mode", GENDER))

    new_ids = _fresh_ids(frame[CUSTOMER_ID], 2)
    extra: list[tuple[dict[str, str], Defect]] = []

    def append(values: dict[str, str], column: str | None, value: str | None, what: str, *expects: Key) -> None:
        extra.append((values, Defect(rows + len(extra), column, value, what, expects)))

    row = {c: str(frame.loc[12, c]) for c in ALL_COLUMNS}
    append({c: "" for c in ALL_COLUMNS}, None, None, "blank line (every cell empty)", ("blank_row", None))
    append(row, None, None, "exact copy of row 12", ("duplicate_row", None))
    row13 = {c: str(frame.loc[13, c]) for c in ALL_COLUMNS}
    other_spending = str(int(float(row13[SPENDING_SCORE])) % 100 + 1)
    append(
        {**row13, SPENDING_SCORE: other_spending},
        CUSTOMER_ID,
        row13[CUSTOMER_ID],
        "second row for the id of row 13",
        ("duplicate_id", CUSTOMER_ID),
    )
    row14 = {c: str(frame.loc[14, c]) for c in ALL_COLUMNS}
    append(
        {**row14, CUSTOMER_ID: ""},
        CUSTOMER_ID,
        "",
        "missing customer id",
        ("missing_marker", CUSTOMER_ID),
        ("missing_id", CUSTOMER_ID),
    )
    row15 = {c: str(frame.loc[15, c]) for c in ALL_COLUMNS}
    append(
        {**row15, CUSTOMER_ID: new_ids[0], AGE: "NA", ANNUAL_INCOME: ""},
        None,
        None,
        "two of three features unknown (age 'NA', income empty)",
        ("missing_marker", AGE),
        ("missing_marker", ANNUAL_INCOME),
        ("too_sparse", None),
    )
    append(
        {**row15, CUSTOMER_ID: new_ids[1], ANNUAL_INCOME: "900"},
        ANNUAL_INCOME,
        "900",
        "valid but extreme income (kept, flagged as an outlier)",
    )
    appended = pd.DataFrame([values for values, _ in extra], columns=list(ALL_COLUMNS)).astype("string")
    sample.frame = pd.concat([frame, appended], ignore_index=True)
    sample.defects.extend(defect for _, defect in extra)
    return sample


def _key_label(column: str | None) -> str:
    return column or WHOLE_ROW


def quality_table(report: QualityReport) -> pd.DataFrame:
    """Every action the cleaning took: step, column, how many, what was done and why."""
    return pd.DataFrame(
        {
            "step": [a.step for a in report.actions],
            "column": [_key_label(a.column) for a in report.actions],
            "count": [a.count for a in report.actions],
            "what was done": [a.detail for a in report.actions],
            "why": [RULE_REASONS.get(a.step, "") for a in report.actions],
        },
        columns=["step", "column", "count", "what was done", "why"],
    )


def outlier_table(report: QualityReport) -> pd.DataFrame:
    """Outliers per feature (outside the IQR fences): how many, and whether kept or clipped."""
    return pd.DataFrame(
        {
            "column": [o.column for o in report.outliers],
            "low fence": [o.low_fence for o in report.outliers],
            "high fence": [o.high_fence for o in report.outliers],
            "outliers": [o.count for o in report.outliers],
            "handling": ["clipped" if o.clipped else "kept" for o in report.outliers],
        },
        columns=["column", "low fence", "high fence", "outliers", "handling"],
    )


def expected_vs_reported(sample: DirtySample, report: QualityReport) -> pd.DataFrame:
    """Planted defects against the cleaning report, one row per (step, column); ``match`` per row."""
    expected = sample.expected_counts()
    reported: dict[Key, int] = {}
    for action in report.actions:
        reported[(action.step, action.column)] = reported.get((action.step, action.column), 0) + action.count
    keys = list(expected) + [k for k in reported if k not in expected]
    table = pd.DataFrame(
        {
            "step": [step for step, _ in keys],
            "column": [_key_label(column) for _, column in keys],
            "expected": [expected.get(k, 0) for k in keys],
            "reported": [reported.get(k, 0) for k in keys],
        }
    )
    table["match"] = table["expected"] == table["reported"]
    return table


def notebook_output(paths: ArtifactPaths) -> Path:
    """Where a notebook writes: its own folder, never the pipeline's published run (which must stay
    consistent with the served model — see ``publish``)."""
    return paths.reports_dir / "notebooks" / "preprocessed_data.csv"


def write_preprocessed(clean: pd.DataFrame, features: Sequence[str], paths: ArtifactPaths) -> tuple[Path, pd.DataFrame]:
    """Write ``preprocessed_data.csv`` exactly as the pipeline does (same transform, bytes, atomicity),
    into :func:`notebook_output`.

    Returns the path and the table. The scaler is fitted on ``clean`` as in ``pipeline.train``, so on
    the same data and features the file is byte-identical to the pipeline's.
    """
    preprocessor = build_preprocessor(validate_features(features)).fit(clean)
    table = preprocessed_table(clean, preprocessor)
    target = notebook_output(paths)
    atomic.write_bytes(target, csv_bytes(table))
    return target, table
