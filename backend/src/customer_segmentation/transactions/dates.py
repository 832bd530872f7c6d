"""The date format of an order-line export, read from its values — never guessed silently.

Candidates are *families*: a date part (``%m/%d/%Y``, ``%d/%m/%Y``, ``%Y-%m-%d``, …) with any of the
usual time parts (none, ``%H:%M``, ``%H:%M:%S``, ISO ``T``, fractions, ``%I:%M %p``). A value parses
when its whole text matches one of them and the year is within ``rules.MIN_YEAR``–``MAX_YEAR``.

The rule, over the distinct date texts:

* the family that parses the most values wins;
* two families parsing the most values (every day ≤ 12, so month-first and day-first both read every
  date) is ambiguous → :class:`DataError` asking for ``--date-format``;
* values the winner cannot read but another family can (``13/12/2010`` in a month-first file) mean
  the file mixes formats → :class:`DataError` asking for ``--date-format``;
* values no family reads (``#VALUE!``) are the lines' problem, counted as ``unparseable_date``.

An explicit format (a strptime pattern, or ``dmy``/``mdy``/``ymd``) is used as given; a date-only
pattern also accepts the usual time parts. Parsing is DuckDB's ``try_strptime``, so detection and
aggregation can never disagree; the Spark engine translates the chosen patterns (:func:`java_pattern`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, DataError
from .rules import MAX_YEAR, MIN_YEAR

#: Date parts, by family name. Pairs differing only in day/month order are what ambiguity is about.
DATE_PARTS: dict[str, str] = {
    "iso": "%Y-%m-%d",
    "ymd-slash": "%Y/%m/%d",
    "month-first": "%m/%d/%Y",
    "day-first": "%d/%m/%Y",
    "month-first-dash": "%m-%d-%Y",
    "day-first-dash": "%d-%m-%Y",
    "day-first-dot": "%d.%m.%Y",
    "month-first-2y": "%m/%d/%y",
    "day-first-2y": "%d/%m/%y",
    "day-first-dot-2y": "%d.%m.%y",
}
TIME_PARTS: tuple[str, ...] = (
    " %H:%M",
    " %H:%M:%S",
    "",
    "T%H:%M:%S",
    "T%H:%M",
    " %H:%M:%S.%f",
    "T%H:%M:%S.%f",
    " %I:%M %p",
    " %I:%M:%S %p",
)
ALIASES: dict[str, tuple[str, ...]] = {
    "mdy": ("month-first", "month-first-dash", "month-first-2y"),
    "dmy": ("day-first", "day-first-dash", "day-first-dot", "day-first-2y", "day-first-dot-2y"),
    "ymd": ("iso", "ymd-slash"),
}
ALIASES |= {"month-first": ALIASES["mdy"], "day-first": ALIASES["dmy"], "iso": ALIASES["ymd"]}
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%p", "%f")
NATIVE = "native timestamp"
#: The date part of a text: everything before the first space or "T" (the same regex in both engines).
DATE_PART_REGEX = "^[^ T]+"
_PART = DATE_PART_REGEX


@dataclass(frozen=True)
class DateFormat:
    """The patterns that read the date column (``native``: the column is already a date/timestamp)."""

    label: str
    patterns: tuple[str, ...] = ()
    native: bool = False


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parse_sql(expression: str, fmt: DateFormat) -> str:
    """SQL (DuckDB) reading ``expression`` as a TIMESTAMP with ``fmt``; NULL when it does not parse."""
    if fmt.native:
        value = f"CAST({expression} AS TIMESTAMP)"
    else:
        patterns = "[" + ", ".join(_literal(p) for p in fmt.patterns) + "]"
        value = f"try_strptime({expression}, {patterns})"
    return f"(CASE WHEN year({value}) BETWEEN {MIN_YEAR} AND {MAX_YEAR} THEN {value} END)"


def _family(name: str) -> DateFormat:
    part = DATE_PARTS[name]
    return DateFormat(part, tuple(part + t for t in TIME_PARTS))


def explicit_format(text: str) -> DateFormat:
    """``--date-format``: an alias or a strptime pattern (date-only patterns also take a time part)."""
    key = text.strip().lower()
    if key in ALIASES:
        patterns = tuple(p for name in ALIASES[key] for p in _family(name).patterns)
        return DateFormat(text.strip(), patterns)
    if "%" not in text:
        raise ConfigError(f"--date-format {text!r} is not a strptime pattern (e.g. %d/%m/%Y %H:%M) nor dmy/mdy/ymd")
    if any(d in text for d in _TIME_DIRECTIVES):
        return DateFormat(text, (text,))
    return DateFormat(text, tuple(text + t for t in TIME_PARTS))


def _swapped(name: str) -> str | None:
    """The family with day and month the other way round (month-first ↔ day-first), if any."""
    part = DATE_PARTS[name]
    other = part.replace("%m", "%§").replace("%d", "%m").replace("%§", "%d")
    return next((n for n, p in DATE_PARTS.items() if p == other and n != name), None)


def check_explicit(con: Any, values_sql: str, column: str, fmt: DateFormat) -> DateFormat:
    """An explicit format must read at least one value (else it is surely the wrong one)."""
    try:
        row = con.execute(
            f"SELECT count(*) FILTER (WHERE {parse_sql('v', fmt)} IS NOT NULL), min(v) FROM ({values_sql})"
        ).fetchone()
    except Exception as exc:  # duckdb: an invalid directive in the pattern
        raise ConfigError(f"--date-format {fmt.label!r} is not a valid pattern: {str(exc).splitlines()[0]}") from None
    parsed, example = (row or (0, None))[0], (row or (0, None))[1]
    if example is not None and not parsed:
        raise DataError(
            f"no value of the date column {column!r} matches --date-format {fmt.label!r} (e.g. {example!r})"
        )
    return fmt


def _date_only(name: str) -> DateFormat:
    return DateFormat(DATE_PARTS[name], (DATE_PARTS[name],))


def detect_date_format(con: Any, values_sql: str, column: str, *, conclusive: bool = True) -> DateFormat | None:
    """The family reading the distinct texts ``v`` of ``values_sql`` (a DuckDB query), by the rule above.

    The family is decided on the distinct DATE PARTS (the text before the first space or ``T``: a
    few hundred even for 100 M lines), then the time patterns in use from one example per shape of
    the full texts (digits replaced by 9). With ``conclusive=False`` (a sample of the file),
    ambiguity is not an error — the rest of the file may settle it — and ``None`` is returned;
    formats no value fits, or that conflict, still raise.
    """
    parts = f"SELECT DISTINCT regexp_extract(v, {_PART!r}) AS v FROM ({values_sql})"
    shapes = (
        f"SELECT regexp_replace(v, '[0-9]', '9', 'g') AS shape, min(v) AS lo, max(v) AS hi, count(*) AS n "
        f"FROM ({values_sql}) GROUP BY shape"
    )
    return detect_from(con, parts, shapes, column, conclusive=conclusive)


def detect_from(con: Any, parts: str, shapes: str, column: str, *, conclusive: bool = True) -> DateFormat | None:
    """:func:`detect_date_format` from its two summaries (DuckDB queries): the distinct date parts
    ``v``, and per shape of the full texts two examples and a count (``shape, lo, hi, n``). An
    engine that cannot run DuckDB over its data (Spark) computes these two small tables itself."""
    names = list(DATE_PARTS)
    parsed = {n: f"({parse_sql('v', _date_only(n))} IS NOT NULL)" for n in names}
    selects = [f"count(*) FILTER (WHERE {parsed[n]})" for n in names]
    row = con.execute(f"SELECT count(*), min(v), {', '.join(selects)} FROM ({parts})").fetchone()
    total, example, counts = row[0], row[1], dict(zip(names, row[2:], strict=True))
    if not total:
        raise DataError(f"the date column {column!r} has no values")
    best = max(counts.values())
    if best == 0:
        raise DataError(
            f"no value of the date column {column!r} is a date in a known format (e.g. {example!r}): "
            "give --date-format (a strptime pattern such as %d/%m/%Y %H:%M)"
        )
    winners = [n for n in names if counts[n] == best]
    winner = winners[0]
    for other in names:
        if other == winner or not counts[other]:
            continue
        clash = con.execute(f"SELECT min(v) FROM ({parts}) WHERE {parsed[other]} AND NOT {parsed[winner]}").fetchone()
        if clash is not None and clash[0] is not None:
            kind = "month-first and day-first" if _swapped(winner) == other else "in more than one format"
            raise DataError(
                f"dates in {column!r} are written {kind} ({DATE_PARTS[winner]}, and {DATE_PARTS[other]} as in "
                f"{clash[0]!r}): give --date-format to choose one (lines in the other are then counted unparseable)"
            )
    if len(winners) > 1:  # they read exactly the same values (else the loop above raised)
        if not conclusive:
            return None
        shown = con.execute(f"SELECT min(v) FROM ({parts}) WHERE {parsed[winner]}").fetchone()[0]
        readings = " and ".join(DATE_PARTS[n] for n in winners)
        raise DataError(
            f"dates in {column!r} read both as {readings} (e.g. {shown!r}): give --date-format "
            f"(mdy or dmy, or a pattern such as {DATE_PARTS[winner]})"
        )
    return _time_patterns(con, shapes, _family(winner))


def _time_patterns(con: Any, shapes_sql: str, family: DateFormat) -> DateFormat:
    """The family's patterns that read an example of some shape of the texts, most values first."""
    shapes = con.execute(f"SELECT lo, hi, n FROM ({shapes_sql}) ORDER BY n DESC, shape").fetchall()
    weight: dict[str, int] = {}
    for lo, hi, n in shapes:
        for pattern in family.patterns:
            one = DateFormat(pattern, (pattern,))
            row = con.execute(
                f"SELECT coalesce({parse_sql('$lo', one)}, {parse_sql('$hi', one)})", {"lo": lo, "hi": hi}
            )
            if (found := row.fetchone()) is not None and found[0] is not None:
                weight[pattern] = weight.get(pattern, 0) + int(n)
                break
    patterns = tuple(sorted(weight, key=lambda p: (-weight[p], family.patterns.index(p))))
    return DateFormat(" | ".join(patterns), patterns or family.patterns)


_JAVA = {
    "%Y": "yyyy",
    "%y": "yy",
    "%m": "M",
    "%d": "d",
    "%H": "H",
    "%I": "h",
    "%M": "mm",
    "%S": "ss",
    "%f": "SSSSSS",
    "%p": "a",
    "%b": "MMM",
    "%B": "MMMM",
    "%%": "%",
}


def java_pattern(pattern: str) -> str:
    """A strptime pattern as a Spark/Java datetime pattern (letters quoted); ConfigError if untranslatable."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "%":
            token = pattern[i : i + 2]
            if token not in _JAVA:
                raise ConfigError(f"date pattern {pattern!r}: {token!r} has no Spark equivalent")
            out.append(_JAVA[token])
            i += 2
            continue
        char = pattern[i]
        out.append(f"'{char}'" if char.isalpha() else ("''" if char == "'" else char))
        i += 1
    return "".join(out)
