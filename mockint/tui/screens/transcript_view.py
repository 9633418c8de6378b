"""How the transcript screen draws a session: the header, each question's heading, and each
turn with its answer (evidence highlighted), grades side by side, what the graders said,
disputes and notes. Rich renderables in the theme's colours, built from
`mockint.review.transcript`'s views; the screen (transcript.py) places and repaints them.

Everything from a pack, an answer, a grader or a server is plain text here (`safe_text`,
`plain_rich`, `Text`), never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

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
)
from mockint.safe_text import safe_text
from mockint.timestamps import format_when
from mockint.tui.plain import plain_rich
from mockint.tui.tones import (
    EVIDENCE_STYLES,
    FLAG_STYLE,
    NOTE_STYLE,
    band_style,
    delta_style,
    verdict_style,
)

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
