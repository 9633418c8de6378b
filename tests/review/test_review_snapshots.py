"""SVG snapshots of the history, search, transcript and stats screens at 80x24 and 120x40.

The screens are shown inside the real app (its stylesheet, key bar and breakpoints) with fixed
data (timestamps included), a fixed clock and UTC, so a snapshot changes only when the screen
does. Update with `pytest tests/review/test_review_snapshots.py --snapshot-update` and look at
the report first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from review_factory import (
    T0,
    Answer,
    VerdictGrader,
    add_session,
    bulk_sessions,
    mtls_session,
    review_pack,
)
from screen_app import FIXED_NOW, settle
from textual.pilot import Pilot
from textual.screen import Screen

from mockint.config import Settings
from mockint.store import Store
from mockint.tui.app import MockintApp, make_app
from mockint.tui.screens.history import HistoryScreen
from mockint.tui.screens.review_common import ReviewDeps
from mockint.tui.screens.search import SearchScreen
from mockint.tui.screens.stats import StatsScreen
from mockint.tui.screens.transcript import TranscriptScreen

PACK = review_pack()
SIZES = [(80, 24), (120, 40)]
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def deps(tmp_path: Path) -> ReviewDeps:
    return ReviewDeps(
        pack_resolver=lambda session: PACK,
        export_dir=tmp_path,
        now=lambda: FIXED_NOW,
    )


def app_showing(store: Store, make_screen: Callable[[], Screen]) -> tuple[MockintApp, Callable]:
    """The real app over `store`, and a run_before that opens the screen over home."""
    app = make_app(
        Settings(db=store.path),
        store,
        lambda name, pack: VerdictGrader(name),
        cursor_blink=False,
        clock=lambda: FIXED_NOW,
    )

    async def open_screen(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(make_screen())
        await settle(pilot)

    return app, open_screen


def practice_history(store: Store) -> int:
    """Five weeks of practice on the showcase questions, the last one regraded by an LLM."""
    weak = {"identity": "partial", "rotation": "missed"}
    for week, verdicts in enumerate([weak, weak, {"identity": "covered", "rotation": "partial"}]):
        add_session(
            store,
            T0 - timedelta(weeks=4 - week),
            {
                "sm-04": [Answer("Explain mTLS.", "Proxies encrypt traffic.", verdicts)],
                "sm-07": [Answer("Retries?", "Retry with backoff.", {"retries": "covered"})],
            },
        )
    mtls_session(store, T0 - timedelta(days=3))
    session = mtls_session(store, T0)
    turn = store.turns(session)[0]
    grade = VerdictGrader("llm").grade(PACK.question("sm-04"), "identity and rotation")
    store.add_grade(turn.id, grade, created_at="2026-03-03T08:00:00.000Z")
    return session


@size_ids
def test_history(snap_compare, store: Store, tmp_path: Path, size: tuple[int, int]) -> None:
    bulk_sessions(store, 40, T0 - timedelta(days=12))
    app, run_before = app_showing(store, lambda: HistoryScreen(store, deps=deps(tmp_path)))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_history_filtered_by_score(snap_compare, store: Store, tmp_path: Path) -> None:
    bulk_sessions(store, 40, T0 - timedelta(days=12))
    app, open_screen = app_showing(
        store,
        lambda: HistoryScreen(
            store, deps=deps(tmp_path), filter_text="pack:service-mesh score:>=7"
        ),
    )

    async def sort_by_score(pilot: Pilot) -> None:
        await open_screen(pilot)
        await pilot.press("s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 24), run_before=sort_by_score)


@size_ids
def test_transcript(snap_compare, store: Store, tmp_path: Path, size: tuple[int, int]) -> None:
    session = practice_history(store)
    app, run_before = app_showing(
        store, lambda: TranscriptScreen(store, session, deps=deps(tmp_path))
    )
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@size_ids
def test_search(snap_compare, store: Store, tmp_path: Path, size: tuple[int, int]) -> None:
    practice_history(store)
    app, run_before = app_showing(
        store, lambda: SearchScreen(store, deps=deps(tmp_path), query="rotat")
    )
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@size_ids
def test_stats_on_a_first_day(
    snap_compare, store: Store, tmp_path: Path, size: tuple[int, int]
) -> None:
    """One session: one week in the chart, the weak spots on screen."""
    mtls_session(store, FIXED_NOW - timedelta(hours=2))
    app, run_before = app_showing(store, lambda: StatsScreen(store, deps=deps(tmp_path)))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@size_ids
def test_stats_after_three_sessions(
    snap_compare, store: Store, tmp_path: Path, size: tuple[int, int]
) -> None:
    for days in (9, 4, 1):
        mtls_session(store, FIXED_NOW - timedelta(days=days))
    app, run_before = app_showing(store, lambda: StatsScreen(store, deps=deps(tmp_path)))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@size_ids
def test_stats_over_weeks_of_practice(
    snap_compare, store: Store, tmp_path: Path, size: tuple[int, int]
) -> None:
    practice_history(store)
    app, run_before = app_showing(store, lambda: StatsScreen(store, deps=deps(tmp_path)))
    assert snap_compare(app, terminal_size=size, run_before=run_before)
