"""Grades as styled text: score and band, points covered (and which answer earned them), the
coaching of each point missed or partly covered, red flags, and the candidate's answers with
the evidence words highlighted.

Pure functions that return `Content` or a `Report` (lines, some indented under the point they
coach), so the coach panel, the scorecard and the tests share one rendering; `ReportView` shows
a report with its indents kept when lines wrap. Styles use theme variables, so both the dark
and the light theme read well. Text from packs, graders and answers enters only as plain
`Content` parts, through `safe_text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from mockint.coaching import Coaching, PointCoaching, coach, said_in_other_words
from mockint.grading.base import DISAGREEMENT_POINTS, Grade, PointVerdict, remarks
from mockint.packs import Question
from mockint.safe_text import safe_text
from mockint.scorecard import QuestionResult
from mockint.store import TurnRow
from mockint.tui.tones import (
    EVIDENCE_STYLES,
    FLAG_STYLE,
    band_style,
    red_flag_mark,
    verdict_mark,
)
from mockint.tui.widgets.timer import clock_text


@dataclass(frozen=True)
class Line:
    """One line of a report. `mark` (a verdict or red-flag glyph) hangs to the left of the text,
    `coach` lines are indented under the point they coach; shown one widget per line, so a line
    that wraps keeps its indent."""

    text: Content
    mark: Content | None = None
    coach: bool = False

    @property
    def plain(self) -> str:
        indent = "     " if self.coach else ""
        mark = f" {self.mark.plain} " if self.mark is not None else ""
        return indent + mark + self.text.plain


Report = list[Line]
BLANK = Line(Content(""))


_EMPHASIS = re.compile(r"\*\*|__|`|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")


def plain_markdown(text: str) -> str:
    """Question text without Markdown emphasis marks, for places that show it as plain text."""
    return _EMPHASIS.sub("", text)


def turn_labels(turns: Iterable[TurnRow]) -> dict[int, str]:
    """'main answer', 'follow-up 1', ... by turn id, in the order the turns were asked."""
    labels: dict[int, str] = {}
    follow_ups = 0
    for turn in turns:
        if turn.kind == "main":
            labels[turn.id] = "main answer"
        else:
            follow_ups += 1
            labels[turn.id] = f"follow-up {follow_ups}"
    return labels


def score_line(grade: Grade) -> Content:
    return Content.assemble(
        (f"{grade.score:.1f} / 10", "bold"), " — ", (grade.band, band_style(grade.band))
    )


def _point_line(
    point: PointVerdict, labels: dict[int, str] | None, *, show_level: bool = True
) -> Line:
    semantic = point.source == "semantic" and point.verdict != "missed"
    parts: list[str | tuple[str, str]] = [safe_text(point.description or point.point_id)]
    if point.level == "senior" and show_level:
        parts.append((" (senior)", "italic $text-muted"))
    if labels and point.turn_id in labels and point.verdict != "missed":
        parts.append((f" — {labels[point.turn_id]}", "$text-muted"))
    if semantic:
        sentence = safe_text(said_in_other_words(point), one_line=True)
        parts.append((" — said in other words", "$text-muted"))
        if sentence:
            parts.extend([(": ", "$text-muted"), (f"“{sentence}”", "italic")])
    return Line(Content.assemble(*parts), mark=verdict_mark(point.verdict, other_words=semantic))


def point_lines(grade: Grade, labels: dict[int, str] | None = None) -> Report:
    """One line per rubric point, covered first, then partial, then missed; then red flags."""
    lines: Report = []
    for verdict in ("covered", "partial", "missed"):
        lines.extend(_point_line(p, labels) for p in grade.points if p.verdict == verdict)
    lines.extend(flag_lines(grade))
    return lines


def flag_lines(grade: Grade) -> Report:
    return [
        Line(
            Content.assemble(
                safe_text(flag.description or flag.flag_id), (f" (-{flag.penalty:g})", FLAG_STYLE)
            ),
            mark=red_flag_mark(),
        )
        for flag in grade.red_flags
    ]


def coaching_block(item: PointCoaching) -> Line:
    """Why the point matters, the candidate's nearest sentence, what a strong answer says."""
    label = "You said" if item.verdict == "partial" else "Closest you came"
    lines = [Content.assemble(("Why it matters: ", "$text-muted"), item.why)]
    if item.said:
        lines.append(
            Content.assemble(
                (f"{label}: ", "$text-muted"),
                (f"“{safe_text(item.said, one_line=True)}”", "italic"),
            )
        )
    if item.not_credited:
        lines.append(
            Content.assemble(
                ("Not credited: ", "$text-muted"), safe_text(item.not_credited, one_line=True)
            )
        )
    elif not item.said and item.verdict == "missed":
        lines.append(Content.styled("Your answer did not get to it.", "$text-muted"))
    if item.strong:
        lines.append(Content.assemble(("A strong answer: ", "$text-muted"), safe_text(item.strong)))
    return Line(Content("\n").join(lines), coach=True)


