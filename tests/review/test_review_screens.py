"""The history, search, transcript and stats screens driven with the keyboard (Pilot)."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

from review_factory import (
    T0,
    Answer,
    VerdictGrader,
    add_session,
    bulk_sessions,
    mtls_session,
    review_pack,
)
from rich.console import Console
from screen_app import FIXED_NOW, ScreenApp, settle
from textual.widgets import DataTable, Input, Static

from mockint.store import Store
from mockint.tui.screens.history import HistoryScreen
from mockint.tui.screens.review_common import ReviewDeps
from mockint.tui.screens.search import SearchScreen
from mockint.tui.screens.stats import StatsScreen
from mockint.tui.screens.transcript import TranscriptScreen

PACK = review_pack()


def deps(tmp_path: Path, grader: VerdictGrader | None = None) -> ReviewDeps:
    return ReviewDeps(
        pack_resolver=lambda session: PACK,
        grader_factory=(lambda name, pack: grader) if grader else None,
        export_dir=tmp_path / "exports",
        now=lambda: FIXED_NOW,
    )


def status(app: ScreenApp, selector: str) -> str:
    """The text a Static shows, whatever it was given (a string, Text or a Rich Group)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def test_history_pages_sorts_filters_and_opens(store: Store, tmp_path: Path) -> None:
    bulk_sessions(store, 250, T0 - timedelta(days=70))
    showcase = mtls_session(store, T0)
    app = ScreenApp(lambda: HistoryScreen(store, deps=deps(tmp_path), page_size=50))
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 50 and "50 of 251 sessions" in status(app, "#history-status")
        await pilot.press("ctrl+end")  # walking to the end reads the next pages
        await pilot.pause()
        for _ in range(10):
            await pilot.press("ctrl+end")
            await pilot.pause()
        assert table.row_count == 251

        await pilot.press("s")  # sort by score, highest first
        await pilot.pause()
        assert "sorted by score ↓" in status(app, "#history-status")
        scores = [float(str(table.get_row_at(i)[4])) for i in range(50)]
        assert scores == sorted(scores, reverse=True) and scores[0] == 9.9
        await pilot.press("S")
        await pilot.pause()
        assert str(table.get_row_at(0)[4]) == "0.1"  # sessions without a score stay last

        await pilot.press("f")
        assert isinstance(app.focused, Input)
        await pilot.press(*"score:<5", "enter")
        await pilot.pause()
        assert "sessions" in status(app, "#history-status") and table.row_count < 251
        assert all(float(str(table.get_row_at(i)[4])) < 5 for i in range(table.row_count))
        app.screen.query_one(Input).value = "colour:red"
        await pilot.press("f", "enter")
        await pilot.pause()
        assert "unknown filter" in status(app, "#history-status")

        app.screen.query_one(Input).value = "pack:service-mesh since:2026-03-02"
        await pilot.press("f", "enter")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen) and app.screen.session_id == showcase
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)


async def test_search_opens_the_transcript_at_the_turn(store: Store, tmp_path: Path) -> None:
    mtls_session(store, T0)
    session = mtls_session(store, T0 + timedelta(days=1))
    app = ScreenApp(lambda: SearchScreen(store, deps=deps(tmp_path)))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"istiod", "enter")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        assert "2 matches" in status(app, "#search-status")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TranscriptScreen) and screen.session_id == session
        follow_up = store.turns(session)[1].id
        assert screen.focus_turn == follow_up
        assert screen.query_one(f"#turn-{follow_up}").has_class("focused-turn")
        await pilot.press("escape", "slash")
        await pilot.press(*" 🚀", "enter")
        await pilot.pause()
        assert "No question or answer matches" in status(app, "#search-status")


