"""ctrl+q at the risky moment of each review screen's loading leaves cleanly (exit 0).

Once `App.exit` has been called, Textual mounts nothing (`mount_all` returns at once). A screen
that mounts widgets after an await and then looks them up (the transcript: its questions and
turns are mounted, then painted) must not fail on the way out. Each moment is held open here
rather than hoped for under load: the transcript's mount after a regrade waits until quit
has been pressed (before the fix the screen then raised NoMatches painting turns that were never
mounted: a traceback and exit 1), and so, briefly, does its first mount; the stats screen's
worker finishes its reading only after quit. The history and search screens read their rows
synchronously into a table composed with the screen, and the dialogs compose their choices:
none mounts after loading.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from review_factory import T0, mtls_session
from screen_app import ScreenApp, settle
from textual.screen import Screen
from textual.widget import Widget

from mockint.store import Store
from mockint.tui.screens import stats as stats_module
from mockint.tui.screens.stats import StatsScreen
from mockint.tui.screens.transcript import TranscriptScreen


def hold_mount_until_exit(
    monkeypatch: pytest.MonkeyPatch, widget_id: str, *, give_up: float | None = None
) -> asyncio.Event:
    """Hold `mount_all` on the widget `widget_id` until the app is exiting (or, with
    `give_up`, at most that many seconds); the event returned is set once it is held."""
    mount_all = Widget.mount_all
    held = asyncio.Event()

    def late(widget: Widget, widgets: Any, *args: Any, **kwargs: Any) -> Any:
        if widget.id != widget_id:
            return mount_all(widget, widgets, *args, **kwargs)
        widgets = list(widgets)

        async def wait_then_mount() -> None:
            held.set()
            for _ in range(int((give_up or 10) / 0.005)):
                if widget.app._exit:
                    break
                await asyncio.sleep(0.005)
            else:
                if give_up is None:
                    raise AssertionError("the app never quit")
            await mount_all(widget, widgets, *args, **kwargs)

        return wait_then_mount()

    monkeypatch.setattr(Widget, "mount_all", late)
    return held


async def test_quit_while_the_transcript_is_being_mounted(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened as the app opens it (from history, search or the scorecard), pushed while the
    app runs. Textual holds keys back while a new screen's on_mount runs, so a ctrl+q pressed
    then takes effect once the transcript is mounted: it leaves cleanly all the same."""
    session = mtls_session(store, T0)
    held = hold_mount_until_exit(monkeypatch, "transcript-body", give_up=0.5)
    app = ScreenApp(Screen)
    async with app.run_test(size=(110, 30)) as pilot:
        app.push_screen(TranscriptScreen(store, session))
        await asyncio.wait_for(held.wait(), 10)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_quit_while_the_transcript_is_mounted_again_after_a_regrade(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = mtls_session(store, T0)
    app = ScreenApp(lambda: TranscriptScreen(store, session))
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TranscriptScreen) and screen.query("#q-1")
        held = hold_mount_until_exit(monkeypatch, "transcript-body")
        # what the regrade worker posts when it is done: the screen reads and mounts it all again
        screen.post_message(TranscriptScreen.Regraded("3 answers regraded", False))
        await asyncio.wait_for(held.wait(), 10)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_quit_before_the_stats_are_read(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mtls_session(store, T0)
    gate = threading.Event()
    reading = threading.Event()
    compute = stats_module.compute_stats

    def held(*args: Any, **kwargs: Any) -> Any:
        reading.set()
        assert gate.wait(30)
        return compute(*args, **kwargs)

    monkeypatch.setattr(stats_module, "compute_stats", held)
    app = ScreenApp(lambda: StatsScreen(store))
    async with app.run_test(size=(110, 30)) as pilot:
        assert await asyncio.to_thread(reading.wait, 10)
        await pilot.press("ctrl+q")
        gate.set()  # the figures arrive after quit: they are not shown, nothing fails
    assert app.return_code == 0


@pytest.mark.parametrize("screen", ["history", "search"])
async def test_quit_as_history_or_search_opens(store: Store, screen: str) -> None:
    """These read their rows synchronously into a table composed with the screen: no moment
    of their loading mounts anything, and quitting as they open leaves cleanly."""
    from mockint.tui.screens.history import HistoryScreen
    from mockint.tui.screens.search import SearchScreen

    mtls_session(store, T0)
    app = ScreenApp(Screen)
    async with app.run_test(size=(110, 30)) as pilot:
        if screen == "history":
            app.push_screen(HistoryScreen(store))
        else:
            app.push_screen(SearchScreen(store, query="mtls"))
        await pilot.press("ctrl+q")
    assert app.return_code == 0
