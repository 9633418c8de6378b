"""The scorecard at the end of a session, and a plain transcript of it.

From the scorecard: the full transcript, a new session, or practising the lowest-scored
questions again (follow-ups then aim at what those answers missed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from mockint.packs import Pack
from mockint.review.disputes import DisputablePoint, disputable_points, record_dispute
from mockint.safe_text import safe_text
from mockint.scorecard import build_scorecard
from mockint.session_plan import options_from_session, practice_options
from mockint.tui.screens.dialogs import DisputeDialog
from mockint.tui.tones import band_style
from mockint.tui.widgets.grade_view import (
    ReportView,
    result_heading,
    result_report,
)
from mockint.tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from mockint.tui.host import AppHost


class ScorecardScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "transcript", "Transcript"),
        Binding("p", "practice", "Practise lowest"),
        Binding("d", "dispute", "Dispute a point"),
        Binding("n", "new_session", "New session"),
        Binding("escape", "new_session", "Home", show=False),
    ]

    def __init__(self, session_id: int, pack: Pack) -> None:
        super().__init__()
        self.session_id = session_id
        self.pack = pack

    @property
    def mockint(self) -> AppHost:
        return cast("AppHost", self.app)

    def compose(self) -> ComposeResult:
        store = self.mockint.store
        card = build_scorecard(store, self.pack, self.session_id)
        session = store.session(self.session_id)
        grader = self.mockint.grader_label(
            session.grader if session else "?", session.model if session else None
        )
        summary = Content.assemble(
            ("Scorecard", "bold"),
            safe_text(
                f" · {self.pack.title} · session #{self.session_id} · {grader}", one_line=True
            ),
            "\n",
            ("Overall ", "bold"),
            (f"{card.score:.1f} / 10", "bold"),
            " — ",
            (card.band, band_style(card.band)),
            f"  ({len(card.results)} question{'s' if len(card.results) != 1 else ''})",
        )
        yield Static(summary, id="scorecard-summary")
        with VerticalScroll(id="scorecard-body"):
            for number, result in enumerate(card.results, 1):
                yield Static(result_heading(number, result), classes="result-heading")
                yield ReportView(result_report(result), classes="result-body")
            disputed = [p for p in disputable_points(store, self.session_id) if p.claim]
            if disputed:
                lines = [
                    f"{p.question_id}/{p.point_id}: you say "
                    f"{'covered' if p.claim == 'covered' else 'not covered'}, "
                    f"the grader said {p.verdict}"
                    for p in disputed
                ]
                text = "Your disputes (the grades are unchanged)\n" + "\n".join(lines)
                yield Static(Content(safe_text(text)), id="scorecard-disputes")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#scorecard-body").focus()

    def action_transcript(self) -> None:
        self.mockint.open_transcript(self.session_id)

    def action_dispute(self) -> None:
        points = disputable_points(self.mockint.store, self.session_id)
        if not points:
            self.notify("Nothing graded to dispute yet.")
            return
        self.app.push_screen(DisputeDialog(points), self._disputed)

    def _disputed(self, point: DisputablePoint | None) -> None:
        if point is None:
            return
        store = self.mockint.store
        if point.claim is not None:
            store.withdraw_dispute(point.grade_id, point.point_id)
            message = f"Withdrew your dispute of {point.question_id}/{point.point_id}."
        else:
            message = record_dispute(
                store, self.session_id, point.question_id, point.point_id, point.proposed
            )
        self.notify(safe_text(message, one_line=True), markup=False)
        self.refresh(recompose=True)
        self.call_after_refresh(lambda: self.query_one("#scorecard-body").focus())

    def action_new_session(self) -> None:
        self.mockint.go_home()

    def action_practice(self) -> None:
        from mockint.tui.requests import NewSession

        store = self.mockint.store
        session = store.session(self.session_id)
        if session is None:
            return
        card = build_scorecard(store, self.pack, self.session_id)
        if not card.results:
            self.notify("No answered questions to practise.")
            return
        options = practice_options(card, options_from_session(session))
        if options is None:
            self.notify("Every question scored hire or better: nothing to practise again.")
            return
        request = NewSession(
            pack=self.pack,
            options=options,
            grader=session.grader,
            pack_path=session.pack_path,
        )
        self.mockint.open_session(request, replace=True)
