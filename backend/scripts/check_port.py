"""``python3 backend/scripts/check_port.py HOST PORT``: is the port free for the API? (stdlib only)

``make run`` calls it before any set-up, so a busy port is reported in a second, not after minutes of
installing and training. It binds the port the way uvicorn will (SO_REUSEADDR, IPv4 or IPv6) and
releases it at once. Exit 0 when free; 2 with one line saying how to pick another port otherwise.
"""

from __future__ import annotations

import os
import socket
import sys


def port_problem(host: str, port: int) -> str | None:
    """Why uvicorn could not listen on ``host:port``, or None when it could."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.create_server((host, port), family=family).close()
    except OSError as exc:
        return os.strerror(exc.errno) if exc.errno else str(exc)
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit() or not 0 < int(argv[1]) < 65536:
        print(f"error: PORT must be a number from 1 to 65535 (got {' '.join(argv[1:]) or 'nothing'})")
        return 2
    host, port = argv[0], int(argv[1])
    problem = port_problem(host, port)
    if problem is None:
        return 0
    print(f"error: cannot serve on {host}:{port} ({problem}): choose another port with `make run PORT={port + 1}`")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
