"""A session as something to read: questions, follow-ups, answers, every grade side by side.

Both the transcript screen and the Markdown export render this one model, so what the screen
shows and what a shared file says cannot drift apart. It reads stored rows only (no pack): a
session stays readable after its pack was edited or removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mockint.grading.base import PointVerdict, band_for, primary_grade
from mockint.marks import claim_label, grader_text
from mockint.review.results import QuestionOutcome, session_outcomes
from mockint.safe_text import safe_text
from mockint.scorecard import seconds_between
from mockint.store import DisputeRow, DraftRow, GradeRow, SessionRow, Store, TurnRow

if TYPE_CHECKING:
    from mockint.review.history import HistoryRow


@dataclass
class GradeView:
    row: GradeRow
    counts: bool  # the grade that counts for the turn (primary_grade)
    delta: float | None  # score minus the first grade's score; None for the first
    # the candidate's disputes of this grade's points: point id -> dispute
    disputes: dict[str, DisputeRow] = field(default_factory=dict)

    def dispute_lines(self) -> list[str]:
        """'you say cert-expiry was covered; the grader said missed (note)' per dispute."""
        verdicts = self.verdicts
        lines = []
        for point_id, row in self.disputes.items():
            note = f" ({row.note})" if row.note else ""
            lines.append(
                f"you say {point_id} was {claim_label(row.claim)}; "
                f"the grader said {verdicts.get(point_id)}{note}"
            )
        return lines

    @property
    def label(self) -> str:
        return grader_label(self.row)

    @property
    def verdicts(self) -> dict[str, str]:
        return self.row.verdicts

    @property
    def in_other_words(self) -> set[str]:
        """Points this grade found covered in other words (the semantic layer): shown with ≈,
        as on the scorecard."""
        return {p.point_id for p in self.row.points if p.source == "semantic"}


@dataclass
class TurnView:
    turn: TurnRow
    grades: list[GradeView]
    seconds: float
    # what autosave kept of the answer being typed, on the turn still waiting for one
    draft: DraftRow | None = None

    @property
    def primary(self) -> GradeView | None:
        return next((g for g in self.grades if g.counts), None)

    def probed(self, grade: GradeView) -> str:
        """A follow-up's grade as it counts: for the probed points only (probed_summary)."""
        return probed_summary(grade.row.points, self.turn.probes)

    @property
    def heading(self) -> str:
        return "Question" if self.turn.kind == "main" else "Follow-up"

    def shown_answer(self) -> tuple[str, list[tuple[int, int]]]:
        """The answer as plain text (safe_text), and the spans of its evidence to highlight."""
        shown = safe_text(self.turn.answer or "")
        return shown, evidence_spans(shown, [safe_text(q) for q in self.evidence])

    @property
    def evidence(self) -> list[str]:
        """Evidence quoted by the grade that counts (what the answer is highlighted with)."""
        primary = self.primary
        if primary is None:
            return []
        quotes = [q for p in primary.row.points for q in p.evidence]
        quotes += [q for f in primary.row.red_flags for q in f.evidence]
        return quotes

    def point_rows(self) -> list[tuple[str, str, list[str]]]:
        """(point id, description, verdict per grade) for a side-by-side table, first-seen order."""
        order: list[str] = []
        described: dict[str, str] = {}
        for grade in self.grades:
            for point in grade.row.points:
                if point.point_id not in described:
                    order.append(point.point_id)
                    described[point.point_id] = point.description or point.point_id
        if self.is_follow_up and self.turn.probes:
            # a follow-up answer only counts for the points it probes
            order = [pid for pid in order if pid in self.turn.probes]
        return [
            (pid, described[pid], [g.verdicts.get(pid, "") for g in self.grades]) for pid in order
        ]

    def flag_rows(self) -> list[tuple[str, float, list[bool]]]:
        """(description, penalty, raised by each grade) for every red flag a grade raised, in
        first-seen order (description and penalty as the last grade to raise it has them)."""
        flags = {f.flag_id: f for g in self.grades for f in g.row.red_flags}
        return [
            (
                flag.description or flag_id,
                flag.penalty,
                [any(f.flag_id == flag_id for f in g.row.red_flags) for g in self.grades],
            )
            for flag_id, flag in flags.items()
        ]

    @property
    def is_follow_up(self) -> bool:
        return self.turn.kind == "follow_up"

    @property
    def changed_points(self) -> list[str]:
        """Points on which the grades disagree."""
        return [pid for pid, _, verdicts in self.point_rows() if len(set(verdicts) - {""}) > 1]


@dataclass
class QuestionView:
    outcome: QuestionOutcome
    turns: list[TurnView]
    budget_seconds: float | None
    history: list[tuple[int, str, float]] = field(default_factory=list)
    # False for the question a session in progress (or abandoned) stopped at: asked, no answer
    answered: bool = True

    @property
    def question_id(self) -> str:
        return self.outcome.question_id

    @property
    def time_used(self) -> str:
        """'4m 05s', or '4m 05s of 5m 00s' when the question had a budget."""
        budget = f" of {format_seconds(self.budget_seconds)}" if self.budget_seconds else ""
        return format_seconds(self.outcome.seconds) + budget


