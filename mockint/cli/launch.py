"""Start the TUI from the command line (textual is imported only here)."""

from __future__ import annotations

import click

from mockint.cli.main import Context


def open_home(ctx: Context) -> None:
    click.echo(click.get_current_context().get_help())
