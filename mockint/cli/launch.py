"""Start the TUI from the command line (textual is imported only here, and only when needed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mockint.cli.main import Context

if TYPE_CHECKING:
    from mockint.grading.base import Grader
    from mockint.packs import Pack
    from mockint.tui.app import GraderFactory, SessionRequest


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

    app = make_app(settings, store, factory, start=start)
    app.run()
    if app.left_session_id is not None:
        click.echo(
            f"Session #{app.left_session_id} is saved. Continue it with: mockint resume "
            f"{app.left_session_id}"
        )
