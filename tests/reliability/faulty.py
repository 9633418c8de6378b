"""Run a mockint command in a process of its own and die by SIGKILL at a chosen moment.

    python faulty.py FAULT COUNTS_FILE -- [mockint arguments...]
    python faulty.py --serve

FAULT is `stmt:K` (kill as the K-th SQL statement starts), `vm:K` (kill at the K-th progress
callback, every 500 virtual-machine steps: inside long statements such as an index rebuild),
`fsize:BYTES` (no file may grow past BYTES: writes fail as on a full disk) or `none`.
COUNTS_FILE receives how many statements and progress callbacks ran, so a first run with
`none` measures the whole operation and the test can spread kill points over it.

Every connection mockint opens is hooked (`sqlite3.connect` is wrapped), so the kill lands in
the real code path: the store's own transactions, the real file, a real process dying.

`--serve` is what the tests use (FaultServer below): one process imports mockint once, then
forks a fresh child per run, so a test can kill dozens of real processes at dozens of moments
without paying the interpreter's start-up and mockint's imports each time. Nothing has opened
a database in the server when it forks: each child starts as a new `python -m mockint` would,
only with its imports already done.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import queue
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PROGRESS_STEPS = 500
# what the hooked connections count and when they kill: set in each run before the command
_fault: dict[str, Any] = {"kind": "none", "limit": 0, "counts": {"stmt": 0, "vm": 0}}


def _hook_connections() -> None:
    original = sqlite3.connect

    def connect(*a: Any, **kw: Any) -> sqlite3.Connection:
        conn = original(*a, **kw)
        counts = _fault["counts"]

        def trace(_sql: str) -> None:
            counts["stmt"] += 1
            if _fault["kind"] == "stmt" and counts["stmt"] == _fault["limit"]:
                os.kill(os.getpid(), signal.SIGKILL)

        def progress() -> int:
            counts["vm"] += 1
            if _fault["kind"] == "vm" and counts["vm"] == _fault["limit"]:
                os.kill(os.getpid(), signal.SIGKILL)
            return 0

        conn.set_trace_callback(trace)
        conn.set_progress_handler(progress, PROGRESS_STEPS)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]


def _arm(fault: str, counts_file: str) -> None:
    """Set this process's fault and make sure the counts are written however it ends
    (except by SIGKILL, which is the point)."""
    kind, _, value = fault.partition(":")
    _fault.update(kind=kind, limit=int(value) if value else 0, counts={"stmt": 0, "vm": 0})

    def save() -> None:
        with open(counts_file, "w") as handle:
            json.dump(_fault["counts"], handle)

    atexit.register(save)
    if kind == "fsize":
        resource.setrlimit(resource.RLIMIT_FSIZE, (_fault["limit"], _fault["limit"]))


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    fault, counts_file = sys.argv[1], sys.argv[2]
    args = sys.argv[sys.argv.index("--") + 1 :]
    _hook_connections()
    _arm(fault, counts_file)
    from mockint.cli import main as mockint_main

    mockint_main(args)


# the fork server ---------------------------------------------------------------------------


def serve() -> None:
    """Read one JSON request a line from stdin ({fault, counts, args, stdout, stderr, env}), run
    each in a forked child; answer each with {"pid": N} at once, then {"returncode": N} (-9
    when killed)."""
    _hook_connections()
    cli = importlib.import_module("mockint.cli.main")  # mockint.cli.main is also a function
    for module in sorted(set(cli.COMMAND_MODULES.values())):
        importlib.import_module(module)
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)  # never returns
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)


def _child(request: dict[str, Any]) -> None:
    code = 1
    try:
        with open(os.devnull, "rb") as null:
            os.dup2(null.fileno(), 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            with open(path, "wb") as sink:
                os.dup2(sink.fileno(), fd)
        sys.stdin = open(os.devnull)  # noqa: SIM115 - the process ends with the command
        os.environ.clear()  # the test's environment, as subprocess.run would pass it
        os.environ.update(request["env"])
        time.tzset()
        _arm(request["fault"], request["counts"])
        from mockint.cli import main as mockint_main

        try:
            mockint_main(request["args"])
            code = 0
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
        atexit._run_exitfuncs()  # the counts, as a normal exit would write them
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


class FaultServer:
    """The test side of `faulty.py --serve`: `run()` returns what `subprocess.run` would.
    `prefix` runs the server under another command (e.g. `unshare` for a mount namespace of
    its own, which every child then shares)."""

    def __init__(self, folder: Path, prefix: Sequence[str] = ()) -> None:
        self.folder = folder
        self.runs = 0
        self.process = subprocess.Popen(
            [*prefix, sys.executable, __file__, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self._read(60)  # ready: mockint is imported

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put("")  # the server ended

    def _read(self, timeout: float) -> dict[str, Any]:
        line = self._lines.get(timeout=timeout)
        assert line, f"the fault server died (exit {self.process.wait()})"
        return json.loads(line)

    def run(
        self, fault: str, counts_file: Path, *args: str, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """One mockint command in a fresh process; like subprocess.run, a run that outlasts
        `timeout` is killed and raises TimeoutExpired."""
        self.runs += 1
        out = self.folder / f"run{self.runs}.out"
        err = self.folder / f"run{self.runs}.err"
        request = {
            "fault": fault,
            "counts": str(counts_file),
            "args": list(args),
            "stdout": str(out),
            "stderr": str(err),
            "env": dict(os.environ),
        }
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        pid = self._read(60)["pid"]
        try:
            code = self._read(timeout)["returncode"]
        except queue.Empty:
            os.kill(pid, signal.SIGKILL)
            self._read(60)
            raise subprocess.TimeoutExpired(["faulty", fault, *args], timeout) from None
        return subprocess.CompletedProcess(
            ["faulty", fault, *args], code, out.read_text(), err.read_text()
        )

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


if __name__ == "__main__":
    main()
