"""Run a mockint command in this process and die by SIGKILL at a chosen moment.

    python faulty.py FAULT COUNTS_FILE -- [mockint arguments...]

FAULT is `stmt:K` (kill as the K-th SQL statement starts), `vm:K` (kill at the K-th progress
callback, every 500 virtual-machine steps: inside long statements such as an index rebuild),
`fsize:BYTES` (no file may grow past BYTES: writes fail as on a full disk) or `none`.
COUNTS_FILE receives how many statements and progress callbacks ran, so a first run with
`none` measures the whole operation and the test can spread kill points over it.

Every connection mockint opens is hooked (`sqlite3.connect` is wrapped), so the kill lands in
the real code path: the store's own transactions, the real file, a real process dying.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import signal
import sqlite3
import sys

PROGRESS_STEPS = 500


def main() -> None:
    fault, counts_file = sys.argv[1], sys.argv[2]
    args = sys.argv[sys.argv.index("--") + 1 :]
    kind, _, value = fault.partition(":")
    limit = int(value) if value else 0
    counts = {"stmt": 0, "vm": 0}

    def save() -> None:
        with open(counts_file, "w") as handle:
            json.dump(counts, handle)

    atexit.register(save)

    if kind == "fsize":
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    original = sqlite3.connect

    def connect(*a: object, **kw: object) -> sqlite3.Connection:
        conn = original(*a, **kw)

        def trace(_sql: str) -> None:
            counts["stmt"] += 1
            if kind == "stmt" and counts["stmt"] == limit:
                os.kill(os.getpid(), signal.SIGKILL)

        def progress() -> int:
            counts["vm"] += 1
            if kind == "vm" and counts["vm"] == limit:
                os.kill(os.getpid(), signal.SIGKILL)
            return 0

        conn.set_trace_callback(trace)
        conn.set_progress_handler(progress, PROGRESS_STEPS)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]
    from mockint.cli import main as mockint_main

    try:
        mockint_main(args)
    finally:
        save()


if __name__ == "__main__":
    main()
