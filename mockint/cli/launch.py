"""Start the TUI from the command line (textual is imported only here, and only when needed).

A bare `mockint` (`launch_plain`) is parsed without click and draws the home screen before it
imports pydantic or sqlite-utils: the settings and the store are built by `load_parts` in a
worker behind the first frame. `mockint run` and `resume` (`run_app`) build them first, so a
bad grader is reported before any screen opens.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mockint.safe_text import safe_text

if TYPE_CHECKING:
    from mockint.cli.main import Context
    from mockint.grading.base import Grader
    from mockint.packs import Pack
    from mockint.tui.app import AppParts, GraderFactory, MockintApp
    from mockint.tui.requests import SessionRequest


def command_name() -> str:
    """How to type this mockint again, for hints such as "continue with: mockint resume 3".

    Plain `mockint` only when that finds this same program on PATH; after the README's quick
    start it does not (the virtual environment is not activated), so the hint names the path
    that was run, e.g. `.venv/bin/mockint`.
    """
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else "mockint"
    program = Path(argv0)
    if program.name == "__main__.py":  # python -m mockint
        return f"{_short(Path(sys.executable))} -m mockint"
    if os.sep not in argv0:
        return argv0
    found = shutil.which(program.name)
    try:
        if found and os.path.samefile(found, program):
            return program.name
    except OSError:
        pass
    return _short(program)


def with_db(command: str, db: str | Path | None) -> str:
    """`command` with the --db it was given, for hints such as "mockint --db x.db resume 3":
    without it, `resume 3` would look in the default database, where session 3 is another
    session or none."""
    if db is None:
        return command
    return f"{command} --db {shlex.quote(str(Path(db).expanduser().absolute()))}"


def _short(path: Path) -> str:
    """A path relative to the current folder when it is inside it, else absolute."""
    try:
        relative = str(path.absolute().relative_to(Path.cwd()))
    except (OSError, ValueError):
        return str(path.absolute())
    return relative if os.sep in relative else f".{os.sep}{relative}"


def plain_launch(args: list[str]) -> tuple[bool, str | None]:
    """Whether `args` ask for the app and nothing else (no arguments, or only `--db FILE`),
    and the --db given; anything else is for click."""
    if not args:
        return True, None
    if len(args) == 2 and args[0] == "--db" and args[1] and not args[1].startswith("-"):
        return True, args[1]
    if len(args) == 1 and args[0].startswith("--db=") and len(args[0]) > len("--db="):
        return True, args[0].removeprefix("--db=")
    return False, None


def launch_plain(db: str | None) -> None:
    """A bare `mockint` [--db FILE]: the home screen, drawn before anything else loads."""
    command = with_db(command_name(), db)
    db = db or os.environ.get("MOCKINT_DB") or None
    if db is not None and Path(db).is_dir():  # what click says about the same mistake
        message = f"mockint: Invalid value for '--db': File {db!r} is a directory."
        print(safe_text(f"{message} (see: mockint --help)", one_line=True), file=sys.stderr)
        raise SystemExit(2)
    from functools import partial

    from mockint.tui.app import make_lazy_app

    app = make_lazy_app(partial(load_parts, Path(db) if db else None), command=command)
    app.run()
    report_exit(app, command)


def load_parts(db: Path | None) -> AppParts:
    """Settings (config file and environment, --db on top), the store and the graders: what
    `Context` builds for the other commands, built here in the app's loading worker."""
    from mockint.config import load_settings
    from mockint.store import Store
    from mockint.tui.app import default_grader_factory

    settings = load_settings()
    if db is not None:
        settings = settings.model_copy(update={"db": db})
    store = Store(settings.db, busy_timeout=settings.busy_timeout)
    return settings, store, default_grader_factory(settings)


def open_home(ctx: Context) -> None:
    """The home screen, through click (the entry point sends a bare `mockint` to
    `launch_plain` instead)."""
    run_app(ctx)


def run_app(ctx: Context, start: SessionRequest | None = None, ready: Grader | None = None) -> None:
    """Run the app on the context's settings and store; `ready` is a grader already built
    (by `mockint run`, to report a misconfigured grader before the screen opens)."""
    from mockint.tui.app import default_grader_factory, make_app

    settings = ctx.settings
    store = ctx.store()
    factory: GraderFactory = default_grader_factory(settings)
    if ready is not None:
        build = factory

        def factory(name: str, pack: Pack) -> Grader:
            return ready if name == ready.name else build(name, pack)

    command = with_db(command_name(), ctx.db_override)
    app = make_app(settings, store, factory, start=start, command=command)
    app.run()
    report_exit(app, command)


def report_exit(app: MockintApp, command: str) -> None:
    """What the shell is told once the app has closed: a problem that ended it (one
    `mockint:` line), an answer that could not be saved, how to resume; the exit code."""
    problem = app.startup_problem or app.database_problem
    if problem is not None:
        print(safe_text(f"mockint: {problem}", one_line=True), file=sys.stderr)
        if problem is app.startup_problem and not app.return_code:  # it never started
            raise SystemExit(2)
    if app.unsaved_answer is not None:
        print(
            "Your last answer could not be saved; here it is, so it is not lost:\n"
            + safe_text(app.unsaved_answer),
            file=sys.stderr,
        )
        raise SystemExit(app.return_code or 1)
    if app.left_session_id is not None and problem is None:
        print(
            f"Session #{app.left_session_id} is saved. Continue it with: {command} resume "
            f"{app.left_session_id}"
        )
    if app.return_code:  # the app crashed (Textual printed why): say so to the shell too
        raise SystemExit(app.return_code)
