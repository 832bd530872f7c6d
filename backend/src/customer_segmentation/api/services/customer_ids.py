"""What a customer id sent for scoring may be: the one rule for every input path.

An id is only echoed back (so batch results can be joined), but an unbounded one costs the server
and the client: a 4,000-digit integer or ``1e308`` (an integral float, 309 digits once converted)
used to be echoed in full, while string ids were capped at 64 characters. Both are capped now:

* a string of 1 to :data:`MAX_ID_CHARS` characters;
* an integer (or an integral JSON number such as ``10.0``) of at most :data:`MAX_ID_DIGITS` digits —
  the range of a signed 64-bit database key; longer numeric ids can be sent as strings.
"""

from __future__ import annotations

import math

MAX_ID_CHARS = 64
MAX_ID_DIGITS = 18
MAX_INT_ID = 10**MAX_ID_DIGITS - 1


def id_problem(value: object) -> tuple[str, str] | None:
    """Why ``value`` cannot be a customer id — ``(message, error type)`` — or None when it can."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "customer_id must be a string or an integer, not a boolean", "id_type"
    if isinstance(value, str):
        if not 1 <= len(value) <= MAX_ID_CHARS:
            return f"customer_id must have 1 to {MAX_ID_CHARS} characters (it has {len(value):,})", "id_too_long"
        return None
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            return "customer_id must be a string or a whole number", "id_type"
        if abs(value) > MAX_INT_ID:
            return f"customer_id must have at most {MAX_ID_DIGITS} digits (send longer ids as text)", "id_too_long"
        return None
    if isinstance(value, int):
        if abs(value) > MAX_INT_ID:
            return f"customer_id must have at most {MAX_ID_DIGITS} digits (send longer ids as text)", "id_too_long"
        return None
    return "customer_id must be a string or an integer", "id_type"


def id_text(value: object) -> str | None:
    """The id as echoed back (``10.0`` → ``"10"``); call only on values :func:`id_problem` accepts."""
    if value is None:
        return None
    if isinstance(value, float):
        return str(int(value))
    return str(value)
