"""The home screen's actions in Textual's command palette (ctrl+p): start an interview on any
pack, resume any interrupted session, practise, history, search, stats."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from mockint.tui.plain import plain

if TYPE_CHECKING:
    from mockint.tui.screens.home import HomeScreen

# (title, help, callback) of a command palette entry
PaletteCommand = tuple[Content, str, Callable[[], object]]


def home_commands(screen: HomeScreen) -> list[PaletteCommand]:
    """Every home action as a command palette entry: start a pack, resume a session,
    practise, history, search, stats. Titles are Content: pack titles are text."""
    commands: list[PaletteCommand] = []
    for pack_id, (pack, _) in screen.packs.items():
        commands.append(
            (
                plain(f"Start interview: {pack.title} ({pack_id})", one_line=True),
                "Start a new interview on this pack with the options on the home screen",
                partial(screen.start_pack, pack_id),
            )
        )
    for session_id, label in screen.resumable:
        commands.append(
            (
                plain(label, one_line=True),
                "Continue this interrupted session where it stopped",
                partial(screen.resume_session, session_id),
            )
        )
    commands += [
        (
            Content("Practise what's due"),
            "The due questions of the chosen pack",
            screen.action_practice_due,
        ),
        (
            Content("History"),
            "Every session: sort, filter, open a transcript",
            screen.action_history,
        ),
        (Content("Search"), "Find questions and answers by their words", screen.action_search),
        (Content("Stats"), "Progress, weak spots and time per question", screen.action_stats),
    ]
    return commands


class HomeCommands(Provider):
    """The home screen's actions in Textual's command palette (ctrl+p)."""

    def _commands(self) -> list[PaletteCommand]:
        from mockint.tui.screens.home import HomeScreen  # which imports this module

        screen = self.screen
        return screen.palette_commands() if isinstance(screen, HomeScreen) else []

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, text=title.plain, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score, offsets = matcher.fuzzy_search.match(query, title.plain)
            if score <= 0:
                continue
            shown = title
            for offset in offsets:
                shown = shown.stylize(matcher.match_style, offset, offset + 1)
            yield Hit(score, shown, callback, text=title.plain, help=help_text)
