"""Progress output: every stage is announced with its elapsed time, the k sweep reports each k, and
``--quiet`` prints none of it."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from customer_segmentation.config import PROJECT_ROOT
from customer_segmentation.pipeline import RunConfig, train
from customer_segmentation.progress import ConsoleProgress, SilentProgress
from customer_segmentation.synth import write_table

STAGES = (
    "Cleaning and validating",
    "Scaling features",
    "Choosing k by silhouette",
    "Fitting K-Means",
    "Measuring silhouette per segment and bootstrap stability",
    "Profiling segments",
)
DONE = re.compile(r"^✓ (?P<name>.+) \((?P<seconds>\d+\.\d\d) s\)$")


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=False, width=300, highlight=False), buffer


def test_stage_lines_have_a_start_an_end_and_the_elapsed_time() -> None:
    console, buffer = _console()
    progress = ConsoleProgress(console)
    with progress.stage("Doing a thing"):
        pass
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "→ Doing a thing …"
    match = DONE.match(lines[1])
    assert match and match["name"] == "Doing a thing"
    assert float(match["seconds"]) == round(progress.timings["Doing a thing"], 2)


def test_a_failing_stage_is_timed_but_not_marked_done() -> None:
    console, buffer = _console()
    progress = ConsoleProgress(console)
    try:
        with progress.stage("Breaking"):
            raise ValueError("boom")
    except ValueError:
        pass
    assert "Breaking" in progress.timings
    assert "✓" not in buffer.getvalue()


def test_training_reports_every_stage_and_every_k(blobs_frame) -> None:
    console, buffer = _console()
    data = blobs_frame(3, n_per=30, seed=1).drop(columns=["true_group"])
    train(data, RunConfig(bootstrap_resamples=2), ConsoleProgress(console))
    out = buffer.getvalue()
    done = [m["name"] for m in map(DONE.match, out.splitlines()) if m]
    for stage in STAGES:
        assert any(name.startswith(stage) for name in done), (stage, out)
    steps = re.findall(r"k sweep (\d+)/9: k=(\d+) silhouette -?\d\.\d{4} \(\d+\.\d\d s\)", out)
    assert [int(k) for _, k in steps] == list(range(2, 11))
    assert [int(i) for i, _ in steps] == list(range(1, 10))


def test_silent_progress_prints_nothing_but_keeps_timings(blobs_frame, capsys) -> None:
    progress = SilentProgress()
    train(blobs_frame(3, n_per=30).drop(columns=["true_group"]), RunConfig(bootstrap_resamples=2), progress)
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""
    assert any(name.startswith("Choosing k") for name in progress.timings)


def test_cli_prints_progress_on_stderr_and_nothing_with_quiet(tmp_path: Path) -> None:
    data = write_table(tmp_path / "customers.csv", 400, seed=2)
    main = PROJECT_ROOT / "backend" / "src" / "main.py"

    def cli(*extra: str) -> subprocess.CompletedProcess[str]:
        args = [sys.executable, str(main), "--data", str(data), "--output-root", str(tmp_path / "out")]
        args += ["--bootstrap", "2", "--k-max", "4", *extra]
        return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)

    loud = cli()
    assert loud.returncode == 0, loud.stderr
    for stage in ("Loading data", *STAGES, "Rendering figures and report", "Writing artifacts"):
        assert re.search(rf"^✓ {re.escape(stage)}.* \(\d+\.\d\d s\)$", loud.stderr, re.M), stage
    quiet = cli("--quiet")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert "Chosen k" in quiet.stdout
