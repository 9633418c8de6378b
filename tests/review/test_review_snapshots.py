"""SVG snapshots of the history, search, transcript and stats screens.

Fixed data (timestamps included), a fixed clock, UTC and a fixed terminal size, so a snapshot
changes only when the screen does. Update with
`pytest tests/review/test_review_snapshots.py --snapshot-update` and look at the report first.
"""

from __future__ import annotations

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
from screen_app import FIXED_NOW, ScreenApp, settle
from textual.pilot import Pilot

from mockint.store import Store
from mockint.tui.screens.history import HistoryScreen
from mockint.tui.screens.review_common import ReviewDeps
from mockint.tui.screens.search import SearchScreen
from mockint.tui.screens.stats import StatsScreen
from mockint.tui.screens.transcript import TranscriptScreen

PACK = review_pack()


def deps(tmp_path: Path) -> ReviewDeps:
    return ReviewDeps(
        pack_resolver=lambda session: PACK,
        export_dir=tmp_path,
        now=lambda: FIXED_NOW,
    )


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
    store.add_grade(turn["id"], grade, created_at="2026-03-03T08:00:00.000Z")
    return session


def test_history(snap_compare, store: Store, tmp_path: Path) -> None:
    bulk_sessions(store, 40, T0 - timedelta(days=12))
    app = ScreenApp(lambda: HistoryScreen(store, deps=deps(tmp_path)))
    assert snap_compare(app, terminal_size=(110, 24), run_before=settle)


def test_history_filtered_by_score(snap_compare, store: Store, tmp_path: Path) -> None:
    bulk_sessions(store, 40, T0 - timedelta(days=12))
    app = ScreenApp(
        lambda: HistoryScreen(store, deps=deps(tmp_path), filter_text="pack:service-mesh score:>=7")
    )

    async def sort_by_score(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 24), run_before=sort_by_score)


def test_transcript_with_two_grades(snap_compare, store: Store, tmp_path: Path) -> None:
    session = practice_history(store)
    app = ScreenApp(lambda: TranscriptScreen(store, session, deps=deps(tmp_path)))
    assert snap_compare(app, terminal_size=(110, 48), run_before=settle)


def test_search(snap_compare, store: Store, tmp_path: Path) -> None:
    practice_history(store)
    app = ScreenApp(lambda: SearchScreen(store, deps=deps(tmp_path), query="rotat"))
    assert snap_compare(app, terminal_size=(110, 20), run_before=settle)


def test_stats(snap_compare, store: Store, tmp_path: Path) -> None:
    practice_history(store)
    app = ScreenApp(lambda: StatsScreen(store, deps=deps(tmp_path)))
    assert snap_compare(app, terminal_size=(110, 48), run_before=settle)
