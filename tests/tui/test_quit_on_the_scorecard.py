"""ctrl+q while the scorecard is being rebuilt after a dispute leaves cleanly (exit 0).

Recording or withdrawing a dispute recomposes the scorecard: its children are removed, new ones
mounted, then its body is focused. Once `App.exit` has been called Textual mounts nothing, so a
quit landing between the removal and the mount would leave a scorecard with no body to focus.
The mount is held here while ctrl+q is pressed. Textual does not act on the key until the
recompose is done (the quit then takes the rebuilt scorecard down), so that moment cannot be
reached from the keyboard; the test keeps it so.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_flow import new_session, submit
from textual.widget import Widget
from tui_helpers import settle

from mockint.packs import Pack
from mockint.store import Store
from mockint.tui.screens.dialogs import DisputeDialog
from mockint.tui.screens.scorecard import ScorecardScreen


def hold_scorecard_mount(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    mount_all = Widget.mount_all
    held = asyncio.Event()

    def late(widget: Widget, widgets: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(widget, ScorecardScreen):
            return mount_all(widget, widgets, *args, **kwargs)
        widgets = list(widgets)

        async def wait_then_mount() -> None:
            held.set()
            for _ in range(100):  # at most half a second: see the module's doc
                if widget.app._exit:
                    break
                await asyncio.sleep(0.005)
            await mount_all(widget, widgets, *args, **kwargs)

        return wait_then_mount()

    monkeypatch.setattr(Widget, "mount_all", late)
    return held


async def test_quit_while_the_scorecard_is_rebuilt_after_a_dispute(
    build_app, tiny_pack: Pack, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build_app(start=new_session(tiny_pack, "q2", max_follow_ups=0))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await submit(pilot, "no idea")
        assert isinstance(app.screen, ScorecardScreen)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DisputeDialog)
        held = hold_scorecard_mount(monkeypatch)
        await pilot.press("enter")  # "I covered this": stored, then the scorecard recomposes
        await asyncio.wait_for(held.wait(), 10)
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    assert [d.claim for d in store.all_disputes()] == ["covered"]  # the dispute is kept
