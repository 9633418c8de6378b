"""Helpers shared by the TUI tests: the tiny pack's text, waiting for workers, and reading
what the transcript shows of a turn."""

from __future__ import annotations

import io

from fixture_packs import pack_text
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

TINY_PACK = pack_text("tiny")


async def settle(pilot: Pilot) -> None:
    """Let workers (opening, grading) finish and their messages be handled."""
    await pilot.pause()
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def turn_text(app: App[object], turn_id: int) -> str:
    """The transcript's block for one turn, as plain text (styles dropped)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(f"#turn-{turn_id}", Static).content)
    return console.export_text()
