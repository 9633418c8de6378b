"""What one screen says agrees with what the others say: the keys a dialog lists work there,
and a question's time reads the same on the scorecard as in the transcript."""

from __future__ import annotations

import re

from fake_grader import TermGrader
from textual.widgets import Static
from tui_helpers import settle

from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack
from mockint.review.transcript import load_transcript
from mockint.scorecard import build_scorecard
from mockint.store import Store
from mockint.tui.requests import NewSession
from mockint.tui.screens.dialogs import ConfirmDialog
from mockint.tui.widgets.answer_editor import AnswerEditor
from mockint.tui.widgets.grade_view import time_line


async def test_the_skip_question_shows_its_own_keys(
    build_app, tiny_pack: Pack, store: Store
) -> None:
    options = InterviewOptions(questions=1, question_ids=("q1",))
    app = build_app(start=NewSession(tiny_pack, options, "keyword"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one(AnswerEditor).insert("  ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.pause()
        keys = str(app.screen.query_one("KeyBar", Static).content)
        assert "y Yes" in keys and "n No" in keys
        # ctrl+s and escape do not submit or pause while the dialog is open
        assert "Submit" not in keys and "Pause" not in keys


def test_time_used_reads_the_same_on_the_scorecard_and_in_the_transcript(
    store: Store, tiny_pack: Pack
) -> None:
    options = InterviewOptions(questions=1, question_ids=("q1",), max_follow_ups=0)
    interview = Interview.start(store, tiny_pack, TermGrader(), options)
    turn_id = interview.submit("It will spread requests across backends.")
    interview.advance(interview.grade(turn_id))
    interview.finish()
    times = {"started_at": "2025-01-06T09:00:00.000Z", "submitted_at": "2025-01-06T09:00:52.800Z"}
    store.db["turns"].update(turn_id, times)

    card = build_scorecard(store, tiny_pack, interview.session_id)
    scorecard_time = time_line(card.results[0]).plain
    transcript_time = load_transcript(store, interview.session_id).questions[0].time_used
    # "0:53" and "53s": one figure in two notations, never 52 on one screen and 53 on the other
    assert card.results[0].seconds_used == 52.8
    minutes, seconds = re.search(r"time (\d+):(\d\d)", scorecard_time).groups()  # type: ignore[union-attr]
    assert f"{int(minutes) * 60 + int(seconds)}s" == transcript_time.split(" of ")[0]
