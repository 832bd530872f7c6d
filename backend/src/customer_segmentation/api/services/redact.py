"""Keep the server's file system out of what the API says: paths go to the log, not to clients.

An unauthenticated ``/health`` or a 503 used to read "no model card at /srv/app/backend/models/…",
and ``/model``'s reproduce line showed where the trainer kept its data. The reasons stay useful
without the layout of the machine:

* a path under a known folder (the artifacts root, the project) is shown relative to it
  (``models/model_card.json``);
* any other absolute path is shown as its file name (``/home/ana/exports/q3.csv`` → ``q3.csv``).
  Only paths whose first component exists at ``/`` count as paths, so a route like
  ``POST /model/reload`` in a message is left alone.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ...config import PROJECT_ROOT

_ABSOLUTE = re.compile(r"(?<![\w.:/~$-])/[\w.@+-]+(?:/[\w.@+-]+)*")
#: Options of the reproduce line whose value is a local path.
PATH_OPTIONS = ("--data",)


@lru_cache(maxsize=1)
def _top_level() -> frozenset[str]:
    try:
        return frozenset(os.listdir("/"))
    except OSError:  # pragma: no cover - an unreadable root
        return frozenset()


def _prefixes(roots: Iterable[Path]) -> list[str]:
    """Each root as text, unresolved and resolved, longest first (a nested root wins)."""
    texts = {str(root) for root in roots} | {str(root.resolve()) for root in roots}
    return sorted((t.rstrip("/") for t in texts if t not in ("", "/")), key=len, reverse=True)


def public_text(text: str, roots: Iterable[Path] = ()) -> str:
    """``text`` with every absolute path made relative to a known root, or cut to its file name."""
    known = _prefixes([*roots, PROJECT_ROOT])

    def replace(match: re.Match[str]) -> str:
        path = match.group(0)
        for prefix in known:
            if path == prefix:
                return Path(prefix).name or "."
            if path.startswith(prefix + "/"):
                return path[len(prefix) + 1 :]
        first = path.lstrip("/").split("/", 1)[0]
        if first not in _top_level():
            return path  # a route or other text, not a file of this machine
        return Path(path).name or path

    return _ABSOLUTE.sub(replace, text)


def public_path(value: str) -> str:
    """A local path for the reproduce line: relative to the project when inside it, else its name."""
    if not value or not os.path.isabs(value):
        return value
    path = Path(value)
    for root in (PROJECT_ROOT, PROJECT_ROOT.resolve()):
        if path.is_relative_to(root):
            return str(path.relative_to(root))
    return path.name


def public_command(command: str) -> str:
    """The reproduce line with ``--data /abs/path`` shown as ``--data backend/data/…`` or ``--data name.csv``."""
    try:
        args = shlex.split(command)
    except ValueError:
        return public_text(command)
    out: list[str] = []
    expect_path = False
    for arg in args:
        if expect_path:
            out.append(public_path(arg))
            expect_path = False
        elif arg in PATH_OPTIONS:
            out.append(arg)
            expect_path = True
        elif arg.split("=", 1)[0] in PATH_OPTIONS and "=" in arg:
            option, value = arg.split("=", 1)
            out.append(f"{option}={public_path(value)}")
        else:
            out.append(arg)
    return shlex.join(out)


_REPRODUCE_LINE = re.compile(r"^(?P<indent>\s*)(?P<command>python\S* \S*main\.py\b.*)$", re.MULTILINE)


def public_report(text: str) -> str:
    """A text report with its reproduce line(s) made public (see :func:`public_command`)."""
    return _REPRODUCE_LINE.sub(lambda m: m["indent"] + public_command(m["command"]), text)
