"""The Spark engine's modules import one another without a cycle (issue 11 §5: spark/run ↔ spark/write).

Read statically (``ast``), so it runs in the default suite without pyspark; imports under
``if TYPE_CHECKING:`` count too, since they are how a cycle hides.
"""

from __future__ import annotations

import ast
from pathlib import Path

import customer_segmentation.engines.spark as package

FOLDER = Path(package.__file__).resolve().parent


def sibling_imports(path: Path) -> set[str]:
    """The modules of this package that ``path`` imports (``from . import x``, ``from .x import y``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_no_import_cycle_between_the_spark_modules() -> None:
    graph = {p.stem: sibling_imports(p) for p in FOLDER.glob("*.py") if p.stem != "__init__"}
    assert graph, FOLDER

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})) for nxt in graph.get(start, set())
        )

    cycles = sorted(module for module in graph if reaches(module, module))
    assert cycles == [], f"import cycle through {cycles}: {graph}"
    assert "run" not in graph["write"] and "write" in graph["run"]
