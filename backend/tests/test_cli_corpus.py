"""The bad-input corpus through the CLI: each file ends in a one-line error (exit 2, nothing touched)
or in a cleaned result whose problems are reported — never a traceback."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from customer_segmentation.cli import main

CORPUS = Path(__file__).parent / "corpus"

REJECTED = {
    "empty.csv": "input file is empty",
    "header_only.csv": "no usable rows",
    "binary_garbage.csv": "not a CSV text file (it contains binary data)",
    "wrong_delimiter_colon.csv": "required column 'age' is missing",
    "no_header.csv": "required column 'age' is missing",
    "duplicated_column.csv": "duplicate column 'age'",
    "text_column.csv": "column 'spending_score' has no usable values",
    "extra_fields.csv": "has rows with more fields than its header",
}
#: Accepted files, and a cleaning step each must report (None: the file is clean).
ACCEPTED = {
    "crlf_line_endings.csv": None,
    "semicolon_delimiter.csv": None,
    "utf8_bom.csv": None,
    "latin1.csv": None,
    "quoted_newlines.csv": None,
    "very_wide.csv": None,
    "trailing_delimiter.csv": None,
    "duplicated_header_row.csv": "not_a_number",
    "enormous_numbers.csv": "out_of_range",
    "negative_and_nan.csv": "out_of_range",
    "mixed_valid_and_invalid.csv": "out_of_range",
}


def test_corpus_is_fully_covered() -> None:
    assert {p.name for p in CORPUS.glob("*.csv")} == set(REJECTED) | set(ACCEPTED)


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_files(
    name: str, previous_run: Path, capsys: pytest.CaptureFixture[str], snapshot: Callable[[Path], dict[str, str]]
) -> None:
    before = snapshot(previous_run)
    code = main(["--data", str(CORPUS / name), "--output-root", str(previous_run), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert REJECTED[name] in err
    assert snapshot(previous_run) == before


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_files_are_cleaned_and_reported(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--data", str(CORPUS / name), "--output-root", str(tmp_path), "-q", "--bootstrap", "2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    quality = json.loads((tmp_path / "reports" / "data_quality.json").read_text())
    steps = {action["step"] for action in quality["actions"]}
    expected = ACCEPTED[name]
    if expected is None:
        assert not steps & {"not_a_number", "out_of_range", "missing_marker", "too_sparse"}
    else:
        assert expected in steps
    assert quality["rows_out"] >= 3
