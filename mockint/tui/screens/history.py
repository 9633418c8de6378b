"""The history screen: every session, sortable and filterable, opening its transcript.

Only what is on screen is read: a page of 100 sessions at first, the next page when the cursor
comes near the end (one LIMIT/OFFSET query on `sessions`, a millisecond or two), so 10,000
sessions open and scroll as fast as 10.

Keys: enter opens the transcript, r resumes an interrupted session, / searches, f edits the
filter, s cycles the sort column, S reverses it, t shows stats, escape goes back. The status
column comes early so that it stays on screen at 80 columns: an interrupted session and an
abandoned one must not look alike. Below `NARROW_BELOW` columns the table drops the band (the
score's colour and the transcript say it), names the grader without its model, calls the
duration "Time" and cuts long pack ids, so every column fits at 80.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from mockint.review import history
from mockint.review.transcript import format_seconds, grader_label
from mockint.store import Store
from mockint.timestamps import format_when
from mockint.tui.plain import plain_rich
from mockint.tui.screens.review_common import ReviewDeps, band_text
from mockint.tui.tones import redraw_on_theme_change
from mockint.tui.widgets.key_bar import KeyBar

Column = tuple[str, str, str | None]  # (column key, label, sort key)
COLUMNS: tuple[Column, ...] = (
    ("id", "#", None),
    ("date", "Date", "date"),
    ("status", "Status", "status"),
    ("pack", "Pack", "pack"),
    ("score", "Score", "score"),
    ("band", "Band", "score"),
    ("grader", "Grader", "grader"),
    ("duration", "Duration", "duration"),
)
# narrower than this (a 100-column table with its scrollbar does not fit), the narrow columns
NARROW_BELOW = 110
NARROW_COLUMNS: tuple[Column, ...] = tuple(
    (key, "Time" if key == "duration" else label, sort)
    for key, label, sort in COLUMNS
    if key != "band"
)
# the wide table cuts a longer pack id or grader label (with its model) with an ellipsis, so
# that it fits at 120 columns
WIDE_PACK, WIDE_GRADER = 20, 22
# the narrow table's widest cells besides the pack's: id (to 99,999), date, status, score,
# grader, time, plus each cell's padding (1 on each side) and the scrollbar
NARROW_FIXED = 5 + 16 + 11 + 5 + 7 + 7 + 2 * len(NARROW_COLUMNS) + 2
STATUS_STYLES = {"in_progress": "bold", "abandoned": "dim"}
SORT_CYCLE: tuple[history.SortKey, ...] = ("date", "score", "pack", "duration", "status", "grader")
LOAD_AHEAD = 20  # rows before the end at which the next page is read


class HistoryScreen(Screen[None]):
    """All sessions. `HistoryScreen(store, deps=ReviewDeps(...), filter_text="pack:x")`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("r", "resume", "Resume"),
        Binding("slash", "search", "Search"),
        Binding("f", "focus_filter", "Filter"),
        Binding("s", "next_sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse"),
        Binding("t", "stats", "Stats"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        deps: ReviewDeps | None = None,
        filter_text: str = "",
        page_size: int = history.PAGE_SIZE,
    ) -> None:
        super().__init__()
        self.store = store
        self.deps = deps or ReviewDeps()
        self.filter_text = filter_text
        self.page_size = page_size
        self.sort: history.SortKey = "date"
        self.descending = True
        self.flt = history.HistoryFilter()
        self.total = 0
        self.loaded = 0
        self.shown: dict[str, history.HistoryRow] = {}  # by row key
        self.narrow = False

    def compose(self) -> ComposeResult:
        yield Static("History", id="history-title")
        yield Input(
            self.filter_text,
            placeholder="filter: pack:ID since:2026-01 until:2026-03-31 score:<5 "
            "status:completed grader:llm last:30d",
            id="history-filter",
            compact=True,
        )
        yield Static("", id="history-status")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.narrow = self.app.size.width < NARROW_BELOW
        self.add_columns()
        self.apply_filter(self.filter_text)
        self.query_one(DataTable).focus()
        redraw_on_theme_change(self, self.recolour)

    def recolour(self) -> None:
        """Scores again in the colours of the theme now in use."""
        table = self.query_one(DataTable)
        for key, row in self.shown.items():
            table.update_cell(key, "score", band_text(self, row.score, row.band))

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_BELOW
        if narrow != self.narrow:
            self.narrow = narrow
            table = self.query_one(DataTable)
            table.clear(columns=True)
            self.add_columns()
            self.reload()

    def add_columns(self) -> None:
        table = self.query_one(DataTable)
        for key, label, _ in NARROW_COLUMNS if self.narrow else COLUMNS:
            table.add_column(label, key=key)

    def pack_width(self) -> int | None:
        """How wide a pack id may be in the narrow table (the rest of the width), else None."""
        if not self.narrow:
            return None
        return max(8, self.app.size.width - NARROW_FIXED)

    # loading --------------------------------------------------------------------------------

    def apply_filter(self, text: str) -> None:
        status = self.query_one("#history-status", Static)
        now = self.deps.now() if self.deps.now else None
        try:
            self.flt = history.parse_filter(text, now)
        except history.FilterError as exc:
            status.update(plain_rich(exc))
            status.add_class("error")
            return
        status.remove_class("error")
        self.reload()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.shown = {}
        self.loaded = 0
        self.total = history.count(self.store, self.flt)
        self.load_more()
        self.update_status()

    def load_more(self) -> None:
        if self.loaded and self.loaded >= self.total:
            return
        rows = history.page(
            self.store,
            self.flt,
            sort=self.sort,
            descending=self.descending,
            limit=self.page_size,
            offset=self.loaded,
        )
        table = self.query_one(DataTable)
        pack_width = self.pack_width()
        for row in rows:
            table.add_row(*self.cells(row, pack_width), key=str(row.id))
            self.shown[str(row.id)] = row
        self.loaded += len(rows)
        self.update_status()

    def cells(self, row: history.HistoryRow, pack_width: int | None = None) -> list[object]:
        """The row's cells; `pack_width` given: the narrow table's (see the module's doc)."""
        narrow = pack_width is not None
        pack = plain_rich(row.pack_id, one_line=True)
        pack.truncate(pack_width or WIDE_PACK, overflow="ellipsis")
        if narrow:
            grader = plain_rich(row.grader, one_line=True)
        else:
            label = grader_label(row)
            grader = plain_rich(label, one_line=True)
            grader.truncate(WIDE_GRADER, overflow="ellipsis")
        cells: list[object] = [
            Text(str(row.id), style="dim"),
            plain_rich(format_when(row.started_at)),
            plain_rich(
                row.status.replace("_", " "), STATUS_STYLES.get(row.status, ""), one_line=True
            ),
            pack,
            band_text(self, row.score, row.band),
        ]
        if not narrow:
            cells.append(
                plain_rich(row.band or "", style="dim" if row.band is None else "", one_line=True)
            )
        cells += [
            grader,
            format_seconds(row.duration_seconds) if row.duration_seconds is not None else "–",
        ]
        return cells

    def update_status(self) -> None:
        arrow = "↓" if self.descending else "↑"
        shown = (
            f"{self.loaded:,} of {self.total:,}" if self.loaded < self.total else f"{self.total:,}"
        )
        noun = "session" if self.total == 1 else "sessions"
        self.query_one("#history-status", Static).update(
            f"{shown} {noun} · sorted by {self.sort} {arrow} · enter: transcript · /: search"
        )

    # events ---------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.apply_filter(event.value)
        self.query_one(DataTable).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.loaded - LOAD_AHEAD and self.loaded < self.total:
            self.load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_transcript(int(str(event.row_key.value)))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        sort = {key: sort for key, _, sort in COLUMNS}.get(str(event.column_key.value))
        if sort is None:
            return
        self.descending = not self.descending if sort == self.sort else True
        self.sort = sort  # type: ignore[assignment]
        self.reload()

    def open_transcript(self, session_id: int, focus_turn: int | None = None) -> None:
        from mockint.tui.screens.transcript import TranscriptScreen

        self.app.push_screen(
            TranscriptScreen(self.store, session_id, deps=self.deps, focus_turn=focus_turn)
        )

    # actions --------------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.focused is self.query_one(Input):
            self.query_one(DataTable).focus()
            return
        self.dismiss()

    def action_resume(self) -> None:
        """Continue the interrupted session under the cursor (any of them, not only the
        latest, which is all the home screen's first button offers)."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        row = self.shown.get(str(key))
        if row is None:
            return
        if row.status != "in_progress":
            self.notify(f"Session #{row.id} is {row.status}: only an interrupted one resumes.")
            return
        resume = getattr(self.app, "resume_session", None)  # the app's, not a bare test app's
        if resume is None:
            self.notify("Resuming is not available here.", severity="warning")
            return
        resume(row.id)

    def action_focus_filter(self) -> None:
        self.query_one(Input).focus()

    def action_next_sort(self) -> None:
        index = SORT_CYCLE.index(self.sort) if self.sort in SORT_CYCLE else -1
        self.sort = SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
        self.descending = True
        self.reload()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_search(self) -> None:
        from mockint.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.store, deps=self.deps))

    def action_stats(self) -> None:
        from mockint.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.store, deps=self.deps, pack_id=self.flt.pack))
