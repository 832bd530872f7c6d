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
from .errors import InvalidInput
from .limits import Deadline
from .model_store import ModelBundle
from .scoring import score_scaled


@dataclass
class TransactionScoring:
    derived: DerivedCustomers
    table: pd.DataFrame  # customer_id, the derived features, segment, segment_name, ood, margin, confidence


def require_rfm_model(bundle: ModelBundle) -> None:
    """Order lines can only be scored by a model of the RFM schema (422 otherwise, before any upload work)."""
    if bundle.schema.kind != "rfm":
        raise InvalidInput(
            "the served model segments customer tables, not order lines: score customers with /predict/csv, or "
            "train on transactions (python backend/src/main.py --transactions FILE) to serve an RFM model",
            field="file",
        )


def score_transactions(
    data: bytes, filename: str, bundle: ModelBundle, deadline: Deadline, options: TransactionOptions
) -> TransactionScoring:
    """Derive and score the customers of ``data`` (an order-line CSV, already within the upload limits:
    ``uploads.read_upload``); a whole-file problem is a 422."""
    require_rfm_model(bundle)
    with tempfile.TemporaryDirectory(prefix="segmentation-orders-") as folder:
        path = Path(folder) / "orders.csv"
        path.write_bytes(data)
        try:
            derived = derive_customers(path, options)
        except DataError as exc:
            raise InvalidInput(str(exc).replace(str(path), repr(filename)), field="file") from None
    deadline.check("aggregating the order lines")
    model = bundle.serving
    customers = derived.customers
    numeric = customers[list(model.numeric_features)].to_numpy(dtype="float64")
    scored = score_scaled(model, model.transform_columns(numeric, ()))
    deadline.check("scoring the customers")
    table = customers.assign(
        segment=scored.labels,
        segment_name=bundle.segment_names[scored.labels],
        out_of_distribution=scored.out_of_distribution,
        margin=np.clip(scored.margin, 0.0, 1.0),
    )
    table["confidence"] = table["margin"].where(~table["out_of_distribution"])
    return TransactionScoring(derived, table)


def parse_as_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"as_of {text!r} is not a date (YYYY-MM-DD)", field="as_of") from None
