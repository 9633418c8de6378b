"""A `Select` that can be mounted while the app is quitting.

Textual mounts nothing once the app is exiting (`Widget.mount_all` returns at once when
`App.exit` has been called) or once a widget is being removed (`Widget.mount` returns at once
when it is pruning or closing). A widget registered just before that still gets its Compose and
Mount events; Textual's `Select` then looks for the overlay its compose should have mounted and
raises `NoMatches`, which Textual reports as a crash (exit 1) on the way out. The same happens
one level down, when the overlay is there but the box showing the chosen value has not got its
label. The home screen mounts its form when the packs arrive from a worker, so ctrl+q at that
moment — `mockint resume` shows the interview on top while the home screen below is still
filling in — hit both.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from textual import events
from textual.widgets import Select

Value = TypeVar("Value", bound=Hashable)


class QuitSafeSelect(Select[Value]):
    """`Select`, except that a mount Textual left unfinished because the widget is going away
    is not an error. A Select that lacks its overlay while it stays on screen still fails
    loudly: that would be a real bug."""

    def _on_mount(self, event: events.Mount) -> None:
        if self._going_away():
            # compose may have mounted nothing, or only part of it: skip Select._on_mount, it
            # would query the overlay and the current value's label, and nobody will see them
            event.prevent_default()

    def _going_away(self) -> bool:
        """The conditions under which Textual's mount declines to add children: the app is
        exiting (`is_attached` is then false) or this widget is being removed."""
        return not self.is_attached or self._pruning or self._closing
