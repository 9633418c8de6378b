"""The search screen: type words, see matching questions and answers, open the transcript.

Searching runs as you type (after a short pause) and on enter; one FTS5 query answers in a few
milliseconds even over 80,000 turns, so it runs on the UI thread. Enter on a result opens the
session's transcript scrolled to that turn; down from the search box goes to the first result,
so typing, down and enter opens it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from mockint.errors import UserError
from mockint.review.search import SearchHit, search
from mockint.store import Store
from mockint.timestamps import format_when
from mockint.tui.plain import plain_rich
from mockint.tui.screens.review_common import ReviewDeps, snippet_text
from mockint.tui.tones import redraw_on_theme_change
from mockint.tui.widgets.key_bar import KeyBar

LIMIT = 100
DEBOUNCE_SECONDS = 0.25


class SearchScreen(Screen[None]):
    """Full-text search. `SearchScreen(store, deps=ReviewDeps(...), query="mtls")`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash", "focus_input", "Edit search"),
        # reached only from the search box: the results table handles its own down key
        Binding("down", "results", "Results", show=False),
    ]

    def __init__(self, store: Store, *, deps: ReviewDeps | None = None, query: str = "") -> None:
        super().__init__()
        self.store = store
        self.deps = deps or ReviewDeps()
        self.initial = query
        self.hits: dict[str, SearchHit] = {}
        self.searched: str | None = None  # the text the results are for
        self._timer: Timer | None = None
        self.snippet_width = 20  # cells for the match column, set by each search

    def compose(self) -> ComposeResult:
        yield Static("Search questions and answers", id="search-title")
        yield Input(
            self.initial,
            placeholder='words, "a phrase", 服务网格 … (every word must appear)',
            id="search-input",
            compact=True,
        )
        yield Static("", id="search-status")
        table: DataTable[object] = DataTable(id="search-results", cursor_type="row")
        for key, label in (
            ("date", "Date"),
            ("session", "Session"),
            ("question", "Question"),
            ("match", "Match"),
        ):
            table.add_column(label, key=key)
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        redraw_on_theme_change(self, self.recolour)
        if self.initial:
            self.run_search(self.initial)
            self.query_one(DataTable).focus()
        else:
            self.query_one(Input).focus()

    def recolour(self) -> None:
        """Matches again in the colours of the theme now in use."""
        table = self.query_one(DataTable)
        for key, hit in self.hits.items():
            table.update_cell(key, "match", snippet_text(self, hit.snippet, self.snippet_width))

    def run_search(self, text: str) -> None:
        self.searched = text
        status = self.query_one("#search-status", Static)
        table = self.query_one(DataTable)
        table.clear()
        self.hits = {}
        if not text.strip():
            status.update("")
            return
        try:
            hits = search(self.store, text, limit=LIMIT)
        except UserError as exc:
            status.update(plain_rich(exc))
            return
        # the pack is named only when the results come from more than one
        several = len({h.pack_id for h in hits}) > 1
        labels = [
            (f"{h.pack_id}/" if several else "")
            + h.question_id
            + (" follow-up" if h.kind == "follow_up" else "")
            for h in hits
        ]
        # the match column gets what the other columns leave (no sideways scrolling):
        # date 16, session and question as wide as their longest value, 2 cells padding each
        used = 16 + max([len(f"#{h.session_id}") for h in hits] + [7])
        used += max(map(len, labels), default=8)
        width = max(20, self.size.width - used - 4 * 2 - 2)
        self.snippet_width = width
        for hit, label in zip(hits, labels, strict=True):
            key = str(hit.turn_id)
            self.hits[key] = hit
            table.add_row(
                plain_rich(format_when(hit.turn_started_at)),
                Text(f"#{hit.session_id}"),
                plain_rich(label, one_line=True),
                snippet_text(self, hit.snippet, width),
                key=key,
            )
        more = f" (first {LIMIT})" if len(hits) == LIMIT else ""
        status.update(
            f"{len(hits)} match{'es' if len(hits) != 1 else ''}{more}, newest first · "
            "enter: open the transcript at that answer"
            if hits
            else plain_rich(f"No question or answer matches {text!r}.")
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        value = event.value

        def search_now() -> None:
            self._timer = None
            if value != self.searched:  # down may have searched it already
                self.run_search(value)

        self._timer = self.set_timer(DEBOUNCE_SECONDS, search_now)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(DataTable)
        if self.focused is table and self.hits:
            # typed fast, down then enter: down moved to the results, but the enter reached the
            # search box before the focus did; it was meant for the result under the cursor
            self.open_hit(self.hits.get(self._row_key(table)))
            return
        if self._timer is not None:
            self._timer.stop()
        self.run_search(event.value)
        if self.hits:
            table.focus()

    @staticmethod
    def _row_key(table: DataTable[object]) -> str:
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_hit(self.hits.get(str(event.row_key.value)))

    def open_hit(self, hit: SearchHit | None) -> None:
        if hit is None:
            return
        from mockint.tui.screens.transcript import TranscriptScreen

        self.app.push_screen(
            TranscriptScreen(self.store, hit.session_id, deps=self.deps, focus_turn=hit.turn_id)
        )

    def action_focus_input(self) -> None:
        self.query_one(Input).focus()

    def action_results(self) -> None:
        """From the search box to the first result, searching now if what is typed has not
        been searched yet (a fast typist's down can arrive before the box reports a change)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        text = self.query_one(Input).value
        if text != self.searched:
            self.run_search(text)
        if self.hits:
            table = self.query_one(DataTable)
            table.move_cursor(row=0)
            table.focus()

    def action_back(self) -> None:
        if self.focused is self.query_one(Input) and self.hits:
            self.query_one(DataTable).focus()
            return
        self.dismiss()
