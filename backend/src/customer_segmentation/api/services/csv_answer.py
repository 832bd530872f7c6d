"""The whole of ``POST /predict/csv`` after the body has arrived — shape check, parsing, validation,
scoring and the answer's bytes — as one job for an upload worker process (``upload_workers``).

The answer comes back as finished bytes: the scored CSV (formula-safe, see ``csv_safety``) or the
JSON report, so the server process only copies them to the client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from ..schemas import CsvRowResult, CsvScoringReport, RowError
from . import csv_scoring
from .limits import MAX_REPORTED_ERRORS, Deadline
from .scoring_model import ScoringModel


@dataclass(frozen=True)
class UploadAnswer:
    """A finished HTTP answer: body, media type and headers."""

    body: bytes
    media_type: str
    headers: dict[str, str]


def answer_csv_upload(
    data: bytes,
    filename: str,
    model: ScoringModel,
    max_rows: int,
    deadline: Deadline,
    format: Literal["csv", "json"],
) -> UploadAnswer:
    """Score the uploaded file (read by ``uploads.read_upload``: within its limits, not empty) and
    render it as the scored CSV or the JSON report."""
    result = csv_scoring.score_upload(data, filename, model, max_rows, deadline)
    headers = {
        "X-Rows-Total": str(result.rows_total),
        "X-Rows-Scored": str(result.rows_scored),
        "X-Rows-Failed": str(result.rows_failed),
        "X-Errors-Total": str(len(result.errors)),
        "X-Model-Version": result.model_version,
    }
    if format == "json":
        return UploadAnswer(report_json(result, deadline), "application/json", headers)
    body = result.csv_bytes()
    deadline.check("writing the scored CSV")
    headers["Content-Disposition"] = f'attachment; filename="{result.output_name()}"'
    return UploadAnswer(body, "text/csv; charset=utf-8", headers)


#: Rows serialised per call: the report is built in slices, the deadline checked between them.
_REPORT_SLICE = 10_000
_EMPTY_RESULTS = '"results":[]}'


def report_json(result: csv_scoring.CsvScoring, deadline: Deadline) -> bytes:
    """The JSON report, built in slices. ``errors`` lists the first
    MAX_REPORTED_ERRORS problems (the X-Errors-Total header counts them all, and every row's own
    problems are in its ``error``). The rows are plain JSON-ready values of the CsvRowResult shape,
    encoded by the standard library: 200,000 pydantic objects would take seconds."""
    head = CsvScoringReport(
        filename=result.filename,
        model_version=result.model_version,
        rows_total=result.rows_total,
        rows_scored=result.rows_scored,
        rows_failed=result.rows_failed,
        columns=result.columns,
        errors=[
            RowError(row=e.row, column=e.column, value=e.value, reason=e.reason)
            for e in result.errors[:MAX_REPORTED_ERRORS]
        ],
        results=[],
    ).model_dump_json()
    if not head.endswith(_EMPTY_RESULTS):  # pragma: no cover - the schema's last field is no longer results
        raise RuntimeError("CsvScoringReport must end with its results for the report to be built in slices")
    # Every CsvRowResult field the scored table has a column for (segment, segment_name, error, …).
    table = result.table
    columns = {"customer_id": csv_scoring.customer_ids(result)}
    columns.update(
        {name: _plain(table[name]) for name in CsvRowResult.model_fields if name in table.columns and name != "row"}
    )
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    slices = []
    for start in range(0, result.rows_total, _REPORT_SLICE):
        stop = min(start + _REPORT_SLICE, result.rows_total)
        rows = [{"row": i + 1, **{name: values[i] for name, values in columns.items()}} for i in range(start, stop)]
        slices.append(encoder.encode(rows)[1:-1])
        deadline.check("building the report")
    return (head.removesuffix(_EMPTY_RESULTS) + '"results":[' + ",".join(slices) + "]}").encode()


def _plain(column: pd.Series) -> list[Any]:
    """A column as JSON-ready Python values, missing ones as None (vectorised, no per-cell pandas)."""
    values = column.astype(object).to_numpy().tolist()
    missing = pd.isna(column).to_numpy().tolist()
    return [None if gone else value for value, gone in zip(values, missing, strict=True)]