def graded_points(grade: Grade, coaching: Coaching, labels: dict[int, str] | None = None) -> Report:
    """Covered points, then each missed and partial point with its coaching (the weightiest
    gap first), then red flags."""
    report: Report = [_point_line(p, labels) for p in grade.points if p.verdict == "covered"]
    by_id = {p.point_id: p for p in grade.points}
    coached = {item.point_id for item in coaching.points}
    for item in coaching.points:
        report.append(_point_line(by_id[item.point_id], labels, show_level=False))
        report.append(coaching_block(item))
    # points the coaching leaves out (a question graded from its reference answer)
    for verdict in ("partial", "missed"):
        report.extend(
            _point_line(p, labels)
            for p in grade.points
            if p.verdict == verdict and p.point_id not in coached
        )
    report.extend(flag_lines(grade))
    return report


def what_strong_looks_like(coaching: Coaching) -> Report:
    """The interviewer's intent, and the reference answer or the model-answer outline."""
    report: Report = []
    if coaching.intent:
        report += [
            BLANK,
            Line(
                Content.assemble(
                    ("What the interviewer is after: ", "bold"), safe_text(coaching.intent)
                )
            ),
        ]
    if coaching.reference_answer:
        report += [
            BLANK,
            Line(Content.styled("Reference answer:", "bold")),
            Line(Content(safe_text(coaching.reference_answer)), coach=True),
        ]
    if coaching.outline:
        report += [BLANK, Line(Content.styled("Model answer outline:", "bold"))]
        report.extend(
            Line(Content(safe_text(item)), mark=Content("•")) for item in coaching.outline
        )
    return report


def report_text(report: Report) -> str:
    """The plain text of a report, for tests and logs."""
    return "\n".join(line.plain for line in report)


