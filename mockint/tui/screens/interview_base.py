"""What every part of the interview screen shares: its widgets, its phase, the clock, drafts,
and how it writes to the store from the UI thread.

The screen drives one `Interview` and never overlaps two engine calls: opening the session and
grading run in thread workers of the "engine" group, and while one runs the screen is in a phase
("loading", "grading") in which nothing else touches the engine. Short store writes (submit,
draft, advance) happen on the UI thread; each is one small SQLite statement.

Another process may be writing to the same database. A UI-thread write waits at most
UI_PATIENCE_SECONDS for it (the screen must not freeze), then says so and tries again a second
later, keeping the text on screen ("saving" phase); autosave simply tries again next time. Any
other database problem is shown as a notice, never a crash, and the text stays in the editor.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, cast

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Markdown, Static

from mockint.errors import UserError
from mockint.interview import Interview
from mockint.store import StoreBusy
from mockint.tui.plain import notify
from mockint.tui.widgets.answer_editor import AnswerEditor
from mockint.tui.widgets.key_bar import KeyBar
from mockint.tui.widgets.timer import QuestionTimer

if TYPE_CHECKING:
    from mockint.tui.host import AppHost
    from mockint.tui.requests import SessionRequest

Phase = Literal["loading", "answering", "saving", "grading", "grade_failed", "feedback", "done"]
WriteResult = Literal["ok", "busy", "failed"]
UI_PATIENCE_SECONDS = 0.5


class InterviewBase(Screen[None]):
    """The ground the turn loop (interview_turns.py) and the session's opening and pause menu
    (interview.py) stand on; never shown by itself."""

    # What the screen is doing; `watch_phase` makes the editor, spinner and live feedback follow
    # it, and the bindings (`check_action`) are refreshed on every change.
    phase: var[Phase] = var[Phase]("loading", bindings=True)

    def __init__(self, request: SessionRequest) -> None:
        super().__init__()
        self.request = request
        self.interview: Interview | None = None
        self._live_text = ""  # the streamed feedback shown live in coach mode
        self._last_problem: tuple[str, str] | None = None  # the last write problem shown
        self._last_problem_at = 0.0

    @property
    def mockint(self) -> AppHost:
        return cast("AppHost", self.app)

    def compose(self) -> ComposeResult:
        with Horizontal(id="turn-bar"):
            yield Static("Opening the session…", id="progress")
            yield QuestionTimer(id="timer")
        with VerticalScroll(id="question-box"):
            yield Markdown("", id="question")
        self.editor = AnswerEditor(id="answer", cursor_blink=self.mockint.cursor_blink)
        yield self.editor
        yield Static("", id="live-feedback")
        with Horizontal(id="status-bar"):
            yield LoadingIndicator(id="spinner")
            yield Static("", id="status")
            yield Static("", id="grader-name")
        yield KeyBar()

    def on_unmount(self) -> None:
        self.save_draft()
        if self.interview is not None:
            # another terminal may resume the session now; if this fails, the claim lapses
            # by itself once this process is gone
            with contextlib.suppress(UserError):
                self.interview.release()

    def _heartbeat(self) -> None:
        if self.interview is not None and self.phase != "done":
            try:
                with self.mockint.store.patience(UI_PATIENCE_SECONDS):
                    self.interview.heartbeat()
            except UserError:
                pass  # a busy database: the next heartbeat will do

    def _status(self, text: str) -> None:
        """The status line, when it is still there (a write can fail while quitting)."""
        for status in self.query("#status").results(Static):
            status.update(text)

    def _write(
        self, action: Callable[[], object], doing: str, retry: Callable[[], None] | None = None
    ) -> WriteResult:
        """Run a short engine write on the UI thread (see the module docstring)."""
        try:
            with self.mockint.store.patience(UI_PATIENCE_SECONDS):
                action()
        except StoreBusy:
            self._status(
                f"The database is busy (another mockint is writing): {doing} again in a moment; "
                "your text is kept"
            )
            if retry is not None:
                self.set_timer(1.0, retry)
            return "busy"
        except UserError as exc:  # a full disk, a read-only file, the session taken over...
            self._status(f"Not saved ({doing}); your text is kept")
            # autosave fails every few seconds on a full disk: one notice, not a pile of them
            now = time.monotonic()
            if self._last_problem != (str(exc), doing) or now - self._last_problem_at > 60:
                notify(self, exc, title=f"Not saved ({doing})", severity="error", timeout=20)
                self._last_problem, self._last_problem_at = (str(exc), doing), now
            return "failed"
        return "ok"

    # phases -----------------------------------------------------------------------------------

    def _set_phase(self, phase: Phase, status: str = "") -> None:
        self.phase = phase
        self._status(status)

    def watch_phase(self, phase: Phase) -> None:
        """The spinner while busy; typing only while answering; the streamed feedback only
        while grading (a failed grade does not leave half a reply on screen)."""
        busy = phase in ("loading", "saving", "grading")
        for bar in self.query("#status-bar"):
            bar.set_class(busy, "-busy")
        self.editor.read_only = phase != "answering"
        if phase != "grading":
            self._live_text = ""
            for live in self.query("#live-feedback"):
                live.remove_class("-streaming")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return True if self.phase in ("answering", "grade_failed") else None
        if action == "menu":
            return True if self.phase in ("answering", "grade_failed") else None
        return True

    # the clock --------------------------------------------------------------------------------

    # The clock stops while anything covers the screen during an answer (the pause menu, the
    # "skip this question?" dialog): time spent there is not time spent answering.

    def on_screen_suspend(self) -> None:
        if self.phase == "answering" and self.interview is not None:
            self.interview.pause_clock()

    def on_screen_resume(self) -> None:
        if self.interview is not None:
            self._write(self.interview.resume_clock, "restarting the clock")
            self._tick()

    def _elapsed(self) -> float:
        if self.mockint.freeze_timer_at is not None:
            return self.mockint.freeze_timer_at
        assert self.interview is not None
        return self.interview.elapsed()

    def _tick(self) -> None:
        if self.phase != "answering" or self.interview is None:
            return
        turn = self.interview.current
        if turn is not None:
            self.query_one(QuestionTimer).show(self._elapsed(), turn.budget_seconds)

    # drafts -----------------------------------------------------------------------------------

    def _autosave(self) -> None:
        self.save_draft()

    def save_draft(self) -> bool:
        """Write the editor's text as the open turn's draft (autosave, pause, quit); False when
        it could not be written (the text stays in the editor; autosave tries again).

        It is written even when unchanged: the draft's time is the last moment the candidate was
        on this answer, which is what `resume` counts the time already spent up to.
        """
        if self.phase != "answering" or self.interview is None or self.interview.current is None:
            return True
        interview, text = self.interview, self.editor.text
        return self._write(lambda: interview.save_draft(text), "saving your draft") == "ok"
