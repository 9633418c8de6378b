"""Hostile text through the real app (App.run_test): a pack, a grader and imported sessions whose
strings are markup and terminal escapes. Every screen must show them literally, without a
control byte, and none may crash."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import HOSTILE, VISIBLE, assert_clean, broken_pack_toml, hostile_pack_toml
from textual import events
from textual.pilot import Pilot
from textual.widgets import Select

from mockint import locations
from mockint.config import Settings
from mockint.grading.base import Grade, finalize
from mockint.interview import InterviewOptions
from mockint.packs import Pack, Question, load_pack
from mockint.store import Store
from mockint.tui.app import MockintApp, make_app
from mockint.tui.requests import NewSession
from mockint.tui.screens.dialogs import FeedbackPanel
from mockint.tui.screens.history import HistoryScreen
from mockint.tui.screens.interview import InterviewScreen
from mockint.tui.screens.scorecard import ScorecardScreen
from mockint.tui.screens.search import SearchScreen
from mockint.tui.screens.stats import StatsScreen
from mockint.tui.screens.transcript import TranscriptScreen
from mockint.tui.widgets.answer_editor import AnswerEditor


class HostileGrader:
    """Grades by terms like the keyword grader, with a hostile note and hostile streamed text."""

    name = "llm"
    model = "model[/]" + "\x1b]0;pwned-title\x07"
    endpoint = "http://127.0.0.1:9/v1"

    def grade(self, question: Question, answer: str) -> Grade:
        from mockint.grading.base import PointVerdict, RedFlagHit

        text = answer.lower()
        points = [
            PointVerdict(
                p.id,
                "covered" if any(t in text for t in p.terms) else "missed",
                p.weight,
                evidence=[t for t in p.terms if t in text][:1],
                description=p.description,
            )
            for p in question.rubric
        ]
        flags = [
            RedFlagHit(f.id, f.penalty, ["magic"], f.description)
            for f in question.red_flags
            if "magic" in text
        ]
        grade = Grade(question_id=question.id, grader=self.name, points=points, red_flags=flags)
        grade.note = "LLM error: " + HOSTILE
        grade.model = self.model
        return finalize(grade)

    def grade_streaming(self, question: Question, answer: str, on_delta: Callable) -> Grade:
        for chunk in ("coach says ", HOSTILE, " [/]"):
            on_delta(chunk)
        return self.grade(question, answer)


def screen_text(app: MockintApp) -> list[str]:
    """Every line the screen would send to the terminal, as text."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def shown(app: MockintApp) -> str:
    lines = screen_text(app)
    assert_clean(lines)
    return "\n".join(lines)


async def paste(pilot: Pilot, text: str) -> None:
    """Paste as a terminal does: the driver hands the bracketed paste to the app, which
    forwards it to the focused widget. Posted to the editor itself, the event would bubble up
    to the app and be forwarded back, so the text would go in twice."""
    editor = pilot.app.screen.query_one(AnswerEditor)
    editor.focus()
    await pilot.pause()
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def hostile_pack(isolated_home: Path) -> Pack:
    folder = locations.user_packs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.toml").write_text(hostile_pack_toml())
    return load_pack(folder / "hostile.toml")


def build(store: Store, db_path: Path, start=None, grader=None) -> MockintApp:
    chosen = grader or HostileGrader()
    return make_app(
        Settings(db=db_path, autosave_seconds=0.2),
        store,
        lambda name, pack: chosen,
        start=start,
        cursor_blink=False,
    )


async def test_home_shows_a_hostile_pack_title_literally(
    hostile_pack: Pack, store: Store, db_path: Path
) -> None:
    app = build(store, db_path)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        # the built-in packs are listed too: choose the hostile one
        app.screen.query_one("#pack", Select).value = hostile_pack.id
        await pilot.pause()
        text = shown(app)
        assert "Arrays [easy] [/] [link=https://evil.example/]click[/link]" in text


async def test_home_with_two_hostile_packs_and_a_broken_one(
    hostile_pack: Pack, store: Store, db_path: Path
) -> None:
    folder = locations.user_packs_dir()
    (folder / "second.toml").write_text(hostile_pack_toml("second"))
    # a broken pack whose error message quotes a hostile question id
    (folder / "broken.toml").write_text(broken_pack_toml("[/][bold]x\x1b]0;t\x07"))
    app = build(store, db_path)
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot)
        text = shown(app)
        assert "Skipped broken packs" in text and "[/][bold]x" in text
        app.screen.query_one("#pack", Select).value = "second"
        await pilot.pause()
        assert "[easy] [/]" in shown(app)
        await pilot.click("#pack")
        await pilot.pause()
        assert "[easy] [/]" in shown(app)


async def test_interview_coach_scorecard_and_transcript_show_hostile_text(
    hostile_pack: Pack, store: Store, db_path: Path
) -> None:
    question_id = hostile_pack.questions[0].id
    options = InterviewOptions(questions=1, question_ids=(question_id,), coach=True)
    app = build(store, db_path, start=NewSession(hostile_pack, options, "llm"))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, InterviewScreen)
        text = shown(app)
        assert "q1[/]" in text and "[easy] [/]" in text and "model[/]" in text
        await paste(pilot, "it is magic " + HOSTILE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FeedbackPanel)
        # stored once, without the escape bytes: a paste inserted twice would show here
        [answered] = store.turns(store.sessions()[0].id)
        assert answered.answer == "it is magic " + VISIBLE
        text = shown(app)
        assert "[link=https://evil.example/]click[/link]" in text  # point and flag descriptions
        assert "LLM error: Arrays [easy] [/]" in text  # the grader's note
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InterviewScreen)  # the follow-up, hostile too
        assert "Follow-up: Arrays [easy] [/]" in shown(app)
        app.screen.query_one(AnswerEditor).insert("we spread it")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        text = shown(app)
        assert "Arrays [easy] [/]" in text and "[bold]B[/bold]" in text
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        text = shown(app)
        assert "[easy] [/]" in text and "model[/]" in text
        for opener in (app.open_history, app.open_stats, app.open_search):
            opener()
            await settle(pilot)
            if isinstance(app.screen, SearchScreen):
                app.screen.run_search("caches")
                await pilot.pause()
            assert isinstance(app.screen, HistoryScreen | StatsScreen | SearchScreen)
            text = shown(app)
            assert "[/]" in text, type(app.screen).__name__
            await pilot.press("escape")
            await settle(pilot)
    assert app.return_code in (0, None)


async def test_streamed_feedback_and_notes_are_plain(
    hostile_pack: Pack, store: Store, db_path: Path
) -> None:
    """Outside coach mode the grader's note is a notification; it must not be parsed."""
    question_id = hostile_pack.questions[0].id
    options = InterviewOptions(questions=1, question_ids=(question_id,), max_follow_ups=0)
    app = build(store, db_path, start=NewSession(hostile_pack, options, "llm"))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.screen.query_one(AnswerEditor).insert("spread")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        notes = [n.message for n in app._notifications]
        assert any("LLM error: " + VISIBLE in note for note in notes), notes
        await pilot.pause(0.1)
        text = shown(app)
        assert "LLM error: Arrays [easy] [/]" in text
    assert app.return_code in (0, None)
