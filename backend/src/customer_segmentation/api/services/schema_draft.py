"""``POST /schema/infer``: the draft feature schema of an uploaded table, as data rather than TOML.

A customer table gets the CLI's ``--infer-schema`` classification column by column
(``schema_inference.guess_column``: id, numeric or categorical feature, describe, left out — each
with its reason). An order-line export (recognised by :func:`detect_input_kind`) is first
aggregated per customer, as ``--transactions`` does; its draft is the RFM schema — recency,
frequency and monetary clustered, tenure and average order value described — with the reasons
measured on the derived columns.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

import pandas as pd

from ...errors import SegmentationError
from ...schema_inference import ColumnGuess, guess_column
from ..schemas.training import DraftColumn, InputKind, LeftOutColumn, SchemaDraft
from ..settings import ApiSettings
from .errors import InvalidInput
from .limits import Deadline
from .uploads import Upload, own_words, read_table, save_upload

Requested = Literal["auto", "customers", "transactions"]


def detect_input_kind(frame: pd.DataFrame) -> InputKind:
    """Order lines when the headers name a customer, a date and money (the transactions module's
    own header rules, ``transactions.columns.resolve_columns``) and some customer id repeats — a
    customer table with a signup date and a revenue column has one row per id."""
    from ...transactions.columns import resolve_columns
    from ...transactions.options import TransactionOptions

    try:
        columns = resolve_columns([str(c) for c in frame.columns], TransactionOptions())
    except SegmentationError:
        return "customers"
    ids = frame[columns.customer].astype("string").str.strip()
    return "transactions" if bool(ids[ids.fillna("") != ""].duplicated().any()) else "customers"


def input_kind(frame: pd.DataFrame, requested: Requested) -> InputKind:
    return detect_input_kind(frame) if requested == "auto" else requested


def _column(guess: ColumnGuess, role: str, reason: str | None = None) -> DraftColumn:
    kind = guess.role if guess.role in ("numeric", "categorical") else "numeric" if guess.role == "describe" else None
    transform = guess.transform if guess.role == "numeric" else None
    return DraftColumn.model_validate(
        {
            "header": guess.header,
            "name": guess.name,
            "role": role,
            "kind": kind if role in ("feature", "describe") else None,
            "transform": transform if role == "feature" else None,
            "reason": reason or guess.note,
        }
    )


def customer_draft(frame: pd.DataFrame, filename: str, deadline: Deadline) -> SchemaDraft:
    """The draft of a customer table (every column as text, headers as written)."""
    rows = len(frame)
    guesses = []
    for header in frame.columns:
        guesses.append(guess_column(str(header), frame[header], rows))
        deadline.check("classifying the columns")
    ids = [g for g in guesses if g.role == "id"]
    columns: list[DraftColumn] = []
    for guess in guesses:
        if guess.role == "id" and guess is not ids[0]:
            columns.append(
                _column(guess, "left_out", f"a second id candidate ({guess.note}); {ids[0].header} is the id")
            )
        elif guess.role in ("numeric", "categorical"):
            columns.append(_column(guess, "feature"))
        else:
            columns.append(_column(guess, guess.role))
    notes = [] if ids else ["No id column found: customers will be numbered row_id 1..n in file order."]
    return _draft(filename, "customers", rows, columns, [g.name for g in ids], None, notes)


def _draft(
    filename: str,
    kind: InputKind,
    rows: int,
    columns: list[DraftColumn],
    id_candidates: list[str],
    transaction_columns: dict[str, str] | None,
    notes: list[str],
) -> SchemaDraft:
    features = [c for c in columns if c.role == "feature"]
    if not features:
        notes.append("No column looks usable as a feature: choose the features by hand.")
    return SchemaDraft(
        filename=filename,
        input_kind=kind,
        rows=rows,
        columns=columns,
        id_column=next((c.name for c in columns if c.role == "id"), None),
        id_candidates=id_candidates,
        features=[c.name for c in features],
        categorical=[c.name for c in features if c.kind == "categorical"],
        describe=[c.name for c in columns if c.role == "describe"],
        transforms={c.name: c.transform for c in features if c.transform is not None},
        left_out=[LeftOutColumn(header=c.header, reason=c.reason) for c in columns if c.role == "left_out"],
        transaction_columns=transaction_columns,
        notes=notes,
    )


DEFINITIONS = {
    "recency_days": "days from the last valid purchase to the as-of date",
    "frequency": "distinct orders",
    "monetary": "total spent (quantity × unit price, or amount)",
    "tenure_days": "days from the first valid purchase to the as-of date",
    "avg_order_value": "monetary / frequency",
}


def transactions_draft(path: Path, filename: str) -> SchemaDraft:
    """The RFM draft of an order-line export (aggregated per customer with DuckDB)."""
    from ...schema import CUSTOMER_ID
    from ...transactions import derive_customers
    from ...transactions_run import RFM_COLUMNS, RFM_DEFAULT_FEATURES

    try:
        derived = derive_customers(path)
    except SegmentationError as exc:
        raise InvalidInput(f"order lines: {own_words(exc, path, filename)}", field="file") from None
    customers = derived.customers
    rows = len(customers)
    columns = [
        DraftColumn(
            header=CUSTOMER_ID,
            name=CUSTOMER_ID,
            role="id",
            kind=None,
            transform=None,
            reason="the customer column of the order lines",
        )
    ]
    for name, spec in RFM_COLUMNS.items():
        measured = guess_column(name, customers[name].astype("string"), rows).note
        clustered = name in RFM_DEFAULT_FEATURES
        columns.append(
            DraftColumn(
                header=name,
                name=name,
                role="feature" if clustered else "describe",
                kind="numeric",
                transform=spec.transform.value if clustered else None,  # type: ignore[arg-type]
                reason=f"derived: {DEFINITIONS[name]} ({measured})",
            )
        )
    notes = [
        f"{derived.lines_in:,} order lines read, {derived.lines_valid:,} valid, {rows:,} customers derived; "
        f"as-of date {derived.as_of.isoformat()}, dates read as {derived.date_format}",
        "Any of the five derived columns can be a feature; order-line runs have no categorical features.",
    ]
    return _draft(filename, "transactions", rows, columns, [CUSTOMER_ID], dict(derived.columns), notes)


def draft_upload(upload: Upload, requested: Requested, settings: ApiSettings, deadline: Deadline) -> SchemaDraft:
    """The draft of an uploaded table, as ``POST /schema/infer`` answers it: one job for an upload
    worker process (``upload_workers``), since reading the table holds the interpreter lock."""
    with tempfile.TemporaryDirectory(prefix="schema-infer-") as folder:
        path = save_upload(upload, Path(folder))
        frame = read_table(path, upload.filename, settings)
        deadline.check("reading the table")
        if input_kind(frame, requested) == "transactions":
            return transactions_draft(path, upload.filename)
        return customer_draft(frame, upload.filename, deadline)
