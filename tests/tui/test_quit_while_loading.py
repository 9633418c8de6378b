"""ctrl+q at any moment of the home screen's loading leaves cleanly: exit 0, the draft kept.

`mockint resume` shows the interview at once while the home screen below it reads the packs in
a worker and then mounts its form. Quitting can land at any point of that. Each moment is held
open here instead of hoped for under load: the worker's read waits until quit is pressed, or the
pack chooser's compose (the step that mounts its overlay) waits until the app is exiting or
the screen is being torn down — after which Textual mounts nothing, and a plain `Select` raised
`NoMatches` looking for its overlay.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from fake_grader import TermGrader
from textual.app import App, ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Select

from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack
from mockint.store import Store
from mockint.tui.app import MockintApp
from mockint.tui.requests import ResumeSession
from mockint.tui.screens import home as home_module
from mockint.tui.widgets.answer_editor import AnswerEditor
from mockint.tui.widgets.select import QuitSafeSelect

# when the held compose of the pack chooser may go on
Moment = Callable[[Select[Any]], bool]
EXIT_REQUESTED: Moment = lambda select: select.app._exit  # noqa: E731
TORN_DOWN: Moment = lambda select: select._pruning or select._closing  # noqa: E731


def hold_pack_chooser_until(monkeypatch: pytest.MonkeyPatch, moment: Moment) -> asyncio.Event:
    """Hold the home screen's pack chooser between being added and composing its overlay,
    until `moment`; the event returned is set once it is held."""
    compose = Select._compose
    held = asyncio.Event()

    async def late(select: Select[Any]) -> None:
        if select.id == "pack":
            held.set()
            for _ in range(2000):
                if moment(select):
                    break
                await asyncio.sleep(0.005)
            else:
                raise AssertionError("the app never quit")
        await compose(select)

    monkeypatch.setattr(Select, "_compose", late)
    return held


def interrupted(store: Store, pack: Pack) -> int:
    interview = Interview.start(store, pack, TermGrader(), InterviewOptions(questions=2))
    interview.save_draft("the draft from before")
    return interview.session_id


async def quit_after_typing(app: MockintApp, pilot: Any) -> None:
    for _ in range(200):  # the session opens in a worker
        if app.screen.query(AnswerEditor) and "draft" in app.screen.query_one(AnswerEditor).text:
            break
        await pilot.pause(0.02)
    app.screen.query_one(AnswerEditor).insert(" and more")
    await pilot.press("ctrl+q")


def left_cleanly(app: MockintApp, store: Store, session_id: int) -> None:
    assert app.return_code == 0
    assert app.left_session_id == session_id
    draft = store.draft(session_id)
    assert draft is not None and draft.text == "the draft from before and more"


@pytest.mark.parametrize("moment", [EXIT_REQUESTED, TORN_DOWN], ids=["exiting", "torn-down"])
async def test_quit_while_the_pack_chooser_is_being_mounted(
    build_app, store: Store, tiny_pack: Pack, monkeypatch: pytest.MonkeyPatch, moment: Moment
) -> None:
    session_id = interrupted(store, tiny_pack)
    held = hold_pack_chooser_until(monkeypatch, moment)
    app = build_app(start=ResumeSession(session_id))
    async with app.run_test(size=(100, 30)) as pilot:
        await asyncio.wait_for(held.wait(), 10)  # the form is on its way in, below the interview
        await quit_after_typing(app, pilot)
    left_cleanly(app, store, session_id)


async def test_quit_before_the_packs_are_read(
    build_app, store: Store, tiny_pack: Pack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's read finishes only after ctrl+q: the form that arrives is not mounted."""
    session_id = interrupted(store, tiny_pack)
    gate = threading.Event()
    read = home_module.read_home_data

    def held(source: Store) -> Any:
        assert gate.wait(30)
        return read(source)

    monkeypatch.setattr(home_module, "read_home_data", held)
    app = build_app(start=ResumeSession(session_id))
    leave = app.leave_interviews

    def leaving() -> None:
        leave()
        gate.set()

    monkeypatch.setattr(app, "leave_interviews", leaving)
    async with app.run_test(size=(100, 30)) as pilot:
        await quit_after_typing(app, pilot)
    left_cleanly(app, store, session_id)


class OverlayLost(QuitSafeSelect[str]):
    """A chooser whose overlay is missing for no reason but a bug."""

    def compose(self) -> ComposeResult:
        return iter(())


async def test_a_select_missing_its_overlay_on_screen_is_still_reported() -> None:
    class Form(App[None]):
        def compose(self) -> ComposeResult:
            yield OverlayLost([("one", "1")], allow_blank=False)

    with pytest.raises(NoMatches, match="SelectOverlay"):
        async with Form().run_test() as pilot:
            await pilot.pause()


def hold_current_value_until(monkeypatch: pytest.MonkeyPatch, moment: Moment) -> asyncio.Event:
    """Hold the pack chooser's current-value box (its overlay already mounted) between being
    added and composing its label, until `moment`."""
    from textual.widgets._select import SelectCurrent

    compose = SelectCurrent._compose
    held = asyncio.Event()

    async def late(current: SelectCurrent) -> None:
        parent = current.parent
        if isinstance(parent, Select) and parent.id == "pack":
            held.set()
            for _ in range(2000):
                if moment(parent):
                    break
                await asyncio.sleep(0.005)
            else:
                raise AssertionError("the app never quit")
        await compose(current)

    monkeypatch.setattr(SelectCurrent, "_compose", late)
    return held


@pytest.mark.parametrize("moment", [EXIT_REQUESTED, TORN_DOWN], ids=["exiting", "torn-down"])
async def test_quit_while_the_pack_chooser_composes_its_current_value(
    build_app, store: Store, tiny_pack: Pack, monkeypatch: pytest.MonkeyPatch, moment: Moment
) -> None:
    """One level further down: the chooser has its children, but the box showing the chosen
    pack has not got its label when ctrl+q comes (a crash seen in a real terminal)."""
    session_id = interrupted(store, tiny_pack)
    held = hold_current_value_until(monkeypatch, moment)
    app = build_app(start=ResumeSession(session_id))
    async with app.run_test(size=(100, 30)) as pilot:
        await asyncio.wait_for(held.wait(), 10)
        await quit_after_typing(app, pilot)
    left_cleanly(app, store, session_id)
