"""Child process of the publish kill test: runs the CLI and freezes at one point of publishing.

Usage: python kill_cli_child.py POINT CLI-ARGS... where POINT is

* ``swap`` — the run is staged, the ``.runs/current`` swap (the commit point) has not happened;
* ``recorded-not`` — the run is published, its recording in the store has not begun;
* ``mid-record`` — the store's transaction holds every membership row, not yet committed.

Prints ``FROZEN <point>`` and sleeps until the parent SIGKILLs it.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from customer_segmentation import publish
from customer_segmentation.cli import main
from customer_segmentation.lifecycle import stage
from customer_segmentation.store import repository


def _freeze(point: str) -> None:
    print(f"FROZEN {point}", flush=True)
    time.sleep(600)


def install(point: str) -> None:
    if point == "swap":
        swap = publish._swap_symlink

        def frozen_swap(link: Any, target: str) -> None:
            if link.name == publish.CURRENT:
                _freeze(point)
            swap(link, target)

        publish._swap_symlink = frozen_swap
    elif point == "recorded-not":
        record = stage.record_result

        def frozen_record(*args: Any, **kwargs: Any) -> None:
            _freeze(point)
            record(*args, **kwargs)

        stage.record_result = frozen_record
    elif point == "mid-record":
        insert = repository.insert_memberships

        def frozen_insert(*args: Any, **kwargs: Any) -> None:
            insert(*args, **kwargs)
            _freeze(point)  # inside the open transaction: every row written, nothing committed

        repository.insert_memberships = frozen_insert
    else:
        raise SystemExit(f"unknown point {point!r}")


if __name__ == "__main__":
    install(sys.argv[1])
    sys.exit(main(sys.argv[2:]))
