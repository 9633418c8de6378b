"""The candidate's disputes of rubric verdicts ("I covered this" / "not covered").

A dispute attaches to the grade that counts for a question's main answer and is stored beside
it (table `disputes`), never written into it: the grade keeps what the grader said. The
scorecard screen and `mockint dispute` both go through here.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockint.errors import UserError
from mockint.grading.base import primary_grade
from mockint.marks import claim_label
from mockint.review.results import session_outcomes
from mockint.store import GradeRow, SessionRow, Store


@dataclass(frozen=True)
class DisputablePoint:
    question_id: str
    point_id: str
    description: str
    verdict: str  # the grader's, over the question's main answer and follow-ups
    claim: str | None  # the candidate's, when disputed: "covered" or "missed"
    grade_id: int

    @property
    def proposed(self) -> str:
        """What disputing it would say: the opposite of the grader's verdict."""
        return "missed" if self.verdict == "covered" else "covered"


def counting_grade(store: Store, session_id: int, question_id: str) -> GradeRow:
    """The grade a dispute of this question attaches to; UserError when there is none."""
    session = store.session(session_id)
    if session is None:
        raise UserError(f"no session {session_id} (`mockint history` lists sessions)")
    turns = store.turns(session_id)
    main = next((t for t in turns if t.question_id == question_id and t.kind == "main"), None)
    if main is None:
        raise UserError(f"session {session_id} has no question {question_id!r}")
    grade = primary_grade(store.grades(main.id), session.grader)
    if grade is None:
        raise UserError(f"question {question_id!r} of session {session_id} has no grade yet")
    return grade


def shown_verdicts(store: Store, session: SessionRow) -> dict[str, dict[str, str]]:
    """What the candidate sees, by question and point: the question's verdicts over its main
    answer and follow-ups (a point a follow-up earned is covered there, though the main
    answer's grade, which a dispute sits beside, has it missed)."""
    return {
        outcome.question_id: {p.point_id: p.verdict for p in outcome.grade.points}
        for outcome in session_outcomes(store, session)
        if outcome.grade is not None
    }


def disputable_points(store: Store, session_id: int) -> list[DisputablePoint]:
    """Every rubric point of every graded main answer of the session, with any dispute."""
    session = store.session(session_id)
    if session is None:
        return []
    grades = store.session_grades(session_id)
    disputes = store.session_disputes(session_id)
    combined = shown_verdicts(store, session)
    points = []
    for turn in store.turns(session_id):
        if turn.kind != "main":
            continue
        grade = primary_grade(grades.get(turn.id, []), session.grader)
        if grade is None:
            continue
        mine = disputes.get(grade.id, {})
        for point in grade.points:
            dispute = mine.get(point.point_id)
            points.append(
                DisputablePoint(
                    question_id=turn.question_id,
                    point_id=point.point_id,
                    description=point.description or point.point_id,
                    verdict=combined.get(turn.question_id, {}).get(point.point_id, point.verdict),
                    claim=dispute.claim if dispute else None,
                    grade_id=grade.id,
                )
            )
    return points


def record_dispute(
    store: Store, session_id: int, question_id: str, point_id: str, claim: str, note: str = ""
) -> str:
    """Store the dispute and say, in one line, what was noted."""
    grade = counting_grade(store, session_id, question_id)
    verdicts = grade.verdicts
    if point_id not in verdicts:
        known = ", ".join(verdicts) or "none"
        raise UserError(f"question {question_id!r} has no rubric point {point_id!r} ({known})")
    store.dispute(grade.id, point_id, claim, note)
    session = store.session(session_id)
    shown = shown_verdicts(store, session).get(question_id, {}) if session else {}
    said = shown.get(point_id, verdicts[point_id])
    return (
        f"Noted: you say {question_id}/{point_id} was {claim_label(claim)}; "
        f"the {grade.grader} grader said {said}. The grade itself is unchanged."
    )
