"""The transcript screen: every question, follow-up and answer of a session, each grade side by
side with the others (and the difference), evidence highlighted in the answer, time used, and how
the score on each question moved over earlier sessions.

Keys: n / p next / previous question, r regrade with the LLM, R regrade with the offline
grader (the default one: keywords plus meaning, as `mockint regrade --grader offline`), K with
the keyword grader alone (not in the key bar, which must fit 80 columns; listed under ctrl+p
"Keys"), e export Markdown, x export JSON, escape back. A regrade adds a grade column, it never
replaces one.

Regrading runs off the UI thread, grader construction included: the screen stays responsive
while an LLM thinks or the offline grader loads its sentence encoder (a second or two, on first
use), and a quit meanwhile leaves at once without storing the unfinished regrade.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from mockint.errors import UserError
from mockint.grading.base import remarks
from mockint.marks import OFFLINE_GRADERS, RED_FLAG_GLYPH, verdict_label
from mockint.review.charts import sparkline
from mockint.review.transcript import (
    GradeView,
    QuestionView,
    Transcript,
    TurnView,
    format_delta,
    format_seconds,
    load_transcript,
)
from mockint.safe_text import safe_text
from mockint.store import Store
from mockint.timestamps import format_when
from mockint.tui.plain import notify, plain_rich
from mockint.tui.screens.review_common import ReviewDeps, worker_store
from mockint.tui.tones import (
    EVIDENCE_STYLES,
    FLAG_STYLE,
    NOTE_STYLE,
    band_style,
    delta_style,
    redraw_on_theme_change,
    rich_style,
    verdict_style,
)
from mockint.tui.widgets.key_bar import KeyBar


class TranscriptScreen(Screen[None]):
    """One session. `TranscriptScreen(store, session_id, deps=ReviewDeps(...), focus_turn=id)`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("n", "next_question", "Next"),
        Binding("p", "previous_question", "Prev"),
        Binding("r", "regrade('llm')", "Regrade LLM"),
        Binding("R", "regrade('offline')", "Regrade offline"),
        Binding("K", "regrade('keyword')", "Regrade keyword", show=False),
        Binding("e", "export('md')", "Export md"),
        Binding("x", "export('json')", "Export JSON"),
    ]

    class Regraded(Message):
        """The regrade worker is done: what to tell the user, and whether it went wrong."""

        def __init__(self, text: str, problem: bool) -> None:
            super().__init__()
            self.text = text
            self.problem = problem

    def __init__(
        self,
        store: Store,
        session_id: int,
        *,
        deps: ReviewDeps | None = None,
        focus_turn: int | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.session_id = session_id
        self.deps = deps or ReviewDeps()
        self.focus_turn = focus_turn
        self.transcript: Transcript | None = None
        self.current_question = 0
        self.regrading = False

    def compose(self) -> ComposeResult:
        yield Static("", id="transcript-header")
        yield VerticalScroll(id="transcript-body", can_focus=True)
        yield KeyBar()

    async def on_mount(self) -> None:
        await self.show()
        redraw_on_theme_change(self, self.paint)

    # rendering ------------------------------------------------------------------------------

    async def show(self) -> None:
        try:
            self.transcript = load_transcript(self.store, self.session_id, with_history=True)
        except LookupError:
            self.query_one("#transcript-header", Static).update(
                Text(f"No session {self.session_id}.")
            )
            return
        body = self.query_one("#transcript-body", VerticalScroll)
        await body.remove_children()
        widgets: list[Static] = []
        for number, question in enumerate(self.transcript.questions, start=1):
            widgets.append(Static(classes="q-heading", id=f"q-{number}"))
            for view in question.turns:
                classes = "turn focused-turn" if view.turn.id == self.focus_turn else "turn"
                widgets.append(Static(classes=classes, id=f"turn-{view.turn.id}"))
        if not widgets:
            widgets.append(Static("No question was asked in this session."))
        await body.mount_all(widgets)
        if not all(widget.is_attached for widget in widgets):
            # quit came during the await: Textual mounts nothing once the app is exiting (or
            # the screen is going), so there is nothing to paint and no error to raise
            return
        self.paint()
        body.focus()
        if self.focus_turn is not None:
            self.call_after_refresh(self.scroll_to_turn, self.focus_turn)

    def paint(self) -> None:
        """Fill the header, headings and turns in the colours of the theme in use (again
        after the theme changes: Rich text holds resolved colours)."""
        if self.transcript is None:
            return
        themed = partial(rich_style, self)
        self.query_one("#transcript-header", Static).update(header(self.transcript, themed))
        for number, question in enumerate(self.transcript.questions, start=1):
            self.query_one(f"#q-{number}", Static).update(
                question_heading(number, question, themed)
            )
            for view in question.turns:
                self.query_one(f"#turn-{view.turn.id}", Static).update(turn_block(view, themed))

    def scroll_to_turn(self, turn_id: int) -> None:
        matches = self.query(f"#turn-{turn_id}")
        if matches:
            self.query_one("#transcript-body", VerticalScroll).scroll_to_widget(
                matches.first(), top=True, animate=False
            )

    # actions --------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def _go_to_question(self, step: int) -> None:
        if not self.transcript or not self.transcript.questions:
            return
        count = len(self.transcript.questions)
        self.current_question = max(0, min(count - 1, self.current_question + step))
        heading = self.query_one(f"#q-{self.current_question + 1}")
        self.query_one("#transcript-body", VerticalScroll).scroll_to_widget(
            heading, top=True, animate=False
        )

    def action_next_question(self) -> None:
        self._go_to_question(1)

    def action_previous_question(self) -> None:
        self._go_to_question(-1)

    def action_export(self, fmt: str) -> None:
        from mockint.locations import private_dir, write_private
        from mockint.review import export, markdown

        folder = self.deps.exports()
        path = folder / f"mockint-session-{self.session_id}.{fmt}"
        try:
            if fmt == "json":
                text = export.to_json(export.export_document(self.store, [self.session_id]))
            elif self.transcript is not None:
                text = markdown.render(self.transcript)
            else:
                return
            private_dir(folder)
            write_private(path, text)  # 0600 in a 0700 folder, like the database
        except OSError as exc:
            notify(self, f"Cannot write {path}: {exc.strerror}", severity="error")
            return
        notify(self, f"Exported to {path}", title="Export")

    def action_regrade(self, grader: str) -> None:
        if self.deps.grader_factory is None:
            self.notify("Regrading is not available here.", severity="warning")
            return
        if self.regrading:
            self.notify("A regrade is already running.", severity="warning")
            return
        self.regrading = True
        self.notify(f"Regrading with the {grader} grader…", title="Regrade")
        self.regrade(grader)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def regrade(self, grader: str) -> None:
        """Wait for the regrade, run in a daemon thread, unless this worker is cancelled.

        Textual's thread workers are joined when the app ends, so a regrade run here directly
        would hold a quit on a blank terminal until an LLM answered or the encoder loaded.
        Cancelled (quit, or the screen closed), this worker returns at once: the daemon
        thread goes on while the process lives and is dropped when it ends, storing nothing
        (a regrade writes its grades in one transaction, at the end)."""
        worker = get_current_worker()
        finished = threading.Event()
        outcome: list[TranscriptScreen.Regraded] = []

        def run() -> None:
            try:
                outcome.append(self._regrade(grader))
            finally:
                finished.set()

        threading.Thread(target=run, name="regrade", daemon=True).start()
        while not finished.wait(0.05):
            if worker.is_cancelled:
                return
        self.post_message(outcome[0])

    def _regrade(self, grader: str) -> Regraded:
        """Build the grader (the factory runs here, off the UI thread), regrade, and say how
        it went."""
        from mockint.review.regrade import regrade_session

        assert self.deps.grader_factory is not None
        try:
            with worker_store(self.store) as store:
                report = regrade_session(
                    store,
                    self.session_id,
                    grader,
                    factory=self.deps.grader_factory,
                    resolve_pack=self.deps.pack_resolver,
                )
        except UserError as exc:  # no LLM configured, the pack is gone, ...
            return self.Regraded(str(exc), True)
        except Exception as exc:  # anything else: say so, keep the screen usable
            return self.Regraded(f"Regrade failed: {exc}", True)
        failed = len(report.failed)
        message = f"{report.stored} answers regraded" + (f", {failed} failed" if failed else "")
        if failed:
            message += f": {report.failed[0].note}"
        return self.Regraded(message, bool(failed))

    async def on_transcript_screen_regraded(self, message: Regraded) -> None:
        self.regrading = False
        severity = "warning" if message.problem else "information"
        notify(self, message.text, title="Regrade", severity=severity)
        await self.show()


# turns a theme style ("bold $success") into a Rich style in the theme's colours
Themed = Callable[[str], Style]


def header(transcript: Transcript, themed: Themed) -> Text:
    session = transcript.session
    text = Text()
    text.append(f"Session #{session.id}", style="bold")
    title = f"{transcript.title} ({session.pack_id})"
    text.append(safe_text(f" · {title}", one_line=True))
    text.append(f" · {format_when(session.started_at)}")
    text.append(f" · {format_seconds(transcript.duration_seconds)}")
    text.append(safe_text(f" · {transcript.grader} · {transcript.status}", one_line=True))
    if transcript.score is not None and transcript.band:
        text.append(" · ")
        text.append(
            f"{transcript.score:.1f} / 10 {transcript.band}", themed(band_style(transcript.band))
        )
    return text


def question_heading(number: int, question: QuestionView, themed: Themed) -> Text:
    outcome = question.outcome
    text = Text(safe_text(f"{number}. {question.question_id} · ", one_line=True))
    if not question.answered:
        text.append("not answered yet", style="dim")
    elif outcome.skipped:
        text.append("skipped", style="dim")
    elif outcome.grade is not None:
        band = outcome.grade.band
        text.append(safe_text(f"{outcome.score:.1f} / 10 {band}"), style=themed(band_style(band)))
    else:
        text.append("not graded", style="dim")
    text.append(f" · {question.time_used}", style="not bold")
    scores = [score for _, _, score in question.history]
    if len(scores) > 1:
        text.append(f" · your scores here: {sparkline(scores[-20:])} ", style="not bold")
        text.append(f"{scores[0]:.1f} → {scores[-1]:.1f} ({len(scores)})", style="not bold")
    return text


def turn_block(view: TurnView, themed: Themed) -> RenderableType:
    turn = view.turn
    parts: list[RenderableType] = []
    label = view.heading
    if turn.kind == "follow_up" and turn.probes:
        label += safe_text(f" (probes {', '.join(turn.probes)})", one_line=True)
    parts.append(Text.assemble((label, "bold"), "\n", safe_text(turn.prompt)))
    if turn.skipped:
        parts.append(Text("Skipped.", style="dim italic"))
        return Group(*parts)
    if turn.answer is None:
        parts.append(Text("Not answered.", style="dim italic"))
        if view.draft is not None:  # what autosave kept, as `mockint show` prints it
            saved = format_when(view.draft.saved_at)
            parts.append(
                Text.assemble(
                    ("Unsent draft", "bold"), f" · saved {saved}\n", safe_text(view.draft.text)
                )
            )
        return Group(*parts)
    shown, spans = view.shown_answer()
    answer = Text(shown)
    for start, end in spans:
        answer.stylize(themed(EVIDENCE_STYLES["covered"]), start, end)
    parts.append(Text.assemble(("Answer", "bold"), f" · {format_seconds(view.seconds)}\n", answer))
    if view.grades:
        parts.append(Text(""))
        parts.append(grades_table(view, themed))
        if not view.is_follow_up:
            # a follow-up's feedback judges the whole rubric, not the points its answer
            # counts for, so only a main answer's is shown (as in the Markdown export)
            for grade in view.grades:
                if said := grader_said(grade, turn.question_id):
                    parts.append(feedback_line(grade.label, said))
        for grade in view.grades:
            for dispute in grade.dispute_lines():
                parts.append(Text(safe_text(f"Disputed: {dispute}"), style="italic"))
        if view.is_follow_up and view.primary is not None:
            summary = view.probed(view.primary)
            parts.append(Text(f"This follow-up {summary}.", style="dim italic"))
        for grade in view.grades:
            if grade.row.note:
                note = plain_rich(f"{grade.label}: {grade.row.note}")
                note.stylize(themed(NOTE_STYLE))
                parts.append(note)
    else:
        parts.append(Text("Not graded.", style="dim italic"))
    return Group(*parts)


def grader_said(grade: GradeView, question_id: str) -> str:
    """What a grade says beyond its verdicts: a model's feedback (advice of its own), or what
    an offline grader noticed (text addressed to it, a bare keyword list), as the coach panel
    and scorecard show it. The summary an offline grader writes after that only restates the
    table's verdicts, at a length that would bury the answer."""
    row = grade.row
    if row.grader not in OFFLINE_GRADERS:
        return row.feedback
    return remarks(row.to_grade(question_id)) if row.feedback else ""


def feedback_line(label: str, said: str) -> Text:
    """A grader's (or a server's) words, so shown as written, never read as markup."""
    return Text.assemble((safe_text(label, one_line=True), "bold"), ": ", safe_text(said))


def grades_table(view: TurnView, themed: Themed) -> Table:
    """One column per grade, oldest first; changed verdicts marked; the score difference."""
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, header_style="bold")
    table.add_column("Rubric point", overflow="fold", ratio=3)
    for grade in view.grades:
        mark = " ★" if grade.counts and len(view.grades) > 1 else ""
        heading = f"{grade.label} {format_when(grade.row.created_at)}{mark}"
        table.add_column(plain_rich(heading, one_line=True), ratio=2)
    changed = set(view.changed_points)
    for point_id, description, verdicts in view.point_rows():
        name = plain_rich(description, style="bold" if point_id in changed else "")
        if point_id in changed:
            name.append(" ≠", style=themed("bold $warning"))
        cells = [
            Text(
                verdict_label(v, other_words=point_id in grade.in_other_words),
                style=themed(verdict_style(v, bold=False)),
            )
            for grade, v in zip(view.grades, verdicts, strict=True)
        ]
        table.add_row(name, *cells)
    for description, penalty, raised in view.flag_rows():
        cells = [
            Text(f"{RED_FLAG_GLYPH} −{penalty:g}", style=themed(FLAG_STYLE)) if hit else Text("")
            for hit in raised
        ]
        flag_cell = plain_rich(f"Red flag: {description}")
        flag_cell.stylize(themed(FLAG_STYLE))
        table.add_row(flag_cell, *cells)
    if not view.is_follow_up:
        scores = []
        for grade in view.grades:
            cell = plain_rich(f"{grade.row.score:.1f} {grade.row.band}", style="bold")
            if grade.delta is not None:
                cell.append(f" {format_delta(grade.delta)}", style=themed(delta_style(grade.delta)))
            scores.append(cell)
        table.add_row(Text("Score", style="bold"), *scores)
    return table
