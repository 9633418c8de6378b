"""SVG snapshots of the main screens at 80x24 and 120x40, in the dark and the light theme.

The clock is frozen (`freeze_timer_at`), the cursor does not blink, and stored timestamps are
fixed, so a snapshot changes only when the screen does. Update them with
`pytest tests/tui/test_snapshots.py --snapshot-update` and look at the report before committing.
"""

from __future__ import annotations

import pytest
from fake_grader import TermGrader
from textual.pilot import Pilot
from tui_helpers import settle

from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack
from mockint.store import Store
from mockint.tui.app import LIGHT_THEME
from mockint.tui.requests import NewSession
from mockint.tui.widgets.answer_editor import AnswerEditor

SIZES = [(80, 24), (120, 40)]


def finished_session(store: Store, pack: Pack) -> int:
    """A completed two-question session with follow-ups, one point still missed (so the
    scorecard coaches it), with fixed timestamps."""
    options = InterviewOptions(questions=2, question_ids=("q1", "q2"), max_follow_ups=1)
    interview = Interview.start(store, pack, TermGrader(), options)
    for answer in (
        "A load balancer will spread requests across backends, and it makes servers faster.",
        "It checks every backend every few seconds.",
        "I am not sure.",
        "Copies near the reader.",
    ):
        turn_id = interview.submit(answer)
        interview.advance(interview.grade(turn_id))
    interview.finish()
    times = [
        ("2025-01-06T09:00:00.000Z", "2025-01-06T09:01:30.000Z"),
        ("2025-01-06T09:01:31.000Z", "2025-01-06T09:02:10.000Z"),
        ("2025-01-06T09:02:11.000Z", "2025-01-06T09:05:00.000Z"),
        ("2025-01-06T09:05:01.000Z", "2025-01-06T09:05:40.000Z"),
    ]
    for turn, (started, submitted) in zip(store.turns(interview.session_id), times, strict=True):
        store.db["turns"].update(turn.id, {"started_at": started, "submitted_at": submitted})
    store.update_session(interview.session_id, started_at="2025-01-06T09:00:00.000Z")
    return interview.session_id


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, build_app, tiny_pack: Pack, size: tuple[int, int]) -> None:
    assert snap_compare(build_app(), terminal_size=size, run_before=settle)


def test_home_with_two_sessions_to_resume(
    snap_compare, build_app, tiny_pack: Pack, store: Store
) -> None:
    for ids in (("q2", "q1"), ("q1",)):
        options = InterviewOptions(questions=len(ids), question_ids=ids)
        Interview.start(store, tiny_pack, TermGrader(), options)
    assert snap_compare(build_app(), terminal_size=(80, 24), run_before=settle)


COACHED_ANSWER = "We spread requests over the backends. It checks whether a server is up."


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_interview_in_coach_mode(
    snap_compare, build_app, tiny_pack: Pack, size: tuple[int, int]
) -> None:
    options = InterviewOptions(questions=2, question_ids=("q1", "q2"), coach=True)
    app = build_app(start=NewSession(tiny_pack, options, "kw"), freeze_timer_at=83)

    async def type_answer(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(AnswerEditor).insert("A load balancer spreads requests")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=type_answer)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_coach_panel(snap_compare, build_app, tiny_pack: Pack, size: tuple[int, int]) -> None:
    options = InterviewOptions(questions=2, question_ids=("q1", "q2"), coach=True)
    app = build_app(start=NewSession(tiny_pack, options, "kw"), freeze_timer_at=83)

    async def answer_in_coach_mode(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(AnswerEditor).insert(COACHED_ANSWER)
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=answer_in_coach_mode)


def test_follow_up_over_budget(snap_compare, build_app, tiny_pack: Pack) -> None:
    request = NewSession(tiny_pack, InterviewOptions(questions=1, question_ids=("q1",)), "kw")
    app = build_app(start=request, freeze_timer_at=150)

    async def answer_main(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(AnswerEditor).insert("It will spread requests.")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, run_before=answer_main)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_scorecard(
    snap_compare, build_app, tiny_pack: Pack, store: Store, size: tuple[int, int]
) -> None:
    session_id = finished_session(store, tiny_pack)

    async def open_scorecard(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.show_scorecard(session_id, tiny_pack)
        await settle(pilot)

    assert snap_compare(build_app(), terminal_size=size, run_before=open_scorecard)


def test_scorecard_light_theme(snap_compare, build_app, tiny_pack: Pack, store: Store) -> None:
    session_id = finished_session(store, tiny_pack)

    async def open_scorecard(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.theme = LIGHT_THEME
        pilot.app.show_scorecard(session_id, tiny_pack)
        await settle(pilot)

    assert snap_compare(build_app(), terminal_size=(120, 40), run_before=open_scorecard)
