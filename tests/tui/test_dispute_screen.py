"""Disputing a verdict from the scorecard: stored beside the grade, shown, withdrawable."""

from __future__ import annotations

from test_flow import new_session, submit
from tui_helpers import settle

from mockint.packs import Pack
from mockint.store import Store
from mockint.tui.screens.dialogs import DisputeDialog
from mockint.tui.screens.scorecard import ScorecardScreen


async def test_dispute_a_point_from_the_scorecard(build_app, tiny_pack: Pack, store: Store) -> None:
    app = build_app(start=new_session(tiny_pack, "q2", max_follow_ups=0))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await submit(pilot, "no idea")
        assert isinstance(app.screen, ScorecardScreen)
        session = store.sessions()[0].id
        grade_before = store.grades(store.turns(session)[0].id)

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DisputeDialog)
        await pilot.press("enter")  # the first point: missed by the grader -> "I covered this"
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        disputes = store.all_disputes()
        assert [(d.claim, d.verdict) for d in disputes] == [("covered", "missed")]
        assert store.grades(store.turns(session)[0].id) == grade_before
        shown = str(app.screen.query_one("#scorecard-disputes").render())
        assert "you say covered, the grader said missed" in shown

        await pilot.press("d")  # picking it again withdraws it
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert store.all_disputes() == []
        assert not app.screen.query("#scorecard-disputes")
