"""A minimal app that shows one review screen, as the home screen will push it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

import mockint.tui

FIXED_NOW = datetime.fromisoformat("2026-03-20T12:00:00+00:00")


class ScreenApp(App[None]):
    # the screens' layout lives in the app's stylesheet, as in MockintApp
    CSS_PATH = Path(mockint.tui.__file__).parent / "app.tcss"

    def __init__(self, make_screen: Callable[[], Screen]) -> None:
        super().__init__()
        self.make_screen = make_screen

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
