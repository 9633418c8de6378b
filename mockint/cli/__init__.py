"""Command-line entry point. Commands are registered by their modules, which `LazyGroup`
imports on first use (see `COMMAND_MODULES` in main.py)."""

from mockint.cli.main import cli, main

__all__ = ["cli", "main"]
