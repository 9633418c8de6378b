"""Start the TUI from the command line (textual is imported only here, and only when needed)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mockint.cli.main import Context
from mockint.safe_text import safe_text

if TYPE_CHECKING:
    from mockint.grading.base import Grader
    from mockint.packs import Pack
    from mockint.tui.app import GraderFactory
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


def _short(path: Path) -> str:
    """A path relative to the current folder when it is inside it, else absolute."""
    try:
        relative = str(path.absolute().relative_to(Path.cwd()))
    except (OSError, ValueError):
        return str(path.absolute())
    return relative if os.sep in relative else f".{os.sep}{relative}"


def open_home(ctx: Context) -> None:
    """A bare `mockint`: the home screen."""
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

    command = command_name()
    app = make_app(settings, store, factory, start=start, command=command)
    app.run()
    if app.database_problem is not None:
        click.echo(safe_text(f"mockint: {app.database_problem}", one_line=True), err=True)
    if app.unsaved_answer is not None:
        click.echo(
            "Your last answer could not be saved; here it is, so it is not lost:\n"
            + safe_text(app.unsaved_answer),
            err=True,
        )
        raise SystemExit(app.return_code or 1)
    if app.left_session_id is not None and app.database_problem is None:
        click.echo(
            f"Session #{app.left_session_id} is saved. Continue it with: {command} resume "
            f"{app.left_session_id}"
        )
    if app.return_code:  # the app crashed (Textual printed why): say so to the shell too
        raise SystemExit(app.return_code)