@dataclass
class Transcript:
    session: SessionRow
    questions: list[QuestionView]
    score: float | None

    @property
    def band(self) -> str | None:
        return band_for(self.score) if self.score is not None else None

    @property
    def title(self) -> str:
        return self.session.pack_title or self.session.pack_id

    @property
    def grader(self) -> str:
        return grader_label(self.session)

    @property
    def status(self) -> str:
        """'in progress', 'completed', 'abandoned'."""
        return self.session.status.replace("_", " ")

    @property
    def duration_seconds(self) -> float | None:
        """None until the session ends (shown as "–", as History shows it), not 0 s."""
        if not self.session.ended_at:
            return None
        return seconds_between(self.session.started_at, self.session.ended_at)


def probed_summary(points: Iterable[PointVerdict], probes: Iterable[str]) -> str:
    """A follow-up answer's grade in its own terms: only the points it probes count for it, so
    its score over the whole rubric (and the points it never asked about) would mislead."""
    verdicts = {p.point_id: p.verdict for p in points}
    parts = [f"{pid} {verdicts.get(pid, 'not judged')}" for pid in probes]
    return "counts for the probed points only: " + (", ".join(parts) if parts else "none")


def grader_label(row: GradeRow | SessionRow | HistoryRow) -> str:
    """'keyword', or 'llm · model' — which grader made a grade (or ran a session)."""
    return grader_text(row.grader, row.model)


def load_transcript(store: Store, session_id: int, *, with_history: bool = False) -> Transcript:
    """Everything about one session, in reading order. Raises LookupError for an unknown id."""
    session = store.session(session_id)
    if session is None:
        raise LookupError(f"no session {session_id}")
    grades = store.session_grades(session_id)
    disputes = store.session_disputes(session_id)
    turns = store.turns(session_id)
    draft = store.draft(session_id)
    drafted = draft_turn(draft, turns)
    outcomes = session_outcomes(store, session)
    questions: list[QuestionView] = []
    for outcome in outcomes:
        own = [t for t in turns if t.question_id == outcome.question_id]
        views = [_turn_view(t, grades.get(t.id, []), session.grader, disputes) for t in own]
        questions.append(QuestionView(outcome, views, own[0].budget_seconds if own else None))
    # the question the session stopped at (no outcome: nothing submitted) is read too, with
    # its draft, as `mockint show` prints it; it still counts for nothing
    reached = {o.question_id for o in outcomes}
    order = {qid: index for index, qid in enumerate(session.question_ids)}
    for turn in turns:
        if turn.question_id in reached:
            continue
        reached.add(turn.question_id)
        own = [t for t in turns if t.question_id == turn.question_id]
        views = [_turn_view(t, grades.get(t.id, []), session.grader, disputes) for t in own]
        position = order.get(turn.question_id, len(order))
        open_outcome = QuestionOutcome(
            turn.question_id, position, turn.started_at, 0.0, 0.0, skipped=False, grade=None
        )
        questions.append(QuestionView(open_outcome, views, turn.budget_seconds, answered=False))
    for question in questions:
        for view in question.turns:
            if view.turn.id == drafted:
                view.draft = draft
    if with_history:
        from mockint.review.results import question_history, refresh

        refresh(store)
        for question in questions:
            question.history = question_history(
                store, session.pack_id, question.question_id, refreshed=True
            )
    score = session.score
    if score is None and outcomes and session.status != "in_progress":
        score = round(sum(o.score for o in outcomes) / len(outcomes), 1)
    return Transcript(session=session, questions=questions, score=score)


def draft_turn(draft: DraftRow | None, turns: list[TurnRow]) -> int | None:
    """The id of the turn a saved draft belongs to: one still waiting for its answer (a draft
    left behind by a turn since answered or skipped is not shown). A draft without a turn (an
    imported one) goes with the last turn when that one is unanswered."""
    if draft is None or not draft.text:
        return None
    waiting = {t.id for t in turns if t.answer is None and not t.skipped}
    if draft.turn_id is None:
        last = turns[-1].id if turns else None
        return last if last in waiting else None
    return draft.turn_id if draft.turn_id in waiting else None


def _turn_view(
    turn: TurnRow,
    rows: list[GradeRow],
    session_grader: str,
    disputes: dict[int, dict[str, DisputeRow]],
) -> TurnView:
    counting = primary_grade(rows, session_grader)
    first = rows[0].score if rows else None
    views = [
        GradeView(
            row=row,
            counts=counting is not None and row.id == counting.id,
            delta=None if index == 0 or first is None else round(row.score - first, 1),
            disputes=disputes.get(row.id, {}),
        )
        for index, row in enumerate(rows)
    ]
    return TurnView(
        turn=turn, grades=views, seconds=seconds_between(turn.started_at, turn.submitted_at)
    )


def evidence_spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Character spans of the quoted evidence in the answer, merged and sorted.

    Graders quote the answer after light cleaning (typographic quotes, spacing), so matching is
    case-insensitive and lenient about runs of whitespace; a quote not found is skipped.
    """
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        words = quote.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)
        pattern = pattern.replace("'", "['’]").replace('"', '["“”]')
        for match in re.finditer(pattern, text, re.IGNORECASE):
            spans.append(match.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def format_seconds(seconds: float | None) -> str:
    """'4m 05s', '52s' — short durations for time used and budgets."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds}s"


def format_delta(delta: float | None) -> str:
    if delta is None:
        return ""
    return f"{delta:+.1f}"
