"""The transcript's regrade keys, with the app's own grader factory and a real database file.

`R` regrades with the default offline grader (keywords plus meaning), `K` with the keyword
grader alone. The offline grader loads its sentence encoder on first use: that happens in the
regrade's thread, and a quit while it loads leaves cleanly (exit 0) and at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Static
from tui_helpers import settle, turn_text

from mockint import locations
from mockint.config import Settings
from mockint.grading import offline as offline_module
from mockint.grading.keyword import KeywordGrader
from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack
from mockint.store import Store
from mockint.tui.app import MockintApp, default_grader_factory, make_app
from mockint.tui.screens.transcript import TranscriptScreen

ANSWERS = {
    "q1": "It spreads requests over the backends and runs a health check on each one.",
    "q2": "A cache keeps copies of data close to whoever reads it.",
}


def finished_session(store: Store, pack: Pack) -> int:
    """Both questions of the tiny pack answered and graded by the keyword grader, no follow-ups,
    as `mockint --grader keyword` would have stored them."""
    options = InterviewOptions(question_ids=("q1", "q2"), max_follow_ups=0)
    path = str(locations.user_packs_dir() / "tiny.toml")  # where the tiny_pack fixture put it
    interview = Interview.start(store, pack, KeywordGrader(pack), options, pack_path=path)
    while interview.current is not None:
        turn_id = interview.submit(ANSWERS[interview.current.question.id])
        interview.advance(interview.grade(turn_id))
    interview.finish()
    return interview.session_id


def transcript_app(settings: Settings, store: Store, session_id: int) -> MockintApp:
    """The real app with its real grader factory, opened on the session's transcript the way
    the history screen opens it."""
    app = make_app(settings, store, default_grader_factory(settings), cursor_blink=False)
    app.call_later(app.open_transcript, session_id)
    return app


def newest_graders(store: Store, session_id: int) -> list[str]:
    return [store.grades(turn.id)[-1].grader for turn in store.turns(session_id)]


async def test_shift_r_regrades_with_the_offline_grader(
    settings: Settings, store: Store, tiny_pack: Pack
) -> None:
    session_id = finished_session(store, tiny_pack)
    first = store.turns(session_id)[0].id
    app = transcript_app(settings, store, session_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        assert "R Regrade offline" in str(app.screen.query_one("KeyBar", Static).content)
        await pilot.press("R")
        await settle(pilot)
        assert not app.screen.regrading
        # a column for the new grade, named as `mockint regrade --grader offline` names it
        assert "offline · use-multilingual-v3" in turn_text(app, first)
    assert newest_graders(store, session_id) == ["offline", "offline"]
    assert [len(store.grades(turn.id)) for turn in store.turns(session_id)] == [2, 2]
    # what the database file holds, read through a connection of its own
    again = Store(settings.db)
    try:
        grade = again.grades(first)[-1]
        assert grade.grader == "offline" and grade.model and "use-multilingual-v3" in grade.model
    finally:
        again.close()


async def test_shift_k_regrades_with_the_keyword_grader(
    settings: Settings, store: Store, tiny_pack: Pack
) -> None:
    session_id = finished_session(store, tiny_pack)
    app = transcript_app(settings, store, session_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # reachable, but not in the key bar: it stays one line wide at 80 columns
        assert "Regrade keyword" not in str(app.screen.query_one("KeyBar", Static).content)
        await pilot.press("K")
        await settle(pilot)
    assert newest_graders(store, session_id) == ["keyword", "keyword"]
    assert [len(store.grades(turn.id)) for turn in store.turns(session_id)] == [2, 2]


def hold_encoder_load(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make the offline grader's encoder load wait for a gate; returns (loading, gate)."""
    loading, gate = threading.Event(), threading.Event()
    load: Callable[[], Any] = offline_module.load_encoder

    def held() -> Any:
        loading.set()
        assert gate.wait(30)
        return load()

    monkeypatch.setattr(offline_module, "load_encoder", held)
    return loading, gate


async def test_quit_while_the_offline_grader_loads(
    settings: Settings, store: Store, tiny_pack: Pack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The encoder's load is held until after the app has ended. `mockint` runs the app with
    asyncio.run, which joins the loop's worker threads before the process ends: that join
    returns at once here (a regrade run inside the worker would hold it, and the user's
    terminal, until the load ends)."""
    session_id = finished_session(store, tiny_pack)
    loading, gate = hold_encoder_load(monkeypatch)
    app = transcript_app(settings, store, session_id)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("R")
            # the load runs off the UI thread: the screen still answers keys meanwhile
            assert await asyncio.to_thread(loading.wait, 10)
            await pilot.press("n")
            assert isinstance(app.screen, TranscriptScreen) and app.screen.current_question == 1
            await pilot.press("ctrl+q")
        assert app.return_code == 0
        await asyncio.wait_for(asyncio.get_running_loop().shutdown_default_executor(), 10)
        assert not gate.is_set() and newest_graders(store, session_id) == ["keyword", "keyword"]
    finally:
        gate.set()
    # in this process the regrade's own thread lives on and finishes; its result, meant for
    # a screen that is gone, is dropped without an error
    for _ in range(600):
        if newest_graders(store, session_id) == ["offline", "offline"]:
            break
        await asyncio.sleep(0.05)
    assert newest_graders(store, session_id) == ["offline", "offline"]
