"""The command line, two ways: in this process (fast, for most CLI tests) and as a separate
`python -m mockint` process (for what only a real process shows: no traceback on a crash,
what start-up imports, signals, read-only filesystems).

`run_cli` calls `mockint.cli.main` exactly as `python -m mockint` does, with its own stdin,
stdout, stderr, argv, environment and current folder, and returns what a process would: the
exit code (SystemExit), stdout and stderr. An exception that escapes `main` is written to
stderr as Python would print it ("Traceback ..."), exit code 1, so "no traceback reaches the
user" assertions hold for both runners.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import mockint
from mockint.store import Store

MAIN_PY = str(Path(mockint.__file__).parent / "__main__.py")


@dataclass
class CliResult:
    """What `subprocess.run(..., capture_output=True, text=True)` returns, for a run in this
    process: the same three fields, so a test reads both the same way."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    opened_app: bool = False  # run_cli(app=True): it got as far as starting the TUI


class AppWouldOpen(AssertionError):
    """An in-process run reached the TUI: such a test needs a real process (or tmux)."""


class _AppStarted(Exception):
    """run_cli(app=True): the command checked its input and was about to start the TUI."""


def _refuse_app(*_args: object, **_kwargs: object) -> None:
    raise AppWouldOpen("run_cli cannot open the app; use run_process or a tmux Terminal")


def _stop_at_app(*_args: object, **_kwargs: object) -> None:
    raise _AppStarted


@contextlib.contextmanager
def _fresh_process_state(app: bool) -> Iterator[None]:
    """Reset what a new process would start without: the module-level memory of the CLI and
    of the LLM endpoint cache, which is tied to the data folder of the first run; and close
    the database the command opened, as the end of a process would."""
    from mockint.grading import llm_endpoint
    from mockint.tui.app import MockintApp as App  # its run() checks for a terminal first

    main = importlib.import_module("mockint.cli.main")  # mockint.cli.main is also a function
    opened: list[Store] = []
    open_store = main.Context.store

    def store(self: Any) -> Store:
        made = open_store(self)
        if made not in opened:
            opened.append(made)
        return made

    saved = (main._opened_db, llm_endpoint._DEFAULT_CACHE, App.run, sys.argv)
    main._opened_db = None
    llm_endpoint._DEFAULT_CACHE = None
    # every way into the TUI (a bare mockint, run, resume) ends in MockintApp.run
    App.run = _stop_at_app if app else _refuse_app  # type: ignore[assignment,method-assign]
    main.Context.store = store  # type: ignore[method-assign]
    try:
        yield
    finally:
        main.Context.store = open_store  # type: ignore[method-assign]
        main._opened_db, llm_endpoint._DEFAULT_CACHE, App.run, sys.argv = saved  # type: ignore[method-assign]
        for made in opened:  # a process would have closed its database by exiting
            made.close()


def run_cli(
    *args: str,
    db: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
    app: bool = False,
) -> CliResult:
    """`mockint [--db DB] ARGS` in this process. `env` adds (or, with None, removes) variables
    for this run only; the test's own isolation (tests/conftest.py) is the base. A command
    that would open the TUI fails the test (AppWouldOpen), or with `app` ends there: exit 0
    and `opened_app`, after every check the command makes before the screen."""
    from mockint.cli import main

    argv = [*(["--db", str(db)] if db else []), *args]
    runner = CliRunner()
    code = 0
    opened_app = False
    with (
        _fresh_process_state(app),
        runner.isolation(input=stdin or "", env=dict(env or {})) as (out, err, _both),
        contextlib.chdir(cwd or os.getcwd()),
    ):
        sys.argv = [MAIN_PY, *argv]
        try:
            main(argv)
        except SystemExit as exc:
            code = _exit_code(exc.code)
        except AppWouldOpen:
            raise
        except _AppStarted:
            opened_app = True
        except BaseException:  # what the interpreter would print, and its exit status
            sys.stderr.write(traceback.format_exc())
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    return CliResult(
        argv,
        code,
        out.getvalue().decode("utf-8", "replace"),
        err.getvalue().decode("utf-8", "replace"),
        opened_app,
    )


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message") prints it and exits 1
    return 1


def run_process(
    *args: str,
    db: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 60,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The CLI as a separate process (`python -m mockint`), like a person at a shell. `env`
    adds to this process's environment (already isolated by tests/conftest.py)."""
    prefix = ["--db", str(db)] if db else []
    return subprocess.run(
        [sys.executable, "-m", "mockint", *prefix, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        env=None if env is None else {**os.environ, **env},
        preexec_fn=preexec_fn,
    )


def assert_one_line_error(
    result: CliResult | subprocess.CompletedProcess[str], *needles: str
) -> str:
    """Exit 2, one `mockint:` line on stderr naming the problem, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr, result.stdout)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mockint: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]
