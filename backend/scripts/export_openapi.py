"""Write the API's OpenAPI schema to a JSON file, without starting a server.

The dashboard's typed client (frontend/app/lib/api-types.ts) is generated from this file, and
`make client-check` regenerates both and fails when the committed copies differ, so the schema must
be byte-stable: sorted keys, fixed indentation, trailing newline.

Usage: python backend/scripts/export_openapi.py [OUTPUT]   (default: frontend/openapi.json)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = PROJECT_ROOT / "frontend" / "openapi.json"


def openapi_text() -> str:
    """The schema as stable JSON text. Building the app loads no model: the lifespan never runs.

    The schema shows limits from the settings (e.g. the batch size), so the app is built with the
    defaults, never this shell's ``SEGMENTATION_*`` variables: the committed client must not depend
    on who generated it.
    """
    from customer_segmentation.api.app import create_app
    from customer_segmentation.api.settings import ApiSettings

    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("SEGMENTATION_")}
    try:
        schema = create_app(ApiSettings()).openapi()
    finally:
        os.environ.update(saved)
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    text = openapi_text()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
