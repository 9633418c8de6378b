"""The stats screen: score over time per pack (text charts), the rubric points missed most
often, average time per question, and what spaced practice says is due.

The figures are computed in a worker thread (SQL aggregates: well under 200 ms for 10,000
sessions), so the screen draws at once and fills in. [ and ] switch between packs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from mockint.review.charts import bar_chart, sparkline
from mockint.review.stats import PackStats, compute_stats, practised_packs
from mockint.review.transcript import format_seconds
from mockint.safe_text import safe_text
from mockint.store import Store
from mockint.timestamps import format_when
from mockint.tui.plain import plain_rich
from mockint.tui.screens.review_common import ReviewDeps, worker_store
from mockint.tui.tones import CHART_STYLE, redraw_on_theme_change, rich_style, verdict_style
from mockint.tui.widgets.key_bar import KeyBar

MISSED_STYLE = verdict_style("missed", bold=False)


class StatsScreen(Screen[None]):
    """Progress. `StatsScreen(store, deps=ReviewDeps(...), pack_id=None, last=100)`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("right_square_bracket", "pack(1)", "Next pack"),
        Binding("left_square_bracket", "pack(-1)", "Previous pack"),
    ]

    class Loaded(Message):
        """The figures, computed in the worker (see `load`)."""

        def __init__(self, packs: list[str], pack_id: str | None, stats: PackStats | None) -> None:
            super().__init__()
            self.packs = packs
            self.pack_id = pack_id
            self.stats = stats

    def __init__(
        self,
        store: Store,
        *,
        deps: ReviewDeps | None = None,
        pack_id: str | None = None,
        last: int = 100,
    ) -> None:
        super().__init__()
        self.store = store
        self.deps = deps or ReviewDeps()
        self.pack_id = pack_id
        self.last = last
        self.packs: list[str] = []
        self.shown: tuple[list[str], str | None, PackStats | None] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Stats · loading…", id="stats-header")
        with VerticalScroll(id="stats-body", can_focus=True):
            yield Static("", id="stats-content")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#stats-body").focus()
        self.load()
        redraw_on_theme_change(self, self.recolour)

    def recolour(self) -> None:
        """The figures again in the colours of the theme now in use."""
        if self.shown is not None:
            self.show(*self.shown)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        now = self.deps.now() if self.deps.now else datetime.now(UTC)
        with worker_store(self.store) as store:  # stats write summaries and cards
            packs = practised_packs(store)
            pack_id = self.pack_id if self.pack_id in packs else (packs[0] if packs else None)
            stats = compute_stats(store, pack_id, last=self.last, now=now) if pack_id else None
        self.post_message(self.Loaded(packs, pack_id, stats.packs[0] if stats else None))

    def on_stats_screen_loaded(self, message: Loaded) -> None:
        self.show(message.packs, message.pack_id, message.stats)

    def show(self, packs: list[str], pack_id: str | None, stats: PackStats | None) -> None:
        self.shown = (packs, pack_id, stats)
        self.packs = packs
        self.refresh_bindings()  # [ and ] are offered only when there is a pack to switch to
        self.pack_id = pack_id
        header = self.query_one("#stats-header", Static)
        content = self.query_one("#stats-content", Static)
        if stats is None or pack_id is None:
            header.update("Stats")
            content.update("No completed session yet: finish an interview to see progress here.")
            return
        position = (
            f"pack {packs.index(pack_id) + 1} of {len(packs)} · [ ] to switch"
            if len(packs) > 1
            else "one pack"
        )
        header.update(
            Text.assemble(
                ("Stats", "bold"),
                safe_text(f" · {stats.title} ({stats.pack_id}) · ", one_line=True),
                (position, "dim"),
            )
        )
        content.update(render(stats, self.last, partial(rich_style, self)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return len(self.packs) > 1 if action == "pack" else True

    def action_pack(self, step: int) -> None:
        if len(self.packs) < 2 or self.pack_id not in self.packs:
            return
        index = (self.packs.index(self.pack_id) + step) % len(self.packs)
        self.pack_id = self.packs[index]
        self.query_one("#stats-header", Static).update("Stats · loading…")
        self.load()

    def action_back(self) -> None:
        self.dismiss()


def render(stats: PackStats, last: int, themed: Callable[[str], Style]) -> RenderableType:
    """The figures; `themed` turns a theme style ("$accent") into colours."""
    window = f"last {last} sessions" if last else "all sessions"
    parts: list[RenderableType] = []
    latest = f" · latest {stats.latest:.1f}" if stats.latest is not None else ""
    parts.append(
        Text.assemble(
            (f"{stats.sessions} completed session{'' if stats.sessions == 1 else 's'}", "bold"),
            f" · average {stats.average:.1f} · best {stats.best:.1f}{latest}",
        )
    )
    if stats.recent:
        scores = [score for _, _, score in stats.recent]
        parts.append(
            Text.assemble(
                (f"\nLast {len(scores)} session{'' if len(scores) == 1 else 's'}  ", "bold"),
                (sparkline(scores), themed(CHART_STYLE)),
                f"  {format_when(stats.recent[0][1], with_time=False)} → "
                f"{format_when(stats.recent[-1][1], with_time=False)}",
            )
        )
    parts.append(Text.assemble(("\nRubric points missed most often", "bold"), f" ({window})"))
    if stats.missed:
        table = Table(box=None, padding=(0, 2, 0, 0), header_style="dim")
        for label in ("Question", "Point", "Missed", "Partly", "Of", "What it asks for"):
            table.add_column(
                label,
                no_wrap=label != "What it asks for",
                justify="right" if label in ("Missed", "Partly", "Of") else "left",
            )
        for point in stats.missed:
            table.add_row(
                plain_rich(point.question_id, one_line=True),
                plain_rich(point.point_id, one_line=True),
                Text(str(point.missed), themed(MISSED_STYLE) if point.missed else ""),
                str(point.partial),
                str(point.judged),
                plain_rich(point.description),
            )
        parts.append(table)
    else:
        parts.append(Text("none", style="dim"))
    rows = [
        (w.week, w.average or 0.0, f"{w.average:.1f} ({w.sessions})" if w.sessions else "–")
        for w in stats.weekly
    ]
    chart = "\n".join(bar_chart(rows, width=40))
    parts.append(
        Text.assemble(
            ("\nWeekly average score", "bold"), " (Mondays, UTC)\n", (chart, themed(CHART_STYLE))
        )
    )
    average = format_seconds(stats.avg_seconds) if stats.avg_seconds is not None else "–"
    parts.append(Text.assemble(("\nTime per question", "bold"), f" ({window}): average {average}"))
    if stats.times:
        table = Table(box=None, padding=(0, 2, 0, 0), header_style="dim")
        for label in ("Question", "Answers", "Average time", "Average score"):
            table.add_column(label, justify="left" if label == "Question" else "right")
        for item in stats.times:
            table.add_row(
                plain_rich(item.question_id, one_line=True),
                str(item.attempts),
                format_seconds(item.avg_seconds),
                f"{item.avg_score:.1f}",
            )
        parts.append(table)
    due = stats.due
    if due:
        names = safe_text(", ".join(due["due_now"]), one_line=True)
        next_due = f" · next due {format_when(due['next_due'])}" if due["next_due"] else ""
        parts.append(
            Text.assemble(
                ("\nSpaced practice", "bold"),
                f": {len(due['due_now'])} of {due['practised']} practised questions due now",
                f" ({names})" if names else "",
                next_due,
            )
        )
    return Group(*parts)
