"""The home screen: pick a pack, the number of questions, timing, coach mode and grader; resume
any interrupted session; practise what is due; open history, search and stats.

The active grader is always on screen: the LLM grader is offered only when a model is
configured, so a fresh install shows (and uses) the offline keyword grader. How many questions
are due and the practice streak are counted in a worker after the screen is drawn (they need
the scheduler and a pass over the results), so they never slow the first paint.

Start-up: the first frame has the heading, the buttons and the key bar only. A worker then
builds the app's settings and store (when `mockint` was started bare) and reads the packs and
the interrupted sessions (`home_data`); the form's fields and the resume buttons are mounted
when they arrive. A button or key pressed before that waits for it and then runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Select, Static

from mockint import locations
from mockint.errors import UserError
from mockint.tui.plain import notify, plain
from mockint.tui.screens.home_data import HomeData, Resumable, read_home_data, read_resumable
from mockint.tui.screens.home_form import HomeForm
from mockint.tui.screens.home_palette import HomeCommands, PaletteCommand, home_commands
from mockint.tui.widgets.key_bar import KeyBar

# the app registers HomeCommands with the palette; it is at home here
__all__ = ["HomeCommands", "HomeScreen"]


class HomeScreen(HomeForm):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start"),
        Binding("ctrl+r", "resume", "Resume"),
        Binding("ctrl+d", "practice_due", "Due"),
        Binding("ctrl+o", "history", "History"),
        Binding("ctrl+f", "search", "Search"),
        Binding("ctrl+g", "stats", "Stats"),
    ]

    def __init__(self) -> None:
        super().__init__()  # the form's state: packs, loaded, ... (home_form.py)
        # filled in by the loading worker (see the module's docstring)
        self.pack_errors: list[str] = []
        # the interrupted sessions offered, newest first: (session id, button label)
        self.resumable: list[tuple[int, str]] = []
        self.more_resumable = 0
        self.due_count: int | None = None
        # what was asked for before the form was filled in; runs once it is
        self._pending: Callable[[], object] | None = None

    def compose(self) -> ComposeResult:
        """The first frame: no pack, setting or session is needed to draw it."""
        with VerticalScroll(id="home-form"):
            with Horizontal(id="home-heading"):
                yield Static("Rehearse a technical interview", id="home-title")
                yield Static("", id="home-progress")
            with Horizontal(id="home-buttons"):
                yield Button("Start interview", id="start", variant="primary", compact=True)
            # one button per interrupted session, mounted when there is one (most starts: none)
            yield Vertical(id="home-resume")
            with Horizontal(id="home-review-buttons"):
                yield Button("Practise what's due", id="due", compact=True)
                yield Button("History", id="history", compact=True)
                yield Button("Search", id="search", compact=True)
                yield Button("Stats", id="stats", compact=True)
            yield Static("", id="home-message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#home-resume").display = False
        # Enter starts an interview with the defaults; tab moves through the form.
        self.query_one("#start", Button).focus()
        self.call_after_refresh(self._load)

    # loading ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="home-load")
    def _load(self) -> None:
        """Settings and store (when the app has none yet), then the packs and sessions."""
        from mockint.dberrors import explain

        app = self.mockint
        try:
            if app.load():  # a store the app just built is this worker's alone until now
                data = read_home_data(app.store)
            else:  # a shared one: a connection of its own (an interview may be writing)
                from mockint.tui.screens.review_common import worker_store

                with worker_store(app.store) as store:
                    data = read_home_data(store)
        except UserError as exc:
            self.post_message(self.LoadFailed(exc))
            return
        except sqlite3.Error as exc:
            problem = explain(exc, app.store.path) if app.loaded else None
            if problem is None:
                raise
            self.post_message(self.LoadFailed(problem))
            return
        self.post_message(self.Loaded(data))

    class Loaded(Message):
        def __init__(self, data: HomeData) -> None:
            super().__init__()
            self.data = data

    class LoadFailed(Message):
        def __init__(self, problem: UserError) -> None:
            super().__init__()
            self.problem = problem

    async def on_home_screen_loaded(self, message: Loaded) -> None:
        await self._fill(message.data)

    def on_home_screen_load_failed(self, message: LoadFailed) -> None:
        self.mockint.start_failed(message.problem)

    async def _fill(self, data: HomeData) -> None:
        """Mount the form's fields and the resume buttons, then run what was asked for.

        After each await the app may be closing (ctrl+q while loading): then nothing more."""
        if not self.is_attached:
            return
        self.packs = data.packs
        self.pack_errors = data.pack_errors
        self.last_pack_id = data.last_pack_id
        await self.query_one("#home-form").mount(*self._fields(), before="#home-buttons")
        if not self.is_attached:
            return
        self.loaded = True
        await self._show_resumable(data.resumable)
        if not self.is_attached:
            return
        if not self.packs:
            self.query_one("#start", Button).disabled = True
            self._message(f"No packs found. Put .toml packs in {locations.user_packs_dir()}")
        elif self.pack_errors:
            self._message("Skipped broken packs: " + "; ".join(self.pack_errors))
        else:
            self._message("")
        self._update_hints()
        self.refresh_bindings()
        pending, self._pending = self._pending, None
        if pending is not None:
            pending()
        if self.app.screen is self:
            self._refresh_counts()

    def _waits_for_load(self, action: Callable[[], object]) -> bool:
        """True (and `action` remembered) when the form is not filled in yet."""
        if self.loaded:
            return False
        self._pending = action
        self._message("Loading packs…")
        return True

    async def on_screen_resume(self) -> None:
        """Shown (the first time too, or back from an interview): sessions may have been
        interrupted or finished meanwhile; the counts wait until the screen is drawn. (The
        first time, the loading worker does both.)"""
        if not self.loaded:
            return
        await self._refresh_resume()
        self.call_after_refresh(self._refresh_counts)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "pack":
            self._update_hints()
            self._refresh_counts()

    def _resume_widgets(self) -> list[Static | Button]:
        widgets: list[Static | Button] = [
            Button(
                plain(label, one_line=True),
                id="resume" if index == 0 else f"resume-{index + 1}",
                classes="resume-button",
                compact=True,
            )
            for index, (_, label) in enumerate(self.resumable)
        ]
        if self.more_resumable:
            hint = f"and {self.more_resumable} more interrupted in History (ctrl+o)"
            widgets.append(Static(hint, id="resume-more", classes="hint"))
        return widgets

    async def _show_resumable(self, resumable: Resumable) -> None:
        """One button per interrupted session, newest first (not only the latest)."""
        before = (self.resumable, self.more_resumable)
        self.resumable, self.more_resumable = resumable.sessions, resumable.more
        box = self.query_one("#home-resume")
        box.display = bool(self.resumable)
        if (self.resumable, self.more_resumable) != before:
            await box.remove_children()
            await box.mount(*self._resume_widgets())
        self.refresh_bindings()

    async def _refresh_resume(self) -> None:
        await self._show_resumable(read_resumable(self.mockint.store))

    # practice counts ----------------------------------------------------------------------------

    def _refresh_counts(self) -> None:
        self._count_practice(self._pack_id())

    @work(thread=True, exclusive=True, group="home-counts", exit_on_error=False)
    def _count_practice(self, pack_id: str | None) -> None:
        from mockint.review.scheduler import due_summary
        from mockint.review.stats import practice_streak
        from mockint.tui.screens.review_common import worker_store

        now = self.mockint.clock()
        # a connection of its own: counting brings summaries and practice cards up to date
        with worker_store(self.mockint.store) as store:
            due = due_summary(store, pack_id, now) if pack_id else None
            streak = practice_streak(store, now)
        self.post_message(self.Counted(pack_id, due, streak))

    class Counted(Message):
        """What `_count_practice` found for a pack: what is due, and the practice streak."""

        def __init__(self, pack_id: str | None, due: dict[str, Any] | None, streak: int) -> None:
            super().__init__()
            self.pack_id, self.due, self.streak = pack_id, due, streak

    def on_home_screen_counted(self, message: Counted) -> None:
        pack_id, due, streak = message.pack_id, message.due, message.streak
        if not self.is_mounted or pack_id != self._pack_id():
            return
        button = self.query_one("#due", Button)
        parts: list[str] = []
        if due is None or not due["practised"]:
            self.due_count = 0
            button.label = "Practise what's due (none yet)"
        else:
            self.due_count = len(due["due_now"])
            button.label = f"Practise what's due ({self.due_count or 'none'})"
            parts.append(
                f"{self.due_count} question{'s' if self.due_count != 1 else ''} due"
                if self.due_count
                else "nothing due today"
            )
        if streak:
            parts.append(f"{streak}-day streak")
        self.query_one("#home-progress", Static).update(" · ".join(parts))
        button.refresh(layout=True)  # a Button's label is not a layout reactive

    # starting ---------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("resume-button"):
            buttons = list(self.query(".resume-button").results(Button))
            index = buttons.index(event.button)
            if index < len(self.resumable):
                self.resume_session(self.resumable[index][0])
            return
        actions = {
            "start": self.action_start,
            "due": self.action_practice_due,
            "history": self.action_history,
            "search": self.action_search,
            "stats": self.action_stats,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def action_start(self) -> None:
        from mockint.tui.requests import NewSession

        if self._waits_for_load(self.action_start):
            return
        try:
            request = NewSession(
                pack=self._require_pack(),
                options=self._options(),
                grader=self._grader_name(),
                pack_path=self._pack_path(),
            )
        except UserError as exc:
            self._message(str(exc))
            notify(self, exc, severity="error")
            return
        self._message("")
        self.mockint.open_session(request)

    def action_resume(self) -> None:
        """Resume the latest interrupted session (the others have their own buttons)."""
        if self._waits_for_load(self.action_resume):
            return
        if not self.resumable:
            self.notify("There is no interrupted session to resume.")
            return
        self.resume_session(self.resumable[0][0])

    def resume_session(self, session_id: int) -> None:
        from mockint.tui.requests import ResumeSession

        self.mockint.open_session(ResumeSession(session_id))

    def action_practice_due(self) -> None:
        """A session of the pack's questions that are due, the most-missed points first."""
        from mockint.review.scheduler import due_plan, nothing_due_message
        from mockint.tui.requests import NewSession

        if self._waits_for_load(self.action_practice_due):
            return
        try:
            pack = self._require_pack()
            options = self._options()
        except UserError as exc:
            self._message(str(exc))
            return
        store = self.mockint.store
        # only what is due: never-practised questions are what "Start interview" is for
        question_ids, focus = due_plan(
            store, pack, limit=options.questions, now=self.mockint.clock(), include_new=False
        )
        if not question_ids:
            message = nothing_due_message(store, pack, self.mockint.clock())
            self._message(message)
            notify(self, message)
            return
        options = replace(
            options, questions=len(question_ids), question_ids=tuple(question_ids), focus=focus
        )
        self.mockint.open_session(NewSession(pack, options, self._grader_name(), self._pack_path()))

    def action_history(self) -> None:
        if not self._waits_for_load(self.action_history):
            self.mockint.open_history()

    def action_search(self) -> None:
        if not self._waits_for_load(self.action_search):
            self.mockint.open_search()

    def action_stats(self) -> None:
        if self._waits_for_load(self.action_stats):
            return
        pack = self._pack()
        self.mockint.open_stats(pack.id if pack else None)

    # the command palette ----------------------------------------------------------------------

    def palette_commands(self) -> list[PaletteCommand]:
        """Every home action as a command palette entry (ctrl+p): see home_palette.py."""
        return home_commands(self)

    def start_pack(self, pack_id: str) -> None:
        """Start an interview on this pack with the form's other choices."""
        chooser = self.query_one("#pack")
        if isinstance(chooser, Select):
            chooser.value = pack_id
            # now, not when the Select's change message comes: the questions field must fit
            # this pack before Start reads it
            self._update_hints()
        self.action_start()
