"""The scorecard: each question's combined grade, the time it took, and the overall score.

Read from stored rows only (no grader, no engine state), so the scorecard of a session is the
same whether it was just finished, resumed after a crash, imported or regraded.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockint.grading.base import Grade, band_for, combine, primary_grade
from mockint.packs import Pack, Question
from mockint.store import Store, TurnRow
from mockint.timestamps import parse_iso


@dataclass
class QuestionResult:
    question: Question
    grade: Grade | None
    turns: list[TurnRow]
    seconds_used: float
    budget_seconds: float | None
    skipped: bool
    # the keyword grade of the same answers, when an LLM graded them (the cross-check)
    cross_check_score: float | None = None

    @property
    def disagreement(self) -> float | None:
        """Points between the LLM grade and its keyword cross-check; None without both."""
        if self.grade is None or self.cross_check_score is None:
            return None
        return round(abs(self.grade.score - self.cross_check_score), 1)


@dataclass
class Scorecard:
    session_id: int
    score: float
    band: str
    results: list[QuestionResult]


def seconds_between(start: str | None, end: str | None) -> float:
    begin, finish = parse_iso(start), parse_iso(end)
    if begin is None or finish is None:
        return 0.0
    return max(0.0, (finish - begin).total_seconds())


def question_grade(store: Store, session_id: int, question_id: str, grader: str) -> Grade | None:
    """One question's grade, combining its main answer and its follow-up answers.

    `grader` picks whose grades to combine (the session's own grader, or "keyword" for the
    cross-check beside an LLM grade); a follow-up answer counts only for the points it probes.
    """
    turns = [t for t in store.turns(session_id) if t.question_id == question_id]
    grades = store.session_grades(session_id)
    graded: list[tuple[int, Grade, tuple[str, ...] | None]] = []
    for turn in turns:
        row = primary_grade(grades.get(turn.id, []), grader)
        if row is None:
            continue
        probes = None if turn.kind == "main" else tuple(turn.probes)
        graded.append((turn.id, row.to_grade(question_id), probes))
    if not graded:
        return None
    return combine(question_id, graded)


def build_scorecard(store: Store, pack: Pack, session_id: int) -> Scorecard:
    """Per-question grades and times, and the overall score (skipped questions count as 0)."""
    session = store.session(session_id)
    if session is None:
        raise ValueError(f"no session {session_id}")
    turns = store.turns(session_id)
    results: list[QuestionResult] = []
    for question_id in session.question_ids:
        question = pack.question(question_id)
        if question is None:
            continue
        own = [t for t in turns if t.question_id == question_id]
        if not own:
            continue
        grade = question_grade(store, session_id, question_id, session.grader)
        cross_check = None
        if grade is not None and grade.grader == "llm":
            keyword = question_grade(store, session_id, question_id, "keyword")
            cross_check = keyword.score if keyword and keyword.grader == "keyword" else None
        results.append(
            QuestionResult(
                question=question,
                grade=grade,
                cross_check_score=cross_check,
                turns=own,
                seconds_used=sum(seconds_between(t.started_at, t.submitted_at) for t in own),
                budget_seconds=own[0].budget_seconds,
                skipped=own[0].skipped,
            )
        )
    scores = [r.grade.score if r.grade else 0.0 for r in results]
    score = round(sum(scores) / len(scores), 1) if scores else 0.0
    return Scorecard(session_id=session_id, score=score, band=band_for(score), results=results)
