"""Stage-by-stage progress lines with elapsed time, on stderr (stdout stays for results).

``--quiet`` swaps in :class:`SilentProgress`; library callers (tests, notebooks, the API) get the
silent one by default.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from rich.console import Console


class SilentProgress:
    """Records stage timings without printing anything."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        self._started(name)
        try:
            yield
        finally:
            self.timings[name] = time.perf_counter() - start
        self._finished(name, self.timings[name])

    def _started(self, name: str) -> None:
        pass

    def _finished(self, name: str, seconds: float) -> None:
        pass


class ConsoleProgress(SilentProgress):
    """Prints ``→ stage …`` when a stage starts and ``✓ stage (1.23 s)`` when it ends."""

    def __init__(self, console: Console | None = None) -> None:
        super().__init__()
        self.console = console or Console(stderr=True, highlight=False)

    def _started(self, name: str) -> None:
        self.console.print(f"[dim]→ {name} …[/dim]")

    def _finished(self, name: str, seconds: float) -> None:
        self.console.print(f"[green]✓[/green] {name} [dim]({seconds:.2f} s)[/dim]")
