"""Date formats are read from the values; ambiguity and mixtures are refused, never guessed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from customer_segmentation.errors import ConfigError, DataError
from customer_segmentation.transactions.dates import (
    DateFormat,
    check_explicit,
    detect_date_format,
    explicit_format,
    java_pattern,
)
from customer_segmentation.transactions.duck import connect


@pytest.fixture
def con() -> Iterator[Any]:
    with connect() as connection:
        yield connection


def detect(con: Any, values: list[str], conclusive: bool = True) -> DateFormat | None:
    con.execute("CREATE OR REPLACE TEMP TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    return detect_date_format(con, "SELECT DISTINCT v FROM t", "InvoiceDate", conclusive=conclusive)


@pytest.mark.parametrize(
    ("values", "patterns"),
    [
        (["12/1/2010 8:26", "12/13/2010 16:05"], ("%m/%d/%Y %H:%M",)),
        (["1/12/2010 8:26", "13/12/2010 16:05"], ("%d/%m/%Y %H:%M",)),
        (["2010-12-01 08:26:00", "2010-12-13T16:05:00"], ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")),
        (["2010-12-01", "2010-12-13"], ("%Y-%m-%d",)),
        (["12/13/2010", "12/1/2010 8:26", "12/2/2010 9:00"], ("%m/%d/%Y %H:%M", "%m/%d/%Y")),
        (["12/13/2010 8:26 PM", "1/2/2011 11:05 AM"], ("%m/%d/%Y %I:%M %p",)),
        (["13.12.2010 08:26", "01.02.2011 10:00"], ("%d.%m.%Y %H:%M",)),
        (["12/13/10", "1/2/11"], ("%m/%d/%y",)),
        (["2010-12-13 08:26:00.123", "#VALUE!", "2011-01-02 00:00:00.5"], ("%Y-%m-%d %H:%M:%S.%f",)),
    ],
)
def test_formats_are_detected(con: Any, values: list[str], patterns: tuple[str, ...]) -> None:
    fmt = detect(con, values)
    assert fmt is not None and fmt.patterns == patterns
    assert fmt.label == " | ".join(patterns)


def test_every_day_at_most_12_is_ambiguous(con: Any) -> None:
    with pytest.raises(DataError, match=r"%m/%d/%Y and %d/%m/%Y.*--date-format"):
        detect(con, ["12/1/2010 8:26", "12/9/2010 9:00", "1/12/2011 10:00"])
    assert detect(con, ["12/1/2010 8:26"], conclusive=False) is None


def test_month_first_and_day_first_in_one_file_is_refused(con: Any) -> None:
    with pytest.raises(DataError, match=r"month-first and day-first.*'13/1/2011"):
        detect(con, ["12/13/2010 8:26", "12/14/2010 9:00", "13/1/2011 10:00"])


def test_two_formats_in_one_file_are_refused(con: Any) -> None:
    with pytest.raises(DataError, match=r"more than one format"):
        detect(con, ["12/13/2010 8:26", "2011-01-02 10:00:00"])


def test_values_no_format_reads_are_left_to_the_line_counts(con: Any) -> None:
    fmt = detect(con, ["12/13/2010 8:26", "#VALUE!", "0/0/0000 0:00", "12/1/2010 25:99"])
    assert fmt is not None and fmt.patterns == ("%m/%d/%Y %H:%M",)


def test_two_digit_years_are_not_the_year_10(con: Any) -> None:
    with pytest.raises(DataError, match=r"more than one format.*%m/%d/%y as in '12/1/10"):
        detect(con, ["12/13/2010 8:26", "12/1/10 8:26"])


def test_nothing_parses(con: Any) -> None:
    with pytest.raises(DataError, match=r"no value of the date column 'InvoiceDate'"):
        detect(con, ["soon", "later"])


def test_explicit_formats(con: Any) -> None:
    assert explicit_format("%d/%m/%Y").patterns[0] == "%d/%m/%Y %H:%M"  # a date-only pattern takes a time part
    assert explicit_format("%d/%m/%Y %H:%M").patterns == ("%d/%m/%Y %H:%M",)
    assert all(p.startswith("%d") for p in explicit_format("day-first").patterns)
    with pytest.raises(ConfigError, match=r"not a strptime pattern"):
        explicit_format("DD/MM/YYYY")
    con.execute("CREATE OR REPLACE TEMP TABLE t AS SELECT '12/13/2010 8:26' AS v")
    with pytest.raises(DataError, match=r"matches --date-format"):
        check_explicit(con, "SELECT v FROM t", "InvoiceDate", explicit_format("%d/%m/%Y"))
    with pytest.raises(ConfigError, match=r"not a valid pattern"):
        check_explicit(con, "SELECT v FROM t", "InvoiceDate", DateFormat("%Q", ("%Q",)))


def test_java_patterns() -> None:
    assert java_pattern("%m/%d/%Y %H:%M") == "M/d/yyyy H:mm"
    assert java_pattern("%Y-%m-%dT%H:%M:%S.%f") == "yyyy-M-d'T'H:mm:ss.SSSSSS"
    assert java_pattern("%m/%d/%Y %I:%M %p") == "M/d/yyyy h:mm a"
    with pytest.raises(ConfigError):
        java_pattern("%j")
