"""A table uploaded for schema inference or training: read within the upload limits of
``/predict/csv``, kept in a private folder, and read back with the pipeline's own loader.

The file is written to disk because the pipeline (and DuckDB, for order lines) read files; its
name on disk is a sanitised form of the uploaded name, which is what run cards and messages show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from fastapi import UploadFile
from fastapi.concurrency import run_in_threadpool

from ...data.load import read_all_columns
from ...errors import SegmentationError
from ..settings import ApiSettings
from .errors import InvalidInput, PayloadTooLarge
from .limits import check_upload_shape

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 80


@dataclass(frozen=True)
class Upload:
    filename: str  # sanitised: safe as a file name, shown in cards and messages
    data: bytes


def safe_filename(name: str | None) -> str:
    """``"../My Export (2).CSV"`` → ``"My_Export_2_.csv"``: no folder, no leading dot, ends in .csv."""
    stem = _UNSAFE.sub("_", Path(name or "upload.csv").name).strip("._") or "upload"
    stem = stem[:MAX_NAME]
    return stem if stem.lower().endswith(".csv") else f"{stem.removesuffix('.')}.csv"


async def read_upload(file: UploadFile, settings: ApiSettings) -> Upload:
    """The uploaded bytes, refused (413) over the byte, row or column limits of ``/predict/csv``."""
    data = await file.read(settings.max_upload_bytes + 1)
    name = safe_filename(file.filename)
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"the uploaded file has more than {settings.max_upload_bytes:,} bytes, the limit "
            "(setting SEGMENTATION_MAX_UPLOAD_BYTES)",
            field="file",
        )
    if not data.strip():
        raise InvalidInput(f"the uploaded file {name!r} is empty", field="file")
    await run_in_threadpool(check_upload_shape, data, settings.max_upload_rows, settings.max_upload_columns)
    return Upload(name, data)


def save_upload(upload: Upload, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / upload.filename
    path.write_bytes(upload.data)
    return path


def own_words(exc: BaseException, path: Path, filename: str) -> str:
    """The error's one line with the private path replaced by the uploaded file's name."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.replace(str(path.parent) + "/", "").replace(str(path), filename)


def read_table(path: Path, filename: str, settings: ApiSettings) -> pd.DataFrame:
    """Every column as text (headers as written); 422 when unreadable, 413 over the row limit."""
    try:
        frame = read_all_columns(path)
    except SegmentationError as exc:
        raise InvalidInput(own_words(exc, path, filename), field="file") from None
    check_parsed_rows(len(frame), filename, settings.max_upload_rows)
    return frame


def check_parsed_rows(rows: int, filename: str, max_rows: int) -> None:
    """The exact row count once parsed (the count on the bytes is an estimate): 413 over the limit,
    422 for a header without rows."""
    if rows > max_rows:
        raise PayloadTooLarge(
            f"the uploaded file has {rows:,} data rows; the limit is {max_rows:,} "
            "(setting SEGMENTATION_MAX_UPLOAD_ROWS)",
            field="file",
        )
    if rows == 0:
        raise InvalidInput(f"{filename!r} has a header but no data rows", field="file")
