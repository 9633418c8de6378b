"""Command-line entry point.

A bare `mockint` (or `mockint --db FILE`) opens the app without importing click, pydantic or
sqlite-utils first (see `launch.launch_plain`): the home screen is up in about the time any
Textual app takes. Every other command goes through the click group in main.py, whose
`LazyGroup` imports a command's module on first use (see `COMMAND_MODULES`).
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockint.cli.main import cli

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> None:
    from mockint.cli.launch import launch_plain, plain_launch

    app_only, db = plain_launch(sys.argv[1:] if argv is None else list(argv))
    if app_only:
        launch_plain(db)
        return
    from mockint.cli.main import main as run_command

    run_command(argv)


def __getattr__(name: str) -> Any:
    # `cli` (the click group) is imported on first use, not by the entry point
    if name == "cli":
        from mockint.cli.main import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Package(types.ModuleType):
    """Keeps `mockint.cli.main` the entry function. Python binds a submodule to its package's
    attribute when it is first imported, so the lazy import of main.py (the click group)
    would otherwise replace this `main` by that module."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "main" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
