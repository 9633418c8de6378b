"""What a new user runs into in the app: the clock while paused, every interrupted session on
home, the coach-mode state, the practice counts, search by keyboard, the command palette."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fake_grader import TermGrader
from textual.widgets import Button
from tui_helpers import settle

from mockint.interview import Interview, InterviewOptions
from mockint.packs import Pack
from mockint.store import Store
from mockint.tui.requests import NewSession
from mockint.tui.screens.dialogs import PauseMenu
from mockint.tui.screens.home import HomeScreen
from mockint.tui.screens.interview import InterviewScreen
from mockint.tui.widgets.answer_editor import AnswerEditor


def new_session(pack: Pack, *ids: str, **options) -> NewSession:
    opts = InterviewOptions(questions=len(ids), question_ids=ids, **options)
    return NewSession(pack, opts, "keyword")


async def test_the_clock_stands_still_while_the_pause_menu_is_open(
    build_app, tiny_pack: Pack, store: Store
) -> None:
    app = build_app(start=new_session(tiny_pack, "q1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InterviewScreen) and screen.interview is not None
        interview = screen.interview
        await pilot.press("escape")
        assert isinstance(app.screen, PauseMenu) and interview.paused
        before = interview.elapsed()
        # ten minutes in the menu, as if the candidate had walked away
        interview._paused_at -= timedelta(minutes=10)
        await pilot.press("enter")  # Continue answering
        await settle(pilot)
        assert app.screen is screen and not interview.paused
        assert interview.elapsed() < before + 5
        shown = str(screen.query_one("#timer").render())
        assert shown.startswith("time 0:0"), shown
        await pilot.press("escape")
        assert interview.paused
        await pilot.press("escape")  # escape also continues
        await settle(pilot)
        assert not interview.paused


async def test_every_interrupted_session_is_offered_on_home(
    build_app, tiny_pack: Pack, store: Store
) -> None:
    older = Interview.start(
        store, tiny_pack, TermGrader(), InterviewOptions(questions=2, question_ids=("q1", "q2"))
    )
    newer = Interview.start(
        store, tiny_pack, TermGrader(), InterviewOptions(questions=1, question_ids=("q2",))
    )
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        labels = [str(b.label) for b in home.query(".resume-button").results(Button) if b.display]
        assert len(labels) == 2
        assert f"#{newer.session_id}" in labels[0] and f"#{older.session_id}" in labels[1]
        # the older one opens too, not only the latest
        buttons = [b for b in home.query(".resume-button").results(Button) if b.display]
        buttons[1].press()
        await settle(pilot)
        assert isinstance(app.screen, InterviewScreen)
        assert app.screen.interview is not None
        assert app.screen.interview.session_id == older.session_id


async def test_coach_mode_is_shown_on_the_interview_screen(build_app, tiny_pack: Pack) -> None:
    app = build_app(start=new_session(tiny_pack, "q1", coach=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "coach on" in str(app.screen.query_one("#grader-name").render())
    plain = build_app(start=new_session(tiny_pack, "q1"))
    async with plain.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "coach" not in str(plain.screen.query_one("#grader-name").render())
        plain.screen.query_one(AnswerEditor).insert("x")


async def test_the_command_palette_offers_every_home_action(
    build_app, tiny_pack: Pack, store: Store
) -> None:
    from mockint.tui.screens.stats import StatsScreen

    waiting = Interview.start(
        store, tiny_pack, TermGrader(), InterviewOptions(questions=1, question_ids=("q2",))
    )
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        titles = [title.plain for title, _, _ in home.palette_commands()]
        assert "Start interview: Tiny pack (tiny)" in titles
        assert any(t.startswith(f"Resume #{waiting.session_id}: Tiny pack") for t in titles)
        for action in ("Practise what's due", "History", "Search", "Stats"):
            assert action in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Stats")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)


async def test_a_pack_title_with_markup_is_shown_as_typed(build_app, isolated_home) -> None:
    from mockint import locations
    from mockint.tui.screens.home import HomeCommands

    folder = locations.user_packs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "odd.toml").write_text(
        '[pack]\nid = "odd"\ntitle = "Arrays [easy] [/]"\n'
        '[[questions]]\nid = "1"\ntext = "Q?"\nreference_answer = "A."\n'
    )
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [title.plain for title, _, _ in app.screen.palette_commands()]
        assert "Start interview: Arrays [easy] [/] (odd)" in titles
        provider = HomeCommands(app.screen)
        hits = [hit async for hit in provider.search("easy")]
        assert any("[easy] [/]" in str(hit.text) for hit in hits)


async def test_history_resumes_any_interrupted_session(
    build_app, tiny_pack: Pack, store: Store
) -> None:
    from textual.widgets import DataTable

    older = Interview.start(
        store, tiny_pack, TermGrader(), InterviewOptions(questions=1, question_ids=("q1",))
    )
    Interview.start(
        store, tiny_pack, TermGrader(), InterviewOptions(questions=1, question_ids=("q2",))
    )
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        await pilot.press("down", "r")  # the older one, second row
        await settle(pilot)
        assert isinstance(app.screen, InterviewScreen) and app.screen.interview is not None
        assert app.screen.interview.session_id == older.session_id


async def test_a_checkbox_shows_on_and_off_by_shape(build_app, tiny_pack: Pack) -> None:
    from mockint.tui.widgets.on_off import OnOffCheckbox

    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        timed = app.screen.query_one("#timed", OnOffCheckbox)
        assert timed.value and "✓" in timed.render().plain
        timed.toggle()
        await pilot.pause()
        assert not timed.value and "✓" not in timed.render().plain


def test_the_key_bar_leaves_whole_entries_out_and_keeps_quit() -> None:
    from textual.content import Content

    from mockint.tui.widgets.key_bar import fit_keys

    entries = [
        (action, Content(text))
        for action, text in (
            ("back", "esc Back"),
            ("next", "n Next"),
            ("export", "e Export md"),
            ("quit", "^q Quit"),
            ("toggle_theme", "^t Theme"),
        )
    ]
    every = [text.plain for _, text in entries]
    assert [c.plain for c in fit_keys(entries, 200)] == every
    # the theme key goes first, then entries from the end; quit stays
    assert [c.plain for c in fit_keys(entries, 40)] == every[:4]
    assert [c.plain for c in fit_keys(entries, 25)] == ["esc Back", "n Next", "^q Quit"]
    assert [c.plain for c in fit_keys(entries, 3)] == ["^q Quit"]


async def _notice_on_start(store: Store, needle: str, **settings: Any) -> str:
    """Start a session from the home screen of an app with these settings, and return the one
    notification that mentions `needle`."""
    from mockint.config import Settings
    from mockint.tui.app import default_grader_factory, make_app

    config = Settings(**settings)
    app = make_app(config, store, default_grader_factory(config), cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        [message] = [str(n.message) for n in app._notifications if needle in str(n.message)]
    return message


async def test_the_app_names_only_ways_to_set_a_model_that_work_in_it(
    db_path, tiny_pack: Pack, store: Store
) -> None:
    """The config asks for the LLM grader but names no model. The bare `mockint` has no
    --model flag, so the app must not send the candidate looking for one."""
    message = await _notice_on_start(store, "model", db=db_path, grader="llm")
    assert "needs a model" in message and "MOCKINT_MODEL" in message
    assert "--model" not in message
    assert store.sessions() == []


async def test_the_app_names_only_ways_to_reach_a_keyless_server_that_work_in_it(
    db_path, tiny_pack: Pack, store: Store
) -> None:
    """A model but neither an API key nor a server: the hint to point at a local server must
    not name --base-url, which the bare `mockint` does not have."""
    message = await _notice_on_start(store, "KEY", db=db_path, grader="llm", model="some-model")
    assert "OPENAI_API_KEY is not set" in message and "OPENAI_BASE_URL" in message
    assert "--base-url" not in message
    assert store.sessions() == []
