"""Grades as styled text: score and band, points covered and missed (and which answer earned
them), red flags, and the candidate's answers with the evidence words highlighted.

Pure functions that return `Content`, so the coach panel, the scorecard and the tests share one
rendering; styles use theme variables, so both the dark and the light theme read well. Text from
packs, graders and answers enters only as plain `Content` parts, through `safe_text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual.content import Content

from mockint.grading.base import DISAGREEMENT_POINTS, Grade
from mockint.safe_text import safe_text
from mockint.scorecard import QuestionResult
from mockint.store import TurnRow
from mockint.tui.widgets.timer import clock_text

VERDICT_MARKS: dict[str, tuple[str, str]] = {
    "covered": ("✓", "bold $success"),
    "partial": ("~", "bold $warning"),
    "missed": ("✗", "bold $error"),
}
EVIDENCE_STYLES: dict[str, str] = {
    "covered": "bold underline $success",
    "partial": "underline $warning",
    "red_flag": "bold strike $error",
}


_EMPHASIS = re.compile(r"\*\*|__|`|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")


def plain_markdown(text: str) -> str:
    """Question text without Markdown emphasis marks, for places that show it as plain text."""
    return _EMPHASIS.sub("", text)


def band_style(band: str) -> str:
    if band in ("strong hire", "hire"):
        return "bold $success"
    if band == "lean hire":
        return "bold $warning"
    return "bold $error"


def turn_labels(turns: Iterable[TurnRow]) -> dict[int, str]:
    """'main answer', 'follow-up 1', ... by turn id, in the order the turns were asked."""
    labels: dict[int, str] = {}
    follow_ups = 0
    for turn in turns:
        if turn["kind"] == "main":
            labels[turn["id"]] = "main answer"
        else:
            follow_ups += 1
            labels[turn["id"]] = f"follow-up {follow_ups}"
    return labels


def score_line(grade: Grade) -> Content:
    return Content.assemble(
        (f"{grade.score:.1f} / 10", "bold"), " — ", (grade.band, band_style(grade.band))
    )


def point_lines(grade: Grade, labels: dict[int, str] | None = None) -> list[Content]:
    """One line per rubric point, covered first, then partial, then missed; then red flags."""
    lines: list[Content] = []
    for verdict in ("covered", "partial", "missed"):
        mark, style = VERDICT_MARKS[verdict]
        for point in (p for p in grade.points if p.verdict == verdict):
            parts: list[str | tuple[str, str]] = [
                (f" {mark} ", style),
                safe_text(point.description or point.point_id),
            ]
            if point.level == "senior":
                parts.append((" (senior)", "italic $text-muted"))
            if labels and point.turn_id in labels and verdict != "missed":
                parts.append((f" — {labels[point.turn_id]}", "$text-muted"))
            lines.append(Content.assemble(*parts))
    for flag in grade.red_flags:
        lines.append(
            Content.assemble(
                (" ! ", "bold $error"),
                safe_text(flag.description or flag.flag_id),
                (f" (-{flag.penalty:g})", "$error"),
            )
        )
    return lines


def _phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    words = phrase.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def highlight_evidence(answer: str, phrases: Iterable[tuple[str, str]]) -> Content:
    """The answer with each (phrase, style) highlighted wherever it occurs, case-insensitively."""
    content = Content(safe_text(answer))
    for phrase, style in phrases:
        pattern = _phrase_pattern(safe_text(phrase))
        if pattern is not None:
            content = content.highlight_regex(pattern, style=style)
    return content


def evidence_for_turn(grade: Grade | None, turn_id: int) -> list[tuple[str, str]]:
    """What to highlight in one answer: the evidence of points that answer earned, and any
    red-flag evidence (red flags are not tied to one answer)."""
    if grade is None:
        return []
    phrases: list[tuple[str, str]] = []
    for point in grade.points:
        if point.verdict != "missed" and point.turn_id == turn_id:
            phrases.extend((words, EVIDENCE_STYLES[point.verdict]) for words in point.evidence)
    for flag in grade.red_flags:
        phrases.extend((words, EVIDENCE_STYLES["red_flag"]) for words in flag.evidence)
    return phrases


def grade_report(grade: Grade, turns: list[TurnRow]) -> Content:
    """The coach panel: score, band, points with the answer that earned them, and any note."""
    lines: list[Content] = [Content.assemble(("Score ", "bold"), score_line(grade))]
    lines.extend(point_lines(grade, turn_labels(turns)))
    if grade.note:
        lines.append(Content.assemble(("Note: ", "bold $warning"), safe_text(grade.note)))
    return Content("\n").join(lines)


def time_line(result: QuestionResult) -> Content:
    used = clock_text(result.seconds_used)
    if result.budget_seconds is None:
        return Content(f"time {used} (untimed)")
    budget = clock_text(result.budget_seconds)
    over = result.seconds_used - result.budget_seconds
    if over > 0:
        return Content.assemble(
            f"time {used} of {budget} ", (f"({clock_text(over)} over)", "$error")
        )
    return Content(f"time {used} of {budget}")


def result_heading(number: int, result: QuestionResult) -> Content:
    question_id = safe_text(result.question.id, one_line=True)
    parts: list[str | tuple[str, str] | Content] = [(f"{number}. {question_id}  ", "bold")]
    if result.skipped:
        parts.append(("skipped — 0.0 / 10", "bold $error"))
    elif result.grade is None:
        parts.append(("not graded", "bold $warning"))
    else:
        parts.append(score_line(result.grade))
    parts.extend(["  ·  ", time_line(result)])
    if (result.disagreement or 0.0) >= DISAGREEMENT_POINTS:
        parts.append(("  ⚠ graders disagree", "bold $error"))
    return Content.assemble(*parts)


def result_report(result: QuestionResult) -> Content:
    """The body of one question on the scorecard (the heading is separate, see result_heading)."""
    grade = result.grade
    labels = turn_labels(result.turns)
    lines: list[Content] = [Content(safe_text(plain_markdown(result.question.text)))]
    if grade is not None:
        lines.append(Content(""))
        lines.extend(point_lines(grade, labels))
    for turn in result.turns:
        if turn["skipped"]:
            continue
        label = labels[turn["id"]]
        lines.append(Content(""))
        if turn["kind"] == "main":
            lines.append(Content.styled("Your answer:", "bold"))
        else:
            prompt = safe_text(turn["prompt"])
            lines.append(Content.assemble((f"{label.capitalize()}: ", "bold"), prompt))
        answer = (turn["answer"] or "").strip() or "(no answer)"
        lines.append(highlight_evidence(answer, evidence_for_turn(grade, turn["id"])))
    if result.question.model_answer:
        lines.append(Content(""))
        lines.append(Content.styled("Model answer outline:", "bold"))
        lines.extend(Content(f" • {safe_text(item)}") for item in result.question.model_answer)
    if grade is not None and grade.note:
        lines.append(Content(""))
        lines.append(Content.assemble(("Note: ", "bold $warning"), safe_text(grade.note)))
    if result.cross_check_score is not None:
        lines.append(Content(""))
        lines.append(cross_check_line(result))
    return Content("\n").join(lines)


def cross_check_line(result: QuestionResult) -> Content:
    """The keyword cross-check beside an LLM grade; a large gap is flagged for a human look."""
    gap = result.disagreement or 0.0
    text = f"keyword cross-check: {result.cross_check_score:.1f} / 10 ({gap:.1f} points apart)"
    if gap >= DISAGREEMENT_POINTS:
        return Content.assemble(
            ("⚠ Graders disagree: ", "bold $error"),
            text,
            " — one of them may have been fooled (a paraphrase, keyword stuffing or text aimed "
            "at the grader); read this answer again.",
        )
    return Content.styled(text, "dim")
