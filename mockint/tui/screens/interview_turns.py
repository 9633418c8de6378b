"""The interview's turn loop: show a question, take the answer, grade it in a worker (coach
mode streams and then shows the feedback), then the next turn, and the scorecard after the
last.

Every step that writes goes through `InterviewBase._write`, so a busy or broken database keeps
the candidate's text and offers to try again instead of losing the turn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static

from mockint.interview import Turn, TurnOutcome
from mockint.safe_text import safe_text
from mockint.tui.plain import notify, plain
from mockint.tui.screens.dialogs import ConfirmDialog, FeedbackPanel
from mockint.tui.screens.interview_base import InterviewBase
from mockint.tui.widgets.grade_view import grade_report

if TYPE_CHECKING:
    from mockint.tui.requests import SessionRequest


class InterviewTurns(InterviewBase):
    """The turns of one session, one after another; `InterviewScreen` adds the opening and the
    pause menu."""

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
        super().__init__(request)
        self._graded_turn: int | None = None
        self._received_chars = 0  # streamed grader output, counted by the worker thread
        self._retry_step: Callable[[], None] | None = None  # a step that failed to save

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

    def on_interview_turns_feedback_delta(self, message: FeedbackDelta) -> None:
        if self.phase != "grading":
            return
        live = self.query_one("#live-feedback", Static)
        self._live_text += message.text
        live.update(plain(self._live_text))
        live.add_class("-streaming")

    def on_interview_turns_graded(self, message: Graded) -> None:
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
            question = self.interview.current.question
            report = grade_report(question, outcome.question_grade, turns, outcome.grade)
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