class ReportView(Vertical):
    """A report, one widget per line: marks hang left of their text, coaching is indented."""

    DEFAULT_CSS = """
    ReportView { height: auto; }
    ReportView > .report-coach { padding-left: 5; }
    ReportView > .report-marked { height: auto; }
    ReportView .report-mark { width: 3; padding-left: 1; }
    ReportView .report-text { width: 1fr; }
    """

    def __init__(self, report: Report, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.report = report

    def compose(self) -> ComposeResult:
        for line in self.report:
            if line.mark is not None:
                with Horizontal(classes="report-marked"):
                    yield Static(line.mark, classes="report-mark")
                    yield Static(line.text, classes="report-text")
            else:
                yield Static(line.text, classes="report-coach" if line.coach else "report-line")

    @property
    def text(self) -> str:
        return report_text(self.report)


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
    red-flag evidence (red flags are not tied to one answer). A point said in other words
    marks its sentence differently from words found as keywords."""
    if grade is None:
        return []
    phrases: list[tuple[str, str]] = []
    for point in grade.points:
        if point.verdict != "missed" and point.turn_id == turn_id:
            style = EVIDENCE_STYLES["semantic" if point.source == "semantic" else point.verdict]
            phrases.extend((words, style) for words in point.evidence)
    for flag in grade.red_flags:
        phrases.extend((words, EVIDENCE_STYLES["red_flag"]) for words in flag.evidence)
    return phrases


def answers_of(turns: Iterable[TurnRow]) -> list[str]:
    """The candidate's answers to one question (main and follow-ups), skipped ones left out."""
    return [t.answer or "" for t in turns if not t.skipped and (t.answer or "").strip()]


def grade_report(
    question: Question, grade: Grade, turns: list[TurnRow], latest: Grade | None = None
) -> Report:
    """The coach panel: score, what the grader noticed beyond its verdicts (in `latest`, the
    answer just given, and in earlier ones), points with the answer that earned them, the
    coaching of each point missed or partly covered, what a strong answer looks like, and any
    note."""
    coaching = coach(question, grade, answers_of(turns))
    report: Report = [Line(Content.assemble(("Score ", "bold"), score_line(grade)))]
    report.extend(noticed(grade, latest))
    report.extend(graded_points(grade, coaching, turn_labels(turns)))
    if grade.note:
        report.append(Line(Content.assemble(("Note: ", "bold $warning"), safe_text(grade.note))))
    report.extend(what_strong_looks_like(coaching))
    return report


def noticed(grade: Grade, latest: Grade | None = None) -> Report:
    """What the grader noticed beyond its verdicts (see `remarks`), as one line, or nothing.

    A question's grade keeps what the grader noticed in each of its answers (`combine`, which
    leaves out "nothing in this answer matches" once any point is earned).

    With `latest` (the grade of the answer just given, in the coach panel), what was noticed
    in earlier answers is labelled as such: "this answer reads as an answer to another
    question", said of the main answer, is not a verdict on the follow-up answer just given.
    """
    said = remarks(grade)
    now = remarks(latest) if latest is not None else said
    if now not in said:
        now = ""
    earlier = " ".join(said.replace(now, "").split()) if now else said
    report: Report = []
    if earlier and latest is not None:
        label = "Grader, on an earlier answer: "
        report.append(Line(Content.assemble((label, "bold $warning"), safe_text(earlier))))
    if now or (earlier and latest is None):
        said_now = now or earlier
        report.append(Line(Content.assemble(("Grader: ", "bold $warning"), safe_text(said_now))))
    return report


def time_line(result: QuestionResult) -> Content:
    # Rounded to the second, as the transcript, the stats and the exports round them: 52.8 s
    # is "0:53" here because it is "53s" there (the running clock truncates; this is a total).
    used_seconds = round(result.seconds_used)
    used = clock_text(used_seconds)
    if result.budget_seconds is None:
        return Content(f"time {used} (untimed)")
    budget_seconds = round(result.budget_seconds)
    budget = clock_text(budget_seconds)
    over = used_seconds - budget_seconds
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


def result_report(result: QuestionResult) -> Report:
    """The body of one question on the scorecard (the heading is separate, see result_heading):
    the question, its points and their coaching, the answers with the evidence marked, what a
    strong answer looks like, any note and the cross-check."""
    grade = result.grade
    labels = turn_labels(result.turns)
    report: Report = [Line(Content(safe_text(plain_markdown(result.question.text))))]
    coaching = coach(result.question, grade, answers_of(result.turns)) if grade else None
    if grade is not None and coaching is not None:
        report.append(BLANK)
        report.extend(noticed(grade))
        report.extend(graded_points(grade, coaching, labels))
    for turn in result.turns:
        if turn.skipped:
            continue
        label = labels[turn.id]
        report.append(BLANK)
        if turn.kind == "main":
            report.append(Line(Content.styled("Your answer:", "bold")))
        else:
            report.append(
                Line(Content.assemble((f"{label.capitalize()}: ", "bold"), safe_text(turn.prompt)))
            )
        answer = (turn.answer or "").strip() or "(no answer)"
        report.append(Line(highlight_evidence(answer, evidence_for_turn(grade, turn.id))))
    if coaching is None:
        question = result.question
        coaching = Coaching(
            intent=question.intent,
            reference_answer="" if question.rubric else (question.reference_answer or "").strip(),
            outline=question.model_answer,
        )
    report.extend(what_strong_looks_like(coaching))
    if grade is not None and grade.note:
        report += [
            BLANK,
            Line(Content.assemble(("Note: ", "bold $warning"), safe_text(grade.note))),
        ]
    if result.cross_check_score is not None:
        report += [BLANK, Line(cross_check_line(result))]
    return report


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
