"""Synthetic customer tables with the real schema, for benchmarks and scale tests.

The mixture imitates the Mall Customers data: six segments in (age, annual income, spending score)
— careful older mid-income shoppers, young mid-income, affluent young high spenders, affluent
middle-aged low spenders, young low-income enthusiasts and low-income low spenders — with integer
values clipped to the real ranges, 56 % women, and (optionally) a small share of the dirt real
exports carry: empty cells, ``NA`` markers and other gender spellings. Nothing here reads the
canonical data: the shape is hand-written, so generated files can be shared freely.

Generation is vectorised and chunked, so 10 M rows take a few seconds and bounded memory; CSV is
written with pyarrow (the Kaggle header), Parquet with pyarrow too.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .schema import AGE, ANNUAL_INCOME, CUSTOMER_ID, GENDER, KAGGLE_HEADER, SPENDING_SCORE

CHUNK_ROWS = 1_000_000
#: Plain, unquoted fields, like the Kaggle file and most exports.
_CSV_OPTIONS = pa_csv.WriteOptions(quoting_style="none")


@dataclass(frozen=True)
class Segment:
    """One mixture component: its share and the mean/sd of age, income (k$) and spending score."""

    weight: float
    age: tuple[float, float]
    income: tuple[float, float]
    spending: tuple[float, float]


#: Hand-written to resemble the shape of the classic data (not fitted to it).
SEGMENTS: tuple[Segment, ...] = (
    Segment(0.22, (55, 7), (55, 8), (48, 6)),
    Segment(0.19, (27, 5), (57, 8), (48, 7)),
    Segment(0.19, (32, 3.5), (87, 12), (82, 8)),
    Segment(0.17, (41, 10), (88, 13), (17, 9)),
    Segment(0.12, (25, 5), (25, 7), (79, 9)),
    Segment(0.11, (45, 11), (26, 7), (20, 9)),
)
FEMALE_SHARE = 0.56


def generate(rows: int, seed: int = 0, dirt: float = 0.0, first_id: int = 1) -> pd.DataFrame:
    """``rows`` customers with canonical column names (numbers as nullable integers).

    ``dirt`` is the share of cells made missing (empty) in each numeric column; the same share of
    genders is respelled (``M``/``female``) so the cleaning has something to count.
    """
    rng = np.random.default_rng(seed)
    weights = np.array([s.weight for s in SEGMENTS])
    component = rng.choice(len(SEGMENTS), size=rows, p=weights / weights.sum())

    def draw(pick: str, low: int, high: int) -> np.ndarray:
        means = np.array([getattr(s, pick)[0] for s in SEGMENTS])[component]
        sds = np.array([getattr(s, pick)[1] for s in SEGMENTS])[component]
        return np.clip(np.rint(rng.normal(means, sds)), low, high).astype("int64")

    frame = pd.DataFrame(
        {
            CUSTOMER_ID: np.arange(first_id, first_id + rows, dtype="int64"),
            GENDER: np.where(rng.random(rows) < FEMALE_SHARE, "Female", "Male"),
            AGE: draw("age", 18, 75),
            ANNUAL_INCOME: draw("income", 12, 160),
            SPENDING_SCORE: draw("spending", 1, 99),
        }
    )
    if dirt > 0:
        for column in (AGE, ANNUAL_INCOME, SPENDING_SCORE):
            holes = rng.random(rows) < dirt
            frame[column] = frame[column].astype("Int64").mask(holes)
        respell = rng.random(rows) < dirt
        frame.loc[respell, GENDER] = np.where(frame.loc[respell, GENDER] == "Male", "M", "female")
    return frame


def _arrow_chunk(frame: pd.DataFrame) -> pa.Table:
    renamed = frame.rename(columns=KAGGLE_HEADER)
    return pa.Table.from_pandas(renamed, preserve_index=False)


def write_table(path: Path, rows: int, seed: int = 0, dirt: float = 0.0) -> Path:
    """Write ``rows`` synthetic customers to ``path`` (.csv or .parquet), chunk by chunk."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parquet = path.suffix.lower() in {".parquet", ".pq"}
    tmp = path.with_name(f".{path.name}.tmp")
    writer: pq.ParquetWriter | pa_csv.CSVWriter | None = None
    try:
        for start in range(0, rows, CHUNK_ROWS):
            size = min(CHUNK_ROWS, rows - start)
            table = _arrow_chunk(generate(size, seed=seed + start, dirt=dirt, first_id=start + 1))
            if writer is None and parquet:
                writer = pq.ParquetWriter(tmp, table.schema)
            elif writer is None:
                writer = pa_csv.CSVWriter(tmp, table.schema, write_options=_CSV_OPTIONS)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m customer_segmentation.synth ROWS OUT.csv [--seed N] [--dirt F]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dirt", type=float, default=0.0)
    args = parser.parse_args(argv)
    write_table(args.out, args.rows, args.seed, args.dirt)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
