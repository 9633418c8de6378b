"""The interview screen: question, answer editor, clock and progress; grading in a worker.

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
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Literal, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Markdown, Static
from textual.worker import Worker, WorkerState

from mockint.errors import UserError
from mockint.interview import Interview, Turn, TurnOutcome
from mockint.ownership import HEARTBEAT_SECONDS
from mockint.safe_text import safe_text
from mockint.session_plan import session_pack
from mockint.store import StoreBusy
from mockint.tui.plain import notify, plain
from mockint.tui.screens.dialogs import ConfirmDialog, FeedbackPanel, PauseMenu
from mockint.tui.widgets.answer_editor import AnswerEditor
from mockint.tui.widgets.grade_view import grade_report
from mockint.tui.widgets.key_bar import KeyBar
from mockint.tui.widgets.timer import QuestionTimer

if TYPE_CHECKING:
    from mockint.tui.host import AppHost
    from mockint.tui.requests import SessionRequest

Phase = Literal["loading", "answering", "saving", "grading", "grade_failed", "feedback", "done"]
WriteResult = Literal["ok", "busy", "failed"]
UI_PATIENCE_SECONDS = 0.5


class InterviewScreen(Screen[None]):
    # What the screen is doing; `watch_phase` makes the editor, spinner and live feedback follow
    # it, and the bindings (`check_action`) are refreshed on every change.
    phase: var[Phase] = var[Phase]("loading", bindings=True)

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: the key then queues behind the characters typed before it, so
        # a fast paste followed by ctrl+s submits all of it.
        Binding("ctrl+s", "submit", "Submit"),
        Binding("escape", "menu", "Pause/quit"),
    ]

    class Opened(Message):
        def __init__(self, interview: Interview) -> None:
            super().__init__()
            self.interview = interview

    class Graded(Message):
        def __init__(self, outcome: TurnOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    class FeedbackDelta(Message):
        """A piece of the grader's feedback as it streams in (coach mode shows it live)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, request: SessionRequest) -> None:
        super().__init__()
        self.request = request
        self.interview: Interview | None = None
        self._graded_turn: int | None = None
        self._received_chars = 0  # streamed grader output, counted by the worker thread
        self._live_text = ""  # the streamed feedback shown live in coach mode
        self._retry_step: Callable[[], None] | None = None  # a step that failed to save
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

    def on_mount(self) -> None:
        self._status("Opening the session…")
        self._open_session()
        self.set_interval(1, self._tick)
        self.set_interval(0.25, self._show_progress)
        self.set_interval(self.mockint.settings.autosave_seconds, self._autosave)
        self.set_interval(HEARTBEAT_SECONDS, self._heartbeat)

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

    # The clock stops while anything covers the screen during an answer (the pause menu, the
    # "skip this question?" dialog): time spent there is not time spent answering.

    def on_screen_suspend(self) -> None:
        if self.phase == "answering" and self.interview is not None:
            self.interview.pause_clock()

    def on_screen_resume(self) -> None:
        if self.interview is not None:
            self._write(self.interview.resume_clock, "restarting the clock")
            self._tick()

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

    # opening ----------------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="engine", name="open-session")
    def _open_session(self) -> None:
        from mockint.tui.requests import NewSession

        app = self.mockint
        request = self.request
        if isinstance(request, NewSession):
            grader = app.grader_factory(request.grader, request.pack)
            interview = Interview.start(
                app.store,
                request.pack,
                grader,
                request.options,
                pack_path=request.pack_path,
                model=getattr(grader, "model", None),
                endpoint=getattr(grader, "endpoint", None),
            )
        else:
            session = app.store.session(request.session_id)
            if session is None:
                raise UserError(f"no session {request.session_id}")
            pack = session_pack(session)
            grader = app.grader_factory(session.grader, pack)
            interview = Interview.resume(app.store, pack, request.session_id, grader)
        self.post_message(self.Opened(interview))
        warm_up = getattr(grader, "warm_up", None)
        if callable(warm_up):
            # Load the sentence encoder and the session's rubric texts while the candidate
            # reads the question. A daemon thread, not a worker: quitting never waits for it,
            # and an answer submitted meanwhile simply waits for the model in its own worker.
            questions = [q for q in interview.pack.questions if q.id in interview.question_ids]
            threading.Thread(target=warm_up, args=(questions,), name="warm-up", daemon=True).start()

    def on_interview_screen_opened(self, message: Opened) -> None:
        self.interview = message.interview
        session = self.mockint.store.session(self.interview.session_id)
        label = self.mockint.grader_label(
            self.interview.session_grader, session.model if session else None
        )
        if self.interview.options.coach:
            label += " · coach on"
        self.query_one("#grader-name", Static).update(plain(label, one_line=True))
        self._show_next()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        message = str(error) if isinstance(error, UserError) else f"{type(error).__name__}: {error}"
        if event.worker.name == "open-session":
            notify(self, message, title="Cannot open the session", severity="error", timeout=10)
            self.phase = "done"
            self.mockint.go_home()
        elif event.worker.name == "grade":
            notify(self, message, title="Grading failed", severity="error", timeout=10)
            self._set_phase(
                "grade_failed", "Grading failed; your answer is saved. ctrl+s tries again."
            )

    # showing a turn ---------------------------------------------------------------------------

    def _show_next(self) -> None:
        """Show the engine's current turn, or finish with the scorecard when there is none."""
        assert self.interview is not None
        turn = self.interview.current
        if turn is None:
            self._finish()
            return
        self.query_one("#progress", Static).update(plain(self._progress_text(turn), one_line=True))
        self.query_one("#question", Markdown).update(self._question_markdown(turn))
        self.query_one("#question-box", VerticalScroll).scroll_home(animate=False)
        self.editor.load_answer(turn.draft)
        self._set_phase("answering", "ctrl+s submits · esc pauses")
        self.editor.focus()
        self._tick()

    def _progress_text(self, turn: Turn) -> str:
        text = f"Question {turn.index + 1} of {turn.total} · {turn.question.id}"
        if turn.is_follow_up:
            assert self.interview is not None
            number = sum(
                1
                for t in self.mockint.store.turns(self.interview.session_id)
                if t.question_id == turn.question.id and t.kind == "follow_up"
            )
            text += f" · follow-up {number}"
        return text

    @staticmethod
    def _question_markdown(turn: Turn) -> str:
        # Pack text is Markdown by design; control bytes are not (Markdown never parses markup).
        if not turn.is_follow_up:
            return safe_text(turn.prompt)
        quoted = safe_text(turn.question.text, one_line=True)
        return f"**Follow-up:** {safe_text(turn.prompt)}\n\n> {quoted}"

    def _elapsed(self) -> float:
        if self.mockint.freeze_timer_at is not None:
            return self.mockint.freeze_timer_at
        assert self.interview is not None
        return self.interview.elapsed()

    def _show_progress(self) -> None:
        """While grading, say how far it has got, so the wait visibly moves."""
        if self.phase != "grading":
            return
        # The LLM grader counts points judged and characters received as they stream.
        progress = getattr(self.interview.grader, "progress", None) if self.interview else None
        moving = progress.describe() if progress is not None else ""
        if not moving and self._received_chars:
            moving = f"{self._received_chars} characters from the grader"
        if moving:
            self.query_one("#status", Static).update(f"Grading your answer… {moving}")

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

    # submitting and grading -------------------------------------------------------------------

    def action_submit(self) -> None:
        if self.phase == "grade_failed" and self._retry_step is not None:
            retry, self._retry_step = self._retry_step, None
            retry()
            return
        if self.phase == "grade_failed" and self._graded_turn is not None:
            self._set_phase("grading", "Grading your answer…")
            self._grade(self._graded_turn)
            return
        if self.phase != "answering" or self.interview is None:
            return
        text = self.editor.text
        if text.strip():
            self._submit(text)
            return
        turn = self.interview.current
        question = (
            "Your answer is empty. Skip this follow-up and go to the next question?"
            if turn is not None and turn.is_follow_up
            else "Your answer is empty. Skip this question? It scores 0."
        )
        self.app.push_screen(
            ConfirmDialog(question, yes="Skip", no="Keep answering"), self._after_skip_question
        )

    def _after_skip_question(self, skip: bool | None) -> None:
        if skip:
            self._skip()
        else:
            self.editor.focus()

    def _submit(self, text: str) -> None:
        assert self.interview is not None
        interview = self.interview
        self._set_phase("saving", "Saving your answer…")

        def store_it() -> None:
            self._graded_turn = interview.submit(text)

        def attempt() -> None:
            if self.phase != "saving":
                return
            result = self._write(store_it, "saving your answer", retry=attempt)
            if result == "ok":
                # The answer is in SQLite before grading starts: a crash while grading loses
                # nothing.
                assert self._graded_turn is not None
                self._set_phase("grading", "Grading your answer…")
                self._grade(self._graded_turn)
            elif result == "failed":
                self._set_phase("answering", "Your answer was not saved; it is still here.")

        attempt()

    @work(thread=True, exit_on_error=False, group="engine", name="grade")
    def _grade(self, turn_id: int) -> None:
        assert self.interview is not None
        self._received_chars = 0
        outcome = self.interview.grade(turn_id, on_delta=self._count_delta)
        self.post_message(self.Graded(outcome))

    def _count_delta(self, delta: str) -> None:
        # Runs in the worker thread; the UI reads the number on its next tick. In coach mode the
        # text itself goes to the screen as it arrives (outside coach mode the grade stays
        # hidden until the scorecard, as in a real interview).
        self._received_chars += len(delta)
        if self.interview is not None and self.interview.options.coach:
            self.post_message(self.FeedbackDelta(delta))

    def on_interview_screen_feedback_delta(self, message: FeedbackDelta) -> None:
        if self.phase != "grading":
            return
        live = self.query_one("#live-feedback", Static)
        self._live_text += message.text
        live.update(plain(self._live_text))
        live.add_class("-streaming")

    def on_interview_screen_graded(self, message: Graded) -> None:
        assert self.interview is not None
        outcome = message.outcome
        self._graded_turn = None
        if self.interview.options.coach:
            assert self.interview.current is not None
            turns = [
                t
                for t in self.mockint.store.turns(self.interview.session_id)
                if t.question_id == self.interview.current.question.id
            ]
            self._set_phase("feedback", "Coach feedback")
            report = grade_report(self.interview.current.question, outcome.question_grade, turns)
            self.app.push_screen(
                FeedbackPanel(report, self._next_step(outcome)),
                lambda _: self._advance(outcome),
            )
            return
        if outcome.grade.note:
            notify(self, outcome.grade.note, title="Grader note", severity="warning", timeout=10)
        self._advance(outcome)

    def _next_step(self, outcome: TurnOutcome) -> str:
        assert self.interview is not None and self.interview.current is not None
        turn = self.interview.current
        if outcome.next_follow_up is not None:
            return "a follow-up on this question"
        if turn.index + 1 < turn.total:
            return f"question {turn.index + 2} of {turn.total}"
        return "the scorecard"

    def _advance(self, outcome: TurnOutcome) -> None:
        assert self.interview is not None
        interview = self.interview
        self._step(lambda: interview.advance(outcome), "opening the next question")

    def _skip(self) -> None:
        assert self.interview is not None
        interview = self.interview
        self._step(interview.skip, "skipping")

    def _step(self, action: Callable[[], object], doing: str) -> None:
        """An engine step that writes, then the next turn; retried while the database is busy."""
        self._set_phase("saving", "Saving…")

        def attempt() -> None:
            result = self._write(action, doing, retry=attempt)
            if result == "ok":
                self._show_next()
            elif result == "failed":
                self._set_phase("grade_failed", "Not saved: ctrl+s tries again, esc pauses.")
                self._retry_step = lambda: self._step(action, doing)

        attempt()

    def _finish(self) -> None:
        assert self.interview is not None
        interview = self.interview
        self._set_phase("saving", "Saving the session…")

        def attempt() -> None:
            result = self._write(interview.finish, "finishing the session", retry=attempt)
            if result == "ok":
                self._set_phase("done", "")
                self.mockint.show_scorecard(interview.session_id, interview.pack)
            elif result == "failed":
                self._set_phase("grade_failed", "Not saved: ctrl+s tries again.")
                self._retry_step = self._finish

        attempt()

    # the pause menu ---------------------------------------------------------------------------

    def action_menu(self) -> None:
        if self.phase not in ("answering", "grade_failed"):
            return
        self.save_draft()
        turn = self.interview.current if self.interview else None
        is_follow_up = bool(turn and turn.is_follow_up)
        self.app.push_screen(
            PauseMenu(is_follow_up=is_follow_up, command=self.mockint.command), self._after_menu
        )

    def _after_menu(self, choice: str | None) -> None:
        if self.interview is not None:
            self._write(self.interview.resume_clock, "restarting the clock")
        if choice == "skip" and self.phase == "answering":
            self._skip()
        elif choice == "pause":
            self.save_draft()
            self.notify(
                f"Paused. Resume it from the home screen or with `{self.mockint.command} resume`."
            )
            self.phase = "done"
            self.mockint.go_home()
        elif choice == "quit":
            self.mockint.leave_interviews()
            self.app.exit()
        elif choice == "abandon":
            self.app.push_screen(
                ConfirmDialog(
                    "Abandon this session? It stays in your history as abandoned and "
                    "cannot be resumed.",
                    yes="Abandon",
                    no="Keep going",
                ),
                self._after_abandon,
            )
        else:
            self.editor.focus()

    def _after_abandon(self, abandon: bool | None) -> None:
        if not abandon or self.interview is None:
            self.editor.focus()
            return
        self.save_draft()
        interview = self.interview
        if self._write(interview.abandon, "abandoning the session") != "ok":
            self.editor.focus()
            return
        self.phase = "done"
        self.notify("Session abandoned.")
        self.mockint.go_home()
