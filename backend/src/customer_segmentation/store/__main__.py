"""``python -m customer_segmentation.store upgrade URL | revision MESSAGE`` (see ``migrate.py``)."""

from __future__ import annotations

import sys

from .migrate import new_revision, upgrade_to_head


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "upgrade":
        upgrade_to_head(argv[1])
    elif len(argv) == 2 and argv[0] == "revision":
        new_revision(argv[1])
    else:
        print("usage: python -m customer_segmentation.store upgrade URL | revision MESSAGE", file=sys.stderr)
        return 2
    return 0


raise SystemExit(main(sys.argv[1:]))
