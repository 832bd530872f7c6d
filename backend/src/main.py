"""Both entry points of the product, run from the repository root:

* ``python backend/src/main.py [--help]`` — the segmentation pipeline (CLI);
* ``uvicorn backend.src.main:app`` — the HTTP API (and the dashboard, when it is built).

Nothing heavy happens at import time: ``app`` is created on first access, so the CLI never imports
the web stack, and no class that gets pickled is defined here (it would be pickled as ``__main__.X``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

try:
    import customer_segmentation  # noqa: F401  (installed by `pip install -r backend/requirements.txt`)
except ModuleNotFoundError:  # running from a bare checkout: use the package beside this file
    sys.path.insert(0, str(Path(__file__).resolve().parent))


def __getattr__(name: str) -> Any:
    """Create the ASGI app lazily (PEP 562), so `uvicorn backend.src.main:app` finds it."""
    if name == "app":
        from customer_segmentation.api.app import create_app

        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)


if __name__ == "__main__":
    from customer_segmentation.cli import main

    sys.exit(main())
