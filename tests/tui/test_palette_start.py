"""Starting an interview from the command palette on a pack other than the one chosen: the
questions field fits the new pack first, as choosing it in the form would."""

from __future__ import annotations

from tui_helpers import settle

from mockint.packs import Pack
from mockint.store import Store
from mockint.tui.screens.home import HomeScreen
from mockint.tui.screens.interview import InterviewScreen


async def test_a_palette_start_on_a_smaller_pack_asks_what_it_has(
    build_app, tiny_pack: Pack, store: Store
) -> None:
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert home._pack_id() != "tiny"  # a built-in pack, with more questions than tiny's 2
        field = home.query_one("#questions")
        assert int(field.value) > len(tiny_pack.questions)
        commands = {title.plain: run for title, _, run in home.palette_commands()}
        commands["Start interview: Tiny pack (tiny)"]()
        await settle(pilot)
        assert isinstance(app.screen, InterviewScreen), str(
            home.query_one("#home-message").render()
        )
    [session] = store.sessions()
    assert session.pack_id == "tiny" and len(session.question_ids) == 2
