"""The transcript screen: every question, follow-up and answer of a session, each grade side by
side with the others (and the difference), evidence highlighted in the answer, time used, and how
the score on each question moved over earlier sessions.

Keys: n / p next / previous question, r regrade with the LLM, R regrade with the offline
grader (the default one: keywords plus meaning, as `mockint regrade --grader offline`), K with
the keyword grader alone (not in the key bar, which must fit 80 columns; listed under ctrl+p
"Keys"), e export Markdown, x export JSON, escape back. A regrade adds a grade column, it never
replaces one.

Regrading runs off the UI thread, grader construction included: the screen stays responsive
while an LLM thinks or the offline grader loads its sentence encoder (a second or two, on first
use), and a quit meanwhile leaves at once without storing the unfinished regrade.

What each part looks like is drawn by transcript_view.py; this module places, scrolls and
repaints those parts and runs the keys.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from mockint.errors import UserError
from mockint.review.transcript import Transcript, load_transcript
from mockint.store import Store
from mockint.tui.plain import notify
from mockint.tui.screens.review_common import ReviewDeps, worker_store
from mockint.tui.screens.transcript_view import header, question_heading, turn_block
from mockint.tui.tones import redraw_on_theme_change, rich_style
from mockint.tui.widgets.key_bar import KeyBar


class TranscriptScreen(Screen[None]):
    """One session. `TranscriptScreen(store, session_id, deps=ReviewDeps(...), focus_turn=id)`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("n", "next_question", "Next"),
        Binding("p", "previous_question", "Prev"),
        Binding("r", "regrade('llm')", "Regrade LLM"),
        Binding("R", "regrade('offline')", "Regrade offline"),
        Binding("K", "regrade('keyword')", "Regrade keyword", show=False),
        Binding("e", "export('md')", "Export md"),
        Binding("x", "export('json')", "Export JSON"),
    ]

    class Regraded(Message):
        """The regrade worker is done: what to tell the user, and whether it went wrong."""

        def __init__(self, text: str, problem: bool) -> None:
            super().__init__()
            self.text = text
            self.problem = problem

    def __init__(
        self,
        store: Store,
        session_id: int,
        *,
        deps: ReviewDeps | None = None,
        focus_turn: int | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.session_id = session_id
        self.deps = deps or ReviewDeps()
        self.focus_turn = focus_turn
        self.transcript: Transcript | None = None
        self.current_question = 0
        self.regrading = False

    def compose(self) -> ComposeResult:
        yield Static("", id="transcript-header")
        yield VerticalScroll(id="transcript-body", can_focus=True)
        yield KeyBar()

    async def on_mount(self) -> None:
        await self.show()
        redraw_on_theme_change(self, self.paint)

    # rendering ------------------------------------------------------------------------------

    async def show(self) -> None:
        try:
            self.transcript = load_transcript(self.store, self.session_id, with_history=True)
        except LookupError:
            self.query_one("#transcript-header", Static).update(
                Text(f"No session {self.session_id}.")
            )
            return
        body = self.query_one("#transcript-body", VerticalScroll)
        await body.remove_children()
        widgets: list[Static] = []
        for number, question in enumerate(self.transcript.questions, start=1):
            widgets.append(Static(classes="q-heading", id=f"q-{number}"))
            for view in question.turns:
                classes = "turn focused-turn" if view.turn.id == self.focus_turn else "turn"
                widgets.append(Static(classes=classes, id=f"turn-{view.turn.id}"))
        if not widgets:
            widgets.append(Static("No question was asked in this session."))
        await body.mount_all(widgets)
        if not all(widget.is_attached for widget in widgets):
            # quit came during the await: Textual mounts nothing once the app is exiting (or
            # the screen is going), so there is nothing to paint and no error to raise
            return
        self.paint()
        body.focus()
        if self.focus_turn is not None:
            self.call_after_refresh(self.scroll_to_turn, self.focus_turn)

    def paint(self) -> None:
        """Fill the header, headings and turns in the colours of the theme in use (again
        after the theme changes: Rich text holds resolved colours)."""
        if self.transcript is None:
            return
        themed = partial(rich_style, self)
        self.query_one("#transcript-header", Static).update(header(self.transcript, themed))
        for number, question in enumerate(self.transcript.questions, start=1):
            self.query_one(f"#q-{number}", Static).update(
                question_heading(number, question, themed)
            )
            for view in question.turns:
                self.query_one(f"#turn-{view.turn.id}", Static).update(turn_block(view, themed))

    def scroll_to_turn(self, turn_id: int) -> None:
        matches = self.query(f"#turn-{turn_id}")
        if matches:
            self.query_one("#transcript-body", VerticalScroll).scroll_to_widget(
                matches.first(), top=True, animate=False
            )

    # actions --------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def _go_to_question(self, step: int) -> None:
        if not self.transcript or not self.transcript.questions:
            return
        count = len(self.transcript.questions)
        self.current_question = max(0, min(count - 1, self.current_question + step))
        heading = self.query_one(f"#q-{self.current_question + 1}")
        self.query_one("#transcript-body", VerticalScroll).scroll_to_widget(
            heading, top=True, animate=False
        )

    def action_next_question(self) -> None:
        self._go_to_question(1)

    def action_previous_question(self) -> None:
        self._go_to_question(-1)

    def action_export(self, fmt: str) -> None:
        from mockint.locations import private_dir, write_private
        from mockint.review import export, markdown

        folder = self.deps.exports()
        path = folder / f"mockint-session-{self.session_id}.{fmt}"
        try:
            if fmt == "json":
                text = export.to_json(export.export_document(self.store, [self.session_id]))
            elif self.transcript is not None:
                text = markdown.render(self.transcript)
            else:
                return
            private_dir(folder)
            write_private(path, text)  # 0600 in a 0700 folder, like the database
        except OSError as exc:
            notify(self, f"Cannot write {path}: {exc.strerror}", severity="error")
            return
        notify(self, f"Exported to {path}", title="Export")

    def action_regrade(self, grader: str) -> None:
        if self.deps.grader_factory is None:
            self.notify("Regrading is not available here.", severity="warning")
            return
        if self.regrading:
            self.notify("A regrade is already running.", severity="warning")
            return
        self.regrading = True
        self.notify(f"Regrading with the {grader} grader…", title="Regrade")
        self.regrade(grader)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def regrade(self, grader: str) -> None:
        """Wait for the regrade, run in a daemon thread, unless this worker is cancelled.

        Textual's thread workers are joined when the app ends, so a regrade run here directly
        would hold a quit on a blank terminal until an LLM answered or the encoder loaded.
        Cancelled (quit, or the screen closed), this worker returns at once: the daemon
        thread goes on while the process lives and is dropped when it ends, storing nothing
        (a regrade writes its grades in one transaction, at the end)."""
        worker = get_current_worker()
        finished = threading.Event()
        outcome: list[TranscriptScreen.Regraded] = []

        def run() -> None:
            try:
                outcome.append(self._regrade(grader))
            finally:
                finished.set()

        threading.Thread(target=run, name="regrade", daemon=True).start()
        while not finished.wait(0.05):
            if worker.is_cancelled:
                return
        self.post_message(outcome[0])

    def _regrade(self, grader: str) -> Regraded:
        """Build the grader (the factory runs here, off the UI thread), regrade, and say how
        it went."""
        from mockint.review.regrade import regrade_session

        assert self.deps.grader_factory is not None
        try:
            with worker_store(self.store) as store:
                report = regrade_session(
                    store,
                    self.session_id,
                    grader,
                    factory=self.deps.grader_factory,
                    resolve_pack=self.deps.pack_resolver,
                )
        except UserError as exc:  # no LLM configured, the pack is gone, ...
            return self.Regraded(str(exc), True)
        except Exception as exc:  # anything else: say so, keep the screen usable
            return self.Regraded(f"Regrade failed: {exc}", True)
        failed = len(report.failed)
        answers = "answer" if report.stored == 1 else "answers"
        message = f"{report.stored} {answers} regraded" + (f", {failed} failed" if failed else "")
        if failed:
            message += f": {report.failed[0].note}"
        return self.Regraded(message, bool(failed))

    async def on_transcript_screen_regraded(self, message: Regraded) -> None:
        self.regrading = False
        severity = "warning" if message.problem else "information"
        notify(self, message.text, title="Regrade", severity=severity)
        await self.show()
