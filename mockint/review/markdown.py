"""A session as Markdown that reads well on GitHub (and in any other Markdown viewer).

Answers are quoted blocks with the grader's evidence in bold; each answer's grades sit side by
side in one table (one column per grade, the difference to the first grade in the last row).
Every stored string — what the candidate typed, and equally the pack id, question ids, rubric
text, grader names and notes, which an imported file can set to anything — goes through
`safe_text` (no control bytes) and is escaped, so a `|`, `*`, `<script>`, a newline or a
backtick can neither break the tables, start a heading, nor inject HTML. Nothing untrusted is
put in a code span: a backtick in it would end the span.
"""

from __future__ import annotations

import re

from mockint.marks import RED_FLAG_GLYPH, verdict_label
from mockint.review.transcript import (
    QuestionView,
    Transcript,
    TurnView,
    format_delta,
    format_seconds,
)
from mockint.safe_text import safe_text
from mockint.timestamps import format_when

_ESCAPE = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
# what would start a list, a heading underline or a numbered list at the start of a line
_LINE_START = re.compile(r"(?m)^(\s*)([-=])")
_NUMBERED = re.compile(r"(?m)^(\s*\d+)\.(?=\s)")


def escape(text: object) -> str:
    """Markdown-escape inline text (no block syntax survives either: lines are quoted)."""
    return _ESCAPE.sub(r"\\\1", safe_text(text))


def cell(text: object) -> str:
    """Escaped text fit for one table cell or a heading (one line)."""
    return escape(" ".join(safe_text(text).split()))


def quote_block(text: str, spans: list[tuple[int, int]] | None = None) -> str:
    """The text (already through `safe_text` when spans are given: they index into it) as a
    '> ' block, with the spans in bold, blank lines kept."""
    text = safe_text(text)
    spans = spans or []
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(escape(text[position:start]))
        pieces.append("**" + escape(text[start:end]).replace("\n", " ") + "**")
        position = end
    pieces.append(escape(text[position:]))
    body = _NUMBERED.sub(r"\1\\.", _LINE_START.sub(r"\1\\\2", "".join(pieces)))
    return "\n".join("> " + line if line.strip() else ">" for line in body.splitlines() or [""])


def render(transcript: Transcript) -> str:
    session = transcript.session
    title = transcript.title
    lines = [
        f"# Interview: {cell(title)} — {format_when(session.started_at)}",
        "",
        "| | |",
        "|---|---|",
        f"| Session | #{session.id} |",
        f"| Pack | {cell(title)} ({cell(session.pack_id)}) |",
        f"| Started | {format_when(session.started_at)} |",
        f"| Duration | {format_seconds(transcript.duration_seconds)} |",
        f"| Status | {cell(transcript.status)} |",
        f"| Grader | {cell(transcript.grader)} |",
    ]
    if transcript.score is not None:
        lines.append(f"| Score | **{transcript.score:.1f} / 10** — {cell(transcript.band)} |")
    lines.append("")
    for number, question in enumerate(transcript.questions, start=1):
        lines += _question(number, question)
    lines.append(f"<sub>Exported from mockint session #{session.id}.</sub>")
    return "\n".join(lines) + "\n"


def _question(number: int, question: QuestionView) -> list[str]:
    outcome = question.outcome
    band = cell(outcome.grade.band) if outcome.grade else "not graded"
    status = "skipped" if outcome.skipped else f"{outcome.score:.1f} / 10 ({band})"
    if not question.answered:
        status = "not answered yet"
    lines = [
        f"## {number}. {cell(question.question_id)} — {status}",
        "",
        f"Time used: {question.time_used}",
        "",
    ]
    if question.history and len(question.history) > 1:
        scores = " → ".join(f"{score:.1f}" for _, _, score in question.history[-8:])
        lines += [f"Your scores on this question over time: {scores}", ""]
    for turn in question.turns:
        lines += _turn(turn)
    return lines


def _turn(view: TurnView) -> list[str]:
    turn = view.turn
    lines = [f"**{view.heading}:**", "", quote_block(turn.prompt), ""]
    if turn.skipped:
        return [*lines, "_Skipped._", ""]
    if turn.answer is None:
        lines += ["_Not answered._", ""]
        if view.draft is not None:  # what autosave kept, as the transcript screen shows it
            saved = format_when(view.draft.saved_at)
            lines += [f"**Unsent draft** (saved {saved}):", "", quote_block(view.draft.text), ""]
        return lines
    answer, spans = view.shown_answer()
    lines += [
        f"**Answer** ({format_seconds(view.seconds)}):",
        "",
        quote_block(answer, spans),
        "",
    ]
    if not view.grades:
        return [*lines, "_Not graded._", ""]
    lines += _grade_table(view)
    for grade in view.grades:
        row = grade.row
        if view.is_follow_up:
            # its feedback judges the whole rubric; this answer only counts for its probes
            summary = view.probed(grade)
            lines.append(f"- **{cell(grade.label)}:** {cell(summary)}")
        elif row.feedback:
            lines.append(f"- **{cell(grade.label)}:** {cell(row.feedback)}")
        if row.note:
            lines.append(f"- **{cell(grade.label)} note:** {cell(row.note)}")
        for dispute in grade.dispute_lines():
            lines.append(f"- **Disputed:** {cell(dispute)}")
    lines.append("")
    return lines


def _grade_table(view: TurnView) -> list[str]:
    headers = ["Rubric point"]
    for grade in view.grades:
        mark = " (counts)" if grade.counts and len(view.grades) > 1 else ""
        headers.append(f"{cell(grade.label)} · {format_when(grade.row.created_at)}{mark}")
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    changed = set(view.changed_points)
    for point_id, description, verdicts in view.point_rows():
        name = cell(description)
        if point_id in changed:
            name = f"**{name}** (changed)"
        marks = [
            cell(verdict_label(v, other_words=point_id in g.in_other_words))
            for g, v in zip(view.grades, verdicts, strict=True)
        ]
        lines.append("| " + " | ".join([name, *marks]) + " |")
    for description, penalty, raised in view.flag_rows():
        hits = [f"{RED_FLAG_GLYPH} −{penalty:g}" if hit else "" for hit in raised]
        lines.append("| " + " | ".join([f"Red flag: {cell(description)}", *hits]) + " |")
    if not view.is_follow_up:  # a follow-up's own score is over the whole rubric: misleading
        scores = [
            f"**{g.row.score:.1f}** {cell(g.row.band)} {format_delta(g.delta)}".strip()
            for g in view.grades
        ]
        lines.append("| " + " | ".join(["**Score**", *scores]) + " |")
    lines.append("")
    return lines