async def test_typing_down_and_enter_opens_the_first_result(store: Store, tmp_path: Path) -> None:
    """No enter needed to leave the search box: down goes to the results (searching at once
    if the pause after typing has not passed yet), enter opens the first one."""
    mtls_session(store, T0)
    newest = mtls_session(store, T0 + timedelta(days=1))
    app = ScreenApp(lambda: SearchScreen(store, deps=deps(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"istiod", "down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TranscriptScreen), type(screen).__name__
        assert screen.session_id == newest


async def test_an_enter_that_beats_the_focus_to_the_results_opens_the_first(
    store: Store, tmp_path: Path
) -> None:
    """In a real terminal "text, down, enter" can arrive in one burst: down moves the focus to
    the results, but the enter is already on its way to the search box. It opens the result,
    as meant, instead of only searching again; enter typed in the box alone still searches."""
    mtls_session(store, T0)
    newest = mtls_session(store, T0 + timedelta(days=1))
    app = ScreenApp(lambda: SearchScreen(store, deps=deps(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"istiod")
        screen = app.screen
        box = screen.query_one(Input)
        await pilot.press("enter")  # in the box: searches, stays here
        await pilot.pause()
        assert app.screen is screen and screen.hits
        await pilot.press("slash")
        screen.action_results()  # down arrived first ...
        box.post_message(Input.Submitted(box, box.value))  # ... the enter the box still got
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen) and app.screen.session_id == newest


async def test_transcript_regrades_and_exports(store: Store, tmp_path: Path) -> None:
    session = mtls_session(store, T0)
    grader = VerdictGrader("llm")
    app = ScreenApp(lambda: TranscriptScreen(store, session, deps=deps(tmp_path, grader)))
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        first = store.turns(session)[0].id
        assert len(store.grades(first)) == 1
        await pilot.press("r")
        await settle(pilot)
        assert grader.calls == 3 and len(store.grades(first)) == 2
        block = status(app, f"#turn-{first}")
        assert "keyword" in block and "llm · tiny" in block
        await pilot.press("e", "x")
        await pilot.pause()
        md = tmp_path / "exports" / f"mockint-session-{session}.md"
        assert md.read_text().startswith("# Interview: Service meshes")
        data = json.loads((tmp_path / "exports" / f"mockint-session-{session}.json").read_text())
        assert len(data["sessions"][0]["turns"][0]["grades"]) == 2
        await pilot.press("n", "n", "p")


async def test_one_answer_regraded_is_said_in_the_singular(store: Store, tmp_path: Path) -> None:
    one = Answer("Define a service mesh.", "A mesh is an infrastructure layer.", {})
    session = add_session(store, T0, {"sm-01": [one]})
    app = ScreenApp(
        lambda: TranscriptScreen(store, session, deps=deps(tmp_path, VerdictGrader("llm")))
    )
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert "1 answer regraded" in said, said


async def test_transcript_without_a_grader_says_so(store: Store, tmp_path: Path) -> None:
    session = mtls_session(store, T0)
    app = ScreenApp(lambda: TranscriptScreen(store, session, deps=deps(tmp_path)))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert any("not available" in str(n.message) for n in app._notifications)
    missing = ScreenApp(lambda: TranscriptScreen(store, 999, deps=deps(tmp_path)))
    async with missing.run_test() as pilot:
        await settle(pilot)
        assert "No session 999" in status(missing, "#transcript-header")


async def test_stats_switches_packs(store: Store, tmp_path: Path) -> None:
    mtls_session(store, T0)
    mtls_session(store, T0, pack_id="other", pack_title="Other pack")
    mtls_session(store, T0 + timedelta(days=1), pack_id="other", pack_title="Other pack")
    app = ScreenApp(lambda: StatsScreen(store, deps=deps(tmp_path)))
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        assert "Other pack (other)" in status(app, "#stats-header")
        assert "2 completed sessions" in status(app, "#stats-content")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "Service meshes (service-mesh)" in status(app, "#stats-header")
        assert "operational-cost" in status(app, "#stats-content")
        assert "Next pack" in str(app.screen.query_one("KeyBar", Static).content)


async def test_stats_of_one_pack_offers_no_pack_switching(store: Store, tmp_path: Path) -> None:
    mtls_session(store, T0)
    app = ScreenApp(lambda: StatsScreen(store, deps=deps(tmp_path)))
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        assert "one pack" in status(app, "#stats-header")
        keys = str(app.screen.query_one("KeyBar", Static).content)
        assert "Back" in keys and "Next pack" not in keys and "Previous pack" not in keys


async def test_stats_with_no_sessions(store: Store, tmp_path: Path) -> None:
    app = ScreenApp(lambda: StatsScreen(store, deps=deps(tmp_path)))
    async with app.run_test() as pilot:
        await settle(pilot)
        assert "No completed session yet" in status(app, "#stats-content")


async def test_transcript_regrade_error_is_a_notification(store: Store, tmp_path: Path) -> None:
    from mockint.errors import UserError

    session = mtls_session(store, T0)

    def no_llm(name: str, pack: object) -> VerdictGrader:
        raise UserError("the llm grader needs a model")

    screen_deps = deps(tmp_path)
    screen_deps.grader_factory = no_llm
    app = ScreenApp(lambda: TranscriptScreen(store, session, deps=screen_deps))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert any("needs a model" in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, TranscriptScreen) and not app.screen.regrading
