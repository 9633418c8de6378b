"""A `Select` that can be mounted while the app is quitting.

Textual mounts nothing once the app is exiting (`Widget.mount_all` returns at once when
`App.exit` has been called) or once a widget is being removed (`Widget.mount` returns at once
when it is pruning or closing). A widget registered just before that still gets its Compose and
Mount events; Textual's `Select` then looks for the overlay its compose should have mounted and
raises `NoMatches`, which Textual reports as a crash (exit 1) on the way out. The home screen
mounts its form when the packs arrive from a worker, so ctrl+q at that moment — `mockint resume`
shows the interview on top while the home screen below is still filling in — hit it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from textual import events
from textual.widgets import Select

Value = TypeVar("Value", bound=Hashable)


class QuitSafeSelect(Select[Value]):
    """`Select`, except that a mount Textual made empty because the widget is going away is
    not an error. A Select that lacks its overlay while it stays on screen still fails loudly:
    that would be a real bug."""

    def _on_mount(self, event: events.Mount) -> None:
        if not self.children and self._going_away():
            # compose mounted nothing: skip Select._on_mount, it would query the missing overlay
            event.prevent_default()

    def _going_away(self) -> bool:
        """The conditions under which Textual's mount declines to add children: the app is
        exiting (`is_attached` is then false) or this widget is being removed."""
        return not self.is_attached or self._pruning or self._closing
