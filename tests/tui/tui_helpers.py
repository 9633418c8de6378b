"""Helpers shared by the TUI tests: the tiny pack's text and waiting for workers."""

from __future__ import annotations

from fixture_packs import pack_text
from textual.pilot import Pilot

TINY_PACK = pack_text("tiny")


async def settle(pilot: Pilot) -> None:
    """Let workers (opening, grading) finish and their messages be handled."""
    await pilot.pause()
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
