"""``--engine spark`` on the command line: user errors are one line and exit code 2."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from customer_segmentation import cli

from .marks import SPARK


def test_missing_pyspark_is_a_one_line_error(
    tmp_path: Path, mall_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs in the default suite (no Spark needed): pyspark is hidden from the import system."""
    real_import = builtins.__import__

    def no_pyspark(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pyspark" or name.startswith("pyspark."):
            raise ModuleNotFoundError("No module named 'pyspark'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    code = cli.main(["--engine", "spark", "--data", str(mall_csv), "--output-root", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0
    assert "pip install -r backend/requirements-spark.txt" in err
    assert not (tmp_path / "models").exists()


def test_unknown_engine_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--engine", "flink"]) == 2
    assert "flink" in capsys.readouterr().err


@pytest.mark.parametrize("master", ["bogus://x", "local[two]", "spark:/host"])
def test_malformed_master_is_refused_before_any_jvm(
    master: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs in the default suite: the URL is checked before pyspark or Java is touched."""
    code = cli.main(["--engine", "spark", "--spark-master", master, "--output-root", str(tmp_path), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "is not a Spark master URL" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--spark-conf", "no-equals-sign"], "--spark-conf expects KEY=VALUE"),
        (["--data", "{missing}"], "input file not found"),
        (["--data", "{no_age}"], "required column 'age' is missing"),
    ],
    ids=["bad-conf", "missing-file", "missing-column"],
)
@SPARK[0]
@SPARK[1]
def test_user_errors_exit_2_with_one_line(
    spark: Any, tmp_path: Path, mall_csv: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    no_age = tmp_path / "no_age.csv"
    pd.read_csv(mall_csv).drop(columns=["Age"]).to_csv(no_age, index=False)
    args = [a.format(missing=tmp_path / "nope.csv", no_age=no_age) for a in args]
    out = tmp_path / "out"
    code = cli.main(["--engine", "spark", "--spark-master", "local[2]", "--output-root", str(out), "-q", *args])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert message in err
    assert err.count("\n") == 0
    assert not (out / "models" / "model_card.json").exists()
