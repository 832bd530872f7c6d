"""The command line as a user meets it: results on success, one-line errors and untouched artifacts on failure."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from customer_segmentation.config import PROJECT_ROOT

MAIN = PROJECT_ROOT / "backend" / "src" / "main.py"


def cli(*args: str, cwd: Path = PROJECT_ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MAIN), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_help_documents_the_options() -> None:
    done = cli("--help")
    assert done.returncode == 0
    for option in ("--data", "--k ", "--k-min", "--k-max", "--features", "--random-state", "--quiet"):
        assert option in done.stdout


def test_success_prints_the_result_table(previous_run: Path) -> None:
    assert (previous_run / "models" / "clustering_model.pkl").is_file()


def test_progress_goes_to_stderr_and_results_to_stdout(tmp_path: Path, mall_csv: Path) -> None:
    done = cli("--data", str(mall_csv), "--output-root", str(tmp_path), "--k", "4", "--bootstrap", "2")
    assert done.returncode == 0, done.stderr
    assert "Chosen k = 4" in done.stdout and "silhouette" in done.stdout
    assert "✓ Choosing k by silhouette" in done.stderr


def _bad_inputs(tmp: Path, write: bool = True) -> dict[str, tuple[list[str], str]]:
    if write:
        _write_bad_files(tmp)
    return {
        "missing file": (["--data", str(tmp / "absent.csv")], "input file not found"),
        "missing column": (["--data", str(tmp / "no_spending.csv")], "required column 'spending_score' is missing"),
        "binary file": (["--data", str(tmp / "image.csv")], "binary"),
        "empty file": (["--data", str(tmp / "empty.csv")], "empty"),
        "nothing usable": (["--data", str(tmp / "all_bad.csv")], "no usable rows"),
        "bad k range": (["--k-min", "6", "--k-max", "3"], "--k-max (3) must not be below --k-min (6)"),
        "unknown feature": (["--features", "age,height"], "unknown feature 'height'"),
        "k too small": (["--k", "1"], "--k must be at least 2"),
    }


def _write_bad_files(tmp: Path) -> None:
    (tmp / "no_spending.csv").write_text("CustomerID,Gender,Age,Annual Income (k$)\n1,Male,19,15\n")
    (tmp / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "all_bad.csv").write_text("CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n1,x,a,b,c\n")


@pytest.mark.parametrize("case", list(_bad_inputs(Path("/nonexistent"), write=False)))
def test_bad_input_exits_2_with_one_line_and_touches_nothing(
    case: str, previous_run: Path, tmp_path: Path, mall_csv: Path, snapshot: Callable[[Path], dict[str, str]]
) -> None:
    args, message = _bad_inputs(tmp_path)[case]
    if "--data" not in args:
        args = [*args, "--data", str(mall_csv)]
    before = snapshot(previous_run)
    done = cli(*args, "--output-root", str(previous_run), "--quiet")
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert message in lines[0]
    assert "Traceback" not in done.stderr
    assert snapshot(previous_run) == before


def test_usage_error_is_exit_2() -> None:
    done = cli("--k-min", "two")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_out_of_range_seed_and_unusable_output_root_are_usage_errors(tmp_path: Path) -> None:
    done = cli("--random-state", "-1", "--output-root", str(tmp_path))
    assert done.returncode == 2 and "--random-state" in done.stderr
    afile = tmp_path / "afile"
    afile.write_text("x")
    done = cli("--output-root", str(afile))
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: --output-root {afile} is not a folder"


def test_reproduce_line_carries_every_non_default_option(tmp_path: Path, mall_csv: Path) -> None:
    done = cli(
        "--data",
        str(mall_csv),
        "--output-root",
        str(tmp_path),
        "-q",
        "--n-init",
        "11",
        "--bootstrap",
        "3",
        "--k-max",
        "5",
    )
    assert done.returncode == 0, done.stderr
    summary = (tmp_path / "reports" / "summary.txt").read_text()
    assert "--n-init 11" in summary and "--bootstrap 3" in summary and "--k-max 5" in summary
