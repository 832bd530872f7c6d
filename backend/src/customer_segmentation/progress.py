"""Stage-by-stage progress lines with elapsed time, on stderr (stdout stays for results).

Every stage that can take more than a second on a large table (loading, cleaning, the k sweep,
fitting, stability, rendering, writing) is wrapped in :meth:`SilentProgress.stage`; the k sweep also
reports each k as it is scored (:meth:`SilentProgress.steps`) — a live bar on a terminal, one line
per step otherwise (logs, CI). ``--quiet`` swaps in :class:`SilentProgress`; library callers (tests,
notebooks, the API) get the silent one by default. Timings are kept either way (the benchmark reads
them from :attr:`SilentProgress.timings`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: Called once per finished step with a short description of it (e.g. "k=4 silhouette 0.41").
Advance = Callable[[str], None]


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

    @contextlib.contextmanager
    def steps(self, total: int, description: str) -> Iterator[Advance]:
        """Yield an ``advance(detail)`` callable to call after each of ``total`` steps."""
        yield lambda detail: None

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

    @contextlib.contextmanager
    def steps(self, total: int, description: str) -> Iterator[Advance]:
        if not self.console.is_terminal:  # logs and CI: one plain line per step, with elapsed time
            start = time.perf_counter()
            done = 0

            def line(detail: str) -> None:
                nonlocal done
                done += 1
                elapsed = time.perf_counter() - start
                self.console.print(f"[dim]  {description} {done}/{total}: {detail} ({elapsed:.2f} s)[/dim]")

            yield line
            return
        columns = (
            TextColumn("  {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("[dim]{task.fields[detail]}"),
        )
        with Progress(*columns, console=self.console, transient=True) as bar:
            task = bar.add_task(description, total=total, detail="")
            yield lambda detail: bar.update(task, advance=1, detail=detail)
