"""Score an uploaded order-line export with a served RFM model: derive each customer's recency,
frequency, monetary value, tenure and average order value exactly as the CLI does
(:func:`customer_segmentation.transactions.derive_customers`, the same definitions and exclusions),
then score the customers with the fast scoring path."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import DataError
from ...transactions import DerivedCustomers, TransactionOptions, derive_customers
from ..schemas.transactions import TransactionCustomer, TransactionScoringReport
from .errors import InvalidInput
from .limits import Deadline
from .scoring import score_scaled
from .scoring_model import ScoringModel


@dataclass
class TransactionScoring:
    derived: DerivedCustomers
    table: pd.DataFrame  # customer_id, the derived features, segment, segment_name, ood, margin, confidence


def require_rfm_model(model: ScoringModel) -> None:
    """Order lines can only be scored by a model of the RFM schema (422 otherwise, before any upload work)."""
    if model.schema.kind != "rfm":
        raise InvalidInput(
            "the served model segments customer tables, not order lines: score customers with /predict/csv, or "
            "train on transactions (python backend/src/main.py --transactions FILE) to serve an RFM model",
            field="file",
        )


def score_transactions(
    data: bytes, filename: str, scoring: ScoringModel, deadline: Deadline, options: TransactionOptions
) -> TransactionScoring:
    """Derive and score the customers of ``data`` (an order-line CSV, already within the upload limits:
    ``uploads.read_upload``); a whole-file problem is a 422."""
    require_rfm_model(scoring)
    with tempfile.TemporaryDirectory(prefix="segmentation-orders-") as folder:
        path = Path(folder) / "orders.csv"
        path.write_bytes(data)
        try:
            derived = derive_customers(path, options)
        except DataError as exc:
            raise InvalidInput(str(exc).replace(str(path), repr(filename)), field="file") from None
    deadline.check("aggregating the order lines")
    model = scoring.serving
    customers = derived.customers
    numeric = customers[list(model.numeric_features)].to_numpy(dtype="float64")
    scored = score_scaled(model, model.transform_columns(numeric, ()))
    deadline.check("scoring the customers")
    table = customers.assign(
        segment=scored.labels,
        segment_name=scoring.segment_names[scored.labels],
        out_of_distribution=scored.out_of_distribution,
        margin=scored.margin,
    )
    table["confidence"] = table["margin"].where(~table["out_of_distribution"])
    return TransactionScoring(derived, table)


def answer_transactions(
    data: bytes, filename: str, scoring: ScoringModel, deadline: Deadline, options: TransactionOptions
) -> bytes:
    """The whole of ``POST /predict/transactions`` after the upload — aggregation, scoring and the JSON
    report — as one job for an upload worker process (``upload_workers``): a report of 100,000
    customers takes pydantic most of a second, which must not run on the server's event loop."""
    result = score_transactions(data, filename, scoring, deadline, options)
    derived = result.derived
    rows = result.table.replace({np.nan: None}).to_dict("records")
    report = TransactionScoringReport(
        filename=filename,
        model_version=scoring.model_version,
        lines_in=derived.lines_in,
        lines_valid=derived.lines_valid,
        exclusions=derived.exclusions,
        as_of=derived.as_of.isoformat(),
        date_format=derived.date_format,
        customers=[TransactionCustomer.model_validate({**r, "customer_id": str(r["customer_id"])}) for r in rows],
    )
    deadline.check("building the report")
    return report.model_dump_json().encode()


def parse_as_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"as_of {text!r} is not a date (YYYY-MM-DD)", field="as_of") from None
