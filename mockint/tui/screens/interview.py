"""The interview screen: opening the session in a worker, the keys, what a failed worker means,
and the pause menu.

What it stands on lives next to it: interview_base.py (widgets, phase, clock, drafts, and how a
write waits out a busy database) and interview_turns.py (question, answer, grading, coach
feedback, next question, scorecard).
"""

from __future__ import annotations

import threading
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from mockint.errors import UserError
from mockint.interview import Interview
from mockint.ownership import HEARTBEAT_SECONDS
from mockint.session_plan import session_pack
from mockint.tui.plain import notify, plain
from mockint.tui.screens.dialogs import ConfirmDialog, PauseMenu
from mockint.tui.screens.interview_turns import InterviewTurns


class InterviewScreen(InterviewTurns):
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

    def on_mount(self) -> None:
        self._status("Opening the session…")
        self._open_session()
        self.set_interval(1, self._tick)
        self.set_interval(0.25, self._show_progress)
        self.set_interval(self.mockint.settings.autosave_seconds, self._autosave)
        self.set_interval(HEARTBEAT_SECONDS, self._heartbeat)

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
