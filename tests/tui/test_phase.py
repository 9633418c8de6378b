"""The interview screen's phase drives what the candidate can do: typing, the spinner, the
streamed feedback and which keys work follow it, whoever changes it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fake_grader import StreamingGrader
from tui_helpers import settle

from mockint.grading.base import Grade
from mockint.interview import InterviewOptions
from mockint.packs import Pack, Question
from mockint.tui.requests import NewSession
from mockint.tui.screens.interview import InterviewScreen
from mockint.tui.widgets.answer_editor import AnswerEditor


class HeldGrader(StreamingGrader):
    """Streams a chunk, then waits for the test to let it finish (or fail)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.fail = False

    def grade_streaming(
        self, question: Question, answer: str, on_delta: Callable[[str], None]
    ) -> Grade:
        on_delta("Looking at the answer")
        self.release.wait(10)
        if self.fail:
            raise ConnectionError("grader unreachable")
        return super().grade_streaming(question, answer, on_delta)


def state(screen: InterviewScreen) -> tuple[bool, bool, bool, bool | None]:
    """(typing allowed, spinner shown, streamed feedback shown, ctrl+s enabled)"""
    return (
        not screen.query_one(AnswerEditor).read_only,
        screen.query_one("#status-bar").has_class("-busy"),
        screen.query_one("#live-feedback").has_class("-streaming"),
        screen.check_action("submit", ()),
    )


async def test_the_phase_drives_editor_spinner_feedback_and_keys(
    build_app, tiny_pack: Pack
) -> None:
    grader = HeldGrader()
    options = InterviewOptions(questions=1, question_ids=("q2",), max_follow_ups=0, coach=True)
    start = NewSession(tiny_pack, options, "llm")
    app = build_app(start=start, grader=grader)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        assert screen.phase == "answering" and state(screen) == (True, False, False, True)

        grader.fail = True
        screen.query_one(AnswerEditor).insert("copies")
        await pilot.press("ctrl+s")
        for _ in range(20):
            await pilot.pause(0.05)
            if state(screen)[2]:
                break
        assert screen.phase == "grading" and state(screen) == (False, True, True, None)

        grader.release.set()  # the grader fails after streaming half a reply
        await settle(pilot)
        assert screen.phase == "grade_failed"
        # nothing to type, no spinner, the half reply gone; ctrl+s (try again) works
        assert state(screen) == (False, False, False, True)

        # the phase set from outside the screen's own steps takes effect all the same
        screen.phase = "answering"
        await pilot.pause()
        assert state(screen) == (True, False, False, True)
        screen.phase = "done"
        await pilot.pause()
        assert state(screen) == (False, False, False, None)
