"""Command-line entry point; importing the command modules registers their commands."""

from mockint.cli import packs_cmd  # noqa: F401
from mockint.cli.main import cli, main

__all__ = ["cli", "main"]
