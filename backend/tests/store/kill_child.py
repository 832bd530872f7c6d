"""Child process of the kill test: records a large run and freezes half-way through its memberships.

Usage: python kill_child.py URL ROWS CHUNK. Prints "MIDWAY <rows written>" once at least half of the
memberships are written inside the open transaction, then sleeps until the parent SIGKILLs it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from factories import cycling_memberships, make_run, make_segments

from customer_segmentation.store import Store


def main(url: str, rows: int, chunk: int) -> None:
    store = Store(url, chunk_rows=chunk)
    parent = store.latest_run()

    def freeze_half_way(written: int, total: int) -> None:
        if written >= total // 2:
            print(f"MIDWAY {written}", flush=True)
            time.sleep(600)

    store.record_run(
        make_run("big", day=1, parent=parent),
        make_segments([0, 1, 2]),
        cycling_memberships(rows, [0, 1, 2]),
        progress=freeze_half_way,
    )
    print("COMMITTED", flush=True)  # never reached when the parent kills us


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
