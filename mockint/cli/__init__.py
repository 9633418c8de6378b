"""Command-line entry point; importing the command modules registers their commands."""

from mockint.cli import grade_cmd, packs_cmd, session_cmd  # noqa: F401
from mockint.cli.main import cli, main

__all__ = ["cli", "main"]
