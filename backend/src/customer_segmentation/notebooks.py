"""Run, render and police the analyst notebooks in ``backend/notebooks/``.

    python -m customer_segmentation.notebooks run [--artifacts-root DIR] [--html-dir DIR] [NOTEBOOK ...]
    python -m customer_segmentation.notebooks check     # exit 1 if a stored notebook holds outputs
    python -m customer_segmentation.notebooks strip     # remove outputs in place

Notebooks are stored without outputs (outputs hold the data's rows and make diffs unreadable); they
are executed with nbclient in a fresh ``python3`` kernel. jupyter_client starts that kernel with
*this* interpreter (a kernel spec whose argv starts with ``python`` is resolved to
``sys.executable``), so running this module from ``.venv/bin/python`` runs the notebooks in the venv.

The notebooks read ``SEGMENTATION_ARTIFACTS_ROOT`` through the package's ``Settings``: the runner sets
it for the kernel, so an executed notebook writes into the folder it is given and never over the
user's artifacts. Needs the dev requirements (nbclient, nbformat, nbconvert, ipykernel).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

try:  # development tools, not runtime requirements
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
except ImportError as exc:  # pragma: no cover - the dev requirements install them
    raise ImportError(
        f"{exc.name} is not installed: the notebook tools need `pip install -r backend/requirements-dev.txt`"
    ) from exc

from . import atomic
from .config import BACKEND_DIR

NOTEBOOKS_DIR = BACKEND_DIR / "notebooks"
NOTEBOOKS: tuple[str, ...] = ("preprocessing.ipynb", "modeling.ipynb")
HTML_DIR = BACKEND_DIR / "reports" / "notebooks"
KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 300
ARTIFACTS_ENV = "SEGMENTATION_ARTIFACTS_ROOT"


class NotebookError(Exception):
    """A notebook failed to execute; the message names the notebook, the cell and the error."""


def notebook_paths(names: Sequence[str] = ()) -> list[Path]:
    """The stored notebooks (all of them by default); a bare name is looked up in NOTEBOOKS_DIR."""
    chosen = list(names) or list(NOTEBOOKS)
    return [Path(n) if Path(n).is_file() else NOTEBOOKS_DIR / n for n in chosen]


def cells_with_outputs(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of code cells that carry outputs or an execution count."""
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]


def strip_outputs(nb: nbformat.NotebookNode) -> bool:
    """Remove outputs, execution counts and execution timings in place; True when anything changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            changed = True
        cell.outputs = []
        cell.execution_count = None
        if cell.metadata.pop("execution", None) is not None:
            changed = True
    return changed


def strip_file(path: Path) -> bool:
    """Strip a notebook file in place (atomically); True when it changed."""
    nb = nbformat.read(path, as_version=4)
    if not strip_outputs(nb):
        return False
    atomic.write_text(path, nbformat.writes(nb) + "\n")
    return True


def execute(
    path: Path,
    *,
    artifacts_root: Path,
    env: Mapping[str, str] | None = None,
    timeout_s: int = CELL_TIMEOUT_S,
) -> nbformat.NotebookNode:
    """Execute ``path`` in a fresh python3 kernel; return the executed notebook (file untouched).

    The kernel's working directory is the notebook's folder and ``SEGMENTATION_ARTIFACTS_ROOT`` is
    ``artifacts_root``. Any cell error raises :class:`NotebookError` naming the cell.
    """
    nb = nbformat.read(path, as_version=4)
    kernel_env = {**os.environ, **(env or {}), ARTIFACTS_ENV: str(Path(artifacts_root).resolve())}
    client = NotebookClient(
        nb,
        timeout=timeout_s,
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    try:
        client.execute(env=kernel_env)
    except CellExecutionError as exc:
        cell = _failed_cell(nb)
        summary = f"{exc.ename}: {exc.evalue}" if getattr(exc, "ename", "") else str(exc).splitlines()[0]
        raise NotebookError(f"{path.name}: cell {cell} failed: {summary}") from exc
    except (CellTimeoutError, DeadKernelError) as exc:
        raise NotebookError(f"{path.name}: cell {_failed_cell(nb)} did not finish: {exc}") from exc
    return nb


def _failed_cell(nb: nbformat.NotebookNode) -> int | str:
    """Index of the first code cell with an error output (``?`` when none was recorded)."""
    for i, cell in enumerate(nb.cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i
    return "?"


def render_html(nb: nbformat.NotebookNode, target: Path) -> Path:
    """Render an executed notebook to a standalone HTML page (images inlined)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    atomic.write_text(target, body)
    return target


def run(
    paths: Sequence[Path], *, artifacts_root: Path, html_dir: Path | None, env: Mapping[str, str] | None = None
) -> list[Path]:
    """Execute each notebook (stopping at the first failure) and render it to ``html_dir``."""
    rendered = []
    for path in paths:
        nb = execute(path, artifacts_root=artifacts_root, env=env)
        if html_dir is not None:
            rendered.append(render_html(nb, Path(html_dir) / f"{path.stem}.html"))
    return rendered


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m customer_segmentation.notebooks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run_cmd = sub.add_parser("run", help="execute the notebooks and render them to HTML")
    run_cmd.add_argument("notebooks", nargs="*", help=f"notebook files or names (default: {', '.join(NOTEBOOKS)})")
    run_cmd.add_argument(
        "--artifacts-root",
        type=Path,
        default=HTML_DIR / "artifacts",
        help="folder the notebooks write into (default: %(default)s)",
    )
    run_cmd.add_argument("--html-dir", type=Path, default=HTML_DIR, help="where the HTML goes (default: %(default)s)")
    for name, text in (("check", "fail if a stored notebook holds outputs"), ("strip", "remove stored outputs")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("notebooks", nargs="*", help="notebook files or names (default: all)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = notebook_paths(args.notebooks)
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"error: notebook not found: {missing[0]}", file=sys.stderr)
        return 2
    if args.command == "check":
        dirty = {p: cells_with_outputs(nbformat.read(p, as_version=4)) for p in paths}
        for path, cells in dirty.items():
            if cells:
                print(f"{path}: cells {cells} hold outputs; run `make notebooks-strip`", file=sys.stderr)
        return 1 if any(dirty.values()) else 0
    if args.command == "strip":
        for path in paths:
            print(f"{path}: {'stripped' if strip_file(path) else 'already clean'}")
        return 0
    try:
        for html in run(paths, artifacts_root=args.artifacts_root, html_dir=args.html_dir):
            print(f"executed and rendered: {html}")
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
