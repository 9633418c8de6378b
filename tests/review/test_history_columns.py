"""The history table fits the terminal: at 80 columns every column it shows is on screen
(no sideways scrolling to find the grader or the duration), at 120 it shows them all; a long
pack id or model name is cut with an ellipsis rather than pushing columns off screen."""

from __future__ import annotations

from datetime import timedelta

from review_factory import T0, VerdictGrader, bulk_sessions, iso
from screen_app import FIXED_NOW, settle
from textual.widgets import DataTable

from mockint.config import Settings
from mockint.store import Store
from mockint.tui.app import make_app

WIDE = ["id", "date", "status", "pack", "score", "band", "grader", "duration"]
NARROW = ["id", "date", "status", "pack", "score", "grader", "duration"]


def awkward_sessions(store: Store) -> None:
    """Ordinary sessions, and the widest a narrow row gets: a five-digit id, a long pack id,
    an interrupted session, an LLM grader with a long model name."""
    bulk_sessions(store, 30, T0 - timedelta(days=10))
    store.db["sessions"].insert(
        {
            "id": 12345,
            "pack_id": "distributed-systems-and-more",
            "pack_title": "Distributed systems",
            "started_at": iso(T0),
            "ended_at": None,
            "status": "in_progress",
            "grader": "llm",
            "model": "a-rather-long-model-name-70b-instruct",
            "score": None,
            "question_ids": '["q1"]',
            "settings": "{}",
        }
    )


def columns(table: DataTable) -> list[str]:
    return [str(key.value) for key in table.columns]


def fits(table: DataTable) -> bool:
    """Nothing to scroll sideways: the columns are no wider than the table's content area."""
    return table.virtual_size.width <= table.scrollable_content_region.width


async def test_history_fits_at_80_columns_and_shows_everything_at_120(store: Store) -> None:
    awkward_sessions(store)
    app = make_app(
        Settings(db=store.path),
        store,
        lambda name, pack: VerdictGrader(name),
        cursor_blink=False,
        clock=lambda: FIXED_NOW,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")  # the home screen's History
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert columns(table) == NARROW
        assert fits(table), (table.virtual_size, table.scrollable_content_region)
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[0] == "12345" and first[2] == "in progress"
        assert first[3].startswith("distributed") and first[3].endswith("…")
        assert first[5] == "llm"  # the model is in the transcript
        assert [str(c.label) for c in table.columns.values()][-1] == "Time"

        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert columns(table) == WIDE
        assert fits(table), (table.virtual_size, table.scrollable_content_region)
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[3] == "distributed-systems…"  # long values are cut, not scrolled to
        assert first[6] == "llm · a-rather-long-m…"
        assert [str(cell) for cell in table.get_row_at(1)][6] == "keyword"
        assert table.row_count == 31

        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert columns(table) == NARROW and fits(table)
